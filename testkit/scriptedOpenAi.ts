import {randomUUID} from "node:crypto";
import http from "node:http";
import type {AddressInfo} from "node:net";
import type {ChatCompletion, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam} from "openai/resources/chat/completions";
import {AnthropicEventWriter, anthropicMessageBody, anthropicToChatRequest, parseAnthropicMessagesRequest} from "../electron/engine/server/anthropicMessages.ts";
import type {ChatEventWriter} from "../electron/engine/server/ChatRouteContext.ts";
import {OpenAiHttpError} from "../electron/engine/server/OpenAiHttpError.ts";
import {finishedResponse, newResponse, parseResponsesRequest, ResponsesEventWriter, responsesInputToMessages, responsesToChatRequest} from "../electron/engine/server/openAiResponses.ts";
import type {EventStream} from "../electron/engine/server/openEventStream.ts";
import type {CompletionOutcome} from "../electron/engine/server/runChatCompletion.ts";
import {anthropicErrorBody, formatServerSentEvent, openAiErrorBody} from "../electron/protocol/wireErrors.ts";

/** What a scripted agent answers: an assistant message, or an HTTP error in OpenAI's error shape. */
export type AgentReply =
    | {content?: string | null; toolCalls?: {name: string; arguments: string | Record<string, unknown>}[]; finishReason?: "stop" | "length" | "tool_calls"}
    | {status: number; error: {message: string; type?: string; code?: string | number | null}; headers?: Record<string, string>};

/** Decides the next reply from the request alone (the whole history is in it), so runs may go in parallel. */
export type ScriptedAgent = (request: ChatCompletionCreateParamsNonStreaming) => AgentReply | Promise<AgentReply>;

/** The wire protocols the scripted server speaks; every one reaches the same scripted agents. */
export type ScriptedProtocol = "chat-completions" | "anthropic-messages" | "openai-responses";

export interface RecordedRequest {
    headers: http.IncomingHttpHeaders;
    /** The request as a chat completion (Anthropic and Responses requests converted the way `agentfit serve` converts them). */
    body: ChatCompletionCreateParamsNonStreaming;
    protocol: ScriptedProtocol;
    /** The body as sent. */
    raw: unknown;
    /** When the request arrived (epoch ms), and how long the server took to answer it in full (ms; null until then): the model's side of the time. */
    receivedAt: number;
    durationMs: number | null;
}

export interface ScriptedOpenAi extends AsyncDisposable {
    /** e.g. "http://127.0.0.1:40123/v1" */
    baseUrl: string;
    requests: RecordedRequest[];
    /** Exactly what was sent back for each response, in order. */
    responses: ChatCompletion[];
    dispose(): Promise<void>;
}

export interface ScriptedOpenAiOptions {
    /** Agents by model name: the request's `model` picks one. */
    agents: Record<string, ScriptedAgent>;
    /** When set, requests without `Authorization: Bearer <apiKey>` get 401 like OpenAI's API. */
    apiKey?: string;
    /** Waits this long before each answer, ms (simulates model latency). Default 0. */
    delayMs?: number;
    /**
     * The server's own metadata API beside /v1, as a local server publishes it ("GET /api/ps",
     * "POST /api/show", "GET /props", "GET /v1/models"…): each answers JSON from the request body
     * (null body for GET); returning undefined answers 404. "GET /v1/models" replaces the default list.
     */
    routes?: Record<string, (body: unknown, url: URL) => unknown>;
}

const approximateTokens = (value: unknown) => Math.ceil(JSON.stringify(value ?? "").length / 4);

/**
 * A local HTTP server speaking OpenAI's chat-completions protocol (tools; streamed as OpenAI streams
 * when asked: a role chunk, the content, each tool call, the finish reason, usage when requested), with
 * scripted agents instead of a model: what a cloud provider looks like to AgentFit's client. The same
 * agents answer Anthropic Messages (`POST /v1/messages`, what Claude Code speaks) and OpenAI Responses
 * (`POST /v1/responses`, Codex), through the conversions `agentfit serve` uses for them: one scripted
 * description, several wire protocols.
 * Usage counts approximate tokens as characters / 4 and report the previous turn's prompt as
 * cached, as providers with prompt caching do.
 */
