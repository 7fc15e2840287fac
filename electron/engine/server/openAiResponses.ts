import crypto from "node:crypto";
import {z} from "zod";
import {streamFailureEvents} from "../../protocol/wireErrors.ts";
import type {ChatCompletionRequest, ChatMessage} from "./chatCompletionRequest.ts";
import {paramName, parseOpenAiBody} from "./chatCompletionRequest.ts";
import {OpenAiHttpError} from "./OpenAiHttpError.ts";
import type {CompletionOutcome, ToolCallDelta} from "./runChatCompletion.ts";
import type {EventStream} from "./openEventStream.ts";
import type {ChatEventWriter} from "./ChatRouteContext.ts";

// The OpenAI Responses API (POST /v1/responses, GET /v1/responses/{id}) as a conversion onto the chat
// path: input items become chat messages, an outcome becomes output items, streaming callbacks become
// the Responses event sequence. Errors keep OpenAI's shape.

const textPart = z.object({type: z.enum(["input_text", "output_text", "text"]), text: z.string()}).loose();
const messageContent = z.union([z.string(), z.array(z.object({type: z.string()}).loose())]);

const messageItem = z.object({
    type: z.literal("message").optional(),
    role: z.enum(["user", "assistant", "system", "developer"]),
    content: messageContent,
    id: z.string().optional(),
    status: z.string().optional()
});
const functionCallItem = z.object({
    type: z.literal("function_call"),
    call_id: z.string().min(1),
    name: z.string().min(1),
    arguments: z.string(),
    id: z.string().optional(),
    status: z.string().optional()
});
const functionCallOutputItem = z.object({
    type: z.literal("function_call_output"),
    call_id: z.string().min(1),
    output: z.union([z.string(), z.array(textPart)]),
    id: z.string().nullish(),
    status: z.string().nullish()
});
const reasoningItem = z.object({type: z.literal("reasoning")}).loose();

const functionTool = z.object({
    type: z.literal("function"),
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1–64 letters, digits, underscores or dashes"),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish()
});

/**
 * Tools the Responses API runs itself or that need a client-side grammar this server does not
 * speak. Codex CLI sends some of them (web_search, namespace groups of sub-agent tools) with every
 * request; they are left out of what the model is offered, and the answer's `tools` lists what was
 * offered.
 */
const hostedToolTypes = ["web_search", "web_search_preview", "file_search", "code_interpreter", "image_generation", "computer_use_preview", "mcp", "local_shell", "custom", "namespace"];

const textFormat = z.discriminatedUnion("type", [
    z.strictObject({type: z.literal("text")}),
    z.strictObject({type: z.literal("json_object")}),
    z.strictObject({
        type: z.literal("json_schema"),
        name: z.string(),
        schema: z.record(z.string(), z.unknown()).optional(),
        description: z.string().optional(),
        strict: z.boolean().nullish()
    })
]);

export const responsesRequestSchema = z.strictObject({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.object({type: z.string().optional()}).loose())]),
    instructions: z.string().nullish(),
    tools: z.array(z.object({type: z.string()}).loose()).optional(),
    tool_choice: z
        .union([z.enum(["none", "auto", "required"]), z.strictObject({type: z.literal("function"), name: z.string().min(1)})])
        .optional(),
    parallel_tool_calls: z.boolean().nullish(),
    max_output_tokens: z.number().int().min(1).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    text: z.object({format: textFormat.optional(), verbosity: z.string().nullish()}).optional(),
    stream: z.boolean().nullish(),
    store: z.boolean().nullish(),
    previous_response_id: z.string().nullish(),
    background: z.literal(false).nullish(),
    // Accepted: reasoning models stream their thoughts as reasoning items; the effort setting changes nothing here.
    reasoning: z.object({effort: z.string().nullish(), summary: z.string().nullish()}).loose().nullish(),
    // Accepted and ignored: bookkeeping that changes nothing about a local generation.
    include: z.array(z.string()).nullish(),
    prompt_cache_key: z.string().nullish(),
    client_metadata: z.unknown().optional(),
    metadata: z.record(z.string(), z.string()).nullish(),
    user: z.string().nullish(),
    safety_identifier: z.string().nullish(),
    service_tier: z.string().nullish(),
    truncation: z.literal("disabled").nullish(),
    stream_options: z.object({include_obfuscation: z.boolean().optional()}).nullish()
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

