import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {BenchResult, BenchRun} from "../../electron/api/BenchApi.ts";
import {createAppService, type AppService} from "../../electron/core/AppService.ts";
import {MIN_CALIBRATION_BYTES} from "../../electron/core/catalog/predictSpeed.ts";
import {registerModel} from "../../electron/core/downloads/registerModel.ts";
import {readGgufFacts} from "../../electron/core/gguf/readGgufFacts.ts";
import {ggufModelPresets, writeGgufModel, type GgufWeightType} from "../../testkit/gguf/writeGgufModel.ts";
import {fixedMachine} from "../utils/fixedMachines.ts";
import {createTempHome, type TempHome} from "../../testkit/tempHome.ts";

// The speed benchmark end to end: AppService → engine process (real node-llama-cpp) → SQLite, on
// generated GGUF files in several quantizations. Speeds are not asserted (the machine is shared);
// what is asserted is what users rely on: every test recorded with raw samples and settings,
// skips with reasons, cancel leaving a consistent record, the llama-bench export.

let home: TempHome;
let app: AppService;
const files: Partial<Record<GgufWeightType, string>> = {};

beforeAll(async () => {
    home = createTempHome();
    app = await createAppService({paths: home, measureBandwidthAutomatically: false});
    // Head size 64 (embedding 256 / 4 heads): flash attention, and so a quantized KV cache, works on the CPU.
    for (const type of ["Q8_0", "Q4_0", "F16"] as const)
        files[type] = writeGgufModel(path.join(home.models, `bench-${type.toLowerCase()}.gguf`), {
            ...ggufModelPresets.tiny,
            embeddingLength: 256,
            headCount: 4,
            contextLength: 1024,
            type
        }).path;
});
afterAll(async () => {
    await app?.dispose();
    home?.[Symbol.dispose]();
});

function onProgress(listener: (run: BenchRun) => void): () => void {
    return app.events.subscribe((event, payload) => {
        if (event === "bench.progress") listener(payload as BenchRun);
    });
}

function waitForEnd(runId: number): Promise<BenchRun> {
    return new Promise((resolve) => {
        const off = onProgress((run) => {
            if (run.id === runId && run.status !== "running") {
                off();
                resolve(run);
            }
        });
    });
}

