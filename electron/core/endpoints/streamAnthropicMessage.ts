import {EndpointError} from "./EndpointError.ts";
import {
    ArrivalClock,
    completionSample,
    parseStreamEvent,
    postForEventStream,
    readServerSentEvents,
    streamChatCompletion,
    type ChatCompletionBody,
    type EndpointChatMessage,
    type EndpointConnection,
    type StreamedCompletion
} from "./streamChatCompletion.ts";

type AnthropicBlock =
    | {type: "text"; text: string}
    | {type: "tool_use"; id: string; name: string; input: unknown}
    | {type: "tool_result"; tool_use_id: string; content: string};

interface AnthropicMessage {
    role: "user" | "assistant";
    content: AnthropicBlock[];
}

/** Anthropic counts uncached input as `input_tokens`, the reused prefix as cache reads and writes. */
interface AnthropicUsage {
    input_tokens?: number;
    cache_read_input_tokens?: number | null;
    cache_creation_input_tokens?: number | null;
    output_tokens?: number;
}

/** The request the benchmark builds (OpenAI's shape) as Anthropic's: system apart, tool calls and results as content blocks. */
export function toAnthropicRequest(body: ChatCompletionBody): object {
    const system = body.messages.filter((m) => m.role === "system").map((m) => (m as {content: string}).content);
    const messages: AnthropicMessage[] = [];
    const append = (role: AnthropicMessage["role"], blocks: AnthropicBlock[]) => {
        const last = messages.at(-1);
        // Anthropic wants the roles to alternate: consecutive tool results (and a user message after them) share one user turn.
        if (last?.role === role) last.content.push(...blocks);
        else messages.push({role, content: blocks});
    };
    for (const message of body.messages as EndpointChatMessage[]) {
        if (message.role === "user") append("user", [{type: "text", text: message.content}]);
        else if (message.role === "tool") append("user", [{type: "tool_result", tool_use_id: message.tool_call_id, content: message.content}]);
        else if (message.role === "assistant") {
            const blocks: AnthropicBlock[] = message.content ? [{type: "text", text: message.content}] : [];
            for (const call of message.tool_calls ?? []) {
                let input: unknown = {};
                try {
                    input = JSON.parse(call.function.arguments || "{}");
                } catch {
                    // A model's malformed arguments still go back as the call it made; the benchmark only needs the conversation to continue.
                }
                blocks.push({type: "tool_use", id: call.id, name: call.function.name, input});
            }
            append("assistant", blocks.length > 0 ? blocks : [{type: "text", text: "(no content)"}]);
        }
    }
    const tools = (body.tools as {function?: {name: string; description?: string; parameters?: unknown}}[] | undefined)?.map((tool) => ({
        name: tool.function!.name,
        description: tool.function!.description ?? "",
        input_schema: tool.function!.parameters ?? {type: "object", properties: {}}
    }));
    return {
        model: body.model,
        max_tokens: body.max_tokens,
        ...(system.length > 0 ? {system: system.join("\n\n")} : {}),
        messages,
        ...(tools?.length ? {tools} : {}),
        ...(body.temperature !== undefined ? {temperature: body.temperature} : {}),
        stream: true
    };
}

/**
 * Sends one Anthropic Messages request with `stream: true` (`POST /messages`) and times it like a
 * chat completion: first streamed text, thinking or tool-input delta, every delta after it, the
 * stream's end (`message_stop`). Prompt tokens are input plus cache reads and writes; cached tokens
 * are `cache_read_input_tokens`; generated tokens are `output_tokens`.
 */
export async function streamAnthropicMessage(connection: EndpointConnection, body: ChatCompletionBody): Promise<StreamedCompletion> {
    const sentAt = performance.now();
    const response = await postForEventStream(connection, "/messages", toAnthropicRequest(body));
    const clock = new ArrivalClock();
    let content = "";
    let finishReason: string | null = null;
    const usage: AnthropicUsage = {};
    const reported: {timings: Record<string, number> | null} = {timings: null};
    const toolCalls: StreamedCompletion["toolCalls"] = [];
    const toolAt = new Map<number, number>();
    let stopped = false;

    const onEvent = (data: string) => {
        const event: {
            type?: string;
            index?: number;
            message?: {usage?: AnthropicUsage};
            content_block?: {type?: string; id?: string; name?: string};
            delta?: {type?: string; text?: string; thinking?: string; partial_json?: string; stop_reason?: string | null};
            usage?: AnthropicUsage;
            error?: {message?: string; type?: string};
            timings?: Record<string, number>;
        } = parseStreamEvent(connection, data);
        if (event.timings && typeof event.timings === "object") reported.timings = event.timings;
        switch (event.type) {
            case "error":
                throw new EndpointError("ENDPOINT_REJECTED", `${connection.baseUrl} stopped the stream with an error: ${event.error?.message ?? JSON.stringify(event.error)}`);
            case "message_start":
                Object.assign(usage, event.message?.usage);
                break;
            case "content_block_start":
                if (event.content_block?.type === "tool_use") {
                    toolAt.set(event.index ?? toolCalls.length, toolCalls.length);
                    toolCalls.push({id: event.content_block.id ?? `toolu_${toolCalls.length}`, name: event.content_block.name ?? "", arguments: ""});
                }
                break;
            case "content_block_delta": {
                const delta = event.delta ?? {};
                const text = delta.text ?? delta.thinking ?? delta.partial_json ?? "";
                if (text !== "") clock.arrive();
                if (delta.type === "text_delta") content += delta.text ?? "";
                if (delta.type === "input_json_delta") {
                    const call = toolCalls[toolAt.get(event.index ?? -1) ?? -1];
                    if (call) call.arguments += delta.partial_json ?? "";
                }
                break;
            }
            case "message_delta":
                // A later usage (message_delta) supersedes message_start's: AgentFit's engine sends the cache split only at the end.
                for (const [key, value] of Object.entries(event.usage ?? {})) if (typeof value === "number") (usage as Record<string, number>)[key] = value;
                finishReason = event.delta?.stop_reason ?? finishReason;
                break;
            case "message_stop":
                stopped = true;
                break;
        }
    };

    await readServerSentEvents(response, connection, onEvent, () => stopped);
    if (!stopped) throw new EndpointError("ENDPOINT_STREAM_INVALID", `${connection.baseUrl}'s event stream ended before the message finished (no message_stop).`);
    const input = usage.input_tokens;
    return completionSample({
        sentAt,
        clock,
        promptTokens: input === undefined ? null : input + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0),
        cachedTokens: usage.cache_read_input_tokens ?? null,
        generatedTokens: usage.output_tokens ?? null,
        timings: reported.timings,
        content,
        toolCalls,
        finishReason
    });
}

/** The streamed request of the connection's protocol. */
export function streamCompletion(connection: EndpointConnection, body: ChatCompletionBody): Promise<StreamedCompletion> {
    return connection.protocol === "anthropic" ? streamAnthropicMessage(connection, body) : streamChatCompletion(connection, body);
}
