import crypto from "node:crypto";
import http from "node:http";
import {StringDecoder} from "node:string_decoder";
import {AppError} from "../../shared/AppError.ts";
import {FRONT_CLIENT_ADDRESS_HEADER, FRONT_SECRET_HEADER} from "../../protocol/frontHop.ts";
import {
    errorBodyFor,
    formatServerSentEvent,
    protocolOf,
    servedRouteOf,
    streamFailureEvents,
    type ResponsesStreamState,
    type ServedRoute,
    type WireError
} from "../../protocol/wireErrors.ts";

/** What a client is told to wait before retrying while the engine is down or restarting, seconds. */
export const RETRY_AFTER_SECONDS = 5;

export interface ServingFrontOptions {
    host: string;
    /** 0 picks a free port; the front keeps it until it closes, whatever happens to the engine. */
    port: number;
    /** The engine server's loopback port now; undefined while the engine is down, restarting or not serving. */
    upstreamPort(): number | undefined;
    /** Why no engine answers, a sentence for the 503 clients get meanwhile (e.g. the last crash's reason). */
    unavailableReason(): string;
}

export interface ServingFront {
    readonly host: string;
    readonly port: number;
    /** e.g. "http://127.0.0.1:8723/v1" */
    readonly baseUrl: string;
    /** The internal hop's secret, for the engine's `serve` command. */
    readonly secret: string;
    close(): Promise<void>;
}

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus the hop's own. */
const connectionHeaders = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", FRONT_SECRET_HEADER, FRONT_CLIENT_ADDRESS_HEADER]);

function withoutConnectionHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
    const listed = new Set(String(headers.connection ?? "").toLowerCase().split(",").map((name) => name.trim()));
    return Object.fromEntries(Object.entries(headers).filter(([name]) => !connectionHeaders.has(name) && !listed.has(name)));
}

/**
 * The model server's public socket, owned by the app process: it listens where clients were told
 * (and keeps that port across engine restarts) and forwards each request unchanged to the engine's
 * server on a loopback port, streaming the answer back byte for byte. Because this side survives
 * the engine, a client never sees a silent close: a stream the engine's death cuts ends with its
 * protocol's error event (streamFailureEvents), a request whose answer had not started gets a 502,
 * and a request while no engine serves gets a 503 with Retry-After, both in the protocol's error
 * shape. The key, Host and Origin checks, metrics and the request log stay in the engine.
 */