function invalid(message: string, param: string | null, code = "invalid_value"): OpenAiHttpError {
    return new OpenAiHttpError(400, "invalid_request_error", message, param, code);
}

export function parseResponsesRequest(body: unknown): ResponsesRequest {
    return parseOpenAiBody(responsesRequestSchema, body);
}

function partsText(content: z.infer<typeof messageContent>, where: string): string {
    if (typeof content === "string") return content;
    return content
        .map((part, index) => {
            const text = textPart.safeParse(part);
            if (!text.success)
                throw invalid(
                    part.type === "input_image" || part.type === "input_file" || part.type === "input_audio"
                        ? `${where}[${index}]: "${part.type}" is not supported: the served model reads text only.`
                        : `${where}[${index}]: expected a text part (input_text or output_text), not "${part.type}".`,
                    `${where}[${index}].type`
                );
            return text.data.text;
        })
        .join("");
}

/** Chat messages for the input items. */
export function responsesInputToMessages(input: ResponsesRequest["input"]): ChatMessage[] {
    const messages: ChatMessage[] = [];
    if (typeof input === "string") {
        messages.push({role: "user", content: input});
        return messages;
    }
    for (const [index, raw] of input.entries()) {
        const where = `input[${index}]`;
        const type = raw.type ?? "message";
        if (type === "message") {
            const item = messageItem.safeParse(raw);
            if (!item.success) throw invalid(`${where}: a message needs a role (user, assistant, system, developer) and content.`, where);
            const text = partsText(item.data.content, `${where}.content`);
            const last = messages.at(-1);
            // An assistant message right before its function calls is one chat turn.
            if (item.data.role === "assistant") messages.push({role: "assistant", content: text});
            else if (last && last.role === item.data.role && item.data.role !== "user") last.content = `${last.content as string}\n\n${text}`;
            else messages.push({role: item.data.role, content: text});
        } else if (type === "function_call") {
            const item = functionCallItem.safeParse(raw);
            if (!item.success) throw invalid(`${where}: a function_call needs call_id, name and arguments (a string).`, where);
            const call = {id: item.data.call_id, type: "function" as const, function: {name: item.data.name, arguments: item.data.arguments}};
            const last = messages.at(-1);
            if (last?.role === "assistant") last.tool_calls = [...(last.tool_calls ?? []), call];
            else messages.push({role: "assistant", content: null, tool_calls: [call]});
        } else if (type === "function_call_output") {
            const item = functionCallOutputItem.safeParse(raw);
            if (!item.success) throw invalid(`${where}: a function_call_output needs call_id and output.`, where);
            const output = typeof item.data.output === "string" ? item.data.output : partsText(item.data.output, `${where}.output`);
            messages.push({role: "tool", tool_call_id: item.data.call_id, content: output});
        } else if (type === "reasoning") {
            if (!reasoningItem.safeParse(raw).success) throw invalid(`${where}: malformed reasoning item.`, where);
            // Earlier thoughts are not shown to the model again, as chat templates drop them.
        } else throw invalid(`${where}: input items of type "${type}" are not supported here.`, `${where}.type`);
    }
    return messages;
}

