import {z} from "zod";
import type {AppEvents} from "../../api/AppApi.ts";
import type {EndpointBenchRun, EndpointBenchSpec, EndpointConnectRequest, EndpointsApi} from "../../api/EndpointsApi.ts";
import {concealSecret, errorBody, withoutSecret} from "../../shared/AppError.ts";
import type {EventBus} from "../../shared/EventBus.ts";
import {listArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {recordId, requiredText, wholeNumber} from "../../shared/parseArgument.ts";
import type {Store} from "../store/Store.ts";
import {describeEndpoint} from "./describeEndpoint.ts";
import {serverGpus} from "../catalog/serverPresets.ts";
import {EndpointError} from "./EndpointError.ts";
import {runEndpointBenchmark, summarize} from "./runEndpointBenchmark.ts";
import {streamCompletion} from "./streamAnthropicMessage.ts";
import {getEndpointJson, type EndpointConnection} from "./streamChatCompletion.ts";
import {detectEndpointProtocol, protocolBaseUrl} from "./detectEndpointProtocol.ts";

const sizeList = (what: string, min: number, max: number) =>
    z
        .array(wholeNumber(min, max), {error: `must be a list of ${what}`})
        .max(8, {error: "must list at most 8"})
        .transform((items) => [...new Set(items)].sort((a, b) => a - b));

const connectFields = {
    baseUrl: z
        .string({error: "must be an http(s) URL, e.g. http://gpu-box:8080/v1"})
        .trim()
        .refine((value) => /^https?:\/\/[^\s/]+/i.test(value) && URL.canParse(value), {error: "must be an http(s) URL, e.g. http://gpu-box:8080/v1"})
        .transform((value) => value.replace(/\/+$/, "").replace(/\/(chat\/completions|messages)$/, "")),
    protocol: z.enum(["openai", "anthropic"], {error: "must be openai (chat completions) or anthropic (messages)"}).optional(),
    apiKeyEnv: z
        .string({error: "must be the name of an environment variable"})
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {error: "must be the name of an environment variable (letters, digits, underscores), not the key itself"})
        .optional(),
    apiKey: z.string({error: "must be the key as text"}).trim().min(1, {error: "must not be empty (leave it out for no key)"}).max(4096, {error: "must be at most 4096 characters"}).optional()
};
const oneKeySource = (request: {apiKeyEnv?: string; apiKey?: string}) => !(request.apiKeyEnv && request.apiKey);
const oneKeySourceError = {error: "give either apiKeyEnv (the variable's name) or apiKey (the key, kept in memory), not both", path: ["apiKey"]};

/** `endpoints.connect`'s request. */
export const endpointConnectSchema = z.object(connectFields).refine(oneKeySource, oneKeySourceError);

/** `endpoints.bench`'s request. */
export const endpointBenchSchema = z
    .object({
        ...connectFields,
        model: requiredText("must be the model id the server lists (GET /v1/models)"),
        promptSizes: sizeList("prompt sizes in tokens (16–131072)", 16, 131_072).optional(),
        generatedTokens: wholeNumber(0, 4096).optional(),
        repetitions: wholeNumber(1, 20).optional(),
        agentTurns: wholeNumber(0, 20).optional(),
        concurrency: sizeList("stream counts (1–64)", 1, 64).optional(),
        concurrencyTokens: wholeNumber(2, 4096).optional(),
        serverGpu: z.enum(serverGpus.map((g) => g.id) as [string, ...string[]], {error: `must be one of the server GPUs: ${serverGpus.map((g) => g.id).join(", ")}`}).optional()
    })
    .refine(oneKeySource, oneKeySourceError);


export interface EndpointsApiOptions {
    store: Pick<Store, "endpoints">;
    events: EventBus<AppEvents>;
    /** Where API keys are read from, by the variable the request names. Default process.env. */
    env?: NodeJS.ProcessEnv;
    appVersion: string;
    /** Registers cleanup for app disposal (a run in flight is cancelled and stored as such). */
    onDispose(cleanup: () => Promise<void> | void): void;
}

/**
 * Benchmarks of OpenAI-compatible endpoints: checked before anything is stored (reachable, key,
 * model, a well-formed stream), then measured in the background, one run at a time, the run saved
 * after each phase under the endpoint's own key.
 */