describe("speed benchmark in the engine process", () => {
    it("measures pp, tg and TTFT per quantization and depth, with repetitions and raw samples, and skips what cannot run", async () => {
        const repetitionEvents: number[] = [];
        const off = onProgress((run) => {
            if (run.progress.current?.phase === "measuring") repetitionEvents.push(run.progress.current.repetition);
        });
        const started = await app["bench.start"]({
            models: ["bench-q8_0", files.Q4_0!, files.F16!],
            promptTokens: 64,
            generatedTokens: 8,
            repetitions: 3,
            depths: [0, 256, 4096],
            matrix: {threads: [1], kvCacheTypes: ["f16", "q8_0"], flashAttention: [true]}
        });
        expect(started.status).toBe("running");
        await expect(app["bench.start"]({models: [files.Q8_0!]})).rejects.toMatchObject({code: "BENCH_BUSY"});
        const run = await waitForEnd(started.id);
        off();
        expect(run.status).toBe("completed");
        expect(run.engine).toMatchObject({nodeLlamaCpp: "3.22.1", backend: "CPU"});
        expect(run.engine!.llamaCppRelease).not.toBe("");
        expect(run.hardwareSnapshotId).toBeGreaterThan(0);

        const detail = await app["bench.run"]({runId: run.id});
        // 3 files × 2 KV types × (pp, tg at 3 depths + ttft) = 42 tests.
        expect(detail.results).toHaveLength(42);
        expect(run.progress).toMatchObject({testsDone: 42, testsTotal: 42, current: null});
        const completed = detail.results.filter((r) => r.status === "completed");
        const skipped = detail.results.filter((r) => r.status === "skipped");
        // Depth 4096 exceeds the 1024-token trained context of every file.
        expect(skipped).toHaveLength(12);
        for (const r of skipped) {
            expect(r.depth).toBe(4096);
            expect(r.reason?.code).toBe("DEPTH_EXCEEDS_CONTEXT");
        }
        expect(completed).toHaveLength(30);
        for (const r of completed) {
            expect(r.samplesNs).toHaveLength(3);
            expect(r.samplesTs).toHaveLength(3);
            expect(r.avgTs).toBeGreaterThan(0);
            expect(r.settings).toMatchObject({threads: 1, flashAttention: true});
            expect(r.model.parameterCount).toBeGreaterThan(0);
            expect(r.model.modelType).toMatch(/llama/);
            if (r.kind === "agent") continue;
            // Every speed test carries the machine's load and its own steadiness, re-run at most twice.
            expect(r.load).toMatchObject({cores: expect.any(Number), otherBusyCores: expect.any(Number)});
            expect(r.noise!.attempts).toBeGreaterThanOrEqual(1);
            expect(r.noise!.attempts).toBeLessThanOrEqual(3);
            expect(r.noise!.noisy).toBe(r.noise!.spread > r.noise!.bound);
            if (r.noise!.attempts === 1) expect(r.noise!.noisy).toBe(false);
        }
        const ttft = completed.filter((r) => r.kind === "ttft");
        expect(ttft).toHaveLength(6);
        for (const r of ttft) expect(r.timeToFirstTokenMs).toHaveLength(3);
        expect(new Set(completed.map((r) => r.model.quantization))).toEqual(new Set(["Q8_0", "Q4_0", "F16"]));
        expect(new Set(completed.map((r) => r.settings!.kvCacheType))).toEqual(new Set(["f16", "q8_0"]));
        // Live progress reported each repetition (1, 2, 3) of the tests.
        expect(repetitionEvents.filter((r) => r === 3).length).toBeGreaterThanOrEqual(30);
        // One LocalScore-style score per configuration.
        expect(run.scores).toHaveLength(6);
        for (const s of run.scores) expect(s.score).toBeGreaterThan(0);

        // llama-bench's JSON: same field names and types.
        const json = await app["bench.exportJson"]({runId: run.id});
        expect(json).toHaveLength(30);
        const tg = json.find((e) => e.n_gen === 8 && e.n_prompt === 0 && e.n_depth === 256)!;
        expect(tg).toMatchObject({n_threads: 1, type_k: expect.stringMatching(/^(f16|q8_0)$/), flash_attn: 1, backends: "CPU", n_batch: 512});
        expect(tg.samples_ns).toHaveLength(3);
        expect(tg.avg_ts).toBeGreaterThan(0);
        expect(Number.isInteger(tg.avg_ns)).toBe(true);
        expect((await app["bench.exportJson"]({runId: run.id, includeSkipped: true})).length).toBe(42);

        // Stored speeds reach the recommendations as measurements; these tiny 1-thread models are
        // overhead-bound, so they must not calibrate this machine's predictions.
        const latest = await app["bench.latest"]({model: files.Q4_0!, kinds: ["tg"]});
        expect(latest.map((l) => l.result.depth).sort()).toEqual([0, 0, 256, 256]);
        // Each of the 12 configuration × depth pairs gives one speed with both figures, unless its pp or tg
        // stayed noisy after the re-runs (a busy machine): those are kept out of the calibration.
        const steady = (kind: "pp" | "tg") => new Set(completed.filter((r) => r.kind === kind && !r.noise!.noisy).map((r) => `${r.configuration}@${r.depth}`));
        const steadyPairs = [...steady("pp")].filter((pair) => steady("tg").has(pair));
        expect(app.store.bench.measuredSpeeds().filter((s) => s.generationTokensPerSecond && s.promptTokensPerSecond).length).toBe(steadyPairs.length);
        expect(app.store.bench.measuredSpeeds().length).toBe(new Set([...steady("pp"), ...steady("tg")]).size);
        const report = await app["models.recommend"]({});
        expect(app.store.bench.measuredSpeeds().every((s) => s.activeBytesPerToken < MIN_CALIBRATION_BYTES)).toBe(true);
        expect(report.models[0]!.options[0]!.speed.calibration).toBeNull();
    });

    it("records settings that cannot run with their reasons and goes on; refuses bad input before starting", async () => {
        const started = await app["bench.start"]({
            models: [files.Q8_0!],
            promptTokens: 32,
            generatedTokens: 4,
            repetitions: 1,
            timeToFirstToken: false,
            matrix: {threads: [1], gpuLayers: [0, 8], kvCacheTypes: ["q4_0"], flashAttention: [false, true]}
        });
        const run = await waitForEnd(started.id);
        expect(run.status).toBe("completed");
        const {results} = await app["bench.run"]({runId: run.id});
        const reasons = (r: BenchResult) => `${r.requested.gpuLayers}/${r.requested.flashAttention}:${r.status}:${r.reason?.code ?? ""}`;
        expect(results.map(reasons)).toEqual([
            "0/false:skipped:SETTINGS_UNSUPPORTED",
            "0/false:skipped:SETTINGS_UNSUPPORTED",
            "0/true:completed:",
            "0/true:completed:",
            "8/false:skipped:SETTINGS_UNSUPPORTED",
            "8/false:skipped:SETTINGS_UNSUPPORTED",
            "8/true:skipped:SETTINGS_UNSUPPORTED",
            "8/true:skipped:SETTINGS_UNSUPPORTED"
        ]);
        expect(results[0]!.reason!.message).toMatch(/needs flash attention/);
        expect(results[6]!.reason!.message).toMatch(/no GPU/);

        // A damaged file is refused before anything runs, naming the problem; nothing is recorded.
        const damaged = path.join(home.models, "damaged.gguf");
        fs.writeFileSync(damaged, fs.readFileSync(files.Q8_0!).subarray(0, 200_000));
        const runsBefore = (await app["bench.runs"]({})).length;
        await expect(app["bench.start"]({models: [files.Q8_0!, damaged]})).rejects.toMatchObject({code: "GGUF_TRUNCATED", message: /truncated/});
        expect((await app["bench.runs"]({})).length).toBe(runsBefore);

        await expect(app["bench.start"]({models: ["no-such-model"]})).rejects.toMatchObject({code: "MODEL_NOT_FOUND"});
        await expect(app["bench.start"]({models: [files.Q8_0!], repetitions: 0})).rejects.toMatchObject({code: "BENCH_SETTINGS_INVALID", message: /repetitions/});
        await expect(app["bench.start"]({models: [files.Q8_0!], matrix: {kvCacheTypes: ["q5_1" as "f16"]}})).rejects.toMatchObject({code: "BENCH_SETTINGS_INVALID"});
        await expect(app["bench.cancel"]({runId: run.id})).rejects.toMatchObject({code: "BENCH_STATE_CONFLICT"});
        await expect(app["bench.run"]({runId: 999})).rejects.toMatchObject({code: "BENCH_RUN_NOT_FOUND"});
    });

    it("runs the agent-shaped workload through the chat path, reusing the conversation's prefix on later turns", async () => {
        // Generated models tokenize byte by byte: the agent's prompt needs a long context.
        const longContext = writeGgufModel(path.join(home.models, "bench-agent.gguf"), {...ggufModelPresets.tiny, embeddingLength: 256, contextLength: 16384}).path;
        const started = await app["bench.start"]({
            models: [longContext],
            promptTokens: 0,
            generatedTokens: 0,
            repetitions: 2,
            agent: {turns: 3, maxTokensPerTurn: 8, systemPrompt: "concise"},
            contextSize: 12288,
            matrix: {threads: [1]}
        });
        const run = await waitForEnd(started.id);
        const {results} = await app["bench.run"]({runId: run.id});
        expect(results).toHaveLength(1);
        const agent = results[0]!;
        if (agent.status === "skipped") throw new Error(`agent workload skipped: ${agent.reason?.message}`);
        expect(agent).toMatchObject({kind: "agent", status: "completed", generatedTokens: 8});
        expect(agent.agentTurns).toHaveLength(6);
        expect(agent.samplesNs).toHaveLength(6);
        for (const turn of agent.agentTurns) {
            expect(turn.generatedTokens).toBeGreaterThan(0);
            if (turn.turn === 0) expect(turn.cachedTokens).toBe(0);
            // Later turns resend the whole conversation; all but the new tail comes from the cache.
            else expect(turn.cachedTokens).toBeGreaterThan(turn.promptTokens / 2);
        }
    });

    it("cancel leaves a consistent record marked cancelled, keeping the finished repetitions", async () => {
        const started = await app["bench.start"]({models: [files.F16!], promptTokens: 0, generatedTokens: 64, repetitions: 100, timeToFirstToken: false, matrix: {threads: [1]}});
        await new Promise<void>((resolve) => {
            const off = onProgress((run) => {
                if (run.id === started.id && run.progress.current?.phase === "measuring" && run.progress.current.repetition >= 2) {
                    off();
                    resolve();
                }
            });
        });
        const cancelled = await app["bench.cancel"]({runId: started.id});
        expect(cancelled.status).toBe("cancelled");
        const detail = await app["bench.run"]({runId: started.id});
        expect(detail.status).toBe("cancelled");
        // The runs list says so as soon as the cancel returns.
        expect((await app["bench.runs"]({})).find((r) => r.id === started.id)?.status).toBe("cancelled");
        expect(detail.progress.current).toBeNull();
        expect(detail.results).toHaveLength(1);
        expect(detail.results[0]).toMatchObject({status: "cancelled", kind: "tg", reason: {code: "BENCH_CANCELLED"}});
        expect(detail.results[0]!.samplesNs.length).toBeGreaterThanOrEqual(2);
        expect(detail.results[0]!.samplesNs.length).toBeLessThan(100);
        // The engine is free again.
        const next = await app["bench.start"]({models: [files.Q8_0!], promptTokens: 16, generatedTokens: 0, repetitions: 1, timeToFirstToken: false, matrix: {threads: [1]}});
        expect((await waitForEnd(next.id)).status).toBe("completed");
    });

    it("records the file each model reference resolved to, with its SHA-256 from the registry", async () => {
        const file = files.Q8_0!;
        const sha256 = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
        const registered = registerModel(app.store.models, {
            files: [{path: file, sizeBytes: fs.statSync(file).size, sha256}],
            source: {kind: "local", importedFrom: file},
            managed: false,
            facts: await readGgufFacts(file)
        });
        const run = await app["bench.start"]({models: [registered.id, "bench-q4_0"], promptTokens: 16, generatedTokens: 0, repetitions: 1, timeToFirstToken: false, matrix: {threads: [1]}});
        const expected = [
            {reference: registered.id, path: file, sha256, registryId: registered.id},
            {reference: "bench-q4_0", path: files.Q4_0, sha256: null, registryId: null}
        ];
        expect(run.modelFiles).toEqual(expected);
        expect((await waitForEnd(run.id)).status).toBe("completed");
        expect((await app["bench.run"]({runId: run.id})).modelFiles).toEqual(expected);
        app.store.models.remove(registered.id);
    });

    it("skips a model that does not fit the machine's memory, with the reason, without loading it", async () => {
        using smallHome = createTempHome();
        const machine = fixedMachine("cpu-32gb");
        await using small = await createAppService({
            paths: smallHome,
            measureBandwidthAutomatically: false,
            probeSources: {...machine, memory: async () => ({totalBytes: 2 * 1024 ** 3, freeBytes: 2 ** 30, availableBytes: 2 ** 30, swapTotalBytes: 0, swapFreeBytes: 0})}
        });
        const started = await small["bench.start"]({models: [files.Q8_0!], promptTokens: 16, generatedTokens: 2, repetitions: 1, matrix: {threads: [1]}});
        const run = await new Promise<BenchRun>((resolve) =>
            small.events.subscribe((event, payload) => event === "bench.progress" && (payload as BenchRun).status !== "running" && resolve(payload as BenchRun))
        );
        expect(run.id).toBe(started.id);
        expect(run.status).toBe("completed");
        expect(run.engine).toBeNull();
        const {results} = await small["bench.run"]({runId: run.id});
        expect(results.map((r) => `${r.kind}:${r.status}:${r.reason?.code}`)).toEqual(["pp:skipped:MODEL_DOES_NOT_FIT", "tg:skipped:MODEL_DOES_NOT_FIT", "ttft:skipped:MODEL_DOES_NOT_FIT"]);
        expect(results[0]!.reason!.message).toMatch(/needs about .* GiB, more than the .* GiB this machine can give a model/);
    });
});
