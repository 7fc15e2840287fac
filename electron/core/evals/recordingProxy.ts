import http from "node:http";
import net, {type AddressInfo} from "node:net";

/** One request an agent sent through the proxy and what came back, as the wire carried it. */
export interface RecordedExchange {
    seq: number;
    method: string;
    /** Path after the proxy's "/v1", e.g. "/chat/completions", "/messages", "/responses". */
    path: string;
    /** The JSON body as sent upstream (after the output cap, if one was applied); null when not JSON. */
    request: unknown;
    status: number | null;
    /** Content type of the answer. */
    contentType: string | null;
    /** The answer's body: a JSON document, or the server-sent events of a stream (bounded). */
    response: string;
    /** performance.now() when the request arrived, and how long until the answer ended, ms. */
    startedAt: number;
    durationMs: number;
    /** Why no answer came (upstream unreachable, cut off), or null. */
    error: string | null;
    /** The proxy answered itself because a limit was reached (nothing went upstream). */
    refused: boolean;
}

export interface RecordingProxyOptions {
    /** Base URL to forward to, e.g. "http://127.0.0.1:8723/v1" or "https://api.openai.com/v1". */
    upstream: string;
    /**
     * Key sent upstream instead of whatever the agent sent (Authorization: Bearer, and x-api-key when the
     * agent used it), so the agent never holds the provider's key. Not recorded anywhere.
     */
    apiKey?: string;
    /**
     * Output tokens one model call may ask for: lowers `max_tokens` / `max_output_tokens` to it (sets it when absent).
     * Besides this, the only change to a request is `stream_options.include_usage` on streamed chat completions.
     */
    maxOutputTokens?: number;
    /** Before forwarding a model call: a reason to refuse it (a limit), answered as a 429 in the protocol's error shape. */
    refuse?: () => string | null;
    /** After each exchange ends (listener errors are ignored). */
    onExchange?: (exchange: RecordedExchange) => void;
    /** Also listen on this Unix socket (what a confined agent's forwarder connects to), serving exactly as on 127.0.0.1. */
    socketPath?: string;
}

export interface RecordingProxy extends AsyncDisposable {
    /** e.g. "http://127.0.0.1:40123/v1": where the agent is pointed. */
    baseUrl: string;
    exchanges: RecordedExchange[];
    /** Resolves when no exchange is in flight. */
    idle(): Promise<void>;
    dispose(): Promise<void>;
}

type Json = Record<string, unknown>;
const MAX_RECORDED_BYTES = 8 * 1024 * 1024;
const HOP_HEADERS = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive", "accept-encoding", "upgrade", "proxy-connection"]);

/** Whether a path is a model call (counted as a turn), not a listing or a token count. */
export function isModelCall(method: string, path: string): boolean {
    return method === "POST" && /\/(chat\/completions|messages|responses|completions)$/.test(path);
}

/**
 * A local HTTP proxy in front of the model an agent uses: forwards every request unchanged (streams
 * pass through chunk by chunk) and records each request and answer, so the transcript, tokens and
 * timings come from AgentFit's side of the wire the same way whatever the agent. Listens on
 * 127.0.0.1 only, and on `socketPath` when given.
 */