export function createEndpointsApi(options: EndpointsApiOptions): MethodTable<EndpointsApi> {
    const {store, events} = options;
    store.endpoints.markInterrupted();
    let active: {runId: number; controller: AbortController; done: Promise<EndpointBenchRun>} | undefined;
    options.onDispose(async () => {
        const running = active;
        running?.controller.abort();
        await running?.done;
    });

    const getRun = (runId: number) => {
        const run = store.endpoints.get(runId);
        if (!run) throw new EndpointError("ENDPOINT_RUN_NOT_FOUND", `There is no endpoint benchmark run ${runId}; 'agentfit bench endpoints' lists them.`);
        return run;
    };
    const runArgument = z.object({runId: recordId});
    /** The key the request names or carries; it stays in this process's memory for the run. */
    const apiKeyOf = (request: Pick<EndpointConnectRequest, "apiKeyEnv" | "apiKey">): string | null => {
        if (request.apiKey) return request.apiKey;
        if (!request.apiKeyEnv) return null;
        const apiKey = (options.env ?? process.env)[request.apiKeyEnv];
        if (!apiKey) throw new EndpointError("ENDPOINT_API_KEY_MISSING", `The environment variable ${request.apiKeyEnv} named for the API key is not set (or empty); set it, then run again.`);
        return apiKey;
    };

    return {
        "endpoints.connect": {
            schema: endpointConnectSchema,
            invalidCode: "ENDPOINT_BENCH_INVALID",
            async handler(request) {
                const apiKey = apiKeyOf(request);
                return withoutSecret(apiKey, async () => {
                    const protocol = request.protocol ?? (await detectEndpointProtocol({baseUrl: request.baseUrl, apiKey, timeoutMs: 30_000}));
                    const connection: EndpointConnection = {baseUrl: protocolBaseUrl(request.baseUrl, protocol), protocol, apiKey, timeoutMs: 30_000};
                    const list = (await getEndpointJson(connection, "/models")) as {data?: {id?: unknown}[]} | null;
                    const models = Array.isArray(list?.data) ? list.data.map((m) => m?.id).filter((id): id is string => typeof id === "string") : [];
                    return {baseUrl: connection.baseUrl, protocol, models, server: models.length > 0 ? await describeEndpoint(connection, models[0]!) : null};
                });
            }
        },
        "endpoints.bench": {
            schema: endpointBenchSchema,
            invalidCode: "ENDPOINT_BENCH_INVALID",
            async handler(request) {
                if (active) throw new EndpointError("ENDPOINT_BUSY", `Endpoint run ${active.runId} is measuring; wait for it or cancel it first (concurrent runs would measure each other).`);
                const apiKey = apiKeyOf(request);
                const protocol = request.protocol ?? (await withoutSecret(apiKey, () => detectEndpointProtocol({baseUrl: request.baseUrl, apiKey, timeoutMs: 30_000})));
                const spec: EndpointBenchSpec = {
                    baseUrl: protocolBaseUrl(request.baseUrl, protocol),
                    model: request.model,
                    protocol,
                    apiKeyEnv: request.apiKeyEnv ?? null,
                    apiKeyInMemory: request.apiKey !== undefined,
                    promptSizes: request.promptSizes ?? [128, 512, 2048],
                    generatedTokens: request.generatedTokens ?? 128,
                    repetitions: request.repetitions ?? 3,
                    agentTurns: request.agentTurns ?? 4,
                    concurrency: request.concurrency ?? [1, 2, 4, 8],
                    concurrencyTokens: request.concurrencyTokens ?? 64,
                    serverGpu: request.serverGpu ?? null
                };
                const controller = new AbortController();
                const connection: EndpointConnection = {baseUrl: spec.baseUrl, protocol, apiKey, signal: controller.signal};
                // Checked before anything is stored: the server answers, takes the key, serves the model and streams well-formed events.
                const server = await withoutSecret(apiKey, async () => {
                    const described = await describeEndpoint({...connection, timeoutMs: 30_000}, spec.model);
                    await streamCompletion({...connection, timeoutMs: 120_000}, {model: spec.model, messages: [{role: "user", content: "Say hello."}], max_tokens: 4});
                    return described;
                });
                if (active) throw new EndpointError("ENDPOINT_BUSY", `Endpoint run ${(active as {runId: number}).runId} is measuring; wait for it or cancel it first.`);

                const empty = {ttft: [], generation: [], agent: null, concurrency: []};
                const run = store.endpoints.create({
                    createdAt: new Date().toISOString(),
                    completedAt: null,
                    status: "running",
                    spec,
                    endpointKey: `endpoint:${spec.baseUrl}`,
                    server,
                    phase: null,
                    phasesDone: [],
                    ...empty,
                    summary: summarize(empty),
                    error: null,
                    appVersion: options.appVersion
                });
                const done = runEndpointBenchmark({
                    run,
                    connection,
                    signal: controller.signal,
                    save: (patch) => {
                        const saved = store.endpoints.update(run.id, patch);
                        events.emit("endpoints.progress", saved);
                        return saved;
                    }
                })
                    .catch((error: unknown) =>
                        store.endpoints.update(run.id, {
                            status: controller.signal.aborted ? "cancelled" : "failed",
                            phase: null,
                            completedAt: new Date().toISOString(),
                            error: controller.signal.aborted ? null : errorBody(concealSecret(error, apiKey), "ENDPOINT_REJECTED")
                        })
                    )
                    .then((ended) => {
                        if (active?.runId === run.id) active = undefined;
                        events.emit("endpoints.progress", ended);
                        return ended;
                    });
                active = {runId: run.id, controller, done};
                events.emit("endpoints.progress", run);
                return run;
            }
        },
        "endpoints.cancel": {
            schema: runArgument,
            async handler({runId}) {
                const run = getRun(runId);
                if (active?.runId !== run.id) throw new EndpointError("ENDPOINT_STATE_CONFLICT", `Endpoint run ${run.id} is not running (${run.status}).`);
                active.controller.abort();
                return active.done;
            }
        },
        "endpoints.runs": {schema: listArgument, handler: async ({limit}) => store.endpoints.list(limit ?? 50)},
        "endpoints.run": {schema: runArgument, handler: async ({runId}) => getRun(runId)}
    };
}
