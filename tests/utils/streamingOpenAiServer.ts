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
}

export interface StreamingOpenAiServer extends AsyncDisposable {
    baseUrl: string;
    /** Chat requests received (their bodies). */
    requests: {model: string; max_tokens?: number; stream?: boolean}[];
    dispose(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A small HTTP server speaking OpenAI's streamed chat completions with no prefix cache and no
 * usage or timings in its stream, like a minimal OpenAI-compatible server: the endpoint benchmark's
 * stand-in for servers that are not llama.cpp-based, and for the ways a server can fail.
 */
export async function startStreamingOpenAiServer(options: StreamingOpenAiServerOptions = {}): Promise<StreamingOpenAiServer> {
    const models = options.models ?? ["remote-model"];
    const requests: StreamingOpenAiServer["requests"] = [];
    const server = http.createServer(async (req, res) => {
        const error = (status: number, message: string) => {
            res.writeHead(status, {"Content-Type": "application/json"});
            res.end(JSON.stringify({error: {message, type: "invalid_request_error", param: null, code: null}}));
        };
        if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) return error(401, "Incorrect API key provided.");
        if (req.method === "GET" && req.url === "/v1/models") {
            res.writeHead(200, {"Content-Type": "application/json"});
            return res.end(JSON.stringify({object: "list", data: models.map((id) => ({id, object: "model", created: 0, owned_by: "test"}))}));
        }
        if (req.method !== "POST" || req.url !== "/v1/chat/completions") return error(404, `No route ${req.method} ${req.url}`);
        let raw = "";
        for await (const chunk of req) raw += chunk;
        const body = JSON.parse(raw) as {model: string; messages: unknown[]; max_tokens?: number; stream?: boolean};
        requests.push(body);
        if (!models.includes(body.model)) return error(404, `The model ${body.model} does not exist.`);
        const promptChars = JSON.stringify(body.messages).length;
        await sleep((promptChars / 100) * (options.msPer100PromptChars ?? 2));
        const tokens = body.max_tokens ?? 16;
        const mode = options.mode ?? "ok";
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
    return {baseUrl: `http://127.0.0.1:${port}/v1`, requests, dispose, [Symbol.asyncDispose]: dispose};
}
