import fs from "node:fs";
import path from "node:path";
import {z} from "zod";
import type {AppEvents} from "../../api/AppApi.ts";
import type {BenchApi, BenchLatestQuery, BenchRun, BenchSpec, BenchStartRequest} from "../../api/BenchApi.ts";
import type {ResolvedModelFile} from "../../api/DownloadsApi.ts";
import type {HardwareSnapshot} from "../../api/HardwareApi.ts";
import type {EngineEventMap} from "../../protocol/engineProtocol.ts";
import {CONTEXT_SIZE_MAX, engineSettingSchemas} from "../../protocol/engineSettings.ts";
import {errorBody} from "../../shared/AppError.ts";
import type {EventBus} from "../../shared/EventBus.ts";
import {listArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {parseArgument, recordId, wholeNumber} from "../../shared/parseArgument.ts";
import type {Catalog} from "../catalog/createCatalogLookup.ts";
import {calibrationModels, calibrationRequest} from "./calibrationRequest.ts";
import {hardwareKeyOf} from "../catalog/hardwareProfile.ts";
import {matchCatalog, shapeFromFacts} from "../catalog/inspectModel.ts";
import type {EngineService} from "../engine/createEngineService.ts";
import {resolvedModelFile, resolveModelReference} from "../downloads/resolveModelReference.ts";
import {attentionFlopsPerContextToken, kvBytesPerContextToken} from "../catalog/predictSpeed.ts";
import {readGgufFacts} from "../gguf/readGgufFacts.ts";
import {recoverOrphanedJobs, type JobOwner} from "../jobs/JobOwner.ts";
import type {Store} from "../store/Store.ts";
import {BenchError} from "./BenchError.ts";
import {runBenchmark, type BenchModel} from "./runBenchmark.ts";
import {toLlamaBenchJson} from "./toLlamaBenchJson.ts";

/** A non-empty list without repeats; `of` checks each item. */
const listOf = <T extends z.ZodType>(of: T, what: string) =>
    z
        .array(of, {error: `must be a non-empty list of ${what}`})
        .min(1, {error: `must be a non-empty list of ${what}`})
        .transform((items) => [...new Set(items)]);

const s = engineSettingSchemas;

/** `bench.start`'s request: bounds of the engine settings come from their one schema (electron/protocol). */
export const benchStartSchema = z
    .object({
        models: listOf(z.string().trim().min(1), "GGUF paths or model ids"),
        promptTokens: wholeNumber(0, 1 << 20).optional(),
        generatedTokens: wholeNumber(0, 1 << 16).optional(),
        repetitions: wholeNumber(1, 100).optional(),
        depths: listOf(wholeNumber(0, CONTEXT_SIZE_MAX), "whole numbers of tokens (0 or more)").optional(),
        matrix: z
            .object({
                threads: listOf(s.threads, "thread counts").optional(),
                gpuLayers: listOf(s.fixedGpuLayers, 'layer counts or "max"').optional(),
                kvCacheTypes: listOf(s.kvCacheType, "KV-cache types (f16, q8_0, q4_0)").optional(),
                flashAttention: listOf(s.flashAttention, "true/false values").optional()
            })
            .optional(),
        timeToFirstToken: z.boolean({error: "must be true or false"}).optional(),
        agent: z
            .union(
                [
                    z.boolean(),
                    z.object({
                        turns: wholeNumber(1, 20).optional(),
                        maxTokensPerTurn: wholeNumber(1, 4096).optional(),
                        systemPrompt: z.enum(["long", "concise"]).optional()
                    })
                ],
                {error: "must be true, false or {turns, maxTokensPerTurn, systemPrompt}"}
            )
            .optional(),
        contextSize: s.contextSize.optional(),
        batchSize: s.batchSize.optional()
    })
    .check((context) => {
        const request = context.value;
        if (request.promptTokens === 0 && request.generatedTokens === 0 && (request.agent === undefined || request.agent === false))
            context.issues.push({
                code: "custom",
                path: [],
                input: undefined,
                message: "Nothing to measure: promptTokens and generatedTokens are both 0 and the agent workload is off"
            });
    });

/** Fills in defaults (some from the machine) and checks every field, naming the first one out of range. */
export function resolveBenchSpec(request: BenchStartRequest, machine: {physicalCores: number; hasGpu: boolean}): BenchSpec {
    const r = parseArgument(benchStartSchema, request, "BENCH_SETTINGS_INVALID");
    const kvCacheTypes = r.matrix?.kvCacheTypes ?? ["f16"];
    const agent = r.agent === undefined || r.agent === false ? null : r.agent === true ? {} : r.agent;
    return {
        models: r.models,
        promptTokens: r.promptTokens ?? 512,
        generatedTokens: r.generatedTokens ?? 128,
        repetitions: r.repetitions ?? 5,
        depths: (r.depths ?? [0]).sort((a, b) => a - b),
        matrix: {
            threads: r.matrix?.threads ?? [machine.physicalCores],
            gpuLayers: r.matrix?.gpuLayers ?? [machine.hasGpu ? "max" : 0],
            kvCacheTypes,
            flashAttention: r.matrix?.flashAttention ?? [kvCacheTypes.some((k) => k !== "f16")]
        },
        timeToFirstToken: r.timeToFirstToken ?? true,
        agent: agent && {turns: agent.turns ?? 4, maxTokensPerTurn: agent.maxTokensPerTurn ?? 64, systemPrompt: agent.systemPrompt ?? "long"},
        contextSize: r.contextSize ?? null,
        batchSize: r.batchSize ?? 512
    };
}

export interface BenchApiOptions {
    store: Pick<Store, "bench" | "hardware" | "models">;
    events: EventBus<AppEvents>;
    /** This process's owner of jobs, recorded with the runs it measures so other processes leave them alone. */
    owner: JobOwner;
    /** The engine the benchmark takes for itself while it measures. */
    engine: EngineService;
    /** The catalog (to name a measured file's model) and this machine's profile (for the fit check). */
    catalog: Catalog;
    /** The models folder, where a bare file name is looked up. */
    modelsDir: string;
    /** Recorded with every run. */
    appVersion: string;
    /** Probes this machine, saves and announces the snapshot (createMachineProbe); used when none exists yet. */
    probe(): Promise<HardwareSnapshot>;
    /** Registers cleanup for app disposal (a run in flight is cancelled and stored as such). */
    onDispose(cleanup: () => Promise<void> | void): void;
}

/** The speed benchmark's slice of AppApi: one run at a time, in the engine process, stored as it goes. */
export function createBenchApi(options: BenchApiOptions): MethodTable<BenchApi> {
    const {store, events, engine} = options;
    // Runs whose process is gone (killed, crashed) cannot finish: they keep what they measured.
    recoverOrphanedJobs(store.bench.runningRuns(), ({owner}) => owner, ({run}) =>
        store.bench.updateRun(run.id, {status: "interrupted", completedAt: run.completedAt ?? new Date().toISOString(), progress: {...run.progress, current: null}})
    );
    let active: {runId: number; controller: AbortController; done: Promise<BenchRun>} | undefined;
    // Closing the app cancels a run in flight, so it is stored as cancelled rather than left running.
    options.onDispose(async () => {
        const running = active;
        running?.controller.abort();
        await running?.done;
    });

    const getRun = (runId: number) => {
        const run = store.bench.getRun(runId);
        if (!run) throw new BenchError("BENCH_RUN_NOT_FOUND", `There is no benchmark run ${runId}; 'agentfit bench runs' lists them.`);
        return run;
    };

    const resolveModel = async (reference: string): Promise<{model: BenchModel; file: ResolvedModelFile}> => {
        const resolved = resolveModelReference(reference, {registry: store.models, modelsDir: options.modelsDir});
        const gguf = await readGgufFacts(resolved.path);
        const registered = resolved.registered;
        const fromSource = registered?.source.kind === "huggingface" && registered.source.catalogId ? registered.source.catalogId.split(":") : null;
        const match = fromSource ? {modelId: fromSource[0]!, quantization: fromSource[1] ?? gguf.quantization} : matchCatalog(gguf, options.catalog.models());
        const parts = gguf.splitParts;
        const fileBytes = registered?.sizeBytes ?? (parts > 1 ? gguf.expectedFileBytes : fs.statSync(resolved.path).size);
        const isMoe = gguf.expertCount != null && gguf.expertCount > 1 && gguf.activeParameterCount;
        const shape = shapeFromFacts(gguf);
        const model: BenchModel = {
            gguf,
            facts: {
                reference,
                path: resolved.path,
                fileName: path.basename(resolved.path),
                fileBytes,
                registryId: registered?.id ?? null,
                catalogModelId: match?.modelId ?? null,
                quantization: match?.quantization ?? gguf.quantization,
                architecture: gguf.architecture,
                activeBytesPerToken: isMoe ? Math.round((gguf.tensorBytes * gguf.activeParameterCount!) / gguf.parameterCount) : gguf.tensorBytes,
                trainedContextSize: gguf.contextLength ?? 0,
                kvBytesPerContextToken: kvBytesPerContextToken(shape),
                attentionFlopsPerContextToken: attentionFlopsPerContextToken(shape)
            }
        };
        return {model, file: resolvedModelFile(reference, resolved)};
    };

    const runArgument = z.object({runId: recordId});

    /**
     * A run's record says "completed" a moment before the run releases the engine: a caller that saw it end
     * and starts the next run waits for that release instead of being refused as busy.
     */
    const settleEndedRun = async () => {
        const ending = active;
        if (ending && store.bench.getRun(ending.runId)?.status !== "running") await ending.done;
    };

    const startRun = async (request: BenchStartRequest): Promise<BenchRun> => {
        await settleEndedRun();
        if (active) throw new BenchError("BENCH_BUSY", `Benchmark run ${active.runId} is measuring; wait for it or cancel it first (runs never share the machine).`);
        const snapshot = store.hardware.latest() ?? (await options.probe());
        const hasGpu = snapshot.backend.selected !== "cpu" && snapshot.gpus.length > 0;
        const spec = resolveBenchSpec(request, {physicalCores: Math.max(1, snapshot.cpu.physicalCores), hasGpu});
        const resolved: {model: BenchModel; file: ResolvedModelFile}[] = [];
        for (const reference of spec.models) resolved.push(await resolveModel(reference));
        const models = resolved.map((r) => r.model);
        await settleEndedRun();
        if (active) throw new BenchError("BENCH_BUSY", `Benchmark run ${(active as {runId: number}).runId} is measuring; wait for it or cancel it first.`);

        const run = store.bench.createRun({
            createdAt: new Date().toISOString(),
            spec,
            modelFiles: resolved.map((r) => r.file),
            hardwareSnapshotId: snapshot.id ?? null,
            hardwareKey: hardwareKeyOf(snapshot),
            appVersion: options.appVersion,
            engine: null,
            progress: {testsDone: 0, testsTotal: 0, current: null},
            owner: options.owner.id
        });
        const controller = new AbortController();
        let listener: ((event: EngineEventMap["benchRepetition"]) => void) | undefined;
        const done = engine
            .exclusiveUse(
                (call) =>
                    runBenchmark({
                        run,
                        models,
                        repository: store.bench,
                        engine: call,
                        hardware: options.catalog.machineProfile(),
                        cpuInfo: snapshot.cpu.brand,
                        signal: controller.signal,
                        subscribeRepetitions: (l) => {
                            listener = l;
                            return () => (listener = undefined);
                        },
                        // The run's end is announced once the engine is released, so a listener may start the next run at once.
                        onRun: (updated) => updated.status === "running" && events.emit("bench.progress", updated),
                        onResult: (result) => events.emit("bench.result", result)
                    }),
                {onEvent: (event, payload) => event === "benchRepetition" && listener?.(payload as EngineEventMap["benchRepetition"])}
            )
            .catch((error: unknown) => {
                const failed = store.bench.updateRun(run.id, {
                    status: controller.signal.aborted ? "cancelled" : "failed",
                    completedAt: new Date().toISOString(),
                    error: controller.signal.aborted ? null : errorBody(error, "BENCH_FAILED")
                });
                return failed;
            })
            .then((ended) => {
                if (active?.runId === run.id) active = undefined;
                events.emit("bench.progress", ended);
                return ended;
            });
        active = {runId: run.id, controller, done};
        events.emit("bench.progress", run);
        return run;
    };

    return {
        "bench.start": {schema: benchStartSchema, invalidCode: "BENCH_SETTINGS_INVALID", handler: startRun},
        "bench.calibrate": {
            schema: z.object({models: z.array(z.string().trim().min(1), {error: "must be a list of GGUF paths or registered model ids"}).optional()}),
            async handler(request) {
                const models = request.models?.length ? request.models : calibrationModels(store.models.list()).map((m) => m.path);
                if (models.length === 0)
                    throw new BenchError("BENCH_CALIBRATION_MODEL_MISSING", "No registered model of 256 MB or more to calibrate with: download or import one first (Downloads, agentfit pull, agentfit import).");
                return startRun(calibrationRequest(models));
            }
        },
        "bench.cancel": {
            schema: runArgument,
            async handler({runId}) {
                const run = getRun(runId);
                if (active?.runId !== run.id) throw new BenchError("BENCH_STATE_CONFLICT", `Benchmark run ${run.id} is not running (${run.status}).`);
                active.controller.abort();
                return active.done;
            }
        },
        "bench.runs": {schema: listArgument, handler: async ({limit}) => store.bench.listRuns(limit ?? 50)},
        "bench.run": {
            schema: runArgument,
            async handler({runId}) {
                const run = getRun(runId);
                return {...run, results: store.bench.results(run.id)};
            }
        },
        "bench.latest": {
            schema: z.object({
                model: z.string().optional(),
                hardwareKey: z.string().optional(),
                kinds: z.array(z.enum(["pp", "tg", "ttft", "agent"])).optional()
            }) satisfies z.ZodType<BenchLatestQuery>,
            handler: async (query) => store.bench.latest(query)
        },
        "bench.exportJson": {
            schema: runArgument.extend({includeSkipped: z.boolean({error: "must be true or false"}).optional()}),
            async handler({runId, includeSkipped}) {
                const run = getRun(runId);
                return toLlamaBenchJson(run, store.bench.results(run.id), {includeSkipped: includeSkipped === true});
            }
        }
    };
}
