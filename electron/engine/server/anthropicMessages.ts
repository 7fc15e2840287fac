import crypto from "node:crypto";
import {z} from "zod";
import {streamFailureEvents} from "../../protocol/wireErrors.ts";
import type {ChatCompletionRequest, ChatMessage} from "./chatCompletionRequest.ts";
import {OpenAiHttpError} from "./OpenAiHttpError.ts";
import {paramName} from "./chatCompletionRequest.ts";
import type {CompletionOutcome, ToolCallDelta} from "./runChatCompletion.ts";
import type {EventStream} from "./openEventStream.ts";
import type {ChatEventWriter} from "./ChatRouteContext.ts";

// The Anthropic Messages API (POST /v1/messages, /v1/messages/count_tokens) as a conversion onto the
// chat path: a request becomes a ChatCompletionRequest, an outcome becomes a Message, streaming
// callbacks become Anthropic's event sequence, errors take Anthropic's shape.

const cacheControl = z.object({type: z.string()}).optional();
const textBlock = z.object({type: z.literal("text"), text: z.string(), cache_control: cacheControl, citations: z.unknown().optional()});
const toolResultBlock = z.object({
    type: z.literal("tool_result"),
    tool_use_id: z.string().min(1),
    content: z.union([z.string(), z.array(z.object({type: z.string(), text: z.string().optional()}).loose())]).optional(),
    is_error: z.boolean().optional(),
    cache_control: cacheControl
});
const toolUseBlock = z.object({
    type: z.literal("tool_use"),
    id: z.string().min(1),
    name: z.string().min(1),
    input: z.record(z.string(), z.unknown()),
    cache_control: cacheControl
});
const thinkingBlock = z.object({type: z.literal("thinking"), thinking: z.string(), signature: z.string().optional()});
const redactedThinkingBlock = z.object({type: z.literal("redacted_thinking"), data: z.string()});
/** Block types the API defines that a local text model cannot take: refused by name. */
const refusedBlockTypes = ["image", "document", "search_result", "server_tool_use", "web_search_tool_result", "container_upload"];
const anyBlock = z.object({type: z.string()}).loose();
const contentBlocks = z.array(anyBlock);

const message = z.object({
    role: z.enum(["user", "assistant", "system"]),
    content: z.union([z.string(), contentBlocks])
});

const tool = z
    .object({
        type: z.string().optional(),
        name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, "must be 1–128 letters, digits, underscores or dashes"),
        description: z.string().optional(),
        input_schema: z.record(z.string(), z.unknown()),
        cache_control: cacheControl,
        defer_loading: z.boolean().optional(),
        strict: z.boolean().optional(),
        input_examples: z.array(z.unknown()).optional()
    })
    .strict();

const toolChoice = z.discriminatedUnion("type", [
    z.strictObject({type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional()}),
    z.strictObject({type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional()}),
    z.strictObject({type: z.literal("none")}),
    z.strictObject({type: z.literal("tool"), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional()})
]);

const common = {
    model: z.string().min(1),
    messages: z.array(message).min(1),
    system: z.union([z.string(), z.array(textBlock)]).optional(),
    tools: z.array(z.union([tool, z.object({type: z.string(), name: z.string()}).loose()])).optional(),
    tool_choice: toolChoice.optional(),
    // Accepted: a model without separated thoughts ignores it; one with them streams them as thinking blocks.
    thinking: z.object({type: z.enum(["enabled", "disabled", "adaptive"]), budget_tokens: z.number().int().min(0).optional()}).loose().optional(),
    // Accepted and ignored: bookkeeping and hosted-API controls that change nothing about a local generation.
    metadata: z.object({user_id: z.string().nullish()}).loose().optional(),
    context_management: z.unknown().optional(),
    output_config: z.unknown().optional(),
    service_tier: z.string().optional(),
    container: z.unknown().optional(),
    mcp_servers: z.array(z.unknown()).max(0, "MCP servers run by the API are not available on a local model").optional()
};

export const anthropicMessagesRequestSchema = z.strictObject({
    ...common,
    max_tokens: z.number().int().min(1),
    stream: z.boolean().optional(),
    stop_sequences: z.array(z.string()).max(16).optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().min(0).optional()
});
export const anthropicCountTokensRequestSchema = z.strictObject(common);

