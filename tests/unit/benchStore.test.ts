import path from "node:path";
import {describe, expect, it} from "vitest";
import type {BenchResult, BenchSpec} from "../../electron/api/BenchApi.ts";
import {resolveBenchSpec} from "../../electron/core/bench/createBenchApi.ts";
import {MAX_ATTEMPTS, measureSteadily, NOISY_SPREAD, planTests} from "../../electron/core/bench/runBenchmark.ts";
import type {SpeedTestResult} from "../../electron/protocol/engineProtocol.ts";
import {benchNoiseWarning} from "../../electron/shared/benchFormat.ts";
import {toLlamaBenchJson} from "../../electron/core/bench/toLlamaBenchJson.ts";
import {openStore} from "../../electron/core/store/openStore.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

const spec: BenchSpec = {
    models: ["m.gguf"],
    promptTokens: 512,
    generatedTokens: 128,
    repetitions: 2,
    depths: [0, 4096],
    matrix: {threads: [2], gpuLayers: [0], kvCacheTypes: ["f16"], flashAttention: [false]},
    timeToFirstToken: true,
    agent: null,
    contextSize: null,
    batchSize: 512
};

function result(runId: number, kind: BenchResult["kind"], depth: number, avgTs: number, status: BenchResult["status"] = "completed"): Omit<BenchResult, "id" | "seq"> {
    return {
        runId,
        configuration: 0,
        model: {
            reference: "m",
            path: "/models/m.gguf",
            fileName: "m.gguf",
            fileBytes: 1000,
            registryId: "m",
            catalogModelId: "qwen3-8b",
            quantization: "Q4_K_M",
            architecture: "qwen3",
            modelType: "qwen3 8B Q4_K - Medium",
            parameterCount: 8e9,
            activeBytesPerToken: 1000,
            trainedContextSize: 40960
        },
        requested: {threads: 2, gpuLayers: 0, kvCacheType: "f16", flashAttention: false},
        settings: {threads: 2, gpuLayers: 0, kvCacheType: "f16", flashAttention: false, contextSize: 4736, batchSize: 512},
        kind,
        promptTokens: kind === "tg" ? 0 : 512,
        generatedTokens: kind === "pp" ? 0 : 128,
        depth,
        status,
        reason: status === "completed" ? null : {code: "DEPTH_EXCEEDS_CONTEXT", message: "too deep"},
        samplesNs: status === "completed" ? [1e9, 1.2e9] : [],
        samplesTs: status === "completed" ? [avgTs, avgTs] : [],
        avgNs: status === "completed" ? 1.1e9 : null,
        stddevNs: status === "completed" ? 1.4e8 : null,
        avgTs: status === "completed" ? avgTs : null,
        stddevTs: status === "completed" ? 0 : null,
        timeToFirstTokenMs: [],
        agentTurns: [],
        measuredAt: new Date().toISOString()
    };
}

