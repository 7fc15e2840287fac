import type {EvalToolCall, EvalUsage} from "../../api/EvalApi.ts";
import type {RecordedExchange} from "./recordingProxy.ts";

/** A message of a conversation, whatever protocol carried it. */
export interface WireMessage {
    role: "system" | "user" | "assistant" | "tool";
    content: string | null;
    toolCalls?: EvalToolCall[];
    toolCallId?: string;
    /** Tool results the agent marked as errors (Anthropic's `is_error`), or whose text starts with one. */
    isError?: boolean;
}

/** A model call read back from the wire: the conversation sent, the answer, its usage, or the error. */
export interface ModelCall {
    input: WireMessage[];
    answer: (WireMessage & {role: "assistant"}) | null;
    finishReason: string | null;
    usage: EvalUsage;
    error: {message: string; status: number | null; contextOverflow: boolean} | null;
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json => (value && typeof value === "object" ? (value as Json) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const num = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : 0);

/** Text of OpenAI/Anthropic content: a string, or the text of its parts. */
function textOf(content: unknown): string | null {
    if (typeof content === "string") return content;
    if (!Array.isArray(content)) return null;
    const texts = content.map((part) => asObject(part)).filter((p) => typeof p.text === "string");
    return texts.length ? texts.map((p) => p.text as string).join("\n") : null;
}

const looksLikeError = (text: string | null) => text !== null && /^\s*(error|<tool_use_error>|tool execution failed)/i.test(text);
const CONTEXT_OVERFLOW = /context (length|size|window)|too (long|many tokens)|exceeds? (the )?(available )?context|prompt is too long|maximum context/i;

/** Server-sent events' data payloads, parsed. */
function sseEvents(text: string): Json[] {
    const events: Json[] = [];
    for (const block of text.split(/\r?\n\r?\n/)) {
        const data = block
            .split(/\r?\n/)
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trimStart())
            .join("\n");
        if (!data || data === "[DONE]") continue;
        try {
            events.push(asObject(JSON.parse(data)));
        } catch {}
    }
    return events;
}

function errorOf(exchange: RecordedExchange, body: Json | null): ModelCall["error"] {
    if (exchange.error) return {message: exchange.error, status: exchange.status, contextOverflow: false};
    const streamedError = body?.type === "error" || body?.type === "response.failed" || (body?.error && !body.choices && !body.content && !body.output);
    if (exchange.status !== null && exchange.status < 400 && !streamedError) return null;
    const error = asObject(body?.error ?? asObject(body?.response).error);
    const message = typeof error.message === "string" ? error.message : exchange.response.slice(0, 500) || `HTTP ${exchange.status}`;
    return {message, status: exchange.status, contextOverflow: CONTEXT_OVERFLOW.test(message)};
}

function chatInput(request: Json): WireMessage[] {
    return asArray(request.messages).map((raw) => {
        const m = asObject(raw);
        const role = m.role === "developer" ? "system" : (m.role as WireMessage["role"]);
        const toolCalls = asArray(m.tool_calls).map((c) => {
            const call = asObject(c);
            const fn = asObject(call.function);
            return {id: String(call.id ?? ""), name: String(fn.name ?? ""), arguments: typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {})};
        });
        const content = textOf(m.content);
        return {
            role,
            content,
            ...(toolCalls.length ? {toolCalls} : {}),
            ...(role === "tool" ? {toolCallId: String(m.tool_call_id ?? ""), isError: looksLikeError(content)} : {})
        };
    });
}