export type AnthropicMessagesRequest = z.infer<typeof anthropicMessagesRequestSchema>;
type AnthropicCountTokensRequest = z.infer<typeof anthropicCountTokensRequestSchema>;

function invalid(message: string, param: string | null = null): OpenAiHttpError {
    return new OpenAiHttpError(400, "invalid_request_error", message, param, "invalid_value");
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("The request body must be a JSON object.");
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    const issue = result.error.issues[0]!;
    if (issue.code === "unrecognized_keys") {
        const param = paramName([...issue.path, issue.keys[0]!]);
        throw new OpenAiHttpError(400, "invalid_request_error", `${param}: Extra inputs are not permitted (this server does not support '${param}').`, param, "unsupported_parameter");
    }
    const param = paramName(issue.path);
    throw invalid(param ? `${param}: ${issue.message.replace(/^Invalid input: /, "")}.` : `Invalid request: ${issue.message}.`, param || null);
}

export function parseAnthropicMessagesRequest(body: unknown): AnthropicMessagesRequest {
    return parseWith(anthropicMessagesRequestSchema, body);
}
export function parseAnthropicCountTokensRequest(body: unknown): AnthropicCountTokensRequest {
    return parseWith(anthropicCountTokensRequestSchema, body);
}

/**
 * Claude Code puts a billing line (`x-anthropic-billing-header: cc_version=…`) first in its system
 * prompt. It is metadata for Anthropic's billing, not an instruction, and it would put
 * per-version text in front of every prompt; it is dropped.
 */
const billingLine = /^x-anthropic-billing-header:/;

function blockText(blocks: readonly {type: string; text?: string}[], where: string): string {
    return blocks
        .map((block, index) => {
            if (block.type !== "text" || typeof block.text !== "string")
                throw invalid(`${where}[${index}]: only text blocks are accepted here, not "${block.type}".`, `${where}[${index}].type`);
            return block.text;
        })
        .join("\n");
}

/** What a tool's arguments were as text when this server generated the call (so the prompt stays token-identical). */
export type RememberedArguments = (toolCallId: string, name: string, input: unknown) => string | undefined;

function toChatMessages(request: AnthropicCountTokensRequest, rememberedArguments: RememberedArguments): ChatMessage[] {
    const messages: ChatMessage[] = [];
    if (request.system !== undefined) {
        const system =
            typeof request.system === "string"
                ? request.system
                : request.system
                      .filter((block) => !billingLine.test(block.text))
                      .map((block) => block.text)
                      .join("\n");
        if (system !== "") messages.push({role: "system", content: system});
    }
    for (const [index, entry] of request.messages.entries()) {
        const where = `messages[${index}].content`;
        if (typeof entry.content === "string") {
            messages.push({role: entry.role, content: entry.content});
            continue;
        }
        if (entry.role === "system") {
            messages.push({role: "system", content: blockText(entry.content as {type: string; text?: string}[], where)});
            continue;
        }
        const texts: string[] = [];
        const toolResults: ChatMessage[] = [];
        const toolCalls: NonNullable<Extract<ChatMessage, {role: "assistant"}>["tool_calls"]> = [];
        for (const [blockIndex, raw] of entry.content.entries()) {
            const at = `${where}[${blockIndex}]`;
            if (refusedBlockTypes.includes(raw.type))
                throw invalid(`${at}: "${raw.type}" blocks are not supported: the served model reads text only.`, `${at}.type`);
            if (raw.type === "text") {
                const block = textBlock.safeParse(raw);
                if (!block.success) throw invalid(`${at}: a text block needs a string 'text'.`, `${at}.text`);
                texts.push(block.data.text);
            } else if (raw.type === "tool_result" && entry.role === "user") {
                const block = toolResultBlock.safeParse(raw);
                if (!block.success) throw invalid(`${at}: a tool_result block needs 'tool_use_id' and string or text-block 'content'.`, at);
                const {content, is_error: isError} = block.data;
                const result = content === undefined ? "" : typeof content === "string" ? content : blockText(content, `${at}.content`);
                toolResults.push({role: "tool", tool_call_id: block.data.tool_use_id, content: isError ? `Error: ${result}` : result});
            } else if (raw.type === "tool_use" && entry.role === "assistant") {
                const block = toolUseBlock.safeParse(raw);
                if (!block.success) throw invalid(`${at}: a tool_use block needs 'id', 'name' and an object 'input'.`, at);
                const {id, name, input} = block.data;
                toolCalls.push({id, type: "function", function: {name, arguments: rememberedArguments(id, name, input) ?? JSON.stringify(input)}});
            } else if ((raw.type === "thinking" && thinkingBlock.safeParse(raw).success) || (raw.type === "redacted_thinking" && redactedThinkingBlock.safeParse(raw).success)) {
                // Earlier thoughts are not shown to the model again, as chat templates drop them.
            } else throw invalid(`${at}: unexpected "${raw.type}" block in a ${entry.role} message.`, `${at}.type`);
        }
        // Tool results answer the previous assistant turn, so they come before any new user text.
        messages.push(...toolResults);
        if (entry.role === "assistant") messages.push({role: "assistant", content: texts.join(""), ...(toolCalls.length > 0 ? {tool_calls: toolCalls} : {})});
        else if (texts.length > 0 || toolResults.length === 0) messages.push({role: entry.role, content: texts.join("\n")});
    }
    return messages;
}