export async function createServingFront(options: ServingFrontOptions): Promise<ServingFront> {
    const secret = crypto.randomBytes(32).toString("base64url");
    const agent = new http.Agent({keepAlive: true});
    const server = http.createServer((request, response) => forward(request, response));

    function forward(request: http.IncomingMessage, response: http.ServerResponse) {
        const url = request.url ?? "/";
        const route = servedRouteOf(url);
        const upstreamPort = options.upstreamPort();
        if (upstreamPort === undefined) return answerUnavailable(request, response);
        const headers = {...withoutConnectionHeaders(request.headers), [FRONT_SECRET_HEADER]: secret, [FRONT_CLIENT_ADDRESS_HEADER]: request.socket.remoteAddress ?? ""};
        // The body is kept (up to a limit) so a request that met a closing idle connection can be sent again.
        const body = keepBody(request);
        let upstream: http.ClientRequest;

        /** `retry`: the second try on a fresh connection, with the body kept from the first. */
        const send = (port: number, retry: boolean) => {
            upstream = http.request({host: "127.0.0.1", port, method: request.method, path: url, agent: retry ? false : agent, headers});
            upstream.on("socket", (socket) => socket.setNoDelay(true));
            let answered = false;
            upstream.on("response", (answer) => {
                answered = true;
                relay(answer, response, route);
            });
            upstream.on("error", (error: NodeJS.ErrnoException) => {
                if (answered || response.destroyed) return;
                // A pooled connection the engine closed as idle just as this request went out: the request never
                // reached the engine (a live engine does not reset a request it read), so it is sent once more.
                if (!retry && upstream.reusedSocket && isConnectionReset(error) && body.complete()) {
                    const port = options.upstreamPort();
                    if (port !== undefined) return send(port, true);
                }
                // Nothing listens on the engine's port: it is down or between a crash and its restart. After a
                // reset the first try may have reached an engine that died since, so that is told as its death.
                if (error.code === "ECONNREFUSED" && !retry) return answerUnavailable(request, response);
                answerError(response, url, engineStoppedError());
            });
            if (retry) upstream.end(body.bytes());
            else request.pipe(upstream);
        };
        send(upstreamPort, false);
        // A client that goes away cancels its generation in the engine, as a direct client would.
        response.on("close", () => {
            if (!response.writableFinished) upstream.destroy();
        });
    }

    /**
     * Passes the engine's answer on. A stream goes byte for byte as it comes; any other answer is
     * held until complete (they are small JSON bodies written at once), so one the engine's death cuts
     * becomes a 502 in the protocol's shape rather than a truncated 200.
     */
    function relay(answer: http.IncomingMessage, response: http.ServerResponse, route: ServedRoute) {
        const streaming = /^text\/event-stream/i.test(String(answer.headers["content-type"] ?? ""));
        answer.on("error", () => {});
        if (!streaming) {
            const chunks: Buffer[] = [];
            answer.on("data", (chunk: Buffer) => chunks.push(chunk));
            answer.on("close", () => {
                if (response.destroyed) return;
                if (!answer.complete) return answerError(response, response.req.url ?? "/", engineStoppedError());
                const whole = Buffer.concat(chunks);
                response.writeHead(answer.statusCode ?? 502, {"content-length": whole.length, ...withoutConnectionHeaders(answer.headers)});
                response.end(whole);
            });
            return;
        }
        const responses = route === "responses" ? trackResponsesStream() : undefined;
        response.writeHead(answer.statusCode ?? 502, withoutConnectionHeaders(answer.headers));
        response.flushHeaders();
        if (responses) answer.on("data", (chunk: Buffer) => responses.read(chunk));
        answer.pipe(response, {end: false});
        answer.on("close", () => {
            if (answer.complete) response.end();
            else endCutStream(response, route, responses?.state());
        });
    }

    function answerUnavailable(request: http.IncomingMessage, response: http.ServerResponse) {
        request.resume();
        const reason = options.unavailableReason();
        if ((request.url ?? "").split("?")[0] === "/health")
            return sendJson(response, 503, {status: "engine_unavailable", reason}, {"Retry-After": String(RETRY_AFTER_SECONDS)});
        answerError(
            response,
            request.url ?? "/",
            {status: 503, type: "server_error", message: `No engine serves this port right now. ${reason} Retry in a few seconds.`, param: null, code: "engine_unavailable"},
            {"Retry-After": String(RETRY_AFTER_SECONDS)}
        );
    }

    function engineStoppedError(): WireError {
        return {
            status: 502,
            type: "server_error",
            message: "The engine process stopped while answering this request. Retry once it serves again (the server's status says why it stopped).",
            param: null,
            code: "engine_stopped"
        };
    }

    /** A stream the engine's death cut ends with its protocol's error events. */
    function endCutStream(response: http.ServerResponse, route: ServedRoute, responses: ResponsesStreamState | undefined) {
        if (response.writableEnded || response.destroyed) return;
        for (const event of streamFailureEvents(route, engineStoppedError(), responses)) response.write(formatServerSentEvent(event));
        response.end();
    }

    function answerError(response: http.ServerResponse, url: string, error: WireError, headers: Record<string, string> = {}) {
        if (response.headersSent) return void response.destroy();
        sendJson(response, error.status, errorBodyFor(protocolOf(url), error), headers);
    }

    try {
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen({host: options.host, port: options.port}, () => {
                server.off("error", reject);
                resolve();
            });
        });
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EADDRINUSE")
            throw new AppError("ENGINE_PORT_BUSY", `Port ${options.port} on ${options.host} is in use by another program. Pick another port, or 0 for any free one.`);
        throw new AppError("ENGINE_SERVER_INVALID", `The server cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`);
    }
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : options.port;
    const urlHost = options.host.includes(":") ? `[${options.host}]` : options.host === "0.0.0.0" ? "127.0.0.1" : options.host;
    let closing: Promise<void> | undefined;
    return {
        host: options.host,
        port,
        baseUrl: `http://${urlHost}:${port}/v1`,
        secret,
        close() {
            closing ??= new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
                agent.destroy();
            });
            return closing;
        }
    };
}

/** Requests bodies up to this size are kept for a retry; larger ones are never sent twice. */
const RETRY_BODY_LIMIT = 1024 * 1024 * 32;

/** Copies a request's body as it passes, while it stays under RETRY_BODY_LIMIT. */
function keepBody(request: http.IncomingMessage) {
    let chunks: Buffer[] | undefined = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > RETRY_BODY_LIMIT) chunks = undefined;
        else chunks?.push(chunk);
    });
    return {
        /** The whole body was read and kept. */
        complete: () => chunks !== undefined && request.complete,
        bytes: () => Buffer.concat(chunks ?? [])
    };
}

function isConnectionReset(error: NodeJS.ErrnoException): boolean {
    return error.code === "ECONNRESET" || error.code === "EPIPE";
}

function sendJson(response: http.ServerResponse, status: number, body: object, headers: Record<string, string> = {}) {
    const text = JSON.stringify(body);
    response.writeHead(status, {"Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers});
    response.end(text);
}

/**
 * Follows a Responses stream as it passes, so a failure event can repeat the response (its id,
 * model, output so far) and continue the sequence numbers the client has seen.
 */
function trackResponsesStream() {
    const decoder = new StringDecoder("utf8");
    let pending = "";
    const state: ResponsesStreamState = {response: {}, sequenceNumber: 0};
    return {
        read(chunk: Buffer) {
            pending += decoder.write(chunk);
            let end: number;
            while ((end = pending.indexOf("\n\n")) >= 0) {
                const block = pending.slice(0, end);
                pending = pending.slice(end + 2);
                const data = block
                    .split("\n")
                    .filter((line) => line.startsWith("data: "))
                    .map((line) => line.slice("data: ".length))
                    .join("\n");
                try {
                    const event = JSON.parse(data) as {sequence_number?: unknown; response?: unknown};
                    if (typeof event.sequence_number === "number") state.sequenceNumber = event.sequence_number + 1;
                    if (typeof event.response === "object" && event.response !== null) state.response = event.response as ResponsesStreamState["response"];
                } catch {
                    // Not JSON: nothing to remember.
                }
            }
        },
        state: () => state
    };
}
