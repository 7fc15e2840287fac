import fs from "node:fs";
import path from "node:path";
import type {BenchApi, BenchKvCacheType, BenchRun, BenchSpec, BenchStartRequest} from "../../api/BenchApi.ts";
import type {EngineEventMap} from "../../protocol/engineProtocol.ts";
import type {AppContext} from "../AppContext.ts";
import {InvalidArgumentError} from "../../shared/AppError.ts";
import {hardwareKeyOf} from "../catalog/hardwareProfile.ts";
import {matchCatalog} from "../catalog/inspectModel.ts";
import type {EngineService} from "../engine/createEngineService.ts";
import {resolveModelReference} from "../engine/resolveModelReference.ts";
import {readGgufFacts} from "../gguf/readGgufFacts.ts";
import {probeHardware} from "../hardware/probeHardware.ts";
import {BenchError} from "./BenchError.ts";
import {runBenchmark, type BenchModel} from "./runBenchmark.ts";
import {toLlamaBenchJson} from "./toLlamaBenchJson.ts";

const kvTypes: readonly BenchKvCacheType[] = ["f16", "q8_0", "q4_0"];

function runIdOf(arg: {runId?: unknown} | undefined): number {
    const runId = arg?.runId;
    if (typeof runId !== "number" || !Number.isInteger(runId) || runId < 1) throw new InvalidArgumentError(`runId must be a run's id (a whole number), got ${JSON.stringify(runId)}.`);
    return runId;
}

function invalid(message: string): never {
    throw new BenchError("BENCH_SETTINGS_INVALID", message);
}

