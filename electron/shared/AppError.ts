/**
 * Base of every error the app reports to people. `code` is stable and shown by the API and CLI;
 * `message` says what went wrong and what to do about it.
 */
export class AppError extends Error {
    readonly code: string;
    constructor(code: string, message: string, options?: {cause?: unknown}) {
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