describe("bench store", () => {
    it("keeps runs and results, answers the latest per file × settings × shape, and feeds measured speeds", async () => {
        using home = createTempHome();
        await using store = await openStore({file: path.join(home.home, "agentfit.sqlite")});
        const newRun = () =>
            store.bench.createRun({createdAt: new Date().toISOString(), spec, hardwareSnapshotId: null, hardwareKey: "cpu|2c", appVersion: "0.1.0", engine: null, progress: {testsDone: 0, testsTotal: 4, current: null}, modelFiles: [], owner: "1@host@1#a"});
        const first = newRun();
        store.bench.addResult(result(first.id, "pp", 0, 100));
        store.bench.addResult(result(first.id, "tg", 0, 10));
        const second = newRun();
        store.bench.addResult(result(second.id, "pp", 0, 120));
        store.bench.addResult(result(second.id, "tg", 0, 12));
        store.bench.addResult(result(second.id, "tg", 4096, 0, "skipped"));

        expect(store.bench.results(second.id).map((r) => r.seq)).toEqual([0, 1, 2]);
        const latest = store.bench.latest();
        expect(latest.map((l) => [l.runId, l.result.kind, l.result.avgTs])).toEqual([
            [second.id, "tg", 12],
            [second.id, "pp", 120]
        ]);
        expect(store.bench.latest({model: "m", kinds: ["pp"]})).toHaveLength(1);
        expect(store.bench.latest({hardwareKey: "other"})).toHaveLength(0);

        const speeds = store.bench.measuredSpeeds();
        expect(speeds).toHaveLength(2);
        expect(speeds[1]).toMatchObject({hardwareKey: "cpu|2c", modelId: "qwen3-8b", quantization: "Q4_K_M", promptTokensPerSecond: 120, generationTokensPerSecond: 12, contextDepth: 0, threads: 2});

        // Running runs come with the process measuring them; a run that ends has none.
        expect(store.bench.runningRuns().map((r) => [r.run.id, r.owner])).toEqual([[first.id, "1@host@1#a"], [second.id, "1@host@1#a"]]);
        store.bench.updateRun(first.id, {status: "interrupted"});
        expect(store.bench.runningRuns().map((r) => r.run.id)).toEqual([second.id]);

        const json = toLlamaBenchJson(store.bench.getRun(second.id)!, store.bench.results(second.id));
        expect(json).toHaveLength(2);
        expect(Object.keys(json[0]!).slice(0, 8)).toEqual(["build_commit", "build_number", "cpu_info", "gpu_info", "backends", "model_filename", "model_type", "model_size"]);
        expect(json[0]).toMatchObject({n_prompt: 512, n_gen: 0, n_depth: 0, avg_ts: 120, avg_ns: 1100000000, samples_ns: [1e9, 1.2e9], type_k: "f16", flash_attn: 0, model_n_params: 8e9});
    });
});