function wholeNumber(name: string, value: unknown, fallback: number, min: number, max: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
        invalid(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`);
    return value;
}

function list<T>(name: string, value: unknown, fallback: T[], check: (item: unknown) => item is T, expected: string): T[] {
    if (value === undefined) return fallback;
    if (!Array.isArray(value) || value.length === 0) invalid(`${name} must be a non-empty list of ${expected}, got ${JSON.stringify(value)}.`);
    for (const item of value) if (!check(item)) invalid(`${name} must be a list of ${expected}; ${JSON.stringify(item)} is not one.`);
    return [...new Set(value as T[])];
}

/** Fills in defaults and checks every field, naming the first one out of range. */
export function resolveBenchSpec(request: BenchStartRequest, machine: {physicalCores: number; hasGpu: boolean}): BenchSpec {
    if (!request || typeof request !== "object") invalid("Send a benchmark request: {models: [...]}.");
    const models = list("models", request.models, [], (m): m is string => typeof m === "string" && m.trim() !== "", "GGUF paths or model ids");
    if (models.length === 0) invalid("models must list at least one GGUF path or registered model id.");
    const promptTokens = wholeNumber("promptTokens", request.promptTokens, 512, 0, 1 << 20);
    const generatedTokens = wholeNumber("generatedTokens", request.generatedTokens, 128, 0, 1 << 16);
    const isAgent = request.agent !== undefined && request.agent !== false;
    if (promptTokens === 0 && generatedTokens === 0 && !isAgent) invalid("Nothing to measure: promptTokens and generatedTokens are both 0 and the agent workload is off.");
    const depths = list("depths", request.depths, [0], (d): d is number => typeof d === "number" && Number.isInteger(d) && d >= 0 && d <= 1 << 21, "whole numbers of tokens (0 or more)").sort(
        (a, b) => a - b
    );
    const m = request.matrix ?? {};
    const threads = list("matrix.threads", m.threads, [machine.physicalCores], (t): t is number => typeof t === "number" && Number.isInteger(t) && t >= 1 && t <= 1024, "thread counts (1–1024)");
    const gpuLayers = list<number | "max">(
        "matrix.gpuLayers",
        m.gpuLayers,
        [machine.hasGpu ? "max" : 0],
        (g): g is number | "max" => g === "max" || (typeof g === "number" && Number.isInteger(g) && g >= 0),
        'layer counts (0 or more) or "max"'
    );
    const kvCacheTypes = list<BenchKvCacheType>("matrix.kvCacheTypes", m.kvCacheTypes, ["f16"], (k): k is BenchKvCacheType => kvTypes.includes(k as BenchKvCacheType), "KV-cache types (f16, q8_0, q4_0)");
    const flashAttention = list(
        "matrix.flashAttention",
        m.flashAttention,
        kvCacheTypes.some((k) => k !== "f16") ? [true] : [false],
        (f): f is boolean => typeof f === "boolean",
        "true/false values"
    );
    let agent: BenchSpec["agent"] = null;
    if (isAgent) {
        const a = request.agent === true ? {} : (request.agent as Exclude<BenchStartRequest["agent"], boolean | undefined>);
        if (typeof a !== "object" || a === null) invalid("agent must be true, false or {turns, maxTokensPerTurn, systemPrompt}.");
        if (a.systemPrompt !== undefined && a.systemPrompt !== "long" && a.systemPrompt !== "concise") invalid(`agent.systemPrompt must be "long" or "concise", got ${JSON.stringify(a.systemPrompt)}.`);
        agent = {
            turns: wholeNumber("agent.turns", a.turns, 4, 1, 20),
            maxTokensPerTurn: wholeNumber("agent.maxTokensPerTurn", a.maxTokensPerTurn, 64, 1, 4096),
            systemPrompt: a.systemPrompt ?? "long"
        };
    }
    if (request.timeToFirstToken !== undefined && typeof request.timeToFirstToken !== "boolean") invalid("timeToFirstToken must be true or false.");
    return {
        models: models.map((model) => model.trim()),
        promptTokens,
        generatedTokens,
        repetitions: wholeNumber("repetitions", request.repetitions, 5, 1, 100),
        depths,
        matrix: {threads, gpuLayers, kvCacheTypes, flashAttention},
        timeToFirstToken: request.timeToFirstToken ?? true,
        agent,
        contextSize: request.contextSize === undefined ? null : wholeNumber("contextSize", request.contextSize, 0, 64, 1 << 21),
        batchSize: wholeNumber("batchSize", request.batchSize, 512, 1, 1 << 16)
    };
}

/** The speed benchmark's slice of AppApi: one run at a time, in the engine process, stored as it goes. */
export function createBenchApi(context: AppContext, engine: EngineService): BenchApi {
    const {store, events} = context;
    store.bench.markInterrupted();
    let active: {runId: number; controller: AbortController; done: Promise<BenchRun>} | undefined;
    // Closing the app cancels a run in flight, so it is stored as cancelled rather than left running.
    context.onDispose(async () => {
        const running = active;
        running?.controller.abort();
        await running?.done;
    });

    const getRun = (runId: number) => {
        const run = store.bench.getRun(runId);
        if (!run) throw new BenchError("BENCH_RUN_NOT_FOUND", `There is no benchmark run ${runId}; 'agentfit bench runs' lists them.`);
        return run;
    };

    const resolveModel = async (reference: string): Promise<BenchModel> => {
        const resolved = resolveModelReference(reference, context.paths.models, store.models);
        const gguf = await readGgufFacts(resolved.path);
        const registered = store.models.list().find((m) => m.path === resolved.path);
        const fromSource = registered?.source.kind === "huggingface" && registered.source.catalogId ? registered.source.catalogId.split(":") : null;
        const match = fromSource ? {modelId: fromSource[0]!, quantization: fromSource[1] ?? gguf.quantization} : matchCatalog(gguf, context.catalog.models());
        const parts = gguf.splitParts;
        const fileBytes = registered?.sizeBytes ?? (parts > 1 ? gguf.expectedFileBytes : fs.statSync(resolved.path).size);
        const isMoe = gguf.expertCount != null && gguf.expertCount > 1 && gguf.activeParameterCount;
        return {
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
                trainedContextSize: gguf.contextLength ?? 0
            }
        };
    };

    return {
        async "bench.start"(request) {
            if (active) throw new BenchError("BENCH_BUSY", `Benchmark run ${active.runId} is measuring; wait for it or cancel it first (runs never share the machine).`);
            const snapshot = store.hardware.latest() ?? store.hardware.save(await probeHardware({modelsPath: context.paths.models, appVersion: context.appVersion, sources: context.probeSources}));
            const hasGpu = snapshot.backend.selected !== "cpu" && snapshot.gpus.length > 0;
            const spec = resolveBenchSpec(request, {physicalCores: Math.max(1, snapshot.cpu.physicalCores), hasGpu});
            const models: BenchModel[] = [];
            for (const reference of spec.models) models.push(await resolveModel(reference));
            if (active) throw new BenchError("BENCH_BUSY", `Benchmark run ${(active as {runId: number}).runId} is measuring; wait for it or cancel it first.`);

            const run = store.bench.createRun({
                createdAt: new Date().toISOString(),
                spec,
                hardwareSnapshotId: snapshot.id ?? null,
                hardwareKey: hardwareKeyOf(snapshot),
                appVersion: context.appVersion,
                engine: null,
                progress: {testsDone: 0, testsTotal: 0, current: null}
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
                            hardware: context.catalog.machineProfile(),
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
                        error: controller.signal.aborted ? null : {code: (error as {code?: string}).code ?? "BENCH_FAILED", message: (error as Error).message}
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
        },
        async "bench.cancel"(arg) {
            const run = getRun(runIdOf(arg));
            if (active?.runId !== run.id) throw new BenchError("BENCH_STATE_CONFLICT", `Benchmark run ${run.id} is not running (${run.status}).`);
            active.controller.abort();
            return active.done;
        },
        async "bench.runs"(arg) {
            const limit = arg?.limit ?? 50;
            if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InvalidArgumentError(`limit must be a whole number from 1 to 1000, got ${JSON.stringify(arg.limit)}.`);
            return store.bench.listRuns(limit);
        },
        async "bench.run"(arg) {
            const run = getRun(runIdOf(arg));
            return {...run, results: store.bench.results(run.id)};
        },
        async "bench.latest"(arg) {
            return store.bench.latest(arg ?? {});
        },
        async "bench.exportJson"(arg) {
            const run = getRun(runIdOf(arg));
            return toLlamaBenchJson(run, store.bench.results(run.id), {includeSkipped: arg.includeSkipped === true});
        }
    };
}
