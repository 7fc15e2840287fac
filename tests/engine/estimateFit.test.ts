import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {getLlama, LlamaLogLevel, type Llama} from "node-llama-cpp";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {HardwareProfile, KvCacheType} from "../../electron/api/ModelsApi.ts";
import {createAppService} from "../../electron/core/AppService.ts";
import {llamaCppReservedBytes} from "../../electron/core/catalog/estimateFit.ts";
import {inspectModel, shapeFromFacts} from "../../electron/core/catalog/inspectModel.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {createTempHome} from "../../testkit/tempHome.ts";
import {ensureGemma3, ensureSmolLM2} from "../../testkit/testModels.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-fit-engine-"));
let llama: Llama;
const logs: string[] = [];

beforeAll(async () => {
    llama = await getLlama({gpu: false, maxThreads: 2, build: "never", logLevel: LlamaLogLevel.info, logger: (_level, message) => void logs.push(message)});
});
afterAll(async () => {
    await llama.dispose();
    fs.rmSync(dir, {recursive: true, force: true});
});

const cpu: HardwareProfile = {
    label: "test",
    hardwareKey: null,
    backend: "cpu",
    ramBytes: 16 * 1024 ** 3,
    ramReserveBytes: 2 * 1024 ** 3,
    gpuName: null,
    vramBytes: 0,
    unifiedMemory: false,
    cpuBandwidthBytesPerSecond: 20e9,
    gpuBandwidthBytesPerSecond: 0,
    bandwidthSource: "test",
    bandwidthKind: "measured",
    bandwidthUnderLoad: false,
    bandwidthMeasurement: null,
    cpuThreads: 2,
    cpuFlops: 1e11,
    gpuFlops: 0
};

/** What llama.cpp itself says it allocated for a model and context: its model, KV, compute and output buffers. */
async function allocatedByLlamaCpp(file: string, contextSize: number, flashAttention: boolean, kvCacheType: KvCacheType): Promise<number> {
    logs.length = 0;
    const kv = kvCacheType.toUpperCase() as "F16" | "Q8_0" | "Q4_0";
    // Without mmap every weight is allocated once; with mmap, Q4_0 weights repacked for AVX2 would be counted twice (mapped and repacked).
    await using model = await llama.loadModel({modelPath: file, useMmap: false});
    await using _context = await model.createContext({contextSize, threads: 2, flashAttention, experimentalKvCacheKeyType: kv, experimentalKvCacheValueType: kv});
    await new Promise((resolve) => setTimeout(resolve, 100)); // llama.cpp's log lines reach JS asynchronously
    const all = logs.join("");
    const text = all.slice(Math.max(0, all.lastIndexOf("llama_model_loader: loaded meta data")));
    const sizes = [...text.matchAll(/(?:model|KV|compute|output) buffer size =\s*([\d.]+) MiB/g)].map((m) => Number(m[1]) * 1024 ** 2);
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    return sizes.reduce((a, b) => a + b, 0);
}

const medium = writeGgufModel(path.join(dir, "medium-Q4_0.gguf"), {...ggufModelPresets.medium, type: "Q4_0", contextLength: 32768}).path;

describe("the buffers llama.cpp reserves, against its own log", () => {
    const cases: [string, () => string, number, boolean, KvCacheType][] = [
        ["generated 28M Q4_0 at 16k, flash attention", () => medium, 16384, true, "f16"],
        ["generated 28M Q4_0 at 8k, no flash attention", () => medium, 8192, false, "f16"],
        ["generated 28M Q4_0 at 32k, KV q8_0", () => medium, 32768, true, "q8_0"],
        ["SmolLM2-135M-Instruct at 8k", ensureSmolLM2, 8192, true, "f16"],
        ["Gemma 3 270M (sliding window, 262k vocabulary) at 32k", ensureGemma3, 32768, true, "f16"]
    ];
    for (const [label, file, contextSize, flashAttention, kvCacheType] of cases)
        it(`match within 3 %: ${label}`, async () => {
            const report = await inspectModel(file(), {hardware: cpu, contextSize, flashAttention, kvCacheType, useResolver: false});
            const reserved = llamaCppReservedBytes(shapeFromFacts(report.facts), {contextSize, flashAttention, kvCacheType});
            const allocated = await allocatedByLlamaCpp(file(), contextSize, flashAttention, kvCacheType);
            expect(reserved / allocated).toBeGreaterThan(0.97);
            expect(reserved / allocated).toBeLessThan(1.03);
        });
});

describe("the memory a load takes in the engine process, against AgentFit's estimate", () => {
    // The real engine process (one per load, so no load inherits another's freed memory), mmap'd
    // weights as served, one thread; measured after the engine's warm-up evaluation.
    const cases: [string, () => string, number][] = [
        ["SmolLM2-135M-Instruct (Q4_1, llama) at its trained 8k", ensureSmolLM2, 8192],
        ["SmolLM2-135M-Instruct at 4k", ensureSmolLM2, 4096],
        ["Gemma 3 270M (Q4_K_M, gemma3 with sliding-window layers) at its trained 32k", ensureGemma3, 32768],
        ["Gemma 3 270M at 4k", ensureGemma3, 4096],
        ["a generated 28M Q4_0 model (repacked weights) at 16k", () => medium, 16384]
    ];
    for (const [label, file, contextSize] of cases)
        it(`is within 10 %: ${label}`, async () => {
            using home = createTempHome();
            await using app = await createAppService({paths: home, measureBandwidthAutomatically: false});
            const status = await app["engine.start"]({model: file(), settings: {contextSize, threads: 1, flashAttention: true}, server: {port: 0}});
            const memory = status.model!.memory;
            expect(memory.estimatedBy).toBe("agentfit");
            const ratio = memory.estimatedRamBytes / memory.residentBytes;
            console.log(`${label}: estimate ${(memory.estimatedRamBytes / 2 ** 20).toFixed(1)} MiB, measured ${(memory.residentBytes / 2 ** 20).toFixed(1)} MiB, ${ratio.toFixed(3)}×`);
            expect(ratio).toBeGreaterThan(0.9);
            expect(ratio).toBeLessThan(1.1);
            // What the fit counts adds the compute workspace a full batch at full depth fills.
            expect(memory.estimatedPeakRamBytes).toBeGreaterThan(memory.estimatedRamBytes);
            await app["engine.stop"]({});
        }, 240_000);
});