export async function startScriptedOpenAi(options: ScriptedOpenAiOptions): Promise<ScriptedOpenAi> {
    const requests: RecordedRequest[] = [];
    const responses: ChatCompletion[] = [];
    const lastPromptTokens = new Map<string, number>();
    const sendError = (res: http.ServerResponse, status: number, message: string, type = "invalid_request_error", code: string | number | null = null, headers: Record<string, string> = {}) => {
        res.writeHead(status, {"Content-Type": "application/json", ...headers});
        res.end(JSON.stringify({error: {message, type, param: null, code}}));
    };

    const server = http.createServer(async (req, res) => {
        const receivedAt = Date.now();
        const arrived = performance.now();
        try {
            const url = new URL(req.url ?? "/", "http://localhost");
            const route = Object.entries(options.routes ?? {}).find(([key]) => {
                const [method, pattern] = key.split(" ");
                return method === req.method && (pattern === url.pathname || (pattern!.endsWith("*") && url.pathname.startsWith(pattern!.slice(0, -1))));
            });
            if (route) {
                const chunks: Buffer[] = [];
                for await (const chunk of req) chunks.push(chunk as Buffer);
                const text = Buffer.concat(chunks).toString("utf8");
                const answer = route[1](text ? (JSON.parse(text) as unknown) : null, url);
                if (answer === undefined) return sendError(res, 404, `Unknown request ${req.method} ${req.url}`);
                res.writeHead(200, {"Content-Type": "application/json"});
                res.end(JSON.stringify(answer));
                return;
            }
            if (req.method === "GET" && req.url === "/v1/models") {
                res.writeHead(200, {"Content-Type": "application/json"});
                res.end(JSON.stringify({object: "list", data: Object.keys(options.agents).map((id) => ({id, object: "model", created: 0, owned_by: "scripted"}))}));
                return;
            }
            const protocol = req.method === "POST" ? protocolPaths[url.pathname] : undefined;
            if (!protocol) return sendError(res, 404, `Unknown request ${req.method} ${req.url}`);
            const chunks: Buffer[] = [];
            for await (const chunk of req) chunks.push(chunk as Buffer);
            let raw: unknown;
            try {
                raw = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
                return sendError(res, 400, "We could not parse the JSON body of your request.");
            }
            const wire = wireProtocols[protocol];
            let body: ChatCompletionCreateParamsNonStreaming;
            try {
                body = wire.toChat(raw);
            } catch (error) {
                if (error instanceof OpenAiHttpError) return wire.sendError(res, error);
                throw error;
            }
            if (typeof body.model !== "string" || !Array.isArray(body.messages)) return sendError(res, 400, "model and messages are required.");
            const recorded: RecordedRequest = {headers: req.headers, body, protocol, raw, receivedAt, durationMs: null};
            requests.push(recorded);
            res.on("finish", () => (recorded.durationMs = performance.now() - arrived));
            if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}` && req.headers["x-api-key"] !== options.apiKey)
                return wire.sendError(res, new OpenAiHttpError(401, "invalid_request_error", "Incorrect API key provided.", null, "invalid_api_key"));
            const agent = options.agents[body.model];
            if (!agent)
                return wire.sendError(
                    res,
                    new OpenAiHttpError(404, "invalid_request_error", `The model \`${body.model}\` does not exist or you do not have access to it.`, null, "model_not_found")
                );
            if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
            const reply = await agent(body);
            if ("status" in reply)
                return wire.sendError(res, new OpenAiHttpError(reply.status, reply.error.type ?? "invalid_request_error", reply.error.message, null, reply.error.code == null ? null : String(reply.error.code)), reply.headers);

            let toolCalls = (reply.toolCalls ?? []).map((call) => ({
                id: `call_${randomUUID().replaceAll("-", "").slice(0, 24)}`,
                type: "function" as const,
                function: {name: call.name, arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments)}
            }));
            const promptTokens = approximateTokens(body.messages) + approximateTokens(body.tools);
            const conversation = JSON.stringify(body.messages.slice(0, 2));
            const cached = Math.min(lastPromptTokens.get(conversation) ?? 0, promptTokens);
            lastPromptTokens.set(conversation, promptTokens);
            let completionTokens = approximateTokens(reply.content) + approximateTokens(toolCalls);
            let content = reply.content ?? null;
            let finishReason = reply.finishReason ?? (toolCalls.length ? "tool_calls" : "stop");
            // Like real servers, an answer longer than the request's output cap is cut off there (a cut tool call is lost).
            const cap = body.max_completion_tokens ?? body.max_tokens;
            if (cap && completionTokens > cap) {
                content = (content ?? "").slice(0, cap * 4);
                toolCalls = [];
                completionTokens = cap;
                finishReason = "length";
            }
            const completion: ChatCompletion = {
                id: `chatcmpl-${randomUUID()}`,
                object: "chat.completion",
                created: Math.floor(Date.now() / 1000),
                model: body.model,
                choices: [
                    {
                        index: 0,
                        message: {role: "assistant", content, refusal: null, ...(toolCalls.length ? {tool_calls: toolCalls} : {})},
                        finish_reason: finishReason,
                        logprobs: null
                    }
                ],
                usage: {
                    prompt_tokens: promptTokens,
                    completion_tokens: completionTokens,
                    total_tokens: promptTokens + completionTokens,
                    prompt_tokens_details: {cached_tokens: cached}
                }
            };
            responses.push(completion);
            wire.send(res, raw, completion);
        } catch (error) {
            if (!res.headersSent) sendError(res, 500, (error as Error).message, "server_error");
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    let closed: Promise<void> | undefined;
    const dispose = () => {
        closed ??= new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        });
        return closed;
    };
    return {baseUrl: `http://127.0.0.1:${port}/v1`, requests, responses, dispose, [Symbol.asyncDispose]: dispose};
}

