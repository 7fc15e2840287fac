import {describe, expect, it} from "vitest";
import type {EndpointBenchRun} from "../../electron/api/EndpointsApi.ts";
import {loadCatalog} from "../../electron/core/catalog/loadCatalog.ts";
import {serverGpus, serverPresets} from "../../electron/core/catalog/serverPresets.ts";
import {serverMeasurements, smallestServer} from "../../electron/core/catalog/smallestServer.ts";
import {summarize} from "../../electron/core/endpoints/runEndpointBenchmark.ts";
import {defaultThresholds} from "../../electron/core/rules/defaultThresholds.ts";

const catalog = loadCatalog();
const model = catalog.find((m) => m.id === "qwen2.5-coder-32b-instruct")!;
const q8 = model.quantizations.find((q) => q.quantization === "Q8_0")!;

/** A completed endpoint run as the store keeps it: a server on an L4 that reported serving the catalog's Q8_0 file. */
function l4Run(generationTps: number): EndpointBenchRun {
    const empty = {ttft: [], generation: [], agent: null, concurrency: []};
    return {
        id: 7,
        createdAt: "2026-12-05T10:00:00.000Z",
        completedAt: "2026-12-05T10:05:00.000Z",
        status: "completed",
        spec: {baseUrl: "http://gpu:8080/v1", model: "qwen", protocol: "openai", apiKeyEnv: null, promptSizes: [], generatedTokens: 0, repetitions: 1, agentTurns: 0, concurrency: [], concurrencyTokens: 8, serverGpu: "l4"},
        endpointKey: "endpoint:http://gpu:8080/v1",
        server: {kind: "llama-server", models: ["qwen"], reportedModel: `/models/${q8.files[0]}`, quantization: "Q8_0", contextSize: 32768, parallelSlots: 1},
        phase: null,
        phasesDone: ["generation"],
        ...empty,
        summary: {...summarize(empty), generationTps},
        error: null,
        appVersion: "0.1.0"
    };
}

describe("server presets", () => {
    it("state every GPU's spec-sheet figures with a source, and order boxes smallest first", () => {
        for (const gpu of serverGpus) expect(gpu.source).toMatch(/datasheet/);
        expect(serverPresets.map((p) => p.vramGB)).toEqual([...serverPresets.map((p) => p.vramGB)].sort((a, b) => a - b));
        expect(serverPresets.find((p) => p.id === "8x-h100-80gb")).toMatchObject({vramGB: 640, bandwidthGBps: 3350, gpuCount: 8});
    });

    it("finds the smallest preset on which a model is usable at the agent context with the laptop's fit and speed model", () => {
        const report = smallestServer(model, q8, {contextSize: 32768}, defaultThresholds, []);
        // 34.5 GB of weights plus a 32k f16 KV cache (64 layers × 8 KV heads × 128 × 2 × 2 bytes × 32768 ≈ 8.6 GB) fit
        // neither a 24 GB card nor the 40 GB A100: the 48 GB L40S is the first that holds it all.
        const l4 = report.candidates.find((c) => c.preset.id === "1x-l4")!;
        expect(l4.usable).toBe(false);
        expect(l4.reason).toMatch(/VRAM|does not fit/);
        expect(report.candidates.find((c) => c.preset.id === "1x-a100-40gb")!.usable).toBe(false);
        expect(report.smallest).toBe("1x-l40s");
        const fourL4 = report.candidates.find((c) => c.preset.id === "4x-l4")!;
        // Split by layers: 96 GB of VRAM, but the speed of one L4's 300 GB/s.
        expect(fourL4.option.fit.fitClass).toBe("gpu-full");
        expect(fourL4.option.speed.generationAtDepthTokensPerSecond).toBeLessThan(10);
        expect(report.calibratedBy).toEqual({});
    });

    it("is calibrated by a server benchmark of the same GPU type, for every box of that GPU and no other", () => {
        const plain = smallestServer(model, q8, {contextSize: 32768}, defaultThresholds, []);
        const predictedOnL4 = plain.candidates.find((c) => c.preset.id === "4x-l4")!.option.speed.generationTokensPerSecond;
        const measurements = serverMeasurements([l4Run(predictedOnL4 / 2)], catalog);
        expect(measurements).toHaveLength(1);
        const calibrated = smallestServer(model, q8, {contextSize: 32768}, defaultThresholds, measurements);
        expect(calibrated.calibratedBy).toEqual({l4: [7]});
        const factor = calibrated.candidates.find((c) => c.preset.id === "4x-l4")!.option.speed.calibration!.generationFactor;
        expect(factor).toBeGreaterThan(0.4);
        expect(factor).toBeLessThan(0.6);
        expect(calibrated.candidates.find((c) => c.preset.id === "1x-a100-40gb")!.option.speed.calibration).toBeNull();
    });
});
