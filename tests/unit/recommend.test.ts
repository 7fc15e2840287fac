import {describe, expect, it} from "vitest";
import type {HardwareProfile, MeasuredSpeed} from "../../electron/api/ModelsApi.ts";
import {createCatalogLookup} from "../../electron/core/catalog/createCatalogLookup.ts";
import {computeBufferBytes, estimateFit, kvCacheBytes, type ModelShape} from "../../electron/core/catalog/estimateFit.ts";
import {applyOverrides, hardwareKeyOf, parseSize, profileFromSnapshot, whatIfPresets} from "../../electron/core/catalog/hardwareProfile.ts";
import {findChip} from "../../electron/core/catalog/bandwidthTable.ts";
import {loadCatalog} from "../../electron/core/catalog/loadCatalog.ts";
import {createRankingCache, recommendModels} from "../../electron/core/catalog/recommendModels.ts";
import {defaultThresholds} from "../../electron/core/rules/defaultThresholds.ts";
import {trainedContextShortfall} from "../../electron/core/rules/judgeModel.ts";
import {agentTurnTimes, describeAgentTurn} from "../../electron/shared/agentTurn.ts";
import {calibrationFrom, predictAtDepth, predictSpeed, type SpeedCalibration} from "../../electron/core/catalog/predictSpeed.ts";
import {probeHardware} from "../../electron/core/hardware/probeHardware.ts";
import {fixedMachine} from "../utils/fixedMachines.ts";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const catalog = loadCatalog();
const model = (id: string) => catalog.find((m) => m.id === id)!;
const shape = (id: string, quant = "Q4_K_M"): ModelShape => ({architecture: model(id).architecture, weightsBytes: model(id).quantizations.find((q) => q.quantization === quant)!.sizeBytes});

const cpuLaptop: HardwareProfile = {
    label: "test",
    hardwareKey: "test-machine",
    backend: "cpu",
    ramBytes: 32 * GiB,
    ramReserveBytes: 4 * GiB,
    gpuName: null,
    vramBytes: 0,
    unifiedMemory: false,
    cpuBandwidthBytesPerSecond: 60e9,
    gpuBandwidthBytesPerSecond: 0,
    bandwidthSource: "test",
    bandwidthKind: "measured",
    bandwidthUnderLoad: false,
    bandwidthMeasurement: null,
    cpuThreads: 8,
    cpuFlops: 8 * 3e9 * 32,
    gpuFlops: 0
};

/** A benchmark result of this test machine (8 threads, CPU, empty context) as the store hands it to calibration. */
const measuredSample = (over: Partial<MeasuredSpeed>): MeasuredSpeed => ({
    hardwareKey: "test-machine",
    hardwareSnapshotId: 1,
    modelId: null,
    quantization: "Q8_0",
    modelFileBytes: 1e9,
    activeBytesPerToken: 1e9,
    threads: 8,
    gpuLayers: 0,
    contextDepth: 0,
    promptTokensPerSecond: null,
    generationTokensPerSecond: null,
    measuredAt: "2026-12-01T00:00:00Z",
    ...over
});

describe("memory arithmetic", () => {
    it("sizes the KV cache from layers × KV heads × head dim × context, smaller when quantized", () => {
        const s = shape("qwen2.5-coder-7b-instruct");
        // 28 layers × 2 (K, V) × 4 KV heads × 128 × 32768 tokens × 2 bytes = 1.75 GiB.
        expect(kvCacheBytes(s, 32768, "f16").total).toBe(28 * 2 * 4 * 128 * 32768 * 2);
        expect(kvCacheBytes(s, 32768, "q8_0").total / kvCacheBytes(s, 32768, "f16").total).toBeCloseTo(34 / 64, 5);
        expect(kvCacheBytes(s, 32768, "q4_0").total / kvCacheBytes(s, 32768, "f16").total).toBeCloseTo(18 / 64, 5);
    });

    it("keeps sliding-window layers at the window size, so Gemma 3's cache grows only with its global layers", () => {
        const s = shape("gemma-3-12b-it");
        const at8k = kvCacheBytes(s, 8192, "f16");
        const at32k = kvCacheBytes(s, 32768, "f16");
        expect(at32k.perSwaLayer).toBe(at8k.perSwaLayer);
        expect(at32k.perFullLayer).toBe(4 * at8k.perFullLayer);
        // 8 global layers at full context plus 40 window-sized ones: far below 48 full layers.
        expect(at32k.total).toBeLessThan(0.3 * 48 * at32k.perFullLayer);
    });

    it("needs far larger compute buffers without flash attention at an agent context", () => {
        const s = shape("qwen3-8b");
        expect(computeBufferBytes(s, 32768, false)).toBeGreaterThan(5 * computeBufferBytes(s, 32768, true));
        // With flash attention the logits of a 512-token batch (vocabulary × 512 × 4 bytes) are the peak.
        expect(computeBufferBytes(s, 4096, true)).toBe(512 * (4 * 151936 + 8 * 4096));
    });

    it("classifies CPU-only, full and partial GPU offload and no-fit, and sums the parts", () => {
        const s = shape("qwen2.5-coder-7b-instruct");
        const cpu = estimateFit(s, cpuLaptop);
        expect(cpu.fitClass).toBe("cpu-only");
        expect(cpu.ramNeededBytes).toBe(cpu.parts.reduce((sum, p) => sum + p.ramBytes, 0));
        expect(cpu.parts.find((p) => p.kind === "weights")!.ramBytes).toBeCloseTo(s.weightsBytes, -3);

        const rtx4060 = applyOverrides(cpuLaptop, {preset: "laptop-rtx-4060-8gb-32gb"});
        expect(estimateFit(s, rtx4060, {contextSize: 8192}).fitClass).toBe("gpu-full");
        const partial = estimateFit(shape("qwen2.5-coder-14b-instruct"), rtx4060);
        expect(partial.fitClass).toBe("gpu-partial");
        expect(partial.gpuLayers).toBeGreaterThan(0);
        expect(partial.gpuLayers).toBeLessThan(partial.totalLayers);
        expect(partial.vramNeededBytes).toBeLessThanOrEqual(partial.vramCapacityBytes);

        const small = applyOverrides(cpuLaptop, {ram: "8GB", vram: 0});
        const none = estimateFit(shape("qwen3-14b"), small);
        expect(none.fitClass).toBe("no-fit");
        expect(none.headroomBytes).toBeLessThan(0);
    });

    it("counts unified memory once: what the GPU holds comes out of RAM", () => {
        const m2 = applyOverrides(cpuLaptop, {preset: "macbook-air-m2-16gb"});
        expect(m2).toMatchObject({backend: "metal", unifiedMemory: true, gpuBandwidthBytesPerSecond: 100e9});
        expect(m2.vramBytes).toBeCloseTo((16 * GiB * 2) / 3, -3);
        const fit = estimateFit(shape("qwen3-8b"), m2);
        expect(fit.fitClass).toBe("gpu-full");
        expect(fit.ramNeededBytes).toBeGreaterThan(fit.vramNeededBytes);
        expect(fit.parts.every((p) => p.vramBytes === 0)).toBe(true);
    });

    it("turns flash attention on for a quantized KV cache and says so; rejects absurd settings", () => {
        const fit = estimateFit(shape("qwen3-8b"), cpuLaptop, {kvCacheType: "q8_0", flashAttention: false});
        expect(fit.settings.flashAttention).toBe(true);
        expect(fit.notes.join(" ")).toMatch(/needs flash attention/);
        expect(() => estimateFit(shape("qwen3-8b"), cpuLaptop, {contextSize: 0})).toThrow(expect.objectContaining({code: "FIT_SETTINGS_INVALID"}));
        expect(() => estimateFit(shape("qwen3-8b"), cpuLaptop, {kvCacheType: "q3" as never})).toThrow(/kvCacheType must be f16, q8_0 or q4_0/);
        const beyond = estimateFit(shape("qwen3-8b"), cpuLaptop, {contextSize: 65536});
        expect(beyond.notes.join(" ")).toMatch(/trained for 32,768 tokens/);
    });
});