/** A completion as OpenAI streams it: chunks of `chat.completion.chunk` as server-sent events, then [DONE]. */
function sendStream(res: http.ServerResponse, completion: ChatCompletion, includeUsage: boolean) {
    const choice = completion.choices[0]!;
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null, usage: unknown = undefined) =>
        `data: ${JSON.stringify({
            id: completion.id,
            object: "chat.completion.chunk",
            created: completion.created,
            model: completion.model,
            choices: usage === undefined ? [{index: 0, delta, finish_reason: finishReason, logprobs: null}] : [],
            ...(usage === undefined ? {} : {usage})
        })}\n\n`;
    res.writeHead(200, {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"});
    res.write(chunk({role: "assistant", content: ""}));
    if (choice.message.content) res.write(chunk({content: choice.message.content}));
    for (const [index, call] of (choice.message.tool_calls ?? []).entries())
        if (call.type === "function") res.write(chunk({tool_calls: [{index, id: call.id, type: "function", function: {name: call.function.name, arguments: call.function.arguments}}]}));
    res.write(chunk({}, choice.finish_reason));
    if (includeUsage) res.write(chunk({}, null, completion.usage));
    res.end("data: [DONE]\n\n");
}

/** How many assistant turns the conversation already has. */
export function turnOf(request: ChatCompletionCreateParamsNonStreaming): number {
    return request.messages.filter((m: ChatCompletionMessageParam) => m.role === "assistant").length;
}

/** The content of the last tool result in the conversation. */
export function lastToolResult(request: ChatCompletionCreateParamsNonStreaming): string {
    const last = [...request.messages].reverse().find((m) => m.role === "tool");
    return typeof last?.content === "string" ? last.content : "";
}

const protocolPaths: Record<string, ScriptedProtocol> = {
    "/v1/chat/completions": "chat-completions",
    "/v1/messages": "anthropic-messages",
    "/v1/responses": "openai-responses"
};

interface WireProtocol {
    /** The request as the chat completion the scripted agent reads; throws OpenAiHttpError for a bad one. */
    toChat(raw: unknown): ChatCompletionCreateParamsNonStreaming;
    /** Sends the agent's answer in the protocol's shape, streamed when the request asked. */
    send(res: http.ServerResponse, raw: unknown, completion: ChatCompletion): void;
    sendError(res: http.ServerResponse, error: OpenAiHttpError, headers?: Record<string, string>): void;
}

const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, {"Content-Type": "application/json", ...headers});
    res.end(JSON.stringify(body));
};
const sendOpenAiError: WireProtocol["sendError"] = (res, error, headers) => sendJson(res, error.status, openAiErrorBody(error), headers);
const streamed = (raw: unknown) => Boolean((raw as {stream?: boolean}).stream);
// The conversions are typed for the server's own request type, which is the chat-completions shape.
const asChatRequest = (request: unknown) => request as ChatCompletionCreateParamsNonStreaming;

