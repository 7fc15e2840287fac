import fs from "node:fs";
import path from "node:path";
import Fastify, {type FastifyInstance, type FastifyReply} from "fastify";
import fastifyStatic from "@fastify/static";
import type {AppEvents, ApiErrorBody} from "../../api/AppApi.ts";
import {httpStatusOf, type ErrorCode} from "../../shared/errorCodes.ts";
import type {AppMethodTable} from "../../shared/MethodTable.ts";
import {isAllowedHost, isSameOrigin} from "../../shared/requestGuards.ts";
import {dispatchApiCall} from "../server/dispatchApiCall.ts";

/** What the HTTP transport needs from the app: the method table and a way to hear its events. */
export interface HttpServedApp {
    methods: AppMethodTable;
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

function sendError(reply: FastifyReply, code: ErrorCode, message: string) {
    const body: ApiErrorBody = {error: {code, message}};
    return reply.code(httpStatusOf(code)).type("application/json").send(body);
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
            return sendError(reply, "FORBIDDEN_HOST", `Host "${request.headers.host ?? ""}" is not served here. Use http://127.0.0.1 or localhost.`);
        if (!isSameOrigin(request.headers.origin, request.headers.host))
            return sendError(reply, "FORBIDDEN_ORIGIN", `Requests from ${request.headers.origin} are not allowed.`);
    });

    server.setErrorHandler((error: {statusCode?: number; code?: string; message: string}, _request, reply) => {
        const status = error.statusCode ?? 500;
        if (status === 413) return sendError(reply, "PAYLOAD_TOO_LARGE", "The request body is too large.");
        if (status === 415) return sendError(reply, "UNSUPPORTED_MEDIA_TYPE", "Send the argument as Content-Type: application/json.");
        if (status === 400) return sendError(reply, "INVALID_JSON", `The request body is not valid JSON: ${error.message}`);
        return sendError(reply, "INTERNAL", error.message);
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
        const outcome = await dispatchApiCall(options.app.methods, request.params.method, request.body);
        if (!outcome.ok) return sendError(reply, outcome.error.code, outcome.error.message);
        return reply.type("application/json").send(JSON.stringify(outcome.result ?? null));
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
            return sendError(reply, "NOT_FOUND", `${request.method} ${request.url} does not exist.`);
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