/** The chat request an Anthropic request means. Server tools (web search, code execution…) are refused by name. */
export function anthropicToChatRequest(request: AnthropicMessagesRequest | AnthropicCountTokensRequest, rememberedArguments: RememberedArguments): ChatCompletionRequest {
    const tools: NonNullable<ChatCompletionRequest["tools"]> = [];
    for (const [index, entry] of (request.tools ?? []).entries()) {
        if ("input_schema" in entry && (entry.type === undefined || entry.type === "custom")) {
            const {name, description, input_schema: parameters} = entry as z.infer<typeof tool>;
            tools.push({type: "function", function: {name, ...(description ? {description} : {}), parameters}});
        } else
            throw invalid(
                `tools[${index}]: "${entry.type ?? "?"}" (${String(entry.name)}) is a tool the Anthropic API runs on its servers; a local model has no such tool. Send it as a custom tool with an input_schema.`,
                `tools[${index}].type`
            );
    }
    const choice = request.tool_choice;
    const toolChoice: ChatCompletionRequest["tool_choice"] =
        choice === undefined
            ? undefined
            : choice.type === "auto"
              ? "auto"
              : choice.type === "any"
                ? "required"
                : choice.type === "none"
                  ? "none"
                  : {type: "function", function: {name: choice.name}};
    const sampling =
        "max_tokens" in request
            ? {
                  max_tokens: request.max_tokens,
                  ...(request.stop_sequences?.length ? {stop: request.stop_sequences} : {}),
                  ...(request.temperature !== undefined ? {temperature: request.temperature} : {}),
                  ...(request.top_p !== undefined ? {top_p: request.top_p} : {}),
                  ...(request.top_k !== undefined ? {top_k: request.top_k} : {})
              }
            : {};
    return {
        model: request.model,
        messages: toChatMessages(request, rememberedArguments),
        ...(tools.length > 0 ? {tools} : {}),
        ...(toolChoice ? {tool_choice: toolChoice} : {}),
        ...(choice && "disable_parallel_tool_use" in choice && choice.disable_parallel_tool_use ? {parallel_tool_calls: false} : {}),
        ...sampling
    };
}

export function anthropicMessageId(): string {
    return `msg_${crypto.randomBytes(12).toString("base64url")}`;
}

function stopReason(outcome: CompletionOutcome): "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" {
    if (outcome.finishReason === "tool_calls") return "tool_use";
    if (outcome.finishReason === "length") return "max_tokens";
    return outcome.stopSequence !== undefined ? "stop_sequence" : "end_turn";
}

/** Anthropic counts uncached input as input_tokens and the reused prefix as cache reads. */
function anthropicUsage(usage: CompletionOutcome["usage"]) {
    return {
        input_tokens: usage.promptTokens - usage.cachedTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: usage.cachedTokens,
        output_tokens: usage.completionTokens
    };
}

