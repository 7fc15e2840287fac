import {randomUUID} from "node:crypto";
import http from "node:http";
import type {AddressInfo} from "node:net";
import type {ChatCompletion, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam} from "openai/resources/chat/completions";

/** What a scripted agent answers: an assistant message, or an HTTP error in OpenAI's error shape. */
export type AgentReply =
    | {content?: string | null; toolCalls?: {name: string; arguments: string | Record<string, unknown>}[]; finishReason?: "stop" | "length" | "tool_calls"}
    | {status: number; error: {message: string; type?: string; code?: string | number | null}; headers?: Record<string, string>};

/** Decides the next reply from the request alone (the whole history is in it), so runs may go in parallel. */
export type ScriptedAgent = (request: ChatCompletionCreateParamsNonStreaming) => AgentReply | Promise<AgentReply>;

export interface RecordedRequest {
    headers: http.IncomingHttpHeaders;
    body: ChatCompletionCreateParamsNonStreaming;
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
 * A local HTTP server speaking OpenAI's chat-completions protocol (non-streaming, tools), with
 * scripted agents instead of a model: what a cloud provider looks like to AgentFit's client.
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
            if (req.method !== "POST" || req.url !== "/v1/chat/completions") return sendError(res, 404, `Unknown request ${req.method} ${req.url}`);
            const chunks: Buffer[] = [];
            for await (const chunk of req) chunks.push(chunk as Buffer);
            let body: ChatCompletionCreateParamsNonStreaming;
            try {
                body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChatCompletionCreateParamsNonStreaming;
            } catch {
                return sendError(res, 400, "We could not parse the JSON body of your request.");
            }
            if ((body as {stream?: boolean}).stream) return sendError(res, 400, "This scripted server does not stream.");
            if (typeof body.model !== "string" || !Array.isArray(body.messages)) return sendError(res, 400, "model and messages are required.");
            requests.push({headers: req.headers, body});
            if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`)
                return sendError(res, 401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
            const agent = options.agents[body.model];
            if (!agent) return sendError(res, 404, `The model \`${body.model}\` does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found");
            if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
            const reply = await agent(body);
            if ("status" in reply) return sendError(res, reply.status, reply.error.message, reply.error.type, reply.error.code ?? null, reply.headers);

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
            res.writeHead(200, {"Content-Type": "application/json"});
            res.end(JSON.stringify(completion));
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

/** How many assistant turns the conversation already has. */
export function turnOf(request: ChatCompletionCreateParamsNonStreaming): number {
    return request.messages.filter((m: ChatCompletionMessageParam) => m.role === "assistant").length;
}

/** The content of the last tool result in the conversation. */
export function lastToolResult(request: ChatCompletionCreateParamsNonStreaming): string {
    const last = [...request.messages].reverse().find((m) => m.role === "tool");
    return typeof last?.content === "string" ? last.content : "";
}