function chatAnswer(exchange: RecordedExchange): {answer: ModelCall["answer"]; finishReason: string | null; usage: Json; body: Json | null} {
    const streamed = (exchange.contentType ?? "").includes("event-stream");
    if (!streamed) {
        let body: Json | null = null;
        try {
            body = asObject(JSON.parse(exchange.response));
        } catch {}
        const choice = asObject(asArray(body?.choices)[0]);
        if (!body?.choices) return {answer: null, finishReason: null, usage: {}, body};
        const [message] = chatInput({messages: [{...asObject(choice.message), role: "assistant"}]});
        return {answer: {...message!, role: "assistant"}, finishReason: (choice.finish_reason as string) ?? null, usage: asObject(body.usage), body};
    }
    let content = "";
    let finishReason: string | null = null;
    let usage: Json = {};
    let failure: Json | null = null;
    const calls: {id: string; name: string; arguments: string}[] = [];
    for (const event of sseEvents(exchange.response)) {
        if (event.error) failure = event;
        if (event.usage) usage = asObject(event.usage);
        const choice = asObject(asArray(event.choices)[0]);
        const delta = asObject(choice.delta);
        if (typeof delta.content === "string") content += delta.content;
        for (const raw of asArray(delta.tool_calls)) {
            const part = asObject(raw);
            const index = num(part.index);
            const fn = asObject(part.function);
            calls[index] ??= {id: "", name: "", arguments: ""};
            if (typeof part.id === "string") calls[index].id = part.id;
            if (typeof fn.name === "string") calls[index].name += fn.name;
            if (typeof fn.arguments === "string") calls[index].arguments += fn.arguments;
        }
        if (typeof choice.finish_reason === "string") finishReason = choice.finish_reason;
    }
    const toolCalls = calls.filter(Boolean);
    return {answer: {role: "assistant", content: content || null, ...(toolCalls.length ? {toolCalls} : {})}, finishReason, usage, body: failure};
}

function anthropicInput(request: Json): WireMessage[] {
    const out: WireMessage[] = [];
    const system = textOf(request.system);
    if (system !== null) out.push({role: "system", content: system});
    for (const raw of asArray(request.messages)) {
        const m = asObject(raw);
        if (typeof m.content === "string") {
            out.push({role: m.role === "assistant" ? "assistant" : "user", content: m.content});
            continue;
        }
        const blocks = asArray(m.content).map(asObject);
        if (m.role === "assistant") {
            const toolCalls = blocks.filter((b) => b.type === "tool_use").map((b) => ({id: String(b.id ?? ""), name: String(b.name ?? ""), arguments: JSON.stringify(b.input ?? {})}));
            out.push({role: "assistant", content: textOf(blocks.filter((b) => b.type === "text")), ...(toolCalls.length ? {toolCalls} : {})});
            continue;
        }
        for (const block of blocks.filter((b) => b.type === "tool_result"))
            out.push({role: "tool", content: textOf(block.content), toolCallId: String(block.tool_use_id ?? ""), isError: block.is_error === true || looksLikeError(textOf(block.content))});
        const text = textOf(blocks.filter((b) => b.type === "text"));
        if (text !== null) out.push({role: "user", content: text});
    }
    return out;
}

function anthropicAnswer(exchange: RecordedExchange): {answer: ModelCall["answer"]; finishReason: string | null; usage: Json; body: Json | null} {
    const streamed = (exchange.contentType ?? "").includes("event-stream");
    let message: Json = {};
    let failure: Json | null = null;
    if (!streamed) {
        try {
            message = asObject(JSON.parse(exchange.response));
        } catch {}
        if (message.type === "error") failure = message;
    } else {
        const blocks: Json[] = [];
        let usage: Json = {};
        for (const event of sseEvents(exchange.response)) {
            if (event.type === "message_start") {
                message = asObject(event.message);
                usage = {...asObject(message.usage)};
            } else if (event.type === "content_block_start") blocks[num(event.index)] = {...asObject(event.content_block), partial: ""};
            else if (event.type === "content_block_delta") {
                const block = blocks[num(event.index)];
                const delta = asObject(event.delta);
                if (!block) continue;
                if (delta.type === "text_delta") block.text = String(block.text ?? "") + String(delta.text ?? "");
                if (delta.type === "input_json_delta") block.partial = String(block.partial) + String(delta.partial_json ?? "");
            } else if (event.type === "message_delta") {
                message.stop_reason = asObject(event.delta).stop_reason;
                usage = {...usage, ...asObject(event.usage)};
            } else if (event.type === "error") failure = event;
        }
        for (const block of blocks)
            if (block?.type === "tool_use" && block.partial)
                try {
                    block.input = JSON.parse(String(block.partial));
                } catch {
                    block.input = String(block.partial);
                }
        message.content = blocks.filter(Boolean);
        message.usage = usage;
    }
    if (!Array.isArray(message.content)) return {answer: null, finishReason: null, usage: {}, body: failure ?? message};
    const blocks = asArray(message.content).map(asObject);
    const toolCalls = blocks
        .filter((b) => b.type === "tool_use")
        .map((b) => ({id: String(b.id ?? ""), name: String(b.name ?? ""), arguments: typeof b.input === "string" ? b.input : JSON.stringify(b.input ?? {})}));
    const u = asObject(message.usage);
    return {
        answer: {role: "assistant", content: textOf(blocks.filter((b) => b.type === "text")), ...(toolCalls.length ? {toolCalls} : {})},
        finishReason: (message.stop_reason as string) ?? null,
        usage: {prompt_tokens: num(u.input_tokens) + num(u.cache_read_input_tokens), completion_tokens: num(u.output_tokens), prompt_tokens_details: {cached_tokens: num(u.cache_read_input_tokens)}},
        body: failure
    };
}

