import type {
    BenchAgentTurn,
    BenchEngineInfo,
    BenchModelFacts,
    BenchNoise,
    BenchProgress,
    BenchResolvedSettings,
    BenchResult,
    BenchRun,
    BenchScore,
    BenchSettings,
    BenchSpec,
    BenchTestKind
} from "../../api/BenchApi.ts";
import type {GgufFacts} from "../../api/GgufFacts.ts";
import type {HardwareProfile, MachineLoad} from "../../api/ModelsApi.ts";
import {errorBody} from "../../shared/AppError.ts";
import {estimateFit} from "../catalog/estimateFit.ts";
import {loadBetween, readCpuTimes, type CpuTimes} from "../catalog/watchMachineLoad.ts";
import {shapeFromFacts} from "../catalog/inspectModel.ts";
import type {EngineCaller} from "../engine/createEngineService.ts";
import {nodeLlamaCppVersion} from "../engine/engineBinary.ts";
import {prepareModelLoad} from "../engine/prepareModelLoad.ts";
import type {EngineEventMap, SpeedTestResult} from "../../protocol/engineProtocol.ts";
import {localScore, meanAndStdDev} from "../../shared/speedStatistics.ts";
import type {BenchRepository} from "../store/benchRepository.ts";
import {agentOpeningCharacters, agentWorkloadScript} from "./agentWorkloadScript.ts";
import {notifyListener} from "../../shared/notifyListener.ts";

/** A model of the run, resolved and read before the run starts. */
export interface BenchModel {
    facts: Omit<BenchModelFacts, "modelType" | "parameterCount">;
    gguf: GgufFacts;
}

export interface RunBenchmarkOptions {
    run: BenchRun;
    models: BenchModel[];
    repository: BenchRepository;
    engine: EngineCaller;
    /** Feeds the engine's "benchRepetition" events to `listener` until the returned function is called. */
    subscribeRepetitions(listener: (event: EngineEventMap["benchRepetition"]) => void): () => void;
    /** The machine's profile for the fit check; null skips the check. */
    hardware: HardwareProfile | null;
    /** CPU brand for llama-bench's `cpu_info`. */
    cpuInfo: string;
    signal: AbortSignal;
    /** The run changed (status, progress, scores); listener errors are ignored. */
    onRun?: (run: BenchRun) => void;
    /** A test ended and was stored; listener errors are ignored. */
    onResult?: (result: BenchResult) => void;
}

interface PlannedTest {
    kind: BenchTestKind;
    promptTokens: number;
    generatedTokens: number;
    depth: number;
}

interface Configuration {
    index: number;
    model: BenchModel;
    settings: BenchSettings;
    contextSize: number;
    tests: PlannedTest[];
}

const ROUND = 256;
/** Tokens of context kept free beyond what a test needs. */
const CONTEXT_SPARE = 64;
/** Tokens per character a tokenizer yields at most on English and code (byte-level fallback aside). */
const CHARS_PER_TOKEN = 3;
/** Tokens a tool result or a "continue" adds to the agent conversation per turn, besides the reply. */
const AGENT_TOKENS_PER_TURN = 700;

/** The tests of one configuration, in the order they run: pp and tg per depth, then TTFT, then the agent workload. */
export function planTests(spec: BenchSpec): PlannedTest[] {
    const tests: PlannedTest[] = [];
    for (const depth of spec.depths) {
        if (spec.promptTokens > 0) tests.push({kind: "pp", promptTokens: spec.promptTokens, generatedTokens: 0, depth});
        if (spec.generatedTokens > 0) tests.push({kind: "tg", promptTokens: 0, generatedTokens: spec.generatedTokens, depth});
    }
    if (spec.timeToFirstToken && spec.promptTokens > 0) tests.push({kind: "ttft", promptTokens: spec.promptTokens, generatedTokens: 1, depth: 0});
    if (spec.agent) tests.push({kind: "agent", promptTokens: 0, generatedTokens: spec.agent.maxTokensPerTurn, depth: 0});
    return tests;
}

