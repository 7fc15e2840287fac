import {z} from "zod";
import type {AppApi} from "../api/AppApi.ts";
import {parseArgument, wholeNumber, type InvalidArgumentCode} from "./parseArgument.ts";

/** One API method: the schema its argument must pass, and the handler that gets what the schema outputs. */
export interface ApiMethod<Arg, Result> {
    schema: z.ZodType<Arg>;
    /** Code of a refused argument (a domain's own `*_INVALID` where clients rely on it). Default INVALID_ARGUMENT. */
    invalidCode?: InvalidArgumentCode;
    handler(arg: Arg): Promise<Result>;
}

/** A domain's slice of the API as a table: one `{schema, handler}` per method of `Api`. */
export type MethodTable<Api> = {[M in keyof Api]: Api[M] extends (arg: infer Arg) => Promise<infer Result> ? ApiMethod<Arg, Result> : never};

/** Every method of AppApi; a table missing one does not compile. */
export type AppMethodTable = MethodTable<AppApi>;

/** The argument of a method that takes none: any object (extra fields are ignored). */
export const emptyArgument = z.object({});

/** The argument of a method that lists stored records, newest first: how many at most. */
export const listArgument = z.object({limit: wholeNumber(1, 1000).optional()});

/** Whether `name` is a method of the table (never an inherited property such as "constructor"). */
export function isMethodOf<Api>(table: MethodTable<Api>, name: unknown): name is keyof Api & string {
    return typeof name === "string" && Object.hasOwn(table, name);
}

/**
 * Checks the argument against the method's schema, then runs its handler: the one path from any caller
 * (CLI, IPC, HTTP, another domain) to a method. A missing argument counts as `{}`.
 */
export async function callMethod<Api, M extends keyof Api>(table: MethodTable<Api>, method: M, arg: unknown): Promise<unknown> {
    const entry = table[method] as ApiMethod<unknown, unknown>;
    return entry.handler(parseArgument(entry.schema, arg === undefined ? {} : arg, entry.invalidCode));
}

/** The typed API over a table: each method validates its argument, then runs its handler. */
export function apiFromMethods<Api>(table: MethodTable<Api>): Api {
    return Object.fromEntries(Object.keys(table).map((method) => [method, (arg: unknown) => callMethod(table, method as keyof Api, arg)])) as Api;
}