function responsesInput(request: Json): WireMessage[] {
    const out: WireMessage[] = [];
    if (typeof request.instructions === "string") out.push({role: "system", content: request.instructions});
    if (typeof request.input === "string") return [...out, {role: "user", content: request.input}];
    for (const raw of asArray(request.input)) {
        const item = asObject(raw);
        if (item.type === "function_call") {
            const last = out.at(-1);
            const call = {id: String(item.call_id ?? ""), name: String(item.name ?? ""), arguments: String(item.arguments ?? "")};
            if (last?.role === "assistant") last.toolCalls = [...(last.toolCalls ?? []), call];
            else out.push({role: "assistant", content: null, toolCalls: [call]});
        } else if (item.type === "function_call_output") {
            const content = typeof item.output === "string" ? item.output : textOf(item.output);
            out.push({role: "tool", content, toolCallId: String(item.call_id ?? ""), isError: looksLikeError(content)});
        } else if (item.type === "message" || item.role) {
            const role = item.role === "assistant" ? "assistant" : item.role === "system" || item.role === "developer" ? "system" : "user";
            out.push({role, content: textOf(item.content)});
        }
    }
    return out;
}

function responsesAnswer(exchange: RecordedExchange): {answer: ModelCall["answer"]; finishReason: string | null; usage: Json; body: Json | null} {
    let response: Json = {};
    if ((exchange.contentType ?? "").includes("event-stream")) {
        for (const event of sseEvents(exchange.response))
            if (event.type === "response.completed" || event.type === "response.incomplete" || event.type === "response.failed") response = asObject(event.response);
            else if (event.type === "error") return {answer: null, finishReason: null, usage: {}, body: event};
    } else
        try {
            response = asObject(JSON.parse(exchange.response));
        } catch {}
    if (!Array.isArray(response.output)) return {answer: null, finishReason: null, usage: {}, body: response};
    const [answer] = responsesInput({input: response.output}).filter((m) => m.role === "assistant");
    const texts = asArray(response.output)
        .map(asObject)
        .filter((item) => item.type === "message")
        .map((item) => textOf(item.content));
    const u = asObject(response.usage);
    return {
        answer: {role: "assistant", content: texts.filter((t) => t !== null).join("\n") || null, ...(answer?.toolCalls ? {toolCalls: answer.toolCalls} : {})},
        finishReason: response.status === "incomplete" ? "length" : ((response.status as string) ?? null),
        usage: {prompt_tokens: num(u.input_tokens), completion_tokens: num(u.output_tokens), prompt_tokens_details: {cached_tokens: num(asObject(u.input_tokens_details).cached_tokens)}},
        body: response.status === "failed" ? response : null
    };
}

/** Reads a recorded model call in whichever protocol it was made (chat completions, Anthropic Messages, Responses). */
export function readExchange(exchange: RecordedExchange): ModelCall {
    const request = asObject(exchange.request);
    const protocol = exchange.path.endsWith("/messages") ? "anthropic" : exchange.path.endsWith("/responses") ? "responses" : "chat";
    const input = protocol === "anthropic" ? anthropicInput(request) : protocol === "responses" ? responsesInput(request) : chatInput(request);
    const read = protocol === "anthropic" ? anthropicAnswer(exchange) : protocol === "responses" ? responsesAnswer(exchange) : chatAnswer(exchange);
    const prompt = num(read.usage.prompt_tokens);
    const cached = num(asObject(read.usage.prompt_tokens_details).cached_tokens);
    const error = errorOf(exchange, read.body) ?? (read.answer ? null : {message: `The answer could not be read: ${exchange.response.slice(0, 300)}`, status: exchange.status, contextOverflow: false});
    return {
        input,
        answer: error && !read.answer?.content && !read.answer?.toolCalls ? null : read.answer,
        finishReason: read.finishReason,
        usage: {inputTokens: Math.max(0, prompt - cached), cachedInputTokens: cached, outputTokens: num(read.usage.completion_tokens)},
        error
    };
}
