import {randomUUID} from "node:crypto";
import OpenAI from "openai";
import {z} from "zod";
import type {
    EvalApi,
    EvalLimits,
    EvalModelResult,
    EvalModelSpec,
    EvalPrice,
    EvalProviderId,
    EvalProviderInfo,
    EvalRunSpec,
    EvalRunSummary,
    EvalRuntimeStatus,
    EvalSampleSummary,
    EvalTaskInfo
} from "../../api/EvalApi.ts";
import type {AppEvents} from "../../api/AppApi.ts";
import type {LocalModelEndpoints} from "../../api/EngineApi.ts";
import type {EventBus} from "../../shared/EventBus.ts";
import type {Store} from "../store/Store.ts";
import type {SecretStore} from "./SecretStore.ts";
import {modelSettingsSchema} from "../../protocol/engineSettings.ts";
import {InvalidArgumentError, errorBody, errorMessage} from "../../shared/AppError.ts";
import {emptyArgument, listArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {recordId} from "../../shared/parseArgument.ts";
import type {EvalRunRecord} from "../store/evalRepository.ts";
import {defaultPrices, findPrice} from "./defaultPrices.ts";
import {EvalError} from "./EvalError.ts";
import {computeStats} from "./evalStatistics.ts";
import {buildInspectLog} from "./inspectLog.ts";
import {resolveModelReference} from "../downloads/resolveModelReference.ts";
import {checkBaseUrl, modelLabel, providerDefinitions, providerIds, quantizationFromName, resolveBaseUrl} from "./providers.ts";
import {runSample} from "./runSample.ts";
import {loadRefactorTasks, type RefactorTask} from "./tasks/refactorTasks.ts";
import {createToolchains, toolchainCommands, type TaskLanguage} from "./toolchains.ts";

export const defaultLimits: EvalLimits = {maxTurns: 40, maxTokens: 2_000_000, maxWallTimeMs: 30 * 60_000};
export const DEFAULT_EPOCHS = 10;

const providerSchema = z.enum(providerIds as [EvalProviderId, ...EvalProviderId[]], {error: `must be one of ${providerIds.join(", ")}`});
const modelSchema = z.strictObject({
    provider: providerSchema,
    model: z.string().trim().min(1).max(2000),
    baseUrl: z.string().trim().min(1).max(2000).optional(),
    quantization: z.string().trim().min(1).max(40).optional(),
    settings: modelSettingsSchema.optional()
});
const startSchema = z.strictObject({
    tasks: z.array(z.string()).min(1, {error: "must name at least one task"}).max(20),
    models: z.array(modelSchema).min(1, {error: "must name at least one model"}).max(20),
    epochs: z.number().int().min(1).max(100).optional(),
    concurrency: z.number().int().min(1).max(16).optional(),
    limits: z
        .strictObject({
            maxTurns: z.number().int().min(1).max(1000).optional(),
            maxTokens: z.number().int().min(1000).max(1_000_000_000).optional(),
            maxWallTimeMs: z.number().int().min(1000).max(24 * 3_600_000).optional(),
            maxOutputTokensPerTurn: z.number().int().min(16).max(1_000_000).optional()
        })
        .optional(),
    systemPrompt: z.enum(["concise", "long"]).optional(),
    temperature: z.number().min(0).max(2).optional(),
    wattage: z.number().positive().max(10_000).optional()
});
const runArgument = z.strictObject({runId: recordId});
const price = z.number().min(0).max(100_000);
const priceSchema = z.strictObject({
    provider: providerSchema,
    model: z.string().trim().min(1).max(500),
    inputPerMillion: price.optional(),
    cachedInputPerMillion: price.nullable().optional(),
    outputPerMillion: price.optional(),
    reset: z.boolean().optional()
});

interface Endpoint {
    baseUrl: string;
    apiKey: string | undefined;
    model: string;
}
type EndpointResolver = (signal: AbortSignal, onProgress: (activity: string) => void) => Promise<Endpoint>;

const INTERRUPTED = "interrupted";
const CANCELLED = "cancelled";

/** The eval domain: tasks, providers, the run queue, records, statistics and exports. */
export interface EvalApiOptions {
    store: Pick<Store, "evals" | "hardware" | "models">;
    events: EventBus<AppEvents>;
    /** Recorded with every run. */
    appVersion: string;
    /** Provider API keys (the OS keychain in the desktop app, environment variables elsewhere). */
    secrets: SecretStore;
    /** The local engine serving downloaded models; absent when this host has none. */
    localModels?: LocalModelEndpoints;
    /** Environment read for runtime commands (AGENTFIT_RSCRIPT…) and base URL overrides. Default process.env. */
    env?: NodeJS.ProcessEnv;
    /** Registers cleanup for app disposal (runs in flight are interrupted, resumable). */
    onDispose(cleanup: () => Promise<void> | void): void;
}

export function createEvalApi(options: EvalApiOptions): MethodTable<EvalApi> {
    const repo = options.store.evals;
    const env = options.env ?? process.env;
    const tasks = loadRefactorTasks();
    const toolchains = createToolchains(toolchainCommands(env));
    const instance = randomUUID();
    const owner = {pid: process.pid, instance};
    const activity = new Map<number, string>();
    const resolvers = new Map<number, EndpointResolver>();
    const controllers = new Map<number, AbortController>();
    const running = new Set<Promise<void>>();
    let queue: Promise<void> = Promise.resolve();
    let disposed = false;

    const runtimeChecks = new Map<TaskLanguage, Promise<EvalRuntimeStatus>>();
    const runtime = (language: TaskLanguage, fresh = false) => {
        if (fresh || !runtimeChecks.has(language)) runtimeChecks.set(language, toolchains[language].checkRuntime());
        return runtimeChecks.get(language)!;
    };

    const findTask = (name: string): RefactorTask => {
        const task = tasks.find((t) => t.name === name);
        if (!task) throw new EvalError("EVAL_TASK_NOT_FOUND", `There is no task "${name}". The tasks are: ${tasks.map((t) => t.name).join(", ")}.`);
        return task;
    };
    const getRun = (id: number): EvalRunRecord => {
        const run = repo.getRun(id);
        if (!run) throw new EvalError("EVAL_RUN_NOT_FOUND", `There is no eval run #${id}.`);
        return run;
    };

    const allPrices = (): EvalPrice[] => {
        const user = repo.userPrices();
        const overridden = new Set(user.map((p) => `${p.provider}\n${p.model}`));
        return [...user, ...defaultPrices.filter((p) => !overridden.has(`${p.provider}\n${p.model}`)).map((p) => ({...p, source: "default" as const}))].sort(
            (a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model)
        );
    };
    const statsFor = (spec: EvalRunSpec, samples: readonly EvalSampleSummary[], prices = allPrices()) =>
        computeStats(samples, {
            local: spec.model.provider === "local",
            price: spec.model.provider === "local" ? null : findPrice(prices, spec.model.provider, spec.model.model),
            wattage: spec.wattage
        });
    const summarize = (run: EvalRunRecord, samples = repo.samples(run.id), prices?: EvalPrice[]): EvalRunSummary => ({
        id: run.id,
        createdAt: run.createdAt,
        status: run.status,
        spec: run.spec,
        taskTitle: run.taskTitle,
        modelLabel: run.modelLabel,
        startedAt: run.startedAt,
        completedAt: run.completedAt,
        error: run.error,
        hardwareSnapshotId: run.hardwareSnapshotId,
        appVersion: run.appVersion,
        progress: {
            total: samples.length,
            completed: samples.filter((s) => s.status === "completed").length,
            running: samples.filter((s) => s.status === "running" || s.status === "scoring").length
        },
        activity: activity.get(run.id) ?? null,
        stats: statsFor(run.spec, samples, prices)
    });
    const emitRun = (id: number) => options.events.emit("eval.run.updated", summarize(getRun(id)));
    const emitSample = (sampleId: number) => {
        const sample = repo.sample(sampleId);
        if (!sample) return;
        const {scoring: _scoring, ...summary} = sample;
        options.events.emit("eval.sample.updated", summary);
    };

    /** A registered model's quantization from its GGUF header (more reliable than its file name). */
    const registeredQuantization = (reference: string): string | null => {
        try {
            return resolveModelReference(options.store.models, reference).facts.quantization;
        } catch {
            return null;
        }
    };

    /** Checks everything a model needs before a run is queued, and returns how to reach it. */
    const prepareEndpoint = async (spec: EvalModelSpec): Promise<EndpointResolver> => {
        if (spec.provider === "local") {
            const engine = options.localModels;
            if (!engine)
                throw new EvalError(
                    "EVAL_LOCAL_ENGINE_UNAVAILABLE",
                    "Local models need AgentFit's engine, which is not running in this app. Evaluate the model through an OpenAI-compatible server instead (provider \"openai-compatible\" with its base URL), or use a build with the engine."
                );
            try {
                engine.locate?.(spec.model);
            } catch (error) {
                throw new EvalError("EVAL_LOCAL_MODEL_NOT_FOUND", errorMessage(error), {cause: error});
            }
            return async (signal, onProgress) => {
                try {
                    const endpoint = await engine.ensure(
                        {model: spec.model, settings: spec.settings},
                        {signal, onProgress: (p) => onProgress(p.progress === undefined ? p.phase : `${p.phase} (${Math.round(p.progress * 100)}%)`)}
                    );
                    return {baseUrl: checkBaseUrl(endpoint.baseUrl), apiKey: endpoint.apiKey, model: endpoint.model};
                } catch (error) {
                    signal.throwIfAborted();
                    if (error instanceof EvalError) throw error;
                    throw new EvalError("EVAL_LOCAL_MODEL_FAILED", `The engine could not load ${spec.model}: ${errorMessage(error)}`, {cause: error});
                }
            };
        }
        const definition = providerDefinitions[spec.provider];
        const baseUrl = resolveBaseUrl(spec, env);
        const apiKey = await options.secrets.get(spec.provider);
        if (!apiKey && !definition.keyOptional)
            throw new EvalError(
                "EVAL_API_KEY_MISSING",
                options.secrets.storage === "keychain"
                    ? `No API key for ${definition.label}: add one in Evaluate → Providers (kept in the OS keychain), or set ${definition.keyEnvVars.join(" or ")}.`
                    : `No API key for ${definition.label}: set ${definition.keyEnvVars.join(" or ")} in the environment.`
            );
        return async () => ({baseUrl, apiKey, model: spec.model});
    };

    const checkRuntimeFor = async (task: RefactorTask) => {
        const status = await runtime(task.language, true);
        if (!status.available) throw new EvalError("EVAL_RUNTIME_MISSING", `The task ${task.name} needs ${status.command}: ${status.message}`);
    };

    const enqueue = (runId: number, resolver: EndpointResolver) => {
        resolvers.set(runId, resolver);
        activity.set(runId, "Waiting for earlier runs");
        const job = queue.then(() => execute(runId));
        queue = job.catch(() => {});
        running.add(job);
        void job.finally(() => running.delete(job));
    };

    const resetUnfinished = (runId: number) => {
        for (const sample of repo.samples(runId)) if (sample.status !== "completed" && sample.status !== "pending") repo.resetSample(sample.id);
    };

    async function execute(runId: number): Promise<void> {
        const resolver = resolvers.get(runId);
        resolvers.delete(runId);
        const run = repo.getRun(runId);
        if (!run || run.status !== "queued" || !resolver || disposed) {
            activity.delete(runId);
            return;
        }
        const controller = new AbortController();
        controllers.set(runId, controller);
        repo.setRunStatus(runId, "running", {owner, startedAt: new Date().toISOString(), completedAt: null, error: null});
        activity.set(runId, run.spec.model.provider === "local" ? "Loading the model" : "Connecting");
        emitRun(runId);
        try {
            const task = findTask(run.spec.task);
            const endpoint = await resolver(controller.signal, (text) => {
                activity.set(runId, text);
                emitRun(runId);
            });
            const client = new OpenAI({
                baseURL: endpoint.baseUrl,
                apiKey: endpoint.apiKey ?? "agentfit-no-key",
                maxRetries: 2,
                timeout: run.spec.limits.maxWallTimeMs,
                defaultHeaders: run.spec.model.provider === "openrouter" ? {"HTTP-Referer": "https://github.com/agentfit", "X-Title": "AgentFit"} : undefined
            });
            activity.set(runId, "Running samples");
            emitRun(runId);
            const pending = repo.samples(runId).filter((s) => s.status !== "completed");
            const failure = new AbortController();
            const signal = AbortSignal.any([controller.signal, failure.signal]);
            let next = 0;
            const worker = async () => {
                while (next < pending.length) {
                    signal.throwIfAborted();
                    const sample = pending[next++]!;
                    try {
                        repo.startSample(sample.id, new Date().toISOString());
                        emitSample(sample.id);
                        const outcome = await runSample({
                            task,
                            toolchain: toolchains[task.language],
                            client,
                            model: endpoint.model,
                            spec: run.spec,
                            signal,
                            onMessage: (message) => repo.appendMessage(sample.id, message),
                            onTurn: (trace) => {
                                repo.updateProgress(sample.id, trace);
                                emitSample(sample.id);
                            },
                            onScoring: () => {
                                repo.setSampleStatus(sample.id, "scoring");
                                emitSample(sample.id);
                            }
                        });
                        repo.finishSample(sample.id, outcome, new Date().toISOString());
                        emitSample(sample.id);
                        emitRun(runId);
                    } catch (error) {
                        failure.abort(error);
                        throw error;
                    }
                }
            };
            const results = await Promise.allSettled(Array.from({length: Math.min(run.spec.concurrency, pending.length)}, worker));
            controller.signal.throwIfAborted();
            const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
            if (rejected) throw rejected.reason;
            activity.delete(runId);
            repo.setRunStatus(runId, "completed", {owner: null, completedAt: new Date().toISOString()});
        } catch (error) {
            activity.delete(runId);
            resetUnfinished(runId);
            const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
            if (reason === CANCELLED) repo.setRunStatus(runId, "cancelled", {owner: null, completedAt: new Date().toISOString()});
            else if (reason === INTERRUPTED)
                repo.setRunStatus(runId, "interrupted", {
                    owner: null,
                    error: {code: "EVAL_INTERRUPTED", message: "AgentFit stopped while this run was in progress. Resume it to finish the remaining samples."}
                });
            else {
                repo.setRunStatus(runId, "failed", {owner: null, completedAt: new Date().toISOString(), error: errorBody(error, "EVAL_FAILED")});
            }
        } finally {
            controllers.delete(runId);
            if (!disposed || repo.getRun(runId)) emitRun(runId);
        }
    }

    // Runs left running or queued by an AgentFit process that is gone are interrupted: they can be resumed.
    for (const run of repo.runsWithStatus(["queued", "running"])) {
        if (run.ownerPid !== null && run.ownerPid !== process.pid && processAlive(run.ownerPid)) continue;
        resetUnfinished(run.id);
        repo.setRunStatus(run.id, "interrupted", {
            owner: null,
            error: {code: "EVAL_INTERRUPTED", message: "AgentFit stopped while this run was in progress. Resume it to finish the remaining samples."}
        });
    }

    options.onDispose(async () => {
        disposed = true;
        for (const run of repo.runsWithStatus(["queued"])) if (run.ownerPid === process.pid && run.ownerInstance === instance) {
            resolvers.delete(run.id);
            repo.setRunStatus(run.id, "interrupted", {
                owner: null,
                error: {code: "EVAL_INTERRUPTED", message: "AgentFit stopped before this run started. Resume it to run it."}
            });
        }
        for (const controller of controllers.values()) controller.abort(INTERRUPTED);
        await Promise.allSettled([...running]);
    });

    const providerInfo = async (id: EvalModelSpec["provider"]): Promise<EvalProviderInfo> => {
        const definition = providerDefinitions[id];
        const local = id === "local";
        return {
            id,
            label: definition.label,
            defaultBaseUrl: definition.baseUrl,
            keyEnvVars: definition.keyEnvVars,
            keyConfigured: local ? false : Boolean(await options.secrets.get(id)),
            keyStorage: options.secrets.storage,
            available: local ? Boolean(options.localModels) : true,
            note: local
                ? options.localModels
                    ? "Loads a downloaded GGUF model in AgentFit's engine."
                    : "The local engine is not available in this app session."
                : id === "openai-compatible"
                  ? "Ollama, LM Studio, llama-server, vLLM…: give the server's base URL."
                  : null
        };
    };

    return {
        "eval.tasks": {
            schema: emptyArgument,
            handler: async () =>
                Promise.all(
                tasks.map(async (task): Promise<EvalTaskInfo> => ({
                    name: task.name,
                    title: task.title,
                    language: task.language,
                    description: task.description,
                    targetFile: task.targetFile,
                    sourceDir: task.sourceDir,
                    functionName: task.functionName,
                    prompt: task.prompt,
                    testCommand: toolchains[task.language].testCommand,
                    runtime: await runtime(task.language, true)
                }))
            )
        },

        "eval.providers": {schema: emptyArgument, handler: async () => Promise.all(providerIds.map(providerInfo))},

        "eval.setApiKey": {
            schema: z.strictObject({provider: providerSchema, apiKey: z.string().trim().min(1).max(4000).nullable()}),
            async handler({provider, apiKey}) {
                if (provider === "local") throw new InvalidArgumentError("Local models need no API key.");
                await options.secrets.set(provider, apiKey);
                return providerInfo(provider);
            }
        },

        "eval.start": {schema: startSchema, handler: async (request) => {
            if (disposed) throw new EvalError("EVAL_RUN_CONFLICT", "AgentFit is shutting down.");
            const chosenTasks = request.tasks.map(findTask);
            for (const task of new Set(chosenTasks)) await checkRuntimeFor(task);
            const models = request.models.map((m): EvalModelSpec => {
                const spec = {...m};
                if (spec.baseUrl) spec.baseUrl = checkBaseUrl(spec.baseUrl);
                if (spec.provider !== "local") delete spec.settings;
                if (spec.provider === "local" && !spec.quantization) {
                    const quantization = registeredQuantization(spec.model) ?? quantizationFromName(spec.model);
                    if (quantization) spec.quantization = quantization;
                }
                return spec;
            });
            const resolvers = await Promise.all(models.map(prepareEndpoint));
            const hardwareSnapshotId = options.store.hardware.latest()?.id ?? null;
            const created: EvalRunSummary[] = [];
            for (const [index, model] of models.entries())
                for (const task of chosenTasks) {
                    const spec: EvalRunSpec = {
                        task: task.name,
                        model,
                        epochs: request.epochs ?? DEFAULT_EPOCHS,
                        concurrency: request.concurrency ?? (model.provider === "local" || model.provider === "openai-compatible" ? 1 : 4),
                        limits: {...defaultLimits, ...request.limits},
                        systemPrompt: request.systemPrompt ?? "concise",
                        ...(request.temperature !== undefined ? {temperature: request.temperature} : {}),
                        ...(request.wattage !== undefined ? {wattage: request.wattage} : {})
                    };
                    const run = repo.createRun({spec, taskTitle: task.title, modelLabel: modelLabel(model), appVersion: options.appVersion, hardwareSnapshotId});
                    repo.setRunStatus(run.id, "queued", {owner});
                    enqueue(run.id, resolvers[index]!);
                    created.push(summarize(repo.getRun(run.id)!));
                    emitRun(run.id);
                }
            return created;
        }},

        "eval.resume": {schema: runArgument, handler: async ({runId}) => {
            const run = getRun(runId);
            if (!["interrupted", "failed", "cancelled"].includes(run.status))
                throw new EvalError("EVAL_RUN_CONFLICT", `Run #${runId} is ${run.status}; only interrupted, failed or cancelled runs can be resumed.`);
            await checkRuntimeFor(findTask(run.spec.task));
            const resolver = await prepareEndpoint(run.spec.model);
            resetUnfinished(runId);
            repo.setRunStatus(runId, "queued", {owner, error: null, completedAt: null});
            enqueue(runId, resolver);
            emitRun(runId);
            return summarize(repo.getRun(runId)!);
        }},

        "eval.cancel": {schema: runArgument, handler: async ({runId}) => {
            const run = getRun(runId);
            if (run.status === "queued") {
                resolvers.delete(runId);
                activity.delete(runId);
                repo.setRunStatus(runId, "cancelled", {owner: null, completedAt: new Date().toISOString()});
                emitRun(runId);
            } else if (run.status === "running") {
                const controller = controllers.get(runId);
                if (!controller) throw new EvalError("EVAL_RUN_CONFLICT", `Run #${runId} is running in another AgentFit process; cancel it there.`);
                controller.abort(CANCELLED);
                await new Promise<void>((resolve) => {
                    const check = () => (controllers.has(runId) ? setTimeout(check, 20) : resolve());
                    check();
                });
            }
            return summarize(getRun(runId));
        }},

        "eval.runs": {schema: listArgument.strict(), handler: async ({limit}) => {
            const runs = repo.listRuns(limit ?? 50);
            const samples = repo.samplesOfRuns(runs.map((r) => r.id));
            const prices = allPrices();
            return runs.map((run) => summarize(run, samples.get(run.id), prices));
        }},

        "eval.run": {schema: runArgument, handler: async ({runId}) => {
            const run = getRun(runId);
            const samples = repo.samples(runId);
            return {...summarize(run, samples), samples};
        }},

        "eval.sample": {schema: z.strictObject({sampleId: recordId}), handler: async ({sampleId}) => {
            const sample = repo.sample(sampleId);
            if (!sample) throw new EvalError("EVAL_SAMPLE_NOT_FOUND", `There is no eval sample #${sampleId}.`);
            return {...sample, messages: repo.messages(sampleId), diffs: repo.diffs(sampleId)};
        }},

        "eval.results": {schema: z.strictObject({task: z.string().optional()}), handler: async ({task}) => {
            if (task) findTask(task);
            const runs = repo.listRuns(1_000_000).filter((r) => !task || r.spec.task === task);
            const samples = repo.samplesOfRuns(runs.map((r) => r.id));
            const prices = allPrices();
            const groups = new Map<string, {first: EvalRunRecord; runIds: number[]; samples: EvalSampleSummary[]}>();
            for (const run of runs) {
                const m = run.spec.model;
                const key = JSON.stringify([m.provider, m.model, m.quantization ?? null, run.spec.task, run.spec.systemPrompt]);
                const group = groups.get(key) ?? {first: run, runIds: [], samples: []};
                group.runIds.push(run.id);
                group.samples.push(...(samples.get(run.id) ?? []));
                groups.set(key, group);
            }
            return [...groups.values()]
                .map(
                    ({first, runIds, samples: all}): EvalModelResult => ({
                        provider: first.spec.model.provider,
                        model: first.spec.model.model,
                        quantization: first.spec.model.quantization ?? null,
                        task: first.spec.task,
                        systemPrompt: first.spec.systemPrompt,
                        runIds: runIds.sort((a, b) => a - b),
                        stats: statsFor(first.spec, all, prices)
                    })
                )
                .filter((r) => r.stats.samples > 0);
        }},

        "eval.prices": {schema: emptyArgument, handler: async () => allPrices()},

        "eval.setPrice": {schema: priceSchema, handler: async (request) => {
            const provider = request.provider;
            if (provider === "local") throw new InvalidArgumentError("Local models cost nothing per token; give a wattage for an energy estimate instead.");
            if (request.reset) repo.deletePrice(provider, request.model);
            else {
                const current = findPrice(allPrices(), provider, request.model);
                const inputPerMillion = request.inputPerMillion ?? current?.inputPerMillion;
                const outputPerMillion = request.outputPerMillion ?? current?.outputPerMillion;
                if (inputPerMillion === undefined || outputPerMillion === undefined)
                    throw new InvalidArgumentError(`There is no price for ${provider}:${request.model} yet: give both inputPerMillion and outputPerMillion.`);
                repo.setPrice({
                    provider,
                    model: request.model,
                    inputPerMillion,
                    outputPerMillion,
                    cachedInputPerMillion: request.cachedInputPerMillion !== undefined ? request.cachedInputPerMillion : (current?.cachedInputPerMillion ?? null)
                });
            }
            return allPrices();
        }},

        "eval.exportInspect": {schema: runArgument, handler: async ({runId}) => {
            const run = getRun(runId);
            const samples = repo.samples(runId).map((s) => ({...s, scoring: repo.sample(s.id)?.scoring ?? null}));
            return buildInspectLog({run, task: findTask(run.spec.task), samples, messages: (id) => repo.messages(id), appVersion: options.appVersion});
        }}
    };
}

function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}
