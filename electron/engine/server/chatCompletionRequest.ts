import {z} from "zod";
import {OpenAiHttpError} from "./OpenAiHttpError.ts";

// The subset of OpenAI's chat completion request this server implements. Anything else is refused
// with a 400 naming the field, so a client never silently gets behaviour it did not ask for.

const textPart = z.strictObject({type: z.literal("text"), text: z.string()});
const textContent = z.union([z.string(), z.array(textPart)]);

const toolCall = z.strictObject({
    id: z.string().min(1),
    type: z.literal("function"),
    function: z.strictObject({name: z.string().min(1), arguments: z.string()})
});

const message = z.discriminatedUnion("role", [
    z.strictObject({role: z.literal("system"), content: textContent, name: z.string().optional()}),
    z.strictObject({role: z.literal("developer"), content: textContent, name: z.string().optional()}),
    z.strictObject({role: z.literal("user"), content: textContent, name: z.string().optional()}),
    z.strictObject({
        role: z.literal("assistant"),
        content: textContent.nullish(),
        tool_calls: z.array(toolCall).optional(),
        name: z.string().optional(),
        refusal: z.string().nullish()
    }),
    z.strictObject({role: z.literal("tool"), content: textContent, tool_call_id: z.string().min(1)})
]);

const functionName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1–64 letters, digits, underscores or dashes");
const jsonSchema = z.record(z.string(), z.unknown());

const tool = z.strictObject({
    type: z.literal("function"),
    function: z.strictObject({
        name: functionName,
        description: z.string().optional(),
        parameters: jsonSchema.optional(),
        strict: z.boolean().nullish()
    })
});

const toolChoice = z.union([
    z.enum(["none", "auto", "required"]),
    z.strictObject({type: z.literal("function"), function: z.strictObject({name: z.string()})})
]);

const responseFormat = z.discriminatedUnion("type", [
    z.strictObject({type: z.literal("text")}),
    z.strictObject({type: z.literal("json_object")}),
    z.strictObject({
        type: z.literal("json_schema"),
        json_schema: z.strictObject({
            name: z.string(),
            description: z.string().optional(),
            schema: jsonSchema.optional(),
            strict: z.boolean().nullish()
        })
    })
]);

const positiveInt = z.number().int().min(1);

export const chatCompletionRequestSchema = z.strictObject({
    model: z.string().min(1),
    messages: z.array(message).min(1),
    stream: z.boolean().nullish(),
    stream_options: z.strictObject({include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional()}).nullish(),
    tools: z.array(tool).optional(),
    tool_choice: toolChoice.optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: responseFormat.optional(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    top_k: z.number().int().min(0).nullish(),
    min_p: z.number().min(0).max(1).nullish(),
    seed: z.number().int().nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(16)]).nullish(),
    max_tokens: positiveInt.nullish(),
    max_completion_tokens: positiveInt.nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    n: z.literal(1).nullish(),
    logprobs: z.literal(false).nullish(),
    // Accepted and ignored: bookkeeping fields that change nothing about the generation.
    user: z.string().optional(),
    metadata: z.record(z.string(), z.string()).nullish(),
    store: z.literal(false).nullish(),
    service_tier: z.string().nullish(),
    prompt_cache_key: z.string().optional(),
    safety_identifier: z.string().optional()
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
export type ChatMessage = ChatCompletionRequest["messages"][number];

/** `a.b[0].c` for a zod issue path. */
export function paramName(path: readonly PropertyKey[]): string {
    return path.reduce<string>((name, part) => (typeof part === "number" ? `${name}[${part}]` : name ? `${name}.${String(part)}` : String(part)), "");
}

/**
 * Validates a parsed JSON body against `schema`; throws an OpenAI-style 400 naming the first offending
 * field (unknown fields as unsupported parameters). `special` may answer an issue with its own error first.
 */
export function parseOpenAiBody<T>(schema: z.ZodType<T>, body: unknown, special?: (issue: z.core.$ZodIssue) => OpenAiHttpError | undefined): T {
    if (typeof body !== "object" || body === null || Array.isArray(body))
        throw new OpenAiHttpError(400, "invalid_request_error", "The request body must be a JSON object.", null, "invalid_body");
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    const issue = result.error.issues[0]!;
    if (issue.code === "unrecognized_keys") {
        const param = paramName([...issue.path, issue.keys[0]!]);
        throw new OpenAiHttpError(400, "invalid_request_error", `Unsupported parameter: '${param}' is not supported by this server.`, param, "unsupported_parameter");
    }
    const specific = special?.(issue);
    if (specific) throw specific;
    const param = paramName(issue.path);
    if (issue.path.length === 0) throw new OpenAiHttpError(400, "invalid_request_error", `Invalid request: ${issue.message}.`, null, "invalid_value");
    const code = issue.code === "invalid_type" ? "invalid_type" : "invalid_value";
    throw new OpenAiHttpError(400, "invalid_request_error", `Invalid value for '${param}': ${issue.message.replace(/^Invalid input: /, "")}.`, param, code);
}

/** Validates a parsed JSON body; throws an OpenAI-style 400 naming the first offending field. */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
    return parseOpenAiBody(chatCompletionRequestSchema, body, (issue) => {
        if (issue.code === "invalid_value" && issue.path.at(-1) === "n")
            return new OpenAiHttpError(400, "invalid_request_error", "Unsupported value: 'n' must be 1; this server returns one choice per request.", "n", "unsupported_value");
        if (issue.code === "invalid_value" && issue.path.at(-1) === "logprobs")
            return new OpenAiHttpError(400, "invalid_request_error", "Unsupported value: 'logprobs' is not supported by this server.", "logprobs", "unsupported_value");
        return undefined;
    });
}