/** The chat request a Responses request means, given the messages of the conversation so far. */
export function responsesToChatRequest(request: ResponsesRequest, messages: ChatMessage[], log: (line: string) => void): ChatCompletionRequest {
    const tools: NonNullable<ChatCompletionRequest["tools"]> = [];
    for (const [index, raw] of (request.tools ?? []).entries()) {
        if (raw.type === "function") {
            const parsed = functionTool.safeParse(raw);
            if (!parsed.success) {
                const issue = parsed.error.issues[0]!;
                throw invalid(`tools[${index}].${paramName(issue.path)}: ${issue.message}.`, `tools[${index}].${paramName(issue.path)}`);
            }
            const {name, description, parameters} = parsed.data;
            tools.push({type: "function", function: {name, ...(description ? {description} : {}), ...(parameters ? {parameters} : {})}});
        } else if (hostedToolTypes.includes(raw.type)) log(`tools[${index}]: "${raw.type}" tools are not offered to a local model; left out`);
        else throw invalid(`tools[${index}]: tools of type "${raw.type}" are not supported here; send function tools.`, `tools[${index}].type`);
    }
    const choice = request.tool_choice;
    const format = request.text?.format;
    return {
        model: request.model,
        messages,
        ...(tools.length > 0 ? {tools} : {}),
        // "auto" and "none" without tools mean nothing; a forcing choice without tools is refused on the chat path.
        ...(choice && (tools.length > 0 || (choice !== "auto" && choice !== "none"))
            ? {tool_choice: typeof choice === "string" ? choice : {type: "function", function: {name: choice.name}}}
            : {}),
        ...(request.parallel_tool_calls === false ? {parallel_tool_calls: false} : {}),
        ...(request.max_output_tokens != null ? {max_tokens: request.max_output_tokens} : {}),
        ...(request.temperature != null ? {temperature: request.temperature} : {}),
        ...(request.top_p != null ? {top_p: request.top_p} : {}),
        ...(format && format.type !== "text"
            ? {
                  response_format:
                      format.type === "json_object"
                          ? {type: "json_object"}
                          : {type: "json_schema", json_schema: {name: format.name, ...(format.schema ? {schema: format.schema} : {}), ...(format.strict != null ? {strict: format.strict} : {})}}
              }
            : {})
    };
}

function itemId(prefix: string): string {
    return `${prefix}_${crypto.randomBytes(12).toString("hex")}`;
}

type OutputItem =
    | {type: "reasoning"; id: string; summary: []; content: {type: "reasoning_text"; text: string}[]}
    | {type: "message"; id: string; status: "completed" | "in_progress" | "incomplete"; role: "assistant"; content: {type: "output_text"; text: string; annotations: []; logprobs: []}[]}
    | {type: "function_call"; id: string; call_id: string; name: string; arguments: string; status: "completed" | "in_progress"};

/** A Response object; `output` is filled as the generation goes. */
export interface ResponseObject {
    id: string;
    object: "response";
    created_at: number;
    status: "in_progress" | "completed" | "incomplete" | "failed";
    model: string;
    output: OutputItem[];
    error: {code: string; message: string} | null;
    incomplete_details: {reason: "max_output_tokens"} | null;
    usage: {input_tokens: number; input_tokens_details: {cached_tokens: number}; output_tokens: number; output_tokens_details: {reasoning_tokens: number}; total_tokens: number} | null;
    [field: string]: unknown;
}

export function newResponse(request: ResponsesRequest, chat: ChatCompletionRequest): ResponseObject {
    return {
        id: itemId("resp"),
        object: "response",
        created_at: Math.floor(Date.now() / 1000),
        status: "in_progress",
        model: request.model,
        output: [],
        error: null,
        incomplete_details: null,
        usage: null,
        instructions: request.instructions ?? null,
        tools: (chat.tools ?? []).map((t) => ({type: "function", name: t.function.name, description: t.function.description ?? null, parameters: t.function.parameters ?? null, strict: false})),
        tool_choice: request.tool_choice ?? "auto",
        parallel_tool_calls: request.parallel_tool_calls ?? true,
        max_output_tokens: request.max_output_tokens ?? null,
        temperature: request.temperature ?? null,
        top_p: request.top_p ?? null,
        previous_response_id: request.previous_response_id ?? null,
        reasoning: request.reasoning ?? null,
        store: request.store ?? true,
        text: {format: request.text?.format ?? {type: "text"}},
        truncation: "disabled",
        metadata: request.metadata ?? {}
    };
}