describe("hardware profiles and what-if overrides", () => {
    it("parses sizes and refuses negative or malformed ones with the override named", () => {
        expect(parseSize("16GB", "RAM")).toBe(16 * GiB);
        expect(parseSize("512 MiB", "RAM")).toBe(512 * MiB);
        expect(parseSize(0, "VRAM")).toBe(0);
        expect(() => parseSize("-4GB", "RAM")).toThrow(/RAM "-4GB" is not a size/);
        expect(() => parseSize(-1, "VRAM")).toThrow(expect.objectContaining({code: "HARDWARE_OVERRIDE_INVALID"}));
        expect(() => applyOverrides(cpuLaptop, {ram: "0GB"})).toThrow(/RAM must be more than 0/);
        expect(() => applyOverrides(cpuLaptop, {gpu: "Voodoo 5"})).toThrow(/Unknown GPU or chip "Voodoo 5"/);
        expect(() => applyOverrides(cpuLaptop, {preset: "pentium-ii"})).toThrow(/Unknown preset "pentium-ii". Presets: macbook-air-m2-16gb/);
        expect(() => applyOverrides(cpuLaptop, {bandwidthGBps: -5})).toThrow(/positive number of GB\/s/);
    });

    it("keeps this machine's bandwidth, its kind and its key when only the RAM changes", () => {
        const p = applyOverrides(cpuLaptop, {ram: "64GB"});
        expect(p.ramBytes).toBe(64 * GiB);
        expect(p).toMatchObject({
            hardwareKey: cpuLaptop.hardwareKey,
            bandwidthKind: cpuLaptop.bandwidthKind,
            cpuBandwidthBytesPerSecond: cpuLaptop.cpuBandwidthBytesPerSecond,
            cpuThreads: cpuLaptop.cpuThreads
        });
        expect(applyOverrides(cpuLaptop, {ram: "64GB", bandwidthGBps: 90})).toMatchObject({hardwareKey: null, bandwidthKind: "measured"});
    });

    it("assumes a mid-range laptop GPU when only VRAM is given, and says so", () => {
        const p = applyOverrides(cpuLaptop, {vram: "8GB"});
        expect(p).toMatchObject({vramBytes: 8 * GiB, gpuBandwidthBytesPerSecond: 256e9, unifiedMemory: false});
        expect(p.backend).not.toBe("cpu");
        expect(p.bandwidthSource).toMatch(/GPU not named: assumed a mid-range laptop GPU/);
        const fit = estimateFit(shape("qwen2.5-coder-7b-instruct"), p, {contextSize: 8192});
        expect(fit.fitClass).toBe("gpu-full");
    });

    it("finds chips by the names OSes report, preferring the most specific entry", () => {
        expect(findChip("NVIDIA GeForce RTX 4060 Laptop GPU")?.name).toBe("RTX 4060 Laptop");
        expect(findChip("NVIDIA GeForce RTX 4060")?.name).toBe("RTX 4060");
        expect(findChip("Apple M2 Pro")?.name).toBe("Apple M2 Pro");
        expect(findChip("Apple M2")?.name).toBe("Apple M2");
        expect(findChip("AMD EPYC 7B13")).toBeUndefined();
    });

    it("builds every preset into a usable profile", () => {
        for (const preset of whatIfPresets) {
            const p = applyOverrides(cpuLaptop, {preset: preset.id});
            expect(p.label).toBe(preset.label);
            expect(p.hardwareKey).toBeNull();
            expect(p.cpuBandwidthBytesPerSecond).toBeGreaterThan(0);
            if (p.vramBytes > 0) expect(p.gpuBandwidthBytesPerSecond).toBeGreaterThan(0);
        }
    });

    it("reads this machine from a probe snapshot, preferring a measured bandwidth", async () => {
        const snapshot = {...(await probeHardware({modelsPath: "/m", appVersion: "t", sources: fixedMachine("rtx4060-32gb")})), id: 7};
        const profile = profileFromSnapshot(snapshot);
        expect(profile).toMatchObject({label: "this machine (probe #7)", backend: "cuda", vramBytes: 8 * GiB, gpuBandwidthBytesPerSecond: 256e9, bandwidthKind: "peak"});
        const quietLoad = {otherBusyCores: 0.05, cores: 8, loadAverage1m: 0.3, busy: false};
        const measured = profileFromSnapshot(snapshot, {measurements: [{hardwareKey: profile.hardwareKey!, bytesPerSecond: 42e9, threads: 8, method: "test", measuredAt: "2026-01-01T00:00:00Z", load: quietLoad}]});
        expect(measured).toMatchObject({cpuBandwidthBytesPerSecond: 42e9, bandwidthKind: "measured", bandwidthUnderLoad: false});
    });

    it("keeps apart machines that report one CPU brand but run different vector units", async () => {
        const probed = {...(await probeHardware({modelsPath: "/m", appVersion: "t", sources: fixedMachine("rtx4060-32gb")})), id: 1};
        const withSets = (instructionSets: string[]) => ({...probed, cpu: {...probed.cpu, brand: "AMD EPYC", instructionSets}});
        const zen2 = withSets(["sse3", "avx", "f16c", "fma", "avx2"]);
        const zen4 = withSets(["sse3", "avx", "f16c", "fma", "avx2", "avx512f", "avx512bw", "avx512vl"]);
        expect(hardwareKeyOf(zen2)).not.toBe(hardwareKeyOf(zen4));
        // llama.cpp's feature line can add a sub-extension to a later probe: the same machine keeps its key.
        expect(hardwareKeyOf(withSets([...zen4.cpu.instructionSets, "avx512_bf16"]))).toBe(hardwareKeyOf(zen4));
        // A bandwidth measured on the Zen 2 does not carry over to the Zen 4 (nor do its benchmarks, keyed alike).
        const quietLoad = {otherBusyCores: 0, cores: 2, loadAverage1m: 0.1, busy: false};
        const measuredOnZen2 = {hardwareKey: hardwareKeyOf(zen2), bytesPerSecond: 7e9, threads: 2, method: "test", measuredAt: "2026-01-01T00:00:00Z", load: quietLoad};
        expect(profileFromSnapshot(zen2, {measurements: [measuredOnZen2]}).bandwidthKind).toBe("measured");
        expect(profileFromSnapshot(zen4, {measurements: [measuredOnZen2]}).bandwidthKind).not.toBe("measured");
    });
});