function tokensNeeded(test: PlannedTest, spec: BenchSpec): number {
    if (test.kind !== "agent") return test.depth + test.promptTokens + test.generatedTokens;
    const agent = spec.agent!;
    return Math.ceil(agentOpeningCharacters(agent.systemPrompt) / CHARS_PER_TOKEN) + agent.turns * (agent.maxTokensPerTurn + AGENT_TOKENS_PER_TURN);
}

/**
 * The context a benchmark loads for tests needing `tokens` tokens (before the trained length caps it).
 * A context no larger than the test halves prompt speed under node-llama-cpp (measured: pp512 in a
 * 512-token context ran at 0.55× the speed in a 520-token one), so it keeps room beyond the tokens.
 */
export function benchContextSize(tokens: number): number {
    return Math.ceil((tokens + CONTEXT_SPARE) / ROUND) * ROUND;
}

/** Every model × every matrix value, each with its tests and the context it loads with. */
export function planConfigurations(spec: BenchSpec, models: BenchModel[]): Configuration[] {
    const tests = planTests(spec);
    const configurations: Configuration[] = [];
    for (const model of models) {
        const trained = model.gguf.contextLength ?? 4096;
        const needed = Math.max(1, ...tests.map((t) => tokensNeeded(t, spec)));
        const contextSize = spec.contextSize ?? Math.min(trained, benchContextSize(needed));
        for (const threads of spec.matrix.threads)
            for (const gpuLayers of spec.matrix.gpuLayers)
                for (const kvCacheType of spec.matrix.kvCacheTypes)
                    for (const flashAttention of spec.matrix.flashAttention)
                        configurations.push({index: configurations.length, model, settings: {threads, gpuLayers, kvCacheType, flashAttention}, contextSize, tests});
    }
    return configurations;
}

/** Why a configuration cannot run at all, before anything is loaded. */
function skipReasonFor(configuration: Configuration, hardware: HardwareProfile | null): {code: string; message: string} | null {
    const {settings, model, contextSize} = configuration;
    if (settings.kvCacheType !== "f16" && !settings.flashAttention)
        return {code: "SETTINGS_UNSUPPORTED", message: `A ${settings.kvCacheType} KV cache needs flash attention in llama.cpp; this combination cannot run.`};
    if (hardware && (settings.gpuLayers === "max" || settings.gpuLayers > 0) && (hardware.vramBytes <= 0 || hardware.backend === "cpu"))
        return {code: "SETTINGS_UNSUPPORTED", message: `This machine has no GPU llama.cpp can use, so ${settings.gpuLayers} GPU layers cannot be measured; use 0.`};
    if (hardware) {
        try {
            const fit = estimateFit(shapeFromFacts(model.gguf), hardware, {contextSize, kvCacheType: settings.kvCacheType, flashAttention: settings.flashAttention});
            if (fit.fitClass === "no-fit") {
                const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
                return {
                    code: "MODEL_DOES_NOT_FIT",
                    message: `${model.facts.fileName} with a ${contextSize}-token context needs about ${gib(fit.ramNeededBytes + fit.vramNeededBytes)}, more than the ${gib(fit.ramCapacityBytes + fit.vramCapacityBytes)} this machine can give a model.`
                };
            }
        } catch {
            // A header without the keys an estimate needs: let llama.cpp decide when loading.
        }
    }
    return null;
}

function buildNumberOf(release: string): number {
    const match = /^b(\d+)$/.exec(release);
    return match ? Number(match[1]) : 0;
}

/**
 * Runs every configuration of a benchmark run in the engine process, one test at a time, storing
 * each result as it ends. A configuration that cannot run is recorded as skipped with its reason; a
 * failed load fails that configuration's tests and the run goes on. When `signal` aborts, the test
 * in flight is stored as cancelled with the repetitions it finished, and the run is marked cancelled.
 */