describe("benchmark noise", () => {
    const cpu = (busyMs: number, totalMs: number, ownMicros = 0) => () => ({busyMs, totalMs, ownMicros, cores: 2});
    function measured(samplesTs: number[]): SpeedTestResult {
        const mean = samplesTs.reduce((a, b) => a + b, 0) / samplesTs.length;
        const sd = Math.sqrt(samplesTs.reduce((a, b) => a + (b - mean) ** 2, 0) / (samplesTs.length - 1));
        return {promptTokens: 512, generatedTokens: 0, depth: 0, samplesNs: [], samplesTokensPerSecond: samplesTs, averageNs: 0, stdDevNs: 0, averageTokensPerSecond: mean, stdDevTokensPerSecond: sd, timeToFirstTokenMs: [], engineCpuMicros: 1_000_000};
    }

    it("re-runs a noisy test a bounded number of times, keeps the steadiest attempt and says whether it stayed noisy", async () => {
        const attempts: number[] = [];
        const steadyOnSecond = [measured([100, 60, 100]), measured([100, 98, 101]), measured([50, 100, 50])];
        const kept = await measureSteadily(async (attempt) => (attempts.push(attempt), steadyOnSecond[attempt - 1]!));
        expect(attempts).toEqual([1, 2]);
        expect(kept.result.samplesTokensPerSecond).toEqual([100, 98, 101]);
        expect(kept.noise).toMatchObject({attempts: 2, noisy: false, bound: NOISY_SPREAD});

        const alwaysNoisy = [measured([100, 50, 100]), measured([100, 70, 100]), measured([100, 40, 100]), measured([100, 100, 100])];
        const noisy = await measureSteadily(async (attempt) => alwaysNoisy[attempt - 1]!);
        expect(noisy.noise.attempts).toBe(MAX_ATTEMPTS);
        expect(noisy.noise.noisy).toBe(true);
        expect(noisy.result.samplesTokensPerSecond).toEqual([100, 70, 100]);
        expect(benchNoiseWarning({...result(1, "pp", 0, 90), load: noisy.load, noise: noisy.noise})).toMatch(/^noisy: ±19 % between repetitions \(bound ±10 %\) after 3 attempts.*kept out of the calibration$/);
        expect(benchNoiseWarning({...result(1, "pp", 0, 90), noise: kept.noise})).toBeNull();
    });

    it("counts the engine's CPU time as the benchmark's own, not as other processes' load", async () => {
        // Between the readings the cores were busy 1,500 of 2,000 ms; the engine used 1,000 ms of them.
        let reading = 0;
        const readings = [cpu(0, 0), cpu(1500, 2000)];
        const {load} = await measureSteadily(async () => measured([100, 100, 100]), () => readings[reading++]!());
        expect(load.otherBusyCores).toBe(0.5);
        expect(load.cores).toBe(2);
    });

    it("keeps a noisy result out of the measured speeds that calibrate predictions", async () => {
        using home = createTempHome();
        await using store = await openStore({file: path.join(home.home, "agentfit.sqlite")});
        const run = store.bench.createRun({createdAt: new Date().toISOString(), spec, hardwareSnapshotId: null, hardwareKey: "cpu|2c", appVersion: "0.1.0", engine: null, progress: {testsDone: 0, testsTotal: 2, current: null}, modelFiles: [], owner: null});
        const load = {otherBusyCores: 1.6, cores: 2, loadAverage1m: 3.1, busy: true};
        store.bench.addResult({...result(run.id, "pp", 0, 100), load, noise: {spread: 0.3, bound: NOISY_SPREAD, attempts: MAX_ATTEMPTS, noisy: true}});
        store.bench.addResult({...result(run.id, "tg", 0, 10), load, noise: {spread: 0.02, bound: NOISY_SPREAD, attempts: 1, noisy: false}});
        expect(store.bench.results(run.id)[0]).toMatchObject({load, noise: {noisy: true}});
        expect(store.bench.measuredSpeeds()).toMatchObject([{promptTokensPerSecond: null, generationTokensPerSecond: 10}]);
    });
});

describe("bench spec", () => {
    const machine = {physicalCores: 8, hasGpu: false};
    it("fills in llama-bench's defaults and plans pp and tg per depth, then TTFT", () => {
        const resolved = resolveBenchSpec({models: ["a"]}, machine);
        expect(resolved).toMatchObject({promptTokens: 512, generatedTokens: 128, repetitions: 5, depths: [0], matrix: {threads: [8], gpuLayers: [0], kvCacheTypes: ["f16"], flashAttention: [false]}, batchSize: 512, agent: null});
        expect(resolveBenchSpec({models: ["a"], matrix: {kvCacheTypes: ["q8_0"]}}, {physicalCores: 4, hasGpu: true}).matrix).toMatchObject({flashAttention: [true], gpuLayers: ["max"]});
        expect(planTests({...resolved, depths: [0, 4096], agent: {turns: 2, maxTokensPerTurn: 32, systemPrompt: "long"}}).map((t) => `${t.kind}@${t.depth}`)).toEqual(["pp@0", "tg@0", "pp@4096", "tg@4096", "ttft@0", "agent@0"]);
    });
    it("names the first bad field", () => {
        expect(() => resolveBenchSpec({models: []}, machine)).toThrow(/models must be a non-empty list/);
        expect(() => resolveBenchSpec({models: ["a"], depths: [-1]}, machine)).toThrow(/depths/);
        expect(() => resolveBenchSpec({models: ["a"], matrix: {threads: [0]}}, machine)).toThrow(/matrix.threads/);
        expect(() => resolveBenchSpec({models: ["a"], promptTokens: 0, generatedTokens: 0}, machine)).toThrow(/Nothing to measure/);
        expect(() => resolveBenchSpec({models: ["a"], agent: {turns: 50}}, machine)).toThrow(/agent.turns/);
    });
});
