import http from "node:http";
import type {AddressInfo} from "node:net";

/**
 * How the server misbehaves, if at all: "ok" streams a well-formed completion; "json" answers a
 * streamed request with a plain JSON completion; "malformed" sends an event that is not JSON;
 * "truncated" ends the stream after one token without finishing the completion.
 */
export type StreamingServerMode = "ok" | "json" | "malformed" | "truncated";

export interface StreamingOpenAiServerOptions {
    /** Model ids GET /v1/models lists. Default ["remote-model"]. */
    models?: string[];
    /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
    apiKey?: string;
    mode?: StreamingServerMode;
    /** Prompt processing it pretends to do: ms per 100 characters of the prompt, every time (it has no prefix cache). Default 2. */
    msPer100PromptChars?: number;
    /** Delay between streamed tokens, ms. Default 2. */
    msPerToken?: number;
    /**
     * The protocols it speaks (default both). Speaking only Anthropic's, it answers 404 on chat
     * completions and 400 on a model list asked without `anthropic-version`, as Anthropic's API does;
     * speaking only OpenAI's, it answers 404 on Messages.
     */
    speaks?: "openai" | "anthropic";
}

export interface StreamingOpenAiServer extends AsyncDisposable {
    baseUrl: string;
    /** Chat and Messages requests received (their bodies), with the path and the key headers they came with. */
    requests: {model: string; max_tokens?: number; stream?: boolean; path: string; authorization?: string; xApiKey?: string}[];
    /** Every request received, metadata ones included (`/v1/models`, `/props`, …), with its key headers. */
    keyHeaders: {path: string; authorization?: string; xApiKey?: string}[];
    dispose(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A small HTTP server speaking OpenAI's streamed chat completions (`/v1/chat/completions`) and
 * Anthropic's streamed Messages (`/v1/messages`) with no prefix cache and no usage or timings in its
 * OpenAI stream (its Messages stream carries the usage Anthropic's events always do), like a minimal
 * compatible server: the endpoint benchmark's stand-in for servers that are not llama.cpp-based, and
 * for the ways a server can fail. OpenAI clients send the key as `Authorization: Bearer`, Anthropic
 * clients as `x-api-key`; each route takes only its own protocol's header.
 */
export async function startStreamingOpenAiServer(options: StreamingOpenAiServerOptions = {}): Promise<StreamingOpenAiServer> {
    const models = options.models ?? ["remote-model"];
    const requests: StreamingOpenAiServer["requests"] = [];
    const keyHeaders: StreamingOpenAiServer["keyHeaders"] = [];
    const server = http.createServer(async (req, res) => {
        const givenXApiKey = req.headers["x-api-key"];
        keyHeaders.push({path: req.url ?? "", authorization: req.headers.authorization, xApiKey: typeof givenXApiKey === "string" ? givenXApiKey : undefined});
        const error = (status: number, message: string) => {
            res.writeHead(status, {"Content-Type": "application/json"});
            res.end(JSON.stringify({error: {message, type: "invalid_request_error", param: null, code: null}}));
        };
        const keyGiven = req.url === "/v1/messages" ? req.headers["x-api-key"] : /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
        const keyOk = !options.apiKey || keyGiven === options.apiKey || (req.url === "/v1/models" && req.headers["x-api-key"] === options.apiKey);
        if (!keyOk) return error(401, "Incorrect API key provided.");
        if (options.speaks === "anthropic" && req.url === "/v1/models" && !req.headers["anthropic-version"]) return error(400, "anthropic-version: header is required");
        if ((options.speaks === "anthropic" && req.url === "/v1/chat/completions") || (options.speaks === "openai" && req.url === "/v1/messages")) return error(404, `No route ${req.method} ${req.url}`);
        if (req.method === "GET" && req.url === "/v1/models") {
            res.writeHead(200, {"Content-Type": "application/json"});
            return res.end(JSON.stringify({object: "list", data: models.map((id) => ({id, object: "model", created: 0, owned_by: "test"}))}));
        }
        if (req.method !== "POST" || (req.url !== "/v1/chat/completions" && req.url !== "/v1/messages")) return error(404, `No route ${req.method} ${req.url}`);
        let raw = "";
        for await (const chunk of req) raw += chunk;
        const body = JSON.parse(raw) as {model: string; messages: unknown[]; system?: unknown; max_tokens?: number; stream?: boolean};
        const xApiKey = req.headers["x-api-key"];
        requests.push({...body, path: req.url, authorization: req.headers.authorization, xApiKey: typeof xApiKey === "string" ? xApiKey : undefined});
        if (!models.includes(body.model)) return error(404, `The model ${body.model} does not exist.`);
        const promptChars = JSON.stringify(body.messages).length + JSON.stringify(body.system ?? "").length;
        await sleep((promptChars / 100) * (options.msPer100PromptChars ?? 2));
        const tokens = body.max_tokens ?? 16;
        const mode = options.mode ?? "ok";
        if (req.url === "/v1/messages") return streamMessage(res, body.model, Math.ceil(promptChars / 4), tokens, mode, options.msPerToken ?? 2);
        if (mode === "json" || !body.stream) {
            res.writeHead(200, {"Content-Type": "application/json"});
            return res.end(
                JSON.stringify({
                    id: "cmpl-1",
                    object: "chat.completion",
                    created: 0,
                    model: body.model,
                    choices: [{index: 0, message: {role: "assistant", content: "word ".repeat(tokens)}, finish_reason: "length"}],
                    usage: {prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: tokens, total_tokens: Math.ceil(promptChars / 4) + tokens}
                })
            );
        }
        res.writeHead(200, {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"});
        const event = (data: unknown) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
        const chunk = (delta: object, finishReason: string | null = null) => ({
            id: "cmpl-1",
            object: "chat.completion.chunk",
            created: 0,
            model: body.model,
            choices: [{index: 0, delta, finish_reason: finishReason}]
        });
        event(chunk({role: "assistant", content: ""}));
        if (mode === "malformed") {
            event(chunk({content: "word "}));
            res.write("data: {\"choices\": [{\"delta\": {\"content\": \"wo\n\n");
            return res.end();
        }
        for (let i = 0; i < tokens; i++) {
            if (res.destroyed) return;
            event(chunk({content: "word "}));
            if (mode === "truncated") return res.end();
            await sleep(options.msPerToken ?? 2);
        }
        event(chunk({}, "length"));
        event("[DONE]");
        res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const {port} = server.address() as AddressInfo;
    let closed: Promise<void> | undefined;
    const dispose = () =>
        (closed ??= new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }));
    return {baseUrl: `http://127.0.0.1:${port}/v1`, requests, keyHeaders, dispose, [Symbol.asyncDispose]: dispose};
}

/** Anthropic's streamed Messages events (message_start … message_stop), misbehaving as `mode` says. */
async function streamMessage(res: http.ServerResponse, model: string, promptTokens: number, tokens: number, mode: StreamingServerMode, msPerToken: number) {
    if (mode === "json") {
        res.writeHead(200, {"Content-Type": "application/json"});
        return res.end(
            JSON.stringify({
                id: "msg_1",
                type: "message",
                role: "assistant",
                model,
                content: [{type: "text", text: "word ".repeat(tokens)}],
                stop_reason: "max_tokens",
                stop_sequence: null,
                usage: {input_tokens: promptTokens, output_tokens: tokens}
            })
        );
    }
    res.writeHead(200, {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"});
    const event = (type: string, data: object | string) => res.write(`event: ${type}\ndata: ${typeof data === "string" ? data : JSON.stringify({type, ...data})}\n\n`);
    event("message_start", {
        message: {id: "msg_1", type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: {input_tokens: promptTokens, output_tokens: 0}}
    });
    event("content_block_start", {index: 0, content_block: {type: "text", text: ""}});
    if (mode === "malformed") {
        event("content_block_delta", {index: 0, delta: {type: "text_delta", text: "word "}});
        event("content_block_delta", '{"type": "content_block_delta", "delta": {"text": "wo');
        return res.end();
    }
    for (let i = 0; i < tokens; i++) {
        if (res.destroyed) return;
        event("content_block_delta", {index: 0, delta: {type: "text_delta", text: "word "}});
        if (mode === "truncated") return res.end();
        await sleep(msPerToken);
    }
    event("content_block_stop", {index: 0});
    event("message_delta", {delta: {stop_reason: "max_tokens", stop_sequence: null}, usage: {output_tokens: tokens}});
    event("message_stop", {});
    res.end();
}