export async function runBenchmark(options: RunBenchmarkOptions): Promise<BenchRun> {
    const {repository, engine, signal} = options;
    let run = options.run;
    const spec = run.spec;
    const configurations = planConfigurations(spec, options.models);
    const testsTotal = configurations.reduce((sum, c) => sum + c.tests.length, 0);
    let testsDone = 0;
    const modelTypes = new Map<string, {modelType: string; parameterCount: number}>();
    const notify = () => {
        notifyListener(options.onRun, run);
    };
    const save = (patch: Parameters<BenchRepository["updateRun"]>[1]) => {
        run = repository.updateRun(run.id, patch);
        notify();
    };
    const setProgress = (current: BenchProgress["current"], persist: boolean) => {
        const progress = {testsDone, testsTotal, current};
        if (persist) save({progress});
        else {
            run = {...run, progress};
            notify();
        }
    };
    const record = (
        configuration: Configuration,
        test: PlannedTest,
        fields: Partial<BenchResult> & Pick<BenchResult, "status">,
        settings: BenchResolvedSettings | null
    ): BenchResult => {
        const model = configuration.model;
        const known = modelTypes.get(model.facts.path);
        const result = repository.addResult({
            runId: run.id,
            configuration: configuration.index,
            model: {
                ...model.facts,
                modelType: known?.modelType ?? `${model.gguf.architecture} ${model.gguf.quantization ?? ""}`.trim(),
                parameterCount: known?.parameterCount ?? model.gguf.parameterCount
            },
            requested: configuration.settings,
            settings,
            kind: test.kind,
            promptTokens: test.promptTokens,
            generatedTokens: test.generatedTokens,
            depth: test.depth,
            reason: null,
            samplesNs: [],
            samplesTs: [],
            avgNs: null,
            stddevNs: null,
            avgTs: null,
            stddevTs: null,
            timeToFirstTokenMs: [],
            agentTurns: [],
            measuredAt: new Date().toISOString(),
            ...fields
        });
        testsDone++;
        notifyListener(options.onResult, result);
        return result;
    };

    setProgress(null, true);
    try {
        for (const configuration of configurations) {
            if (signal.aborted) break;
            const skip = skipReasonFor(configuration, options.hardware);
            if (skip) {
                for (const test of configuration.tests) record(configuration, test, {status: "skipped", reason: skip}, null);
                setProgress(null, true);
                continue;
            }
            const current = (test: PlannedTest, phase: "loading" | "warmup" | "measuring", repetition: number): BenchProgress["current"] => ({
                configuration: configuration.index,
                modelFile: configuration.model.facts.fileName,
                settings: configuration.settings,
                kind: test.kind,
                depth: test.depth,
                phase,
                repetition,
                repetitions: spec.repetitions
            });
            setProgress(current(configuration.tests[0]!, "loading", 0), false);

            let settings: BenchResolvedSettings;
            try {
                const {load} = await prepareModelLoad(
                    configuration.model.facts.path,
                    {
                        contextSize: configuration.contextSize,
                        threads: configuration.settings.threads,
                        gpuLayers: configuration.settings.gpuLayers,
                        kvCacheType: configuration.settings.kvCacheType,
                        flashAttention: configuration.settings.flashAttention,
                        batchSize: spec.batchSize,
                        parallel: 1
                    },
                    {signal}
                );
                const loaded = await engine("load", load, {signal});
                settings = {
                    threads: loaded.settings.threads,
                    gpuLayers: loaded.settings.gpuLayers,
                    kvCacheType: loaded.settings.kvCacheType,
                    flashAttention: loaded.settings.flashAttention,
                    contextSize: loaded.settings.contextSize,
                    batchSize: loaded.settings.batchSize
                };
                const info = await engine("benchInfo", {}, {signal});
                modelTypes.set(configuration.model.facts.path, {modelType: info.modelType, parameterCount: info.parameterCount});
                if (!run.engine) {
                    const engineInfo: BenchEngineInfo = {
                        nodeLlamaCpp: nodeLlamaCppVersion(),
                        llamaCppRelease: info.llamaCppRelease,
                        buildNumber: buildNumberOf(info.llamaCppRelease),
                        backend: info.backend,
                        binary: info.binary,
                        cpuInfo: options.cpuInfo,
                        gpuInfo: info.gpuNames.join(", ")
                    };
                    save({engine: engineInfo});
                }
            } catch (error) {
                if (signal.aborted) break;
                const reason = errorBody(error, "MODEL_LOAD_FAILED");
                for (const test of configuration.tests) record(configuration, test, {status: "failed", reason}, null);
                setProgress(null, true);
                continue;
            }

            for (const test of configuration.tests) {
                if (signal.aborted) break;
                if (test.kind !== "agent" && test.depth + test.promptTokens + test.generatedTokens > settings.contextSize) {
                    record(
                        configuration,
                        test,
                        {
                            status: "skipped",
                            reason: {
                                code: "DEPTH_EXCEEDS_CONTEXT",
                                message: `Depth ${test.depth} plus ${test.promptTokens + test.generatedTokens} test tokens exceed the ${settings.contextSize}-token context (the model was trained for ${configuration.model.facts.trainedContextSize}).`
                            }
                        },
                        settings
                    );
                    continue;
                }
                const partial: number[] = [];
                const partialTs: number[] = [];
                const turns: BenchAgentTurn[] = [];
                setProgress(current(test, "warmup", 0), true);
                const unsubscribe = options.subscribeRepetitions((event) => {
                    if (event.phase === "warmup") setProgress(current(test, "warmup", 0), false);
                    else {
                        if (event.ns !== undefined) partial.push(event.ns);
                        if (event.tokensPerSecond !== undefined) partialTs.push(event.tokensPerSecond);
                        const progress = current(test, "measuring", test.kind === "agent" ? partial.length : event.repetition + 1)!;
                        setProgress(event.tokensPerSecond !== undefined ? {...progress, lastTokensPerSecond: event.tokensPerSecond} : progress, false);
                    }
                });
                try {
                    if (test.kind === "agent") {
                        const agent = spec.agent!;
                        const measured = await engine(
                            "agentWorkload",
                            {script: agentWorkloadScript(agent.systemPrompt), turns: agent.turns, maxTokensPerTurn: agent.maxTokensPerTurn, repetitions: spec.repetitions, warmup: true},
                            {signal}
                        );
                        turns.push(...measured);
                        record(configuration, {...test, promptTokens: Math.round(meanOf(measured.map((t) => t.promptTokens)))}, {status: "completed", ...agentStatistics(measured)}, settings);
                    } else {
                        const measured = await measureSteadily((attempt) => {
                            partial.length = 0;
                            partialTs.length = 0;
                            // The model is warm after the first attempt; a re-run repeats only the timed part.
                            return engine(
                                "speedTest",
                                {test: {promptTokens: test.promptTokens, generatedTokens: test.generatedTokens, depth: test.depth}, repetitions: spec.repetitions, warmup: attempt === 1},
                                {signal}
                            );
                        });
                        record(configuration, test, {status: "completed", ...speedStatistics(measured.result), load: measured.load, noise: measured.noise}, settings);
                    }
                } catch (error) {
                    if (signal.aborted) {
                        const ns = meanAndStdDev(partial);
                        const ts = meanAndStdDev(partialTs);
                        record(
                            configuration,
                            test,
                            {
                                status: "cancelled",
                                reason: {code: "BENCH_CANCELLED", message: `Cancelled after ${partial.length} of ${spec.repetitions} repetitions.`},
                                samplesNs: partial,
                                samplesTs: partialTs,
                                avgNs: partial.length ? ns.mean : null,
                                stddevNs: partial.length ? ns.stdDev : null,
                                avgTs: partialTs.length ? ts.mean : null,
                                stddevTs: partialTs.length ? ts.stdDev : null
                            },
                            settings
                        );
                        break;
                    }
                    const reason = errorBody(error, "BENCH_TEST_FAILED");
                    record(configuration, test, {status: reason.code === "DEPTH_EXCEEDS_CONTEXT" ? "skipped" : "failed", reason}, settings);
                    if (reason.code === "ENGINE_CRASHED") break;
                } finally {
                    unsubscribe();
                }
                setProgress(null, true);
            }
            const score = scoreOf(configuration, repository.results(run.id));
            if (score) save({scores: [...run.scores, score]});
        }
        if (signal.aborted) save({status: "cancelled", completedAt: new Date().toISOString(), progress: {testsDone, testsTotal, current: null}});
        else save({status: "completed", completedAt: new Date().toISOString(), progress: {testsDone, testsTotal, current: null}});
    } catch (error) {
        save({
            status: signal.aborted ? "cancelled" : "failed",
            completedAt: new Date().toISOString(),
            error: signal.aborted ? null : errorBody(error, "BENCH_FAILED"),
            progress: {testsDone, testsTotal, current: null}
        });
    }
    return run;
}