const wireProtocols: Record<ScriptedProtocol, WireProtocol> = {
    "chat-completions": {
        toChat: asChatRequest,
        send(res, raw, completion) {
            if (streamed(raw)) return sendStream(res, completion, Boolean((raw as {stream_options?: {include_usage?: boolean}}).stream_options?.include_usage));
            sendJson(res, 200, completion);
        },
        sendError: sendOpenAiError
    },
    "anthropic-messages": {
        toChat: (raw) => asChatRequest(anthropicToChatRequest(parseAnthropicMessagesRequest(raw), () => undefined)),
        send(res, raw, completion) {
            if (streamed(raw)) return playOutcome(new AnthropicEventWriter(eventStream(res), completion.model), outcomeOf(completion));
            sendJson(res, 200, anthropicMessageBody(completion.model, outcomeOf(completion)));
        },
        sendError: (res, error, headers) => sendJson(res, error.status, anthropicErrorBody(error), headers)
    },
    "openai-responses": {
        toChat(raw) {
            const request = parseResponsesRequest(raw);
            if (request.previous_response_id)
                throw new OpenAiHttpError(400, "invalid_request_error", "The scripted server keeps no responses: send the whole conversation (store: false).", "previous_response_id");
            const input = responsesInputToMessages(request.input);
            return asChatRequest(responsesToChatRequest(request, request.instructions ? [{role: "system", content: request.instructions}, ...input] : input, () => {}));
        },
        send(res, raw, completion) {
            const request = parseResponsesRequest(raw);
            const response = newResponse(request, asServerRequest(wireProtocols["openai-responses"].toChat(raw)));
            if (streamed(raw)) return playOutcome(new ResponsesEventWriter(eventStream(res), response), outcomeOf(completion));
            sendJson(res, 200, finishedResponse(response, outcomeOf(completion)));
        },
        sendError: sendOpenAiError
    }
};

function asServerRequest(request: ChatCompletionCreateParamsNonStreaming) {
    return request as unknown as Parameters<typeof newResponse>[1];
}

/** The chat completion as the server's generation outcome, which the protocols' writers take. */
function outcomeOf(completion: ChatCompletion): CompletionOutcome {
    const choice = completion.choices[0]!;
    const usage = completion.usage!;
    return {
        content: choice.message.content ?? "",
        reasoning: "",
        toolCalls: (choice.message.tool_calls ?? []).flatMap((call) => (call.type === "function" ? [{id: call.id, name: call.function.name, arguments: call.function.arguments}] : [])),
        finishReason: choice.finish_reason === "length" ? "length" : choice.finish_reason === "tool_calls" ? "tool_calls" : "stop",
        usage: {promptTokens: usage.prompt_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0, completionTokens: usage.completion_tokens},
        timings: {cache_n: 0, prompt_n: 0, prompt_ms: 0, prompt_per_token_ms: 0, prompt_per_second: 0, predicted_n: 0, predicted_ms: 0, predicted_per_token_ms: 0, predicted_per_second: 0}
    };
}

/** Streams a finished outcome through a protocol's writer: the text, then each tool call whole. */
function playOutcome(writer: ChatEventWriter, outcome: CompletionOutcome) {
    writer.start({promptTokens: outcome.usage.promptTokens});
    if (outcome.content) writer.onContent?.(outcome.content);
    for (const [index, call] of outcome.toolCalls.entries()) writer.onToolCall?.({index, id: call.id, name: call.name, argumentsDelta: call.arguments});
    writer.finish(outcome);
}

/** Server-sent events on a plain Node response. */
function eventStream(res: http.ServerResponse): EventStream {
    let opened = false;
    const open = () => {
        if (opened) return;
        opened = true;
        res.writeHead(200, {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"});
    };
    return {
        get opened() {
            return opened;
        },
        send(data, event) {
            open();
            res.write(formatServerSentEvent({data, event}));
        },
        end() {
            open();
            res.end();
        },
        endWith(events) {
            for (const {data, event} of events) this.send(data, event);
            this.end();
        }
    };
}