function completed(response: ResponseObject, outcome: CompletionOutcome) {
    const {promptTokens, cachedTokens, completionTokens} = outcome.usage;
    response.status = outcome.finishReason === "length" ? "incomplete" : "completed";
    response.incomplete_details = outcome.finishReason === "length" ? {reason: "max_output_tokens"} : null;
    response.usage = {
        input_tokens: promptTokens,
        input_tokens_details: {cached_tokens: cachedTokens},
        output_tokens: completionTokens,
        output_tokens_details: {reasoning_tokens: 0},
        total_tokens: promptTokens + completionTokens
    };
}

/** The finished response of a non-streamed request. */
export function finishedResponse(response: ResponseObject, outcome: CompletionOutcome): ResponseObject {
    if (outcome.reasoning !== "") response.output.push({type: "reasoning", id: itemId("rs"), summary: [], content: [{type: "reasoning_text", text: outcome.reasoning}]});
    if (outcome.content !== "" || outcome.toolCalls.length === 0)
        response.output.push({
            type: "message",
            id: itemId("msg"),
            status: outcome.finishReason === "length" ? "incomplete" : "completed",
            role: "assistant",
            content: [{type: "output_text", text: outcome.content, annotations: [], logprobs: []}]
        });
    for (const call of outcome.toolCalls)
        response.output.push({type: "function_call", id: itemId("fc"), call_id: call.id, name: call.name, arguments: call.arguments, status: "completed"});
    completed(response, outcome);
    return response;
}

/** The chat messages a finished response adds to its conversation (what previous_response_id continues). */
export function responseOutputMessages(response: ResponseObject): ChatMessage[] {
    const text = response.output.flatMap((item) => (item.type === "message" ? item.content.map((part) => part.text) : [])).join("");
    const calls = response.output.flatMap((item) =>
        item.type === "function_call" ? [{id: item.call_id, type: "function" as const, function: {name: item.name, arguments: item.arguments}}] : []
    );
    return [{role: "assistant", content: text, ...(calls.length > 0 ? {tool_calls: calls} : {})}];
}

/**
 * Writes one response as the Responses event sequence: response.created, response.in_progress, per
 * output item output_item.added, its deltas (reasoning_text, content_part + output_text,
 * function_call_arguments) and their .done events, output_item.done, then response.completed (or
 * response.incomplete when max_output_tokens ran out). A failure becomes response.failed.
 */
export class ResponsesEventWriter implements ChatEventWriter {
    private sequence = 0;
    private open: {kind: "reasoning" | "message" | "function_call"; index: number; text: string} | undefined;

    constructor(
        private readonly stream: EventStream,
        private readonly response: ResponseObject
    ) {}

    start() {
        this.send("response.created", {response: {...this.response}});
        this.send("response.in_progress", {response: {...this.response}});
    }

    onContent(delta: string) {
        const open = this.ensure("message", () => ({type: "message", id: itemId("msg"), status: "in_progress", role: "assistant", content: []}));
        const item = this.response.output[open.index]!;
        if (open.text === "" && item.type === "message" && item.content.length === 0) {
            item.content.push({type: "output_text", text: "", annotations: [], logprobs: []});
            this.send("response.content_part.added", {item_id: item.id, output_index: open.index, content_index: 0, part: {type: "output_text", text: "", annotations: []}});
        }
        open.text += delta;
        this.send("response.output_text.delta", {item_id: item.id, output_index: open.index, content_index: 0, delta, logprobs: []});
    }

    onReasoning(delta: string) {
        const open = this.ensure("reasoning", () => ({type: "reasoning", id: itemId("rs"), summary: [], content: []}));
        open.text += delta;
        this.send("response.reasoning_text.delta", {item_id: this.response.output[open.index]!.id, output_index: open.index, content_index: 0, delta});
    }

