import {z} from "zod";
import type {
    EvalApi,
    EvalHarnessId,
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
import type {ResolvedModelFile} from "../../api/DownloadsApi.ts";
import type {LocalModelEndpoints} from "../../api/EngineApi.ts";
import {modelSettingsSchema} from "../../protocol/engineSettings.ts";
import {InvalidArgumentError} from "../../shared/AppError.ts";
import type {EventBus} from "../../shared/EventBus.ts";
import {emptyArgument, listArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {recordId} from "../../shared/parseArgument.ts";
import {resolvedModelFile, resolveModelReference} from "../downloads/resolveModelReference.ts";
import type {JobOwner} from "../jobs/JobOwner.ts";
import type {EvalRunRecord} from "../store/evalRepository.ts";
import type {Store} from "../store/Store.ts";
import {defaultPrices, findPrice} from "./defaultPrices.ts";
import {EvalError} from "./EvalError.ts";
import {EvalRunner} from "./EvalRunner.ts";
import type {EvalSolver} from "./EvalSolver.ts";
import {computeStats} from "./evalStatistics.ts";
import {buildInspectLog} from "./inspectLog.ts";
import {prepareModelEndpoint} from "./prepareModelEndpoint.ts";
import {modelLocation} from "./modelLocation.ts";
import {checkBaseUrl, modelLabel, providerDefinitions, providerIds, resolveBaseUrl} from "./providers.ts";
import {detectServedModel, servedModelFacts} from "../servers/detectServedModel.ts";
import {quantizationInFileName} from "../gguf/ggufFileNames.ts";
import type {SecretStore} from "./SecretStore.ts";
import {loadRefactorTasks, type RefactorTask} from "./tasks/refactorTasks.ts";
import {toolLoopSolver} from "./toolLoopSolver.ts";
import {codingAgentIds} from "../agents/codingAgents.ts";
import {harnessToResume, readAgentOutput, resolveHarness, solverForHarness} from "./harnesses.ts";
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
    wattage: z.number().positive().max(10_000).optional(),
    harness: z.enum(["builtin", ...codingAgentIds] as [EvalHarnessId, ...EvalHarnessId[]]).optional(),
    confine: z.enum(["required", "auto", "off"]).optional()
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

/** The eval domain's slice of AppApi: tasks, providers, validation, prices and statistics; runs go to the EvalRunner. */
export interface EvalApiOptions {
    store: Pick<Store, "evals" | "hardware" | "models">;
    events: EventBus<AppEvents>;
    /** This process's owner of jobs (the runner records it with the runs it queues). */
    owner: JobOwner;
    /** Recorded with every run. */
    appVersion: string;
    /** Provider API keys (the OS keychain in the desktop app, environment variables elsewhere). */
    secrets: SecretStore;
    /** The local engine serving downloaded models; absent when this host has none. */
    localModels?: LocalModelEndpoints;
    /** Environment read for runtime commands (AGENTFIT_RSCRIPT…) and base URL overrides. Default process.env. */
    env?: NodeJS.ProcessEnv;
    /** The builtin harness. Default toolLoopSolver. */
    solver?: EvalSolver;
    /** Where coding agents' output is kept, per run and sample. Default: not kept. */
    outputDir?: string;
    /** Where programs built for this machine are kept: the sandbox's native forwarder (AppPaths.programs). */
    programsDir: string;
    /** Registers cleanup for app disposal (runs in flight are interrupted, resumable). */
    onDispose(cleanup: () => Promise<void> | void): void;
}

export function createEvalApi(options: EvalApiOptions): MethodTable<EvalApi> {
    const repo = options.store.evals;
    const env = options.env ?? process.env;
    const tasks = loadRefactorTasks();
    const toolchains = createToolchains(toolchainCommands(env));
    const endpointSources = {secrets: options.secrets, localModels: options.localModels, env};

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
            local: modelLocation(spec.model) !== "cloud",
            price: modelLocation(spec.model) !== "cloud" ? null : findPrice(prices, spec.model.provider, spec.model.model),
            wattage: spec.wattage
        });
    const summarize = (run: EvalRunRecord, samples = repo.samples(run.id), prices?: EvalPrice[]): EvalRunSummary => ({
        id: run.id,
        createdAt: run.createdAt,
        status: run.status,
        spec: run.spec,
        taskTitle: run.taskTitle,
        modelLabel: run.modelLabel,
        location: modelLocation(run.spec.model),
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
        activity: runner.activity(run.id),
        stats: statsFor(run.spec, samples, prices)
    });

    const solver = options.solver ?? toolLoopSolver;
    const runner: EvalRunner = new EvalRunner({
        repository: repo,
        owner: options.owner,
        task: findTask,
        toolchains,
        solverFor: (spec) => solverForHarness(spec.harness, solver, env, options.owner, options.programsDir),
        outputDir: options.outputDir,
        onRunChanged: (runId) => options.events.emit("eval.run.updated", summarize(getRun(runId))),
        onSampleChanged: (sampleId) => {
            const sample = repo.sample(sampleId);
            if (!sample) return;
            const {scoring: _scoring, ...summary} = sample;
            options.events.emit("eval.sample.updated", summary);
        }
    });
    options.onDispose(() => runner.dispose());

    /** A registered model (its name and its quantization from its GGUF header, more reliable than its file name). */
    const registered = (reference: string) => {
        try {
            return resolveModelReference(reference, {registry: options.store.models}).registered ?? null;
        } catch {
            return null;
        }
    };

    /** A local model's file as the engine would load it now (prepareModelEndpoint has checked it resolves). */
    const modelFileOf = (model: EvalModelSpec): ResolvedModelFile | undefined => {
        const locate = options.localModels?.locate;
        if (model.provider !== "local" || !locate) return undefined;
        const file = locate(model.model);
        return resolvedModelFile(model.model, {path: file, aliases: [], registered: options.store.models.list().find((m) => m.files.some((f) => f.path === file)) ?? null});
    };

    const checkRuntimeFor = async (task: RefactorTask) => {
        const status = await runtime(task.language, true);
        if (!status.available) throw new EvalError("EVAL_RUNTIME_MISSING", `The task ${task.name} needs ${status.command}: ${status.message}`);
    };

    const providerInfo = async (id: EvalProviderId): Promise<EvalProviderInfo> => {
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
            handler: () =>
                Promise.all(
                    tasks.map(
                        async (task): Promise<EvalTaskInfo> => ({
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
                        })
                    )
                )
        },

        "eval.providers": {schema: emptyArgument, handler: () => Promise.all(providerIds.map(providerInfo))},

        "eval.setApiKey": {
            schema: z.strictObject({provider: providerSchema, apiKey: z.string().trim().min(1).max(4000).nullable()}),
            async handler({provider, apiKey}) {
                if (provider === "local") throw new InvalidArgumentError("Local models need no API key.");
                await options.secrets.set(provider, apiKey);
                return providerInfo(provider);
            }
        },

        "eval.start": {
            schema: startSchema,
            async handler(request) {
                if (!runner.open) throw new EvalError("EVAL_RUN_CONFLICT", "AgentFit is shutting down.");
                const chosenTasks = request.tasks.map(findTask);
                for (const task of new Set(chosenTasks)) await checkRuntimeFor(task);
                const models = request.models.map((m): EvalModelSpec => {
                    const spec = {...m};
                    if (spec.baseUrl) spec.baseUrl = checkBaseUrl(spec.baseUrl);
                    // Recorded so the run says where the server was (and whether it was local).
                    if (spec.provider === "openai-compatible") spec.baseUrl = resolveBaseUrl(spec, env);
                    if (spec.provider !== "local") delete spec.settings;
                    if (spec.provider === "local" && !spec.quantization) {
                        const quantization = registered(spec.model)?.facts.quantization ?? quantizationInFileName(spec.model);
                        if (quantization) spec.quantization = quantization;
                    }
                    return spec;
                });
                const harness = await resolveHarness(request.harness ?? "builtin", env, options.appVersion, options.programsDir, request.confine);
                const endpoints = await Promise.all(models.map((model) => prepareModelEndpoint(model, endpointSources)));
                const modelFiles = models.map(modelFileOf);
                // A local server says which quantization (and context) it serves; cloud services are not asked.
                const served = await Promise.all(
                    models.map(async (model) => {
                        if (modelLocation(model) !== "local-server") return undefined;
                        const facts = servedModelFacts(await detectServedModel(model.baseUrl!, model.model, {apiKey: await options.secrets.get(model.provider)}));
                        if (!model.quantization && facts.quantization) model.quantization = facts.quantization;
                        return facts;
                    })
                );
                const hardwareSnapshotId = options.store.hardware.latest()?.id ?? null;
                const created: EvalRunSummary[] = [];
                for (const [index, model] of models.entries())
                    for (const task of chosenTasks) {
                        const spec: EvalRunSpec = {
                            task: task.name,
                            model,
                            ...(modelFiles[index] ? {modelFile: modelFiles[index]} : {}),
                            epochs: request.epochs ?? DEFAULT_EPOCHS,
                            concurrency: request.concurrency ?? (model.provider === "local" || model.provider === "openai-compatible" ? 1 : 4),
                            limits: {...defaultLimits, ...request.limits},
                            systemPrompt: request.systemPrompt ?? "concise",
                            ...(request.temperature !== undefined ? {temperature: request.temperature} : {}),
                            ...(request.wattage !== undefined ? {wattage: request.wattage} : {}),
                            harness,
                            ...(served[index] ? {server: served[index]} : {})
                        };
                        const label = modelLabel(model, model.provider === "local" ? registered(model.model)?.name : undefined);
                        const run = repo.createRun({spec, taskTitle: task.title, modelLabel: label, appVersion: options.appVersion, hardwareSnapshotId});
                        runner.enqueue(run.id, endpoints[index]!);
                        created.push(summarize(getRun(run.id)));
                    }
                return created;
            }
        },

        "eval.resume": {
            schema: runArgument,
            async handler({runId}) {
                const run = getRun(runId);
                if (!["interrupted", "failed", "cancelled"].includes(run.status))
                    throw new EvalError("EVAL_RUN_CONFLICT", `Run #${runId} is ${run.status}; only interrupted, failed or cancelled runs can be resumed.`);
                await checkRuntimeFor(findTask(run.spec.task));
                // A run whose agents ran confined resumes confined, or not at all; through the sandbox forwarder this machine gives now, recorded.
                const harness = run.spec.harness && (await harnessToResume(run.spec.harness, env, options.appVersion, options.programsDir, `Run #${runId}`));
                const endpoint = await prepareModelEndpoint(run.spec.model, endpointSources);
                if (harness && harness !== run.spec.harness) repo.setRunHarness(runId, harness);
                runner.enqueue(runId, endpoint);
                return summarize(getRun(runId));
            }
        },

        "eval.cancel": {
            schema: runArgument,
            async handler({runId}) {
                getRun(runId);
                await runner.cancel(runId);
                return summarize(getRun(runId));
            }
        },

        "eval.runs": {
            schema: listArgument.strict(),
            async handler({limit}) {
                const runs = repo.listRuns(limit ?? 50);
                const samples = repo.samplesOfRuns(runs.map((r) => r.id));
                const prices = allPrices();
                return runs.map((run) => summarize(run, samples.get(run.id), prices));
            }
        },

        "eval.run": {
            schema: runArgument,
            async handler({runId}) {
                const run = getRun(runId);
                const samples = repo.samples(runId);
                return {...summarize(run, samples), samples};
            }
        },

        "eval.sample": {
            schema: z.strictObject({sampleId: recordId}),
            async handler({sampleId}) {
                const sample = repo.sample(sampleId);
                if (!sample) throw new EvalError("EVAL_SAMPLE_NOT_FOUND", `There is no eval sample #${sampleId}.`);
                return {...sample, agentOutput: readAgentOutput(options.outputDir, sample.runId, sample.epoch, getRun(sample.runId).spec.harness), messages: repo.messages(sampleId), diffs: repo.diffs(sampleId)};
            }
        },

        "eval.results": {
            schema: z.strictObject({task: z.string().optional()}),
            async handler({task}) {
                if (task) findTask(task);
                const runs = repo.listRuns(1_000_000).filter((r) => !task || r.spec.task === task);
                const samples = repo.samplesOfRuns(runs.map((r) => r.id));
                const prices = allPrices();
                const groups = new Map<string, {first: EvalRunRecord; runIds: number[]; samples: EvalSampleSummary[]}>();
                for (const run of runs) {
                    const m = run.spec.model;
                    const key = JSON.stringify([run.spec.harness?.id ?? "builtin", m.provider, m.model, m.provider === "openai-compatible" ? (m.baseUrl ?? null) : null, m.quantization ?? null, run.spec.task, run.spec.systemPrompt]);
                    const group = groups.get(key) ?? {first: run, runIds: [], samples: []};
                    group.runIds.push(run.id);
                    group.samples.push(...(samples.get(run.id) ?? []));
                    groups.set(key, group);
                }
                return [...groups.values()]
                    .map(
                        ({first, runIds, samples: all}): EvalModelResult => ({
                            harness: first.spec.harness?.id ?? "builtin",
                            provider: first.spec.model.provider,
                            model: first.spec.model.model,
                            baseUrl: first.spec.model.provider === "openai-compatible" ? (first.spec.model.baseUrl ?? null) : null,
                            location: modelLocation(first.spec.model),
                            server: first.spec.server ?? null,
                            quantization: first.spec.model.quantization ?? null,
                            task: first.spec.task,
                            systemPrompt: first.spec.systemPrompt,
                            runIds: runIds.sort((a, b) => a - b),
                            stats: statsFor(first.spec, all, prices)
                        })
                    )
                    .filter((r) => r.stats.samples > 0);
            }
        },

        "eval.prices": {schema: emptyArgument, handler: async () => allPrices()},

        "eval.setPrice": {
            schema: priceSchema,
            async handler(request) {
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
            }
        },

        "eval.exportInspect": {
            schema: runArgument,
            async handler({runId}) {
                const run = getRun(runId);
                const samples = repo.samples(runId).map((s) => ({...s, scoring: repo.sample(s.id)?.scoring ?? null}));
                return buildInspectLog({run, task: findTask(run.spec.task), samples, messages: (id) => repo.messages(id), appVersion: options.appVersion});
            }
        }
    };
}
