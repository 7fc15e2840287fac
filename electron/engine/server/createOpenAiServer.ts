import crypto from "node:crypto";
import Fastify, {type FastifyReply, type FastifyRequest} from "fastify";
import type {ChatCompletion, ChatCompletionChunk} from "openai/resources/chat/completions";
import type {Model} from "openai/resources/models";
import type {ServerSettings} from "../../api/EngineApi.ts";
import {DEFAULT_SERVE_HOST} from "../../protocol/engineSettings.ts";
import {FRONT_CLIENT_ADDRESS_HEADER, FRONT_SECRET_HEADER} from "../../protocol/frontHop.ts";
import {AppError} from "../../shared/AppError.ts";
import {isAllowedHost, isLoopbackAddress} from "../../shared/requestGuards.ts";
import {parseChatCompletionRequest, type ChatCompletionRequest} from "./chatCompletionRequest.ts";
import type {LoadedEngineModel} from "../model/loadEngineModel.ts";
import {OpenAiHttpError} from "./OpenAiHttpError.ts";
import {runChatCompletion, type CompletionOutcome} from "./runChatCompletion.ts";
import {errorBodyFor, protocolOf, streamFailureEvents, type WireProtocol} from "../../protocol/wireErrors.ts";
import {registerAnthropicRoutes} from "./registerAnthropicRoutes.ts";
import {registerResponsesRoutes} from "./registerResponsesRoutes.ts";
import type {ChatRouteContext, GenerationHooks} from "./ChatRouteContext.ts";
import {registerCompletionsRoutes} from "./registerCompletionsRoutes.ts";
import {openEventStream} from "./openEventStream.ts";
import type {ServerMetrics} from "./ServerMetrics.ts";

/** Largest request body when none is configured: agents send long conversations. */
export const DEFAULT_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

/** What the server serves: the model (if any) and whether one is loading. */
export interface ServedModelSource {
    current(): {state: "none" | "loading"; model?: undefined} | {state: "ready"; model: LoadedEngineModel};
    /** Names besides the model id that clients may send as `model` (the reference it was loaded by, its path). */
    aliases(): string[];
}

export interface OpenAiServerOptions extends ServerSettings {
    /** The internal hop's secret: requests without it in FRONT_SECRET_HEADER are refused (403). */
    frontSecret: string;
    source: ServedModelSource;
    metrics: ServerMetrics;
    /** Called when a request starts or ends, so live counters can be pushed to the app. */
    onActivity?: () => void;
    /** Where notes about accepted-but-ignored request parts go (tools a local model is not offered). Default: dropped. */
    log?: (line: string) => void;
}

export interface OpenAiServer extends AsyncDisposable {
    /** The loopback port the app's serving front forwards to. */
    readonly port: number;
    dispose(): Promise<void>;
}

function sendError(reply: FastifyReply, error: OpenAiHttpError, protocol: WireProtocol = protocolOf(reply.request.url)) {
    return reply.code(error.status).type("application/json").send(JSON.stringify(errorBodyFor(protocol, error)));
}

/** The key from `Authorization: Bearer …` (OpenAI clients) or `x-api-key` (Anthropic clients). */
function keyMatches(headers: {authorization?: string; "x-api-key"?: string | string[]}, apiKey: string): boolean {
    const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "")?.[1];
    const header = headers["x-api-key"];
    const key = bearer ?? (typeof header === "string" ? header : undefined);
    return key !== undefined && secretMatches(key.trim(), apiKey);
}

/** Constant-time comparison of a secret a request carries with the expected one. */
function secretMatches(given: string | string[] | undefined, expected: string): boolean {
    if (typeof given !== "string") return false;
    return crypto.timingSafeEqual(crypto.createHash("sha256").update(given).digest(), crypto.createHash("sha256").update(expected).digest());
}

