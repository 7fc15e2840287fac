import {z} from "zod";
import type {AppEvents} from "../../api/AppApi.ts";
import type {EndpointBenchRun, EndpointBenchSpec, EndpointsApi} from "../../api/EndpointsApi.ts";
import {errorBody} from "../../shared/AppError.ts";
import type {EventBus} from "../../shared/EventBus.ts";
import {listArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {recordId, requiredText, wholeNumber} from "../../shared/parseArgument.ts";
import type {Store} from "../store/Store.ts";
import {describeEndpoint} from "./describeEndpoint.ts";
import {serverGpus} from "../catalog/serverPresets.ts";
import {EndpointError} from "./EndpointError.ts";
import {runEndpointBenchmark, summarize} from "./runEndpointBenchmark.ts";
import {streamChatCompletion, type EndpointConnection} from "./streamChatCompletion.ts";

const sizeList = (what: string, min: number, max: number) =>
    z
        .array(wholeNumber(min, max), {error: `must be a list of ${what}`})
        .max(8, {error: "must list at most 8"})
        .transform((items) => [...new Set(items)].sort((a, b) => a - b));

/** `endpoints.bench`'s request. */
export const endpointBenchSchema = z.object({
    baseUrl: z
        .string({error: "must be an http(s) URL, e.g. http://gpu-box:8080/v1"})
        .trim()
        .refine((value) => /^https?:\/\/[^\s/]+/i.test(value) && URL.canParse(value), {error: "must be an http(s) URL, e.g. http://gpu-box:8080/v1"})
        .transform((value) => value.replace(/\/+$/, "").replace(/\/chat\/completions$/, "")),
    model: requiredText("must be the model id the server lists (GET /v1/models)"),
    apiKeyEnv: z
        .string({error: "must be the name of an environment variable"})
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {error: "must be the name of an environment variable (letters, digits, underscores), not the key itself"})
        .optional(),
    promptSizes: sizeList("prompt sizes in tokens (16–131072)", 16, 131_072).optional(),
    generatedTokens: wholeNumber(0, 4096).optional(),
    repetitions: wholeNumber(1, 20).optional(),
    agentTurns: wholeNumber(0, 20).optional(),
    concurrency: sizeList("stream counts (1–64)", 1, 64).optional(),
    concurrencyTokens: wholeNumber(2, 4096).optional(),
    serverGpu: z.enum(serverGpus.map((g) => g.id) as [string, ...string[]], {error: `must be one of the server GPUs: ${serverGpus.map((g) => g.id).join(", ")}`}).optional()
});

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

    return {
        "endpoints.bench": {
            schema: endpointBenchSchema,
            invalidCode: "ENDPOINT_BENCH_INVALID",
            async handler(request) {
                if (active) throw new EndpointError("ENDPOINT_BUSY", `Endpoint run ${active.runId} is measuring; wait for it or cancel it first (concurrent runs would measure each other).`);
                const spec: EndpointBenchSpec = {
                    baseUrl: request.baseUrl,
                    model: request.model,
                    protocol: "openai",
                    apiKeyEnv: request.apiKeyEnv ?? null,
                    promptSizes: request.promptSizes ?? [128, 512, 2048],
                    generatedTokens: request.generatedTokens ?? 128,
                    repetitions: request.repetitions ?? 3,
                    agentTurns: request.agentTurns ?? 4,
                    concurrency: request.concurrency ?? [1, 2, 4, 8],
                    concurrencyTokens: request.concurrencyTokens ?? 64,
                    serverGpu: request.serverGpu ?? null
                };
                let apiKey: string | null = null;
                if (spec.apiKeyEnv) {
                    apiKey = (options.env ?? process.env)[spec.apiKeyEnv] ?? null;
                    if (!apiKey) throw new EndpointError("ENDPOINT_API_KEY_MISSING", `The environment variable ${spec.apiKeyEnv} named for the API key is not set (or empty); set it, then run again.`);
                }
                const controller = new AbortController();
                const connection: EndpointConnection = {baseUrl: spec.baseUrl, apiKey, signal: controller.signal};
                // Checked before anything is stored: the server answers, takes the key, serves the model and streams well-formed events.
                const server = await describeEndpoint({...connection, timeoutMs: 30_000}, spec.model);
                await streamChatCompletion({...connection, timeoutMs: 120_000}, {model: spec.model, messages: [{role: "user", content: "Say hello."}], max_tokens: 4});
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
                            error: controller.signal.aborted ? null : errorBody(error, "ENDPOINT_REJECTED")
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
