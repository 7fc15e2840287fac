import {errorBody} from "../../shared/AppError.ts";
import {httpStatusOf, type ErrorCode} from "../../shared/errorCodes.ts";
import {callMethod, isMethodOf, type AppMethodTable} from "../../shared/MethodTable.ts";

/** What a transport sends back: the result, or the error with the HTTP status its code maps to (IPC ignores the status). */
export type DispatchOutcome = {ok: true; result: unknown} | {ok: false; status: number; error: {code: ErrorCode; message: string}};

/**
 * The one dispatcher both transports use: the method must be in the table (never an arbitrary
 * property), its argument must pass the method's schema, then its handler runs; any failure becomes
 * `{code, message}` with the status errorCodes.ts gives the code.
 */
export async function dispatchApiCall(methods: AppMethodTable, method: unknown, arg: unknown): Promise<DispatchOutcome> {
    if (!isMethodOf(methods, method)) return {ok: false, status: httpStatusOf("UNKNOWN_METHOD"), error: {code: "UNKNOWN_METHOD", message: `There is no API method "${String(method)}".`}};
    try {
        return {ok: true, result: await callMethod(methods, method, arg)};
    } catch (error) {
        const body = errorBody(error);
        return {ok: false, status: httpStatusOf(body.code), error: body};
    }
}