/** The address of the client behind the front (only requests carrying the front's secret get this far). */
function clientAddress(request: FastifyRequest): string | undefined {
    const header = request.headers[FRONT_CLIENT_ADDRESS_HEADER];
    return typeof header === "string" ? header : undefined;
}

/** `application/json`, or any `+json` type, with or without parameters. */
function isJsonContentType(header: string | undefined): boolean {
    const type = header?.split(";")[0]!.trim().toLowerCase();
    return type === "application/json" || (type?.endsWith("+json") ?? false);
}

function originAllowed(origin: string, allowed: readonly string[]): boolean {
    return allowed.includes("*") || allowed.some((o) => o.replace(/\/$/, "").toLowerCase() === origin.toLowerCase());
}

/**
 * The OpenAI-compatible HTTP API of the engine: /v1/models, /v1/chat/completions (JSON and SSE),
 * /health and /metrics, and the other protocols' routes. It listens on a free loopback port behind
 * the app's serving front (which owns the port clients use) and refuses requests without the
 * front's secret; past that, the one place requests are checked: optional Bearer key, Host-header
 * check against DNS rebinding (for the host clients were told), CORS only for listed origins, a
 * body limit, errors in the request's protocol's format.
 */
export async function createOpenAiServer(options: OpenAiServerOptions): Promise<OpenAiServer> {
    const host = options.host ?? DEFAULT_SERVE_HOST;
    const corsOrigins = options.corsOrigins ?? [];
    const apiKey = options.apiKey || undefined;
    const {metrics, source} = options;
    const server = Fastify({bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES, logger: false, forceCloseConnections: true});
    const openStreams = new Set<FastifyReply>();

    server.addHook("onRequest", async (request, reply) => {
        if (!secretMatches(request.headers[FRONT_SECRET_HEADER], options.frontSecret))
            return sendError(reply, new OpenAiHttpError(403, "invalid_request_error", "This port is AgentFit's internal one; send requests to the server's published address.", null, "forbidden"));
        if (!isAllowedHost(request.headers.host, host))
            return sendError(
                reply,
                new OpenAiHttpError(403, "invalid_request_error", `Host "${request.headers.host ?? ""}" is not served here; use ${host} or localhost.`, null, "forbidden_host")
            );
        const origin = request.headers.origin;
        if (origin) {
            if (!originAllowed(origin, corsOrigins))
                return sendError(
                    reply,
                    new OpenAiHttpError(403, "invalid_request_error", `Browser requests from ${origin} are not allowed; start the server with that origin in its CORS list.`, null, "forbidden_origin")
                );
            void reply.header("Access-Control-Allow-Origin", corsOrigins.includes("*") ? "*" : origin).header("Vary", "Origin");
            if (request.method === "OPTIONS")
                return reply
                    .code(204)
                    .header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
                    .header("Access-Control-Allow-Headers", request.headers["access-control-request-headers"] ?? "authorization, content-type")
                    .header("Access-Control-Max-Age", "600")
                    .send();
        }
        const needsKey = apiKey && request.url !== "/health";
        if (needsKey && !keyMatches(request.headers, apiKey))
            return sendError(
                reply,
                new OpenAiHttpError(
                    401,
                    "invalid_request_error",
                    request.headers.authorization || request.headers["x-api-key"]
                        ? "Incorrect API key provided."
                        : "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' (or 'x-api-key: <key>').",
                    null,
                    "invalid_api_key"
                )
            );
        if (request.method === "POST" && !isJsonContentType(request.headers["content-type"])) {
            metrics.recordError("unsupported_media_type");
            return sendError(
                reply,
                new OpenAiHttpError(
                    415,
                    "invalid_request_error",
                    `The request body must be JSON: send 'Content-Type: application/json'${request.headers["content-type"] ? `, not '${request.headers["content-type"]}'` : ""}.`,
                    null,
                    "unsupported_media_type"
                )
            );
        }
    });

    server.setErrorHandler((error: {statusCode?: number; message: string}, _request, reply) => {
        const status = error.statusCode ?? 500;
        const httpError =
            status === 413
                ? new OpenAiHttpError(413, "invalid_request_error", "The request body is larger than this server accepts.", null, "request_too_large")
                : status === 400
                  ? new OpenAiHttpError(400, "invalid_request_error", `We could not parse the JSON body of your request: ${error.message}`, null, "invalid_json")
                  : new OpenAiHttpError(status, "server_error", error.message, null, null);
        metrics.recordError(httpError.code ?? String(status));
        return sendError(reply, httpError);
    });
    server.setNotFoundHandler((request, reply) =>
        sendError(reply, new OpenAiHttpError(404, "invalid_request_error", `Unknown request URL: ${request.method} ${request.url}.`, null, "unknown_url"))
    );

    // Only JSON gets this far (the onRequest hook answers 415 to anything else); one parser for every JSON type.
    server.removeAllContentTypeParsers();
    server.addContentTypeParser("*", {parseAs: "string"}, (_request, body, done) => {
        try {
            done(null, JSON.parse(body as string));
        } catch (error) {
            (error as {statusCode?: number}).statusCode = 400;
            done(error as Error, undefined);
        }
    });

    const started = Date.now();
    // One model object both OpenAI clients (id, object, created, owned_by) and Anthropic clients
    // (type, id, display_name, created_at) accept; Claude Code lists models to check the name it was given.
    const modelObject = (loaded: LoadedEngineModel, request: FastifyRequest): Model & {type: "model"; display_name: string; created_at: string; meta: Record<string, unknown>} => ({
        id: loaded.info.id,
        object: "model",
        type: "model",
        display_name: loaded.info.id,
        created: Math.floor(started / 1000),
        created_at: new Date(started).toISOString(),
        owned_by: "agentfit",
        meta: {
            // The file's path is this machine's business: only loopback clients see it.
            ...(isLoopbackAddress(clientAddress(request)) ? {path: loaded.info.path} : {}),
            architecture: loaded.info.architecture,
            n_ctx: loaded.info.settings.contextSize,
            n_ctx_train: loaded.info.trainedContextSize,
            quantization: loaded.info.quantization,
            size: loaded.info.fileBytes,
            parallel: loaded.info.settings.parallel
        }
    });

    server.get("/health", async (_request, reply) => {
        const current = source.current();
        if (current.state === "ready") return reply.send({status: "ok", model: current.model.info.id});
        return reply.code(503).send({status: current.state === "loading" ? "loading" : "no_model"});
    });

    server.get("/metrics", async (_request, reply) => reply.type("text/plain; version=0.0.4; charset=utf-8").send(metrics.prometheus()));

    server.get("/v1/models", async (request) => {
        const current = source.current();
        const data = current.state === "ready" ? [modelObject(current.model, request)] : [];
        return {object: "list", data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null};
    });

    server.get<{Params: {id: string}}>("/v1/models/:id", async (request, reply) => {
        const current = source.current();
        if (current.state === "ready" && matchesModel(request.params.id, current.model)) return modelObject(current.model, request);
        return sendError(reply, modelNotFound(request.params.id));
    });

    const matchesModel = (name: string, loaded: LoadedEngineModel) => name === loaded.info.id || source.aliases().includes(name);
    const modelNotFound = (name: string) =>
        new OpenAiHttpError(404, "invalid_request_error", `The model \`${name}\` does not exist. This server serves \`${serving() ?? "no model"}\`.`, "model", "model_not_found");
    const serving = () => {
        const current = source.current();
        return current.state === "ready" ? current.model.info.id : undefined;
    };

    /** The loaded model if it answers to `name`; throws the 503 or 404 a client should see otherwise. */
    const modelFor = (name: string): LoadedEngineModel => {
        const current = source.current();
        if (current.state !== "ready")
            throw new OpenAiHttpError(
                503,
                "server_error",
                current.state === "loading" ? "The model is loading; try again shortly." : "No model is loaded. Load one with `agentfit serve --model …` or the Serve screen.",
                null,
                current.state === "loading" ? "model_loading" : "model_not_loaded"
            );
        if (!matchesModel(name, current.model)) throw modelNotFound(name);
        return current.model;
    };

    const hooks = (reply: FastifyReply, onStarted?: (prompt: {promptTokens: number}) => void): GenerationHooks => ({
        signal: abortOnDisconnect(reply).signal,
        onFinished: recordUsage,
        onStarted: (prompt) => {
            options.onActivity?.();
            onStarted?.(prompt);
        }
    });

    const routes: ChatRouteContext = {
        modelFor,
        countRequest: () => metrics.requestsTotal++,
        hooks,
        run: (reply, loaded, body) => runChatCompletion(loaded, body, hooks(reply)),
        stream: (reply, loaded, body, writerFor) =>
            routes.streamJob(reply, writerFor, (events) =>
                runChatCompletion(loaded, body, {
                    ...hooks(reply, (prompt) => events.start(prompt)),
                    callbacks: {
                        onContent: (text) => events.onContent?.(text),
                        onReasoning: events.onReasoning && ((text) => events.onReasoning?.(text)),
                        onToolCall: (delta) => events.onToolCall?.(delta)
                    }
                })
            ),
        async streamJob(reply, writerFor, job) {
            const stream = openEventStream(reply, {onOpen: () => openStreams.add(reply), onClose: () => openStreams.delete(reply)});
            const events = writerFor(stream);
            try {
                const outcome = await job(events);
                events.finish(outcome);
                return outcome;
            } catch (error) {
                if (!stream.opened) throw error;
                if (reply.raw.destroyed || isAbort(error)) metrics.requestsCancelled++;
                else {
                    const httpError = toHttpError(error);
                    metrics.recordError(httpError.code ?? "stream_error");
                    events.fail(httpError);
                }
                return undefined;
            }
        },
        replyWithError
    };

    server.post("/v1/chat/completions", async (request, reply) => {
        metrics.requestsTotal++;
        try {
            const body = parseChatCompletionRequest(request.body);
            const loaded = modelFor(body.model);
            if (body.stream) return await streamCompletion(reply, loaded, body);
            const outcome = await routes.run(reply, loaded, body);
            return reply.type("application/json").send(JSON.stringify(completionBody(loaded, outcome)));
        } catch (error) {
            return replyWithError(reply, error);
        }
    });
    registerAnthropicRoutes(server, routes);
    registerResponsesRoutes(server, routes, options.log);
    registerCompletionsRoutes(server, routes);

    function recordUsage(usage: CompletionOutcome["usage"], timing: {promptMs: number; generationMs: number}) {
        metrics.recordCompletion({...usage, ...timing});
        options.onActivity?.();
    }

    function toHttpError(error: unknown): OpenAiHttpError {
        if (error instanceof OpenAiHttpError) return error;
        if (error instanceof AppError && error.code === "MODEL_UNLOADED")
            return new OpenAiHttpError(503, "server_error", error.message, null, "model_not_loaded");
        return new OpenAiHttpError(500, "server_error", `The generation failed: ${(error as Error)?.message ?? String(error)}`, null, "generation_failed");
    }

    function replyWithError(reply: FastifyReply, error: unknown) {
        if (reply.raw.destroyed || isAbort(error)) {
            metrics.requestsCancelled++;
            return reply.raw.destroyed ? undefined : reply.code(499).send();
        }
        const httpError = toHttpError(error);
        metrics.recordError(httpError.code ?? String(httpError.status));
        return sendError(reply, httpError);
    }

    function abortOnDisconnect(reply: FastifyReply): AbortController {
        const controller = new AbortController();
        reply.raw.on("close", () => {
            if (!reply.raw.writableFinished) controller.abort(new ClientDisconnectedError());
        });
        return controller;
    }

    async function streamCompletion(reply: FastifyReply, loaded: LoadedEngineModel, body: ChatCompletionRequest) {
        const id = completionId();
        const created = Math.floor(Date.now() / 1000);
        const chunk = (delta: ChatCompletionChunk.Choice.Delta, finishReason: ChatCompletionChunk.Choice["finish_reason"] = null): ChatCompletionChunk => ({
            id,
            object: "chat.completion.chunk",
            created,
            model: loaded.info.id,
            system_fingerprint: fingerprint(loaded),
            choices: [{index: 0, delta, logprobs: null, finish_reason: finishReason}]
        });
        await routes.stream(reply, loaded, body, (stream) => ({
            start: () => stream.send(chunk({role: "assistant", content: ""})),
            onContent: (text) => stream.send(chunk({content: text})),
            onToolCall: (delta) =>
                stream.send(
                    chunk({
                        tool_calls: [
                            delta.id
                                ? {index: delta.index, id: delta.id, type: "function", function: {name: delta.name!, arguments: delta.argumentsDelta}}
                                : {index: delta.index, function: {arguments: delta.argumentsDelta}}
                        ]
                    })
                ),
            finish(outcome) {
                stream.send({...chunk({}, outcome.finishReason), timings: outcome.timings});
                if (body.stream_options?.include_usage) stream.send({...chunk({}), choices: [], usage: usageOf(outcome)});
                stream.send("[DONE]");
                stream.end();
            },
            fail: (error) => stream.endWith(streamFailureEvents("chat", error))
        }));
    }

    await server.listen({host: "127.0.0.1", port: 0});
    const address = server.server.address();
    let disposed = false;
    const openAiServer: OpenAiServer = {
        port: typeof address === "object" && address ? address.port : 0,
        async dispose() {
            if (disposed) return;
            disposed = true;
            for (const stream of openStreams) stream.raw.destroy();
            await server.close();
        },
        [Symbol.asyncDispose]() {
            return openAiServer.dispose();
        }
    };
    return openAiServer;
}