/** A test whose repetitions spread more than this (sample SD ÷ mean) is re-run; above it after every attempt, it is noisy. */
export const NOISY_SPREAD = 0.1;
/** Attempts per test at most: the first and two re-runs. */
export const MAX_ATTEMPTS = 3;

/**
 * Runs a speed test until its repetitions are steady (spread ≤ NOISY_SPREAD) or MAX_ATTEMPTS are
 * made, keeping the steadiest attempt, with the load other processes put on the machine meanwhile
 * (all cores' busy time less this process's and the engine's).
 */
export async function measureSteadily(
    attempt: (attempt: number) => Promise<SpeedTestResult>,
    readCpu: () => CpuTimes = readCpuTimes
): Promise<{result: SpeedTestResult; load: MachineLoad; noise: BenchNoise}> {
    let best: {result: SpeedTestResult; load: MachineLoad; spread: number} | undefined;
    let attempts = 0;
    while (attempts < MAX_ATTEMPTS && (best === undefined || best.spread > NOISY_SPREAD)) {
        attempts++;
        const start = readCpu();
        const result = await attempt(attempts);
        const end = readCpu();
        const load = loadBetween(start, {...end, ownMicros: end.ownMicros + result.engineCpuMicros});
        const spread = result.averageTokensPerSecond > 0 ? result.stdDevTokensPerSecond / result.averageTokensPerSecond : 0;
        if (best === undefined || spread < best.spread) best = {result, load, spread};
    }
    return {result: best!.result, load: best!.load, noise: {spread: best!.spread, bound: NOISY_SPREAD, attempts, noisy: best!.spread > NOISY_SPREAD}};
}