export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
    const upstream = options.upstream.replace(/\/+$/, "");
    const exchanges: RecordedExchange[] = [];
    const inFlight = new Set<Promise<void>>();
    let seq = 0;
    const notify = (exchange: RecordedExchange) => {
        try {
            options.onExchange?.(exchange);
        } catch {}
    };

    const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
        const startedAt = performance.now();
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const [pathname = "/", query] = (req.url ?? "/").split(/\?(.*)/s, 2);
        // Claude Code posts to /v1/messages?beta=true: the query is forwarded, the path alone says what the call is.
        const path = pathname.replace(/^\/v1(?=\/|$)/, "") || "/";
        const method = req.method ?? "GET";
        let body: Buffer | undefined = chunks.length ? Buffer.concat(chunks) : undefined;
        let request: unknown = null;
        try {
            request = body ? JSON.parse(body.toString("utf8")) : null;
        } catch {}
        const exchange: RecordedExchange = {seq: seq++, method, path, request, status: null, contentType: null, response: "", startedAt, durationMs: 0, error: null, refused: false};
        const modelCall = isModelCall(method, path);
        if (modelCall && request && typeof request === "object" && options.maxOutputTokens) {
            const fields = path.endsWith("/responses") ? ["max_output_tokens"] : "max_completion_tokens" in request ? ["max_completion_tokens"] : ["max_tokens"];
            for (const field of fields) {
                const asked = (request as Record<string, unknown>)[field];
                (request as Record<string, unknown>)[field] = typeof asked === "number" ? Math.min(asked, options.maxOutputTokens) : options.maxOutputTokens;
            }
            body = Buffer.from(JSON.stringify(request));
        }
        // A streamed chat completion reports usage only when asked; ask, so tokens are recorded for every agent.
        if (modelCall && path.endsWith("/chat/completions") && request && typeof request === "object" && (request as Json).stream === true) {
            const streamOptions = (request as Json).stream_options;
            if (!(streamOptions && typeof streamOptions === "object" && (streamOptions as Json).include_usage === true)) {
                (request as Json).stream_options = {...(streamOptions && typeof streamOptions === "object" ? streamOptions : {}), include_usage: true};
                body = Buffer.from(JSON.stringify(request));
            }
        }
        const refusal = modelCall ? (options.refuse?.() ?? null) : null;
        if (refusal) {
            const answer = path.endsWith("/messages")
                ? {type: "error", error: {type: "rate_limit_error", message: refusal}}
                : {error: {message: refusal, type: "rate_limit_error", code: "agentfit_limit"}};
            exchange.status = 429;
            exchange.contentType = "application/json";
            exchange.response = JSON.stringify(answer);
            exchange.refused = true;
            exchange.durationMs = performance.now() - startedAt;
            exchanges.push(exchange);
            res.writeHead(429, {"content-type": "application/json"});
            res.end(exchange.response);
            notify(exchange);
            return;
        }
        const headers: Record<string, string> = {"accept-encoding": "identity"};
        for (const [name, value] of Object.entries(req.headers)) if (!HOP_HEADERS.has(name) && typeof value === "string") headers[name] = value;
        if (options.apiKey) {
            headers.authorization = `Bearer ${options.apiKey}`;
            if (headers["x-api-key"] !== undefined) headers["x-api-key"] = options.apiKey;
        }
        const abort = new AbortController();
        res.on("close", () => {
            if (!res.writableFinished) abort.abort();
        });
        try {
            const answer = await fetch(`${upstream}${path}${query === undefined ? "" : `?${query}`}`, {
                method,
                headers,
                body: method === "GET" || method === "HEAD" ? undefined : body,
                signal: abort.signal
            });
            exchange.status = answer.status;
            exchange.contentType = answer.headers.get("content-type");
            const passHeaders: Record<string, string> = {};
            answer.headers.forEach((value, name) => {
                if (!HOP_HEADERS.has(name) && name !== "content-encoding") passHeaders[name] = value;
            });
            res.writeHead(answer.status, passHeaders);
            const decoder = new TextDecoder();
            let recorded = 0;
            if (answer.body)
                for await (const chunk of answer.body) {
                    res.write(chunk);
                    if (recorded < MAX_RECORDED_BYTES) {
                        exchange.response += decoder.decode(chunk, {stream: true});
                        recorded += chunk.byteLength;
                    }
                }
            exchange.response += decoder.decode();
            res.end();
        } catch (error) {
            exchange.error = abort.signal.aborted ? "The agent closed the connection before the answer ended." : `Could not reach ${upstream}: ${(error as Error).message}`;
            if (!res.headersSent) {
                res.writeHead(502, {"content-type": "application/json"});
                res.end(JSON.stringify({error: {message: exchange.error, type: "api_error"}}));
            } else res.destroy();
        } finally {
            exchange.durationMs = performance.now() - startedAt;
            exchanges.push(exchange);
            notify(exchange);
        }
    };

    const server = http.createServer((req, res) => {
        const job = handle(req, res).catch(() => {
            if (!res.headersSent) res.writeHead(500).end();
        });
        inFlight.add(job);
        void job.finally(() => inFlight.delete(job));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    // Connections on the socket are handed to the same HTTP server, so they are served, counted and closed alike.
    const socketServer = options.socketPath ? net.createServer((socket) => server.emit("connection", socket)) : null;
    if (socketServer) await new Promise<void>((resolve, reject) => socketServer.once("error", reject).listen(options.socketPath, resolve));
    let closed: Promise<void> | undefined;
    const idle = async () => {
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    };
    const dispose = () => {
        closed ??= new Promise<void>((resolve) => {
            socketServer?.close();
            server.closeAllConnections();
            server.close(() => resolve());
        });
        return closed;
    };
    return {baseUrl: `http://127.0.0.1:${port}/v1`, exchanges, idle, dispose, [Symbol.asyncDispose]: dispose};
}
