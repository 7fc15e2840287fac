import {knownErrorCode, type ErrorCode} from "./errorCodes.ts";

/**
 * Base of every error the app reports to people. `code` is stable, listed with its HTTP status in
 * errorCodes.ts, and shown by the API and CLI; `message` says what went wrong and what to do about it.
 */
export class AppError extends Error {
    readonly code: ErrorCode;
    constructor(code: ErrorCode, message: string, options?: {cause?: unknown}) {
        super(message, options);
        this.name = "AppError";
        this.code = code;
    }
}

/** A caller sent an argument the app cannot use (HTTP 400). */
export class InvalidArgumentError extends AppError {
    constructor(message: string) {
        super("INVALID_ARGUMENT", message);
        this.name = "InvalidArgumentError";
    }
}

export function errorMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/**
 * What a failure looks like wherever it is reported or recorded (API answers, engine replies, run
 * records): its own code when it is one of the app's, else `fallback`, and its message.
 */
export function errorBody(error: unknown, fallback: ErrorCode = "INTERNAL"): {code: ErrorCode; message: string} {
    return {code: knownErrorCode((error as {code?: unknown} | null)?.code, fallback), message: errorMessage(error)};
}

/**
 * `error` as it may be reported: when its message repeats `secret` (a server may echo the key it
 * refused), the same code with the secret replaced and no cause kept; otherwise `error` itself.
 */
export function concealSecret(error: unknown, secret: string | null | undefined): unknown {
    const message = errorMessage(error);
    if (!secret || !message.includes(secret)) return error;
    return new AppError(knownErrorCode((error as {code?: unknown} | null)?.code, "INTERNAL"), message.split(secret).join("(the API key)"));
}

/** Runs `work`; a failure comes out with `secret` concealed (concealSecret). */
export async function withoutSecret<T>(secret: string | null | undefined, work: () => Promise<T>): Promise<T> {
    try {
        return await work();
    } catch (error) {
        throw concealSecret(error, secret);
    }
}