function meanOf(values: number[]): number {
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

function speedStatistics(measured: SpeedTestResult): Partial<BenchResult> {
    return {
        samplesNs: measured.samplesNs,
        samplesTs: measured.samplesTokensPerSecond,
        avgNs: measured.averageNs,
        stddevNs: measured.stdDevNs,
        avgTs: measured.averageTokensPerSecond,
        stddevTs: measured.stdDevTokensPerSecond,
        timeToFirstTokenMs: measured.timeToFirstTokenMs
    };
}

function agentStatistics(turns: BenchAgentTurn[]): Partial<BenchResult> {
    const samplesNs = turns.map((t) => t.totalMs * 1e6);
    const samplesTs = turns.map((t) => (t.generationMs > 0 ? (t.generatedTokens * 1000) / t.generationMs : 0));
    const ns = meanAndStdDev(samplesNs);
    const ts = meanAndStdDev(samplesTs);
    return {samplesNs, samplesTs, avgNs: ns.mean, stddevNs: ns.stdDev, avgTs: ts.mean, stddevTs: ts.stdDev, agentTurns: turns};
}

/** LocalScore-style score from the configuration's pp and tg at depth 0 and its TTFT. */
function scoreOf(configuration: Configuration, results: BenchResult[]): BenchScore | null {
    const mine = results.filter((r) => r.configuration === configuration.index && r.status === "completed");
    const pp = mine.find((r) => r.kind === "pp" && r.depth === 0)?.avgTs;
    const tg = mine.find((r) => r.kind === "tg" && r.depth === 0)?.avgTs;
    const ttft = mine.find((r) => r.kind === "ttft")?.timeToFirstTokenMs;
    if (!pp || !tg || !ttft?.length) return null;
    const ttftMs = meanOf(ttft);
    return {
        configuration: configuration.index,
        modelFile: configuration.model.facts.fileName,
        settings: configuration.settings,
        promptTokensPerSecond: pp,
        generationTokensPerSecond: tg,
        timeToFirstTokenMs: ttftMs,
        score: localScore(pp, tg, ttftMs)
    };
}
