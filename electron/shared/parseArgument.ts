import {z} from "zod";
import {AppError} from "./AppError.ts";
import type {ErrorCode} from "./errorCodes.ts";

/** A whole number within bounds; every way of missing them gets the one message naming both bounds. */
export function wholeNumber(min: number, max: number) {
    const message = `must be a whole number from ${min} to ${max}`;
    return z.number({error: message}).int({error: message}).min(min, {error: message}).max(max, {error: message});
}

/** The id of a stored record (a run, a sample, a download). */
export const recordId = z
    .number({error: "must be an id (a whole number of at least 1)"})
    .int({error: "must be an id (a whole number of at least 1)"})
    .min(1, {error: "must be an id (a whole number of at least 1)"});

/** Text that must not be blank; it arrives trimmed. `message` says what is expected. */
export function requiredText(message: string) {
    return z.string({error: message}).trim().min(1, {error: message});
}

/** Messages for the checks a schema did not word itself, phrased to follow the field's name. */
const defaultMessage: z.core.$ZodErrorMap = (issue) => {
    switch (issue.code) {
        case "invalid_type":
            if (issue.input === undefined) return "is required";
            return `must be ${issue.expected === "boolean" ? "true or false" : issue.expected === "array" ? "a list" : /^[aeiou]/.test(issue.expected) ? `an ${issue.expected}` : `a ${issue.expected}`}`;
        case "too_small":
            if (issue.origin === "string") return Number(issue.minimum) <= 1 ? "must not be empty" : `must be at least ${issue.minimum} characters long`;
            if (issue.origin === "array") return `must list at least ${issue.minimum}`;
            return issue.inclusive ? `must be at least ${issue.minimum}` : `must be more than ${issue.minimum}`;
        case "too_big":
            if (issue.origin === "string") return `must be at most ${issue.maximum} characters long`;
            if (issue.origin === "array") return `must list at most ${issue.maximum}`;
            return issue.inclusive ? `must be at most ${issue.maximum}` : `must be less than ${issue.maximum}`;
        case "invalid_value":
            return `must be ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`}`;
        case "unrecognized_keys":
            return `has no field${issue.keys.length > 1 ? "s" : ""} named ${issue.keys.join(", ")}`;
        case "invalid_format":
            return `must be a valid ${issue.format}`;
        case "invalid_union":
            return "is not in an accepted form";
        default:
            return undefined;
    }
};

/** Fields whose values are secrets (apiKey, api_key, frontSecret, password, token, hfToken…), not counts such as bytesPerToken. */
const secretField = /(api_?key|secret|password|authorization|^token|access_?token|hf_?token)$/i;

/** Whether a field of this name holds a secret, which no message, log line or record may repeat. */
export function isSecretField(name: PropertyKey): boolean {
    return typeof name === "string" && secretField.test(name);
}

/** The value as a message shows it: JSON, with every secret field's value (at any depth) left out. */
function shownValue(value: unknown): string {
    return JSON.stringify(value, (key, inner: unknown) => (isSecretField(key) && inner !== undefined ? "(a secret, not shown)" : inner)) ?? String(value);
}

/**
 * One sentence per problem, each naming the field (`models.0.settings.contextSize`) and the value
 * sent, except a secret's (an API key is named, never repeated). A check about the whole argument
 * may word its own sentence (starting with a capital letter).
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
    return issues
        .map((issue) => {
            if (issue.path.length === 0 && /^[A-Z]/.test(issue.message)) return `${issue.message}.`;
            const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "The argument";
            const secret = issue.path.some(isSecretField);
            const got =
                issue.code === "unrecognized_keys" || issue.input === undefined ? "" : secret ? " (the value is a secret, so it is not repeated here)" : `, got ${shownValue(issue.input)}`;
            return `${field} ${issue.message}${got}.`;
        })
        .join(" ");
}

/** The error code for a refused argument; a function picks it by the path of the first problem. */
export type InvalidArgumentCode = ErrorCode | ((path: readonly PropertyKey[]) => ErrorCode);

/** An InvalidArgumentCode by the argument's top-level field; other fields get INVALID_ARGUMENT. */
export function codeByField(codes: Record<string, ErrorCode>): (path: readonly PropertyKey[]) => ErrorCode {
    return (path) => (path.length > 0 && Object.hasOwn(codes, String(path[0])) ? codes[String(path[0])]! : "INVALID_ARGUMENT");
}

/**
 * Checks `value` against `schema` and returns what the schema makes of it (defaults applied, unknown
 * fields of non-strict objects dropped), or throws an AppError with `code` naming every field that is
 * wrong and the value it got.
 */
export function parseArgument<S extends z.ZodType>(schema: S, value: unknown, code: InvalidArgumentCode = "INVALID_ARGUMENT"): z.output<S> {
    const result = schema.safeParse(value, {reportInput: true, error: defaultMessage});
    if (result.success) return result.data;
    const issues = result.error.issues;
    throw new AppError(typeof code === "string" ? code : code(issues[0]!.path), describeIssues(issues));
}
