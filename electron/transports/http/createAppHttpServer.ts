import fs from "node:fs";
import path from "node:path";
import Fastify, {type FastifyInstance, type FastifyReply} from "fastify";
import fastifyStatic from "@fastify/static";
import type {AppApi, AppEvents, ApiErrorBody} from "../../api/AppApi.ts";
import {isApiMethod} from "../apiMethods.ts";
import {isAllowedHost, isSameOrigin} from "../../shared/requestGuards.ts";

/** What the HTTP transport needs from the app: the API methods and a way to hear its events. */
export interface HttpServedApp {
    api: AppApi;
    subscribe(listener: <E extends keyof AppEvents>(event: E, payload: AppEvents[E]) => void): () => void;
}

export interface AppHttpServerOptions {
    app: HttpServedApp;
    /** Interface to bind. Default "127.0.0.1" (this machine only). */
    host?: string;
    /** TCP port; 0 picks a free one. Default 0. */
    port?: number;
    /** Built renderer folder to serve at "/" (browser mode). Default: API only. */
    staticDir?: string;
    /** Largest accepted request body, bytes. Default 1 MiB. */
    bodyLimitBytes?: number;
    /** Host names accepted besides loopback names and `host` (e.g. a LAN name you chose). */
    allowedHosts?: string[];
}

export interface AppHttpServer extends AsyncDisposable {
    /** e.g. "http://127.0.0.1:5317" */
    readonly url: string;
    readonly port: number;
    /** Event streams (`GET /api/events`) open now: one per browser page or client that listens. */
    readonly openEventStreams: number;
    dispose(): Promise<void>;
}

/** Status for an app error code; anything unknown is a server error. */
function statusForCode(code: string): number {
    if (code === "INVALID_ARGUMENT" || code.endsWith("_INVALID") || code.endsWith("_UNSUPPORTED")) return 400;
    if (code === "NOT_FOUND" || code.endsWith("_NOT_FOUND") || code === "UNKNOWN_METHOD") return 404;
    if (code.endsWith("_CONFLICT") || code.endsWith("_BUSY")) return 409;
    // Something the app needs is not set up (an API key, a runtime, the local engine): fixable, not a crash.
    if (code.endsWith("_MISSING") || code.endsWith("_UNAVAILABLE") || code.endsWith("_READ_ONLY")) return 409;
    return 500;
}

function sendError(reply: FastifyReply, status: number, code: string, message: string) {
    const body: ApiErrorBody = {error: {code, message}};
    return reply.code(status).type("application/json").send(body);
}

/**
 * Serves the AppApi over HTTP: `POST /api/<method>` with the JSON argument as body answers the
 * JSON result (or `{error: {code, message}}`); `GET /api/events` is a Server-Sent Events stream of
 * every app event as `{event, payload}`. Optionally serves the built UI for the browser mode.
 */
export async function createAppHttpServer(options: AppHttpServerOptions): Promise<AppHttpServer> {
    const host = options.host ?? "127.0.0.1";
    const server: FastifyInstance = Fastify({bodyLimit: options.bodyLimitBytes ?? 1024 * 1024, logger: false});
    const openStreams = new Set<FastifyReply>();

    server.addHook("onRequest", async (request, reply) => {
        if (!isAllowedHost(request.headers.host, host, options.allowedHosts))
            return sendError(reply, 403, "FORBIDDEN_HOST", `Host "${request.headers.host ?? ""}" is not served here. Use http://127.0.0.1 or localhost.`);
        if (!isSameOrigin(request.headers.origin, request.headers.host))
            return sendError(reply, 403, "FORBIDDEN_ORIGIN", `Requests from ${request.headers.origin} are not allowed.`);
    });

    server.setErrorHandler((error: {statusCode?: number; code?: string; message: string}, _request, reply) => {
        const status = error.statusCode ?? 500;
        if (status === 413) return sendError(reply, 413, "PAYLOAD_TOO_LARGE", "The request body is too large.");
        if (status === 415) return sendError(reply, 415, "UNSUPPORTED_MEDIA_TYPE", "Send the argument as Content-Type: application/json.");
        if (status === 400) return sendError(reply, 400, "INVALID_JSON", `The request body is not valid JSON: ${error.message}`);
        return sendError(reply, status, error.code ?? "INTERNAL", error.message);
    });

    // Only JSON bodies: a cross-site form post (text/plain) cannot reach a method.
    server.removeAllContentTypeParsers();
    server.addContentTypeParser("application/json", {parseAs: "string"}, (_request, body, done) => {
        const text = body as string;
        if (text.trim() === "") return done(null, {});
        try {
            done(null, JSON.parse(text));
        } catch (error) {
            (error as {statusCode?: number}).statusCode = 400;
            done(error as Error, undefined);
        }
    });

    server.post<{Params: {method: string}}>("/api/:method", async (request, reply) => {
        const {method} = request.params;
        if (!isApiMethod(method)) return sendError(reply, 404, "UNKNOWN_METHOD", `There is no API method "${method}".`);
        const arg = request.body ?? {};
        if (typeof arg !== "object" || Array.isArray(arg) || arg === null)
            return sendError(reply, 400, "INVALID_ARGUMENT", "The argument must be a JSON object.");
        try {
            const handler = options.app.api[method] as (arg: unknown) => Promise<unknown>;
            const result = await handler.call(options.app.api, arg);
            return reply.type("application/json").send(JSON.stringify(result ?? null));
        } catch (error) {
            const code = (error as {code?: unknown}).code;
            const stableCode = typeof code === "string" && /^[A-Z][A-Z0-9_]+$/.test(code) ? code : "INTERNAL";
            return sendError(reply, statusForCode(stableCode), stableCode, (error as Error).message ?? String(error));
        }
    });

    server.get("/api/events", (request, reply) => {
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache, no-transform",
            Connection: "keep-alive",
            "X-Accel-Buffering": "no"
        });
        raw.write(": connected\n\n");
        const unsubscribe = options.app.subscribe((event, payload) => {
            raw.write(`data: ${JSON.stringify({event, payload})}\n\n`);
        });
        const heartbeat = setInterval(() => raw.write(": keep-alive\n\n"), 15000);
        openStreams.add(reply);
        request.raw.on("close", () => {
            clearInterval(heartbeat);
            unsubscribe();
            openStreams.delete(reply);
        });
    });

    if (options.staticDir) {
        const root = path.resolve(options.staticDir);
        if (!fs.existsSync(path.join(root, "index.html")))
            throw new Error(`The UI is not built (no index.html in ${root}). Run "npm run build" first.`);
        await server.register(fastifyStatic, {root, wildcard: false, index: "index.html"});
        server.setNotFoundHandler((request, reply) => {
            if (request.method === "GET" && !request.url.startsWith("/api/")) return reply.sendFile("index.html");
            return sendError(reply, 404, "NOT_FOUND", `${request.method} ${request.url} does not exist.`);
        });
    }

    await server.listen({host, port: options.port ?? 0});
    const address = server.server.address();
    const port = typeof address === "object" && address ? address.port : options.port ?? 0;
    const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;

    let disposed = false;
    const httpServer: AppHttpServer = {
        url: `http://${urlHost}:${port}`,
        port,
        get openEventStreams() {
            return openStreams.size;
        },
        async dispose() {
            if (disposed) return;
            disposed = true;
            for (const stream of openStreams) stream.raw.end();
            await server.close();
        },
        [Symbol.asyncDispose]() {
            return httpServer.dispose();
        }
    };
    return httpServer;
}
