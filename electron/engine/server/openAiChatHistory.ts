import type {ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse, LlamaTextJSON} from "node-llama-cpp";
import type {ChatMessage} from "./chatCompletionRequest.ts";
import {OpenAiHttpError} from "./OpenAiHttpError.ts";

/** The one conversion from OpenAI chat messages to node-llama-cpp chat history. */

function text(content: string | {type: "text"; text: string}[] | null | undefined): string {
    if (content == null) return "";
    return typeof content === "string" ? content : content.map((part) => part.text).join("");
}

function parseJsonOr(value: string): unknown {
    if (value.trim() === "") return undefined;
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

export interface ToHistoryOptions {
    /**
     * The exact text the model produced for a tool call this server generated earlier, so the call
     * is rendered back token for token (the prompt prefix then matches the cached sequence, and the
     * model sees its own formatting, not a re-serialisation).
     */
    rawCallFor?: (toolCallId: string, name: string, argumentsText: string) => LlamaTextJSON | undefined;
}

/**
 * Converts OpenAI messages to a chat history that ends with the model's turn to answer: an empty
 * model response after a user turn, or the open model response after tool results (the model
 * continues after its function calls, as node-llama-cpp's function calling expects).
 */
export function toChatHistory(messages: readonly ChatMessage[], options: ToHistoryOptions = {}): ChatHistoryItem[] {
    const history: ChatHistoryItem[] = [];
    const pendingCalls = new Map<string, {call: ChatModelFunctionCall; messageIndex: number}>();

    const requireNoPending = (beforeIndex: number) => {
        const first = pendingCalls.entries().next();
        if (!first.done) {
            const [id, {messageIndex}] = first.value;
            throw new OpenAiHttpError(
                400,
                "invalid_request_error",
                `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The tool call "${id}" has no response before messages[${beforeIndex}].`,
                `messages[${messageIndex}].tool_calls`,
                "invalid_tool_messages"
            );
        }
    };

    for (const [index, message] of messages.entries()) {
        if (message.role === "system" || message.role === "developer") {
            requireNoPending(index);
            history.push({type: "system", text: text(message.content)});
        } else if (message.role === "user") {
            requireNoPending(index);
            history.push({type: "user", text: text(message.content)});
        } else if (message.role === "assistant") {
            requireNoPending(index);
            let item = history.at(-1);
            if (item?.type !== "model") {
                item = {type: "model", response: []};
                history.push(item);
            }
            const response = (item as ChatModelResponse).response;
            const content = text(message.content);
            if (content !== "") {
                if (typeof response.at(-1) === "string") response[response.length - 1] += content;
                else response.push(content);
            }
            for (const [callIndex, toolCall] of (message.tool_calls ?? []).entries()) {
                const params = parseJsonOr(toolCall.function.arguments);
                const rawCall = options.rawCallFor?.(toolCall.id, toolCall.function.name, toolCall.function.arguments);
                const call: ChatModelFunctionCall = {
                    type: "functionCall",
                    name: toolCall.function.name,
                    params,
                    result: undefined,
                    ...(rawCall ? {rawCall} : {}),
                    ...(callIndex === 0 ? {startsNewChunk: true} : {})
                };
                response.push(call);
                pendingCalls.set(toolCall.id, {call, messageIndex: index});
            }
        } else {
            const pending = pendingCalls.get(message.tool_call_id);
            if (!pending)
                throw new OpenAiHttpError(
                    400,
                    "invalid_request_error",
                    `messages[${index}] answers tool call "${message.tool_call_id}", which no earlier assistant message made (or which was already answered).`,
                    `messages[${index}].tool_call_id`,
                    "invalid_tool_messages"
                );
            pending.call.result = parseJsonOr(text(message.content));
            pendingCalls.delete(message.tool_call_id);
        }
    }
    requireNoPending(messages.length);
    if (history.at(-1)?.type !== "model") history.push({type: "model", response: []});
    return history;
}