function parseArguments(text: string): Record<string, unknown> {
    try {
        const value = JSON.parse(text) as unknown;
        return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {value};
    } catch {
        return {};
    }
}

/** The non-streamed answer: a Message with thinking, text and tool_use blocks. */
export function anthropicMessageBody(model: string, outcome: CompletionOutcome) {
    const content: object[] = [];
    if (outcome.reasoning !== "") content.push({type: "thinking", thinking: outcome.reasoning, signature: ""});
    if (outcome.content !== "" || outcome.toolCalls.length === 0) content.push({type: "text", text: outcome.content});
    for (const call of outcome.toolCalls) content.push({type: "tool_use", id: call.id, name: call.name, input: parseArguments(call.arguments)});
    return {
        id: anthropicMessageId(),
        type: "message",
        role: "assistant",
        model,
        content,
        stop_reason: stopReason(outcome),
        stop_sequence: outcome.stopSequence ?? null,
        usage: anthropicUsage(outcome.usage)
    };
}

/**
 * Writes one message as Anthropic's event sequence: message_start, ping, then per content block
 * content_block_start / _delta (text_delta, thinking_delta, input_json_delta) / _stop, then
 * message_delta (stop_reason, usage) and message_stop. A failure becomes an `error` event.
 */
export class AnthropicEventWriter implements ChatEventWriter {
    private blockIndex = -1;
    private openBlock: "text" | "thinking" | "tool_use" | undefined;
    private started = false;

    constructor(
        private readonly stream: EventStream,
        private readonly model: string
    ) {}

    start({promptTokens}: {promptTokens: number}) {
        if (this.started) return;
        this.started = true;
        this.send("message_start", {
            type: "message_start",
            message: {
                id: anthropicMessageId(),
                type: "message",
                role: "assistant",
                model: this.model,
                content: [],
                stop_reason: null,
                stop_sequence: null,
                usage: {input_tokens: promptTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0}
            }
        });
        this.send("ping", {type: "ping"});
    }

    onContent(text: string) {
        this.ensureBlock("text", {type: "text", text: ""});
        this.send("content_block_delta", {type: "content_block_delta", index: this.blockIndex, delta: {type: "text_delta", text}});
    }

    onReasoning(text: string) {
        this.ensureBlock("thinking", {type: "thinking", thinking: "", signature: ""});
        this.send("content_block_delta", {type: "content_block_delta", index: this.blockIndex, delta: {type: "thinking_delta", thinking: text}});
    }

    onToolCall(delta: ToolCallDelta) {
        if (delta.id) {
            this.closeBlock();
            this.openNewBlock("tool_use", {type: "tool_use", id: delta.id, name: delta.name, input: {}});
        }
        if (delta.argumentsDelta !== "")
            this.send("content_block_delta", {type: "content_block_delta", index: this.blockIndex, delta: {type: "input_json_delta", partial_json: delta.argumentsDelta}});
    }

    finish(outcome: CompletionOutcome) {
        this.start({promptTokens: outcome.usage.promptTokens});
        if (this.blockIndex < 0) this.ensureBlock("text", {type: "text", text: ""});
        this.closeBlock();
        this.send("message_delta", {
            type: "message_delta",
            delta: {stop_reason: stopReason(outcome), stop_sequence: outcome.stopSequence ?? null},
            usage: anthropicUsage(outcome.usage)
        });
        this.send("message_stop", {type: "message_stop"});
        this.stream.end();
    }

    fail(error: OpenAiHttpError) {
        this.stream.endWith(streamFailureEvents("anthropic", error));
    }

    private ensureBlock(kind: "text" | "thinking", block: object) {
        if (this.openBlock === kind) return;
        this.closeBlock();
        this.openNewBlock(kind, block);
    }

    private openNewBlock(kind: "text" | "thinking" | "tool_use", block: object) {
        this.blockIndex++;
        this.openBlock = kind;
        this.send("content_block_start", {type: "content_block_start", index: this.blockIndex, content_block: block});
    }

    private closeBlock() {
        if (this.openBlock === undefined) return;
        this.send("content_block_stop", {type: "content_block_stop", index: this.blockIndex});
        this.openBlock = undefined;
    }

    private send(event: string, data: object) {
        this.stream.send(data, event);
    }
}