describe("recommendations", () => {
    it("ranks capable models that fit and keep the speed target first, with reasons and a best quantization", () => {
        const rtx = applyOverrides(cpuLaptop, {preset: "laptop-rtx-4060-8gb-32gb"});
        const report = recommendModels(catalog, rtx, {now: new Date("2026-01-01T00:00:00Z")});
        expect(report.settings).toEqual({contextSize: 32768, kvCacheType: "f16", flashAttention: true});
        expect(report.models).toHaveLength(catalog.length);
        const top = report.models[0]!;
        expect(report.topPick).toBe(top.model.id);
        expect(["usable", "almost"]).toContain(top.verdict);
        expect(report.summary).toContain(top.model.name);
        expect(top.reasons.join(" ")).toMatch(/Predicted [\d.]+ tok\/s generation .* per agent turn/);
        // Levels never improve down the list.
        const order = {usable: 0, almost: 1, no: 2, "no-fit": 3};
        for (let i = 1; i < report.models.length; i++) expect(order[report.models[i]!.verdict]).toBeGreaterThanOrEqual(order[report.models[i - 1]!.verdict]);
        // A model that scored 0/10 never outranks one that scored 7/10 when both are at the same level.
        const rank = (id: string) => report.models.find((m) => m.model.id === id)!;
        if (rank("qwen3-coder-30b-a3b-instruct").verdict === rank("gpt-oss-20b").verdict && rank("gpt-oss-20b").verdict !== "no")
            expect(rank("qwen3-coder-30b-a3b-instruct").rank).toBeLessThan(rank("gpt-oss-20b").rank);
        for (const m of report.models.filter((x) => x.best)) expect(m.options.map((o) => o.quantization)).toContain(m.bestQuantization);
    });

    it("prefers a quantization that stays on the GPU to a higher one that spills into RAM", () => {
        const rtx = applyOverrides(cpuLaptop, {preset: "laptop-rtx-4060-8gb-32gb"});
        const coder7b = recommendModels([model("qwen2.5-coder-7b-instruct")], rtx).models[0]!;
        expect(coder7b.best!.fit.fitClass).toBe("gpu-full");
        const q8 = coder7b.options.find((o) => o.quantization === "Q8_0")!;
        expect(q8.fit.fitClass).toBe("gpu-partial");
        expect(coder7b.bestQuantization).not.toBe("Q8_0");
    });

    it("says no model fits rather than recommending one that does not", () => {
        const tiny = applyOverrides(cpuLaptop, {ram: "4GB", vram: 0});
        const report = recommendModels(catalog, tiny, {contextSize: 131072});
        expect(report.topPick).toBeNull();
        expect(report.models.every((m) => m.verdict === "no-fit" || m.verdict === "no")).toBe(true);
        const none = report.models.find((m) => m.verdict === "no-fit")!;
        expect(none.reasons[0]).toMatch(/^Does not fit: even .* needs .* of RAM at a 128k context/);
    });

    it("changes with the context and KV type the agent runs with", () => {
        const m2 = applyOverrides(cpuLaptop, {preset: "macbook-air-m2-16gb"});
        const at32k = recommendModels([model("qwen3-8b")], m2, {contextSize: 32768}).models[0]!.options.find((o) => o.quantization === "Q4_K_M")!;
        const at32kQ8 = recommendModels([model("qwen3-8b")], m2, {contextSize: 32768, kvCacheType: "q8_0"}).models[0]!.options.find((o) => o.quantization === "Q4_K_M")!;
        const at8k = recommendModels([model("qwen3-8b")], m2, {contextSize: 8192}).models[0]!.options.find((o) => o.quantization === "Q4_K_M")!;
        expect(at32kQ8.fit.ramNeededBytes).toBeLessThan(at32k.fit.ramNeededBytes);
        expect(at8k.fit.ramNeededBytes).toBeLessThan(at32kQ8.fit.ramNeededBytes);
        expect(at8k.speed.generationAtDepthTokensPerSecond).toBeGreaterThan(at32k.speed.generationAtDepthTokensPerSecond);
    });

    it("calibrates predictions from measured speeds of this machine and shows a measurement of the same file", () => {
        const m = model("qwen2.5-coder-7b-instruct");
        const q = m.quantizations.find((x) => x.quantization === "Q4_K_M")!;
        const plain = recommendModels([m], cpuLaptop).models[0]!.options.find((o) => o.quantization === "Q4_K_M")!;
        expect(plain.speed.calibration).toBeNull();
        expect(plain.speed.predicted).toBe(true);
        const sample = (over: Partial<MeasuredSpeed>) => measuredSample({activeBytesPerToken: 0.9e9, measuredAt: "2026-01-01T00:00:00Z", ...over});
        // This machine generates at half the uncalibrated prediction; another machine's sample is ignored.
        const predictedFor1GB = 1 / (0.9e9 / (60e9 * 0.85) + 0.0004);
        const measurements = [
            sample({generationTokensPerSecond: predictedFor1GB * 0.5}),
            sample({generationTokensPerSecond: predictedFor1GB * 0.5, measuredAt: "2026-01-02T00:00:00Z"}),
            sample({hardwareKey: "another-machine", generationTokensPerSecond: predictedFor1GB * 3}),
            // Not comparable with the prediction, so ignored: a filled context without the model's KV size, another thread count, an overhead-bound tiny model.
            sample({contextDepth: 4096, generationTokensPerSecond: predictedFor1GB * 0.1}),
            sample({threads: 1, generationTokensPerSecond: predictedFor1GB * 0.1}),
            sample({activeBytesPerToken: 90e6, modelFileBytes: 100e6, generationTokensPerSecond: 40}),
            sample({modelId: m.id, quantization: "Q4_K_M", modelFileBytes: q.sizeBytes, activeBytesPerToken: q.sizeBytes, generationTokensPerSecond: 7.5, promptTokensPerSecond: 80, measuredAt: "2026-01-03T00:00:00Z"})
        ];
        const calibrated = recommendModels([m], cpuLaptop, {measurements}).models[0]!.options.find((o) => o.quantization === "Q4_K_M")!;
        expect(calibrated.speed.calibration!.samples).toBe(3);
        expect(calibrated.speed.calibration!.generationFactor).toBeGreaterThan(0.45);
        expect(calibrated.speed.calibration!.generationFactor).toBeLessThan(0.75);
        expect(calibrated.speed.generationTokensPerSecond / plain.speed.generationTokensPerSecond).toBeCloseTo(calibrated.speed.calibration!.generationFactor, 5);
        expect(calibrated.speed.calibrationLabel).toBe("calibrated on this machine (2026-01-03, Q4_K_M measured)");
        expect(plain.speed.calibrationLabel).toBe("uncalibrated estimate");
        expect(calibrated.speed.measured).toEqual({generationTokensPerSecond: 7.5, promptTokensPerSecond: 80, measuredAt: "2026-01-03T00:00:00Z"});
        // This machine with more RAM runs as fast as this machine: still calibrated, same prediction.
        const moreRam = recommendModels([m], applyOverrides(cpuLaptop, {ram: "64GB"}), {measurements}).models[0]!.options.find((o) => o.quantization === "Q4_K_M")!;
        expect(moreRam.speed.generationTokensPerSecond).toBeCloseTo(calibrated.speed.generationTokensPerSecond, 5);
        expect(moreRam.speed.measured).toEqual(calibrated.speed.measured);
        // A what-if machine is never calibrated by this machine's measurements.
        const whatIf = recommendModels([m], applyOverrides(cpuLaptop, {preset: "laptop-16gb-ddr4"}), {measurements}).models[0]!.options[0]!;
        expect(whatIf.speed.calibration).toBeNull();
        expect(whatIf.speed.measured).toBeNull();
    });
});