class ClientDisconnectedError extends Error {
    constructor() {
        super("The client disconnected.");
        this.name = "AbortError";
    }
}

function isAbort(error: unknown): boolean {
    return error instanceof ClientDisconnectedError || (error as {name?: string})?.name === "AbortError";
}

function completionId(): string {
    return `chatcmpl-${crypto.randomBytes(12).toString("base64url")}`;
}

function fingerprint(loaded: LoadedEngineModel): string {
    const s = loaded.info.settings;
    return `agentfit-${loaded.info.id}-c${s.contextSize}-kv${s.kvCacheType}`;
}

function usageOf(outcome: CompletionOutcome): ChatCompletion["usage"] {
    return {
        prompt_tokens: outcome.usage.promptTokens,
        completion_tokens: outcome.usage.completionTokens,
        total_tokens: outcome.usage.promptTokens + outcome.usage.completionTokens,
        prompt_tokens_details: {cached_tokens: outcome.usage.cachedTokens}
    };
}

function completionBody(loaded: LoadedEngineModel, outcome: CompletionOutcome): ChatCompletion & {timings: object} {
    return {
        id: completionId(),
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: loaded.info.id,
        system_fingerprint: fingerprint(loaded),
        choices: [
            {
                index: 0,
                message: {
                    role: "assistant",
                    content: outcome.toolCalls.length > 0 && outcome.content === "" ? null : outcome.content,
                    refusal: null,
                    ...(outcome.toolCalls.length > 0
                        ? {tool_calls: outcome.toolCalls.map((call) => ({id: call.id, type: "function" as const, function: {name: call.name, arguments: call.arguments}}))}
                        : {})
                },
                logprobs: null,
                finish_reason: outcome.finishReason
            }
        ],
        usage: usageOf(outcome),
        timings: outcome.timings
    };
}