    onToolCall(delta: ToolCallDelta) {
        if (delta.id) {
            this.close();
            this.openItem("function_call", {type: "function_call", id: itemId("fc"), call_id: delta.id, name: delta.name!, arguments: "", status: "in_progress"});
        }
        if (delta.argumentsDelta === "" || !this.open) return;
        this.open.text += delta.argumentsDelta;
        this.send("response.function_call_arguments.delta", {item_id: this.response.output[this.open.index]!.id, output_index: this.open.index, delta: delta.argumentsDelta});
    }

    finish(outcome: CompletionOutcome) {
        if (this.response.output.length === 0 && outcome.toolCalls.length === 0) this.onContent("");
        this.close(outcome.finishReason === "length" ? "incomplete" : "completed");
        completed(this.response, outcome);
        this.send(this.response.status === "incomplete" ? "response.incomplete" : "response.completed", {response: this.response});
        this.stream.end();
    }

    fail(error: OpenAiHttpError) {
        this.close("incomplete");
        this.stream.endWith(streamFailureEvents("responses", error, {response: this.response, sequenceNumber: this.sequence++}));
    }

    private ensure(kind: "reasoning" | "message", item: () => OutputItem) {
        if (this.open?.kind !== kind) {
            this.close();
            this.openItem(kind, item());
        }
        return this.open!;
    }

    private openItem(kind: "reasoning" | "message" | "function_call", item: OutputItem) {
        const index = this.response.output.push(item) - 1;
        this.open = {kind, index, text: ""};
        this.send("response.output_item.added", {output_index: index, item: {...item}});
    }

    private close(status: "completed" | "incomplete" = "completed") {
        const open = this.open;
        if (!open) return;
        this.open = undefined;
        const item = this.response.output[open.index]!;
        if (item.type === "message") {
            const part = {type: "output_text" as const, text: open.text, annotations: [] as [], logprobs: [] as []};
            item.content = [part];
            item.status = status;
            this.send("response.output_text.done", {item_id: item.id, output_index: open.index, content_index: 0, text: open.text, logprobs: []});
            this.send("response.content_part.done", {item_id: item.id, output_index: open.index, content_index: 0, part});
        } else if (item.type === "reasoning") {
            item.content = [{type: "reasoning_text", text: open.text}];
            this.send("response.reasoning_text.done", {item_id: item.id, output_index: open.index, content_index: 0, text: open.text});
        } else {
            item.arguments = open.text;
            item.status = "completed";
            this.send("response.function_call_arguments.done", {item_id: item.id, output_index: open.index, name: item.name, arguments: open.text});
        }
        this.send("response.output_item.done", {output_index: open.index, item});
    }

    private send(type: string, data: object) {
        this.stream.send({type, sequence_number: this.sequence++, ...data}, type);
    }
}

/**
 * Stored responses for previous_response_id and GET /v1/responses/{id}: the newest
 * `maxResponses` (default 256) within `maxBytes` of JSON (default 64 MiB); older ones are dropped.
 */
export class ResponseStore {
    private readonly entries = new Map<string, {response: ResponseObject; conversation: ChatMessage[]; bytes: number}>();
    private bytes = 0;

    constructor(
        private readonly maxResponses = 256,
        private readonly maxBytes = 64 * 1024 * 1024
    ) {}

    put(response: ResponseObject, conversation: ChatMessage[]) {
        const bytes = JSON.stringify(response).length + JSON.stringify(conversation).length;
        this.entries.set(response.id, {response, conversation, bytes});
        this.bytes += bytes;
        while (this.entries.size > this.maxResponses || (this.bytes > this.maxBytes && this.entries.size > 1)) {
            const [oldest, entry] = this.entries.entries().next().value!;
            this.entries.delete(oldest);
            this.bytes -= entry.bytes;
        }
    }

    get(id: string) {
        return this.entries.get(id);
    }
}