describe("recommendations judged by the Verdict's rules", () => {
    const optionOf = (report: ReturnType<typeof recommendModels>, id: string, quant: string) => report.models.find((m) => m.model.id === id)!.options.find((o) => o.quantization === quant)!;

    it("defines the predicted agent turn from pp and tg, and fails a model whose turns are slow even when it generates fast", () => {
        // Fast memory, slow compute: generation clears 10 tok/s while reading an 8k-token prompt takes minutes.
        const slowCompute: HardwareProfile = {...cpuLaptop, cpuBandwidthBytesPerSecond: 200e9, cpuFlops: 2e11};
        const report = recommendModels([model("qwen3.5-35b-a3b")], slowCompute);
        const q3 = optionOf(report, "qwen3.5-35b-a3b", "Q3_K_M");
        const s = q3.speed;
        expect(s.generationAtDepthTokensPerSecond).toBeGreaterThan(10);
        expect(s.agentPromptSeconds).toBeGreaterThan(300);
        const reply = 256 / s.generationAtDepthTokensPerSecond;
        expect(s.firstTurnSeconds).toBeCloseTo(8192 / s.promptTokensPerSecond + reply, 6);
        expect(s.laterTurnSeconds).toBeCloseTo(1024 / s.promptTokensPerSecond + reply, 6);
        expect(s.agentTurnSeconds).toBeCloseTo((s.firstTurnSeconds + 9 * s.laterTurnSeconds) / 10, 6);
        expect(s.agentTurnSeconds).toBeGreaterThan(defaultThresholds.almostTurnSeconds);
        expect(q3.criteria.map((c) => [c.id, c.status, c.source])).toEqual([
            ["fit", "pass", "estimated"],
            ["generation", "pass", "predicted"],
            ["turn", "fail", "predicted"]
        ]);
        expect(q3.verdict).toBe("no");
        expect(report.models[0]!.verdict).toBe("no");
        expect(report.topPick).toBeNull();
        expect(report.summary).toMatch(/^No model is predicted usable at a 32k context here/);
        expect(report.models[0]!.reasons.join(" ")).toMatch(/No by the Verdict's rules: time per agent turn ~[\d.]+ min/);
        expect(report.agentTurn).toBe(describeAgentTurn());
        expect(report.legend.map((e) => e.level)).toEqual(["usable", "almost", "no", "no-fit"]);
    });

    it("judges with the thresholds it is given: the Verdict's, edited or not", () => {
        const m2 = applyOverrides(cpuLaptop, {preset: "macbook-air-m2-16gb"});
        const strict = recommendModels([model("qwen2.5-coder-7b-instruct")], m2, {thresholds: {...defaultThresholds, usableGenerationTps: 1000, almostGenerationTps: 900}});
        expect(strict.models[0]!.verdict).toBe("no");
        const lenient = recommendModels([model("qwen2.5-coder-7b-instruct")], m2, {thresholds: {...defaultThresholds, usableGenerationTps: 0.1, almostGenerationTps: 0.1, usableTurnSeconds: 1e5, almostTurnSeconds: 1e5}});
        expect(lenient.models[0]!.verdict).toBe("usable");
        expect(lenient.thresholds.usableTurnSeconds).toBe(1e5);
        // Its context defaults to the thresholds' agent context.
        expect(recommendModels([model("qwen3-8b")], m2, {thresholds: {...defaultThresholds, contextSize: 16384}}).settings.contextSize).toBe(16384);
    });

    it("fails the fit of a model trained for less than the agent context, with the reason", () => {
        const big = applyOverrides(cpuLaptop, {ram: "128GB"});
        const at64k = recommendModels([model("qwen2.5-coder-7b-instruct")], big, {contextSize: 65536}).models[0]!;
        expect(at64k.verdict).toBe("no-fit");
        expect(at64k.best).toBeNull();
        expect(at64k.options.every((o) => o.verdict === "no-fit" && o.fit.fitClass !== "no-fit")).toBe(true);
        expect(at64k.reasons[0]).toBe("Doesn't fit: trained for 32,768 tokens; the agent context is 65,536.");
        expect(at64k.options[0]!.criteria[0]!.detail).toContain("Trained for 32,768 tokens; the agent context is 65,536");
        expect(recommendModels([model("qwen2.5-coder-7b-instruct")], big, {contextSize: 32768}).models[0]!.verdict).not.toBe("no-fit");
    });

    it("says a trained context shorter than the agent context once, in the words of the Verdict and the guided plan", () => {
        const big = applyOverrides(cpuLaptop, {ram: "128GB"});
        const tooShort = (contextSize: number) => recommendModels([model("qwen2.5-coder-7b-instruct")], big, {contextSize}).models[0]!.reasons.filter((r) => /trained for/i.test(r));
        expect(tooShort(65536)).toEqual([`Doesn't fit: ${trainedContextShortfall(32768, 65536)}.`]);
        expect(tooShort(32768)).toEqual([]);
    });

    it("says why a low-bit quantization was picked: larger ones fit but are judged worse, not that only it fits", () => {
        const gemma = model("gemma-3-4b-it");
        // Find a bandwidth at which Q3_K_M is usable but Q4_K_M only almost (fast compute, so turns are short).
        let found: ReturnType<typeof recommendModels>["models"][number] | undefined;
        for (let gbps = 5; gbps < 100 && !found; gbps += 0.25) {
            const rec = recommendModels([gemma], {...cpuLaptop, cpuBandwidthBytesPerSecond: gbps * 1e9, cpuFlops: 1e14}).models[0]!;
            const level = (q: string) => rec.options.find((o) => o.quantization === q)!.verdict;
            if (level("Q3_K_M") === "usable" && level("Q4_K_M") === "almost") found = rec;
        }
        expect(found, "a bandwidth where Q3_K_M is usable and Q4_K_M almost").toBeDefined();
        expect(found!.bestQuantization).toBe("Q3_K_M");
        const reason = found!.reasons.find((r) => r.startsWith("Q3_K_M loses noticeable quality"))!;
        expect(reason).toMatch(/larger quantizations fit but are judged worse here \(Q4_K_M: almost, /);
        expect(reason).not.toMatch(/only/);
        expect(found!.reasons[0]).toMatch(/^Q3_K_M runs on the CPU from RAM at a 32k context with [\d.]+ GB to spare\.$/);
    });
});

describe("close calls (a pick that a measured bandwidth's run-to-run variation would change)", () => {
    const at = (bytesPerSecond: number, bandwidthKind: HardwareProfile["bandwidthKind"] = "measured") =>
        recommendModels(catalog, {...cpuLaptop, cpuThreads: 2, cpuFlops: 2 * 3e9 * 32, cpuBandwidthBytesPerSecond: bytesPerSecond, bandwidthKind});
    const pickOf = (report: ReturnType<typeof at>, id: string) => {
        const m = report.models.find((x) => x.model.id === id)!;
        return {quantization: m.bestQuantization, verdict: m.verdict};
    };
    /** The first bandwidth (2 % steps up from 10 GB/s) at which some model's pick differs 5 % higher. */
    const firstChange = () => {
        for (let bandwidth = 10e9; bandwidth < 150e9; bandwidth *= 1.02) {
            const here = at(bandwidth);
            const above = at(bandwidth * 1.05);
            const changed = here.models.find((m) => JSON.stringify(pickOf(above, m.model.id)) !== JSON.stringify(pickOf(here, m.model.id)));
            if (changed) return {bandwidth, id: changed.model.id, above: pickOf(above, changed.model.id)};
        }
        throw new Error("no pick changes with the bandwidth");
    };

    it("names the pick 5 % more or less measured bandwidth would give, and flags nothing where ±5 % changes nothing", () => {
        const change = firstChange();
        const report = at(change.bandwidth);
        const rec = report.models.find((m) => m.model.id === change.id)!;
        expect(rec.closeCall).toMatchObject({bandwidthChange: 0.05, higher: change.above});
        expect(rec.reasons.at(-1)).toMatch(/^A close call: .*5 % more would pick /);
        const below = at(change.bandwidth * 0.95);
        const above = at(change.bandwidth * 1.05);
        for (const m of report.models) {
            const same = (other: typeof below) => JSON.stringify(pickOf(other, m.model.id)) === JSON.stringify(pickOf(report, m.model.id));
            expect(m.closeCall === null, m.model.id).toBe(same(below) && same(above));
        }
    });

    it("does not call a table figure's pick close: only a measurement varies from run to run", () => {
        const change = firstChange();
        expect(at(change.bandwidth).models.some((m) => m.closeCall !== null)).toBe(true);
        expect(at(change.bandwidth, "peak").models.every((m) => m.closeCall === null)).toBe(true);
    });
});

describe("rankings kept between recommendations", () => {
    const now = new Date("2026-12-06T08:00:00Z");
    const optionsOf = (report: ReturnType<typeof recommendModels>) => report.models.map((m) => m.options);

    it("are reused for the same catalog, machine, settings, thresholds and measured speeds, with the same answer as ranking anew", () => {
        const rankings = createRankingCache();
        const first = recommendModels(catalog, cpuLaptop, {rankings, now});
        const again = recommendModels(catalog, cpuLaptop, {rankings, now});
        expect(again).toEqual(recommendModels(catalog, cpuLaptop, {now}));
        // Not ranked again: the same evaluated options come back.
        expect(optionsOf(again).every((options, i) => options === optionsOf(first)[i])).toBe(true);
    });

    it("rank anew when anything a ranking depends on changes", () => {
        const rankings = createRankingCache();
        const first = recommendModels(catalog, cpuLaptop, {rankings, now});
        const refreshed = catalog.map((m, i) => (i === 0 ? {...m, quantizations: m.quantizations.map((q) => ({...q, sizeBytes: q.sizeBytes + 1}))} : m));
        const changes: [string, Parameters<typeof recommendModels>][] = [
            ["catalog", [refreshed, cpuLaptop, {now}]],
            ["bandwidth", [catalog, {...cpuLaptop, cpuBandwidthBytesPerSecond: 50e9}, {now}]],
            ["context", [catalog, cpuLaptop, {now, contextSize: 16384}]],
            ["thresholds", [catalog, cpuLaptop, {now, thresholds: {...defaultThresholds, usableGenerationTps: 20}}]],
            ["measured speeds", [catalog, cpuLaptop, {now, measurements: [measuredSample({generationTokensPerSecond: 5, promptTokensPerSecond: 50})]}]]
        ];
        for (const [what, [models, hardware, options]] of changes) {
            const cached = recommendModels(models, hardware, {...options, rankings});
            expect(cached, what).toEqual(recommendModels(models, hardware, options));
            expect(optionsOf(cached).some((o, i) => o === optionsOf(first)[i]), what).toBe(false);
        }
    });
});

describe("speed calibration per weight type", () => {
    const sample = (over: Partial<MeasuredSpeed>) => measuredSample({parameterCount: 1e9 / (8.5 / 8), ...over});
    const shapeOfSample = (s: MeasuredSpeed): ModelShape => ({
        weightsBytes: s.activeBytesPerToken,
        architecture: {parameters: s.parameterCount!, activeParameters: null, layers: 16, embeddingLength: 2048, headCount: 16, headCountKv: 8, headDim: 128, contextLength: 32768, slidingWindow: null, slidingWindowLayers: 0, kvLayers: 16, vocabularySize: 0, feedForwardLength: 8192}
    });

    it("keeps each weight type's own factors (their kernels differ) and uses the overall one for a type never measured", () => {
        // Without attention layers the prediction is the weights' part alone, which these factors scale.
        const weightsOnly = (s: MeasuredSpeed): ModelShape => ({...shapeOfSample(s), architecture: {...shapeOfSample(s).architecture, kvLayers: 0}});
        const raw = (s: MeasuredSpeed) => predictAtDepth(weightsOnly(s), cpuLaptop, {depth: 0, weightType: s.quantization});
        const q8 = sample({});
        const q4 = sample({quantization: "Q4_0", activeBytesPerToken: 0.56e9, parameterCount: 1e9});
        const f16 = sample({quantization: "F16", activeBytesPerToken: 2e9, parameterCount: 1e9});
        const measurements = [
            {...q8, promptTokensPerSecond: raw(q8).promptTokensPerSecond * 1.5, generationTokensPerSecond: raw(q8).generationTokensPerSecond * 0.9},
            {...q4, promptTokensPerSecond: raw(q4).promptTokensPerSecond * 0.4, generationTokensPerSecond: raw(q4).generationTokensPerSecond * 0.6},
            {...f16, promptTokensPerSecond: raw(f16).promptTokensPerSecond * 0.5, generationTokensPerSecond: raw(f16).generationTokensPerSecond * 0.8, measuredAt: "2026-12-03T00:00:00Z"}
        ];
        const c = calibrationFrom(measurements, cpuLaptop)!;
        expect(c.byWeightType.Q8_0).toMatchObject({samples: 1, promptFactor: expect.closeTo(1.5, 3), generationFactor: expect.closeTo(0.9, 3)});
        expect(c.byWeightType.Q4_0).toMatchObject({promptFactor: expect.closeTo(0.4, 3), generationFactor: expect.closeTo(0.6, 3)});
        expect(c.promptFactor).toBeCloseTo(0.5, 3);
        expect(c.measuredAt).toBe("2026-12-03T00:00:00Z");
        const calibrated = (s: MeasuredSpeed, type: string) => predictAtDepth(weightsOnly(s), cpuLaptop, {depth: 0, weightType: type, calibration: c});
        expect(calibrated(q4, "Q4_0").promptTokensPerSecond / raw(q4).promptTokensPerSecond).toBeCloseTo(0.4, 3);
        expect(calibrated(q8, "Q8_0").promptTokensPerSecond / raw(q8).promptTokensPerSecond).toBeCloseTo(1.5, 3);
        expect(calibrated(q8, "Q5_K_M").promptTokensPerSecond / raw(q8).promptTokensPerSecond).toBeCloseTo(0.5, 3);
    });

    it("calibrates what the context adds from benchmarks at a depth, so deeper predictions follow", () => {
        const base = sample({kvBytesPerContextToken: 16 * 2 * 8 * 128 * 2, attentionFlopsPerContextToken: 4 * 16 * 16 * 128, promptTokens: 512});
        const shape = shapeOfSample(base);
        const at = (depth: number, calibration?: SpeedCalibration | null) => predictAtDepth(shape, cpuLaptop, {depth, weightType: "Q8_0", calibration});
        // Empty context as predicted; at 4k the context costs twice the predicted time in generation and three times in prompts.
        const deepTime = (depth: number) => {
            const empty = at(0);
            const raw = at(depth);
            return {tg: 1 / (1 / empty.generationTokensPerSecond + 2 * (1 / raw.generationTokensPerSecond - 1 / empty.generationTokensPerSecond)), pp: raw};
        };
        const measurements = [
            {...base, generationTokensPerSecond: at(0).generationTokensPerSecond, promptTokensPerSecond: at(0).promptTokensPerSecond},
            {...base, contextDepth: 4096, generationTokensPerSecond: deepTime(4096).tg, promptTokensPerSecond: at(4096).promptTokensPerSecond / 2}
        ];
        const c = calibrationFrom(measurements, cpuLaptop)!;
        expect(c.samples).toBe(2);
        // One depth shows no growth: the context's time stays linear in depth, scaled.
        expect(c.generationContext).toMatchObject({exponent: 0, samples: 1});
        expect(c.promptContext.factor).toBeGreaterThan(1.5);
        expect(at(16384, c).generationTokensPerSecond / deepTime(16384).tg).toBeCloseTo(1, 2);
        expect(at(16384, c).generationTokensPerSecond).toBeLessThan(at(16384).generationTokensPerSecond);
    });

    // A CPU's attention outgrows its cache: measured, the time the context adds grows faster than depth.
    const measuredWithContext = (base: MeasuredSpeed, context: {factor: number; growth: number}) => {
        const shape = shapeOfSample(base);
        const at = (depth: number) => predictAtDepth(shape, cpuLaptop, {depth, weightType: "Q8_0"});
        const weightsSeconds = 1 / at(0).generationTokensPerSecond;
        const measuredTg = (depth: number) => 1 / (weightsSeconds + context.factor * (depth / 4096) ** context.growth * (1 / at(depth).generationTokensPerSecond - weightsSeconds));
        const measure = (depth: number): MeasuredSpeed => ({...base, contextDepth: depth, generationTokensPerSecond: measuredTg(depth), promptTokensPerSecond: null});
        return {shape, measuredTg, measure};
    };
    const deepSample = (layers: number) => sample({modelFileBytes: layers * 6e7, activeBytesPerToken: layers * 6e7, kvBytesPerContextToken: layers * 2 * 8 * 128 * 2, attentionFlopsPerContextToken: 4 * layers * 16 * 128, promptTokens: 512});

    it("follows how fast the context's time grows from benchmarks of one model at two depths, so 16k is not read off 4k linearly", () => {
        const {shape, measuredTg, measure} = measuredWithContext(deepSample(16), {factor: 3, growth: 0.45});
        const c = calibrationFrom([measure(0), measure(2048), measure(4096)], cpuLaptop)!;
        expect(c.generationContext.exponent).toBeCloseTo(0.45, 2);
        const predicted = (depth: number, calibration: SpeedCalibration) => predictAtDepth(shape, cpuLaptop, {depth, weightType: "Q8_0", calibration}).generationTokensPerSecond;
        expect(predicted(16384, c) / measuredTg(16384)).toBeCloseTo(1, 2);
        // With only the 4k benchmark, the same machine's 16k would be predicted far too fast.
        const oneDepth = calibrationFrom([measure(0), measure(4096)], cpuLaptop)!;
        expect(oneDepth.generationContext.exponent).toBe(0);
        expect(predicted(16384, oneDepth) / measuredTg(16384)).toBeGreaterThan(1.5);
    });

    it("never reads a growth off two different models measured at one depth each", () => {
        // Pooled, ×2 at 2k on one model and ×4 at 8k on another would look like time ∝ depth^1.5.
        const small = measuredWithContext(deepSample(16), {factor: 2, growth: 0});
        const big = measuredWithContext(deepSample(32), {factor: 4, growth: 0});
        const c = calibrationFrom([small.measure(0), small.measure(2048), big.measure(0), big.measure(8192)], cpuLaptop)!;
        expect(c.generationContext.exponent).toBe(0);
    });

    it("scales a CPU's calibrated context term with the query heads reading each KV head, so one model's benchmark predicts another's", () => {
        // Same KV cache (8 KV heads), 16 or 32 query heads: on a CPU the attention, not the KV read, is the context's cost.
        const withHeads = (headCount: number) => {
            const base = sample({kvBytesPerContextToken: 16 * 2 * 8 * 128 * 2, attentionFlopsPerContextToken: 4 * 16 * headCount * 128, promptTokens: 512});
            const shape: ModelShape = {...shapeOfSample(base), architecture: {...shapeOfSample(base).architecture, headCount}};
            return {...measuredWithContext(base, {factor: headCount / 8, growth: 0}), shape};
        };
        const narrow = withHeads(16);
        const wide = withHeads(32);
        const c = calibrationFrom([narrow.measure(0), narrow.measure(4096)], cpuLaptop)!;
        const predicted = (m: typeof wide, depth: number) => predictAtDepth(m.shape, cpuLaptop, {depth, weightType: "Q8_0", calibration: c}).generationTokensPerSecond;
        expect(predicted(narrow, 8192) / narrow.measuredTg(8192)).toBeCloseTo(1, 2);
        expect(predicted(wide, 8192) / wide.measuredTg(8192)).toBeCloseTo(1, 2);
    });

    it("predicts the agent turn from the calibrated speeds of the file's own weight type", () => {
        const c: SpeedCalibration = {
            samples: 2,
            generationFactor: 1,
            promptFactor: 1,
            byWeightType: {Q3_K_M: {samples: 1, generationFactor: 0.8, promptFactor: 0.5}, Q8_0: {samples: 1, generationFactor: 1, promptFactor: 1}},
            generationContext: {factor: 1, exponent: 0, samples: 0},
            promptContext: {factor: 1, exponent: 0, samples: 0},
            measuredAt: "2026-12-03T00:00:00Z"
        };
        const q3 = shape("qwen3-8b", "Q3_K_M");
        const fit = estimateFit(q3, cpuLaptop);
        const raw = predictSpeed(q3, fit, cpuLaptop, {weightType: "Q3_K_M"});
        const calibrated = predictSpeed(q3, fit, cpuLaptop, {weightType: "Q3_K_M", calibration: c});
        expect(calibrated.calibrationLabel).toMatch(/^calibrated on this machine \(2026-12-03, Q3_K_M measured\)/);
        expect(calibrated.promptTokensPerSecond).toBeLessThan(raw.promptTokensPerSecond * 0.55);
        expect(calibrated).toMatchObject(agentTurnTimes(calibrated.promptTokensPerSecond, calibrated.generationAtDepthTokensPerSecond)!);
        expect(calibrated.agentTurnSeconds).toBeGreaterThan(raw.agentTurnSeconds * 1.5);
    });
});

describe("catalog lookup (what `agentfit pull <id[:quant]>` resolves through)", () => {
    const repository = {refreshed: () => [], bandwidths: () => []};

    it("resolves id:quant to the files to download, any case", () => {
        const lookup = createCatalogLookup({models: catalog, repository, latestSnapshot: () => undefined});
        expect(lookup.resolve("qwen2.5-coder-7b-instruct:q4_k_m")).toEqual({
            modelId: "qwen2.5-coder-7b-instruct",
            quantization: "Q4_K_M",
            huggingFaceRepo: "bartowski/Qwen2.5-Coder-7B-Instruct-GGUF",
            files: ["Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf"],
            sizeBytes: model("qwen2.5-coder-7b-instruct").quantizations.find((q) => q.quantization === "Q4_K_M")!.sizeBytes
        });
        const split = lookup.resolve("qwen2.5-coder-32b-instruct:F16");
        expect(split.files).toHaveLength(2);
        expect(split.files[0]).toMatch(/-00001-of-00002\.gguf$/);
    });

    it("picks the catalog default without a machine, and this machine's best quantization with one", async () => {
        const none = createCatalogLookup({models: catalog, repository, latestSnapshot: () => undefined});
        expect(none.resolve("qwen3-8b").quantization).toBe("Q4_K_M");
        const snapshot = {...(await probeHardware({modelsPath: "/m", appVersion: "t", sources: fixedMachine("rtx4060-32gb")})), id: 1};
        const withMachine = createCatalogLookup({models: catalog, repository, latestSnapshot: () => snapshot});
        const expected = recommendModels([model("qwen2.5-coder-1.5b-instruct")], profileFromSnapshot(snapshot)).models[0]!.bestQuantization;
        expect(withMachine.resolve("qwen2.5-coder-1.5b-instruct").quantization).toBe(expected);
        expect(expected).not.toBe("Q4_K_M");
        // The pick follows the Verdict's thresholds: when none is fast enough, the moderate Q4_K_M.
        const strict = {...defaultThresholds, usableTurnSeconds: 0.001, almostTurnSeconds: 0.002};
        const judgedStrictly = createCatalogLookup({models: catalog, repository, latestSnapshot: () => snapshot, thresholds: () => strict});
        expect(judgedStrictly.resolve("qwen2.5-coder-1.5b-instruct").quantization).toBe("Q4_K_M");
    });

    it("applies refreshed sizes, names and checksums", () => {
        const sha = "a".repeat(64);
        const lookup = createCatalogLookup({
            models: catalog,
            repository: {
                refreshed: () => [{modelId: "qwen3-8b", quantization: "Q4_K_M", files: ["Qwen_Qwen3-8B-Q4_K_M.gguf"], sizeBytes: 5_027_783_488, sha256: sha, refreshedAt: "2026-02-01T00:00:00Z"}],
                bandwidths: () => []
            },
            latestSnapshot: () => undefined
        });
        expect(lookup.resolve("qwen3-8b:Q4_K_M")).toMatchObject({sizeBytes: 5_027_783_488, sha256: sha});
        const q = lookup.model("qwen3-8b").quantizations.find((x) => x.quantization === "Q4_K_M")!;
        expect(q).toMatchObject({sizeEstimated: false, refreshedAt: "2026-02-01T00:00:00Z"});
        expect(q.sizeSource).toMatch(/Hugging Face API/);
    });

    it("throws CATALOG_NOT_FOUND with close matches", () => {
        const lookup = createCatalogLookup({models: catalog, repository, latestSnapshot: () => undefined});
        expect(() => lookup.resolve("qwen2.5-coder-7b")).toThrow(expect.objectContaining({code: "CATALOG_NOT_FOUND", message: expect.stringContaining("Did you mean: qwen2.5-coder-7b-instruct")}));
        expect(() => lookup.resolve("qwen3-8bb")).toThrow(/Did you mean: qwen3-8b/);
        expect(() => lookup.resolve("qwen3-8b:Q9_K")).toThrow(/qwen3-8b has no Q9_K file. Available: Q2_K, Q3_K_M, Q4_K_M/);
        expect(() => lookup.resolve("a:b:c")).toThrow(/not a catalog reference/);
        expect(() => lookup.resolve("totally-unknown-model-name")).toThrow(expect.objectContaining({code: "CATALOG_NOT_FOUND"}));
    });
});
