import {spawnSync} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {HardwareProfile, KvCacheType} from "../electron/api/ModelsApi.ts";
import {engineProcessBytes, llamaCppReservedBytes} from "../electron/core/catalog/estimateFit.ts";
import {inspectModel, shapeFromFacts} from "../electron/core/catalog/inspectModel.ts";
import {measureBandwidth} from "../electron/core/catalog/measureBandwidth.ts";
import {profileFromSnapshot} from "../electron/core/catalog/hardwareProfile.ts";
import {probeHardware} from "../electron/core/hardware/probeHardware.ts";
import {formatBytes} from "../electron/shared/format.ts";
import {ggufModelPresets, writeGgufModel, type WriteGgufModelOptions} from "../testkit/gguf/writeGgufModel.ts";
import {ensureGemma3, ensureSmolLM2} from "../testkit/testModels.ts";
import type {Benchmark} from "./index.ts";
import {machineLoadReadings} from "./machineLoadReadings.ts";
import {speedCalibrationAccuracy} from "./speedCalibration.ts";
import {ratioLine} from "./stats.ts";

interface Case {
    label: string;
    file: string;
    contextSize: number;
    flashAttention: boolean;
    kvCacheType: KvCacheType;
    speed?: boolean;
}

interface ChildResult {
    rssGrowth: number;
    reported: {weights: number; kv: number; compute: number; output: number};
    speed: {pp: number; tg: number} | null;
}

const threads = Number(process.env.AGENTFIT_BENCH_THREADS ?? 2);

function runChild(c: Case): ChildResult {
    const result = spawnSync(
        process.execPath,
        ["bin/run-ts.js", "bench/loadModelChild.ts", JSON.stringify({file: c.file, contextSize: c.contextSize, flashAttention: c.flashAttention, kvCacheType: c.kvCacheType, threads, fillTokens: 1024, speed: c.speed ?? false})],
        {env: {...process.env, UV_THREADPOOL_SIZE: "1"}, encoding: "utf8", maxBuffer: 16 * 1024 * 1024}
    );
    const line = result.stdout.trim().split("\n").at(-1);
    if (result.status !== 0 || !line?.startsWith("{")) throw new Error(`loading ${c.label} failed: ${result.stderr.slice(-2000)}`);
    return JSON.parse(line) as ChildResult;
}

/**
 * Targets: the memory estimate is within ±10 % of what node-llama-cpp really uses when it loads the
 * model at that context (generated GGUF models of several sizes, weight types, contexts, KV types,
 * with and without flash attention, and the real SmolLM2-135M-Instruct); predicted generation speed
 * is printed next to the measured one on this machine.
 */
export const recommendAccuracyBenchmark: Benchmark = {
    name: "recommend",
    description: "memory estimate vs what node-llama-cpp really uses (±10 %), predicted vs measured speed",
    async run() {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-bench-recommend-"));
        try {
            const write = (name: string, options: WriteGgufModelOptions) => writeGgufModel(path.join(dir, name), options).path;
            const medium = write("medium-Q4_0.gguf", {...ggufModelPresets.medium, type: "Q4_0", contextLength: 32768});
            const large = write("large-Q8_0.gguf", {...ggufModelPresets.large, type: "Q8_0", contextLength: 32768});
            const largeF16 = write("large-F16.gguf", {...ggufModelPresets.large, type: "F16", contextLength: 32768});
            const smallF32 = write("small-F32.gguf", {...ggufModelPresets.small, type: "F32", contextLength: 16384});
            const gqa = write("wide-gqa-Q4_0.gguf", {embeddingLength: 1536, blockCount: 12, headCount: 24, headCountKv: 4, extraVocabTokens: 16384, type: "Q4_0", contextLength: 65536});
            const smol = ensureSmolLM2();
            const gemma = ensureGemma3();
            const cases: Case[] = [
                {label: "medium 28M Q4_0, 4k, FA", file: medium, contextSize: 4096, flashAttention: true, kvCacheType: "f16", speed: true},
                {label: "medium 28M Q4_0, 32k, FA, KV q8_0", file: medium, contextSize: 32768, flashAttention: true, kvCacheType: "q8_0"},
                {label: "large 250M Q8_0, 8k, FA", file: large, contextSize: 8192, flashAttention: true, kvCacheType: "f16", speed: true},
                {label: "large 250M Q8_0, 32k, FA", file: large, contextSize: 32768, flashAttention: true, kvCacheType: "f16"},
                {label: "large 250M Q8_0, 32k, FA, KV q4_0", file: large, contextSize: 32768, flashAttention: true, kvCacheType: "q4_0"},
                {label: "large 250M Q8_0, 8k, no FA", file: large, contextSize: 8192, flashAttention: false, kvCacheType: "f16"},
                {label: "large 250M F16, 16k, FA", file: largeF16, contextSize: 16384, flashAttention: true, kvCacheType: "f16", speed: true},
                {label: "small 4M F32, 16k, no FA", file: smallF32, contextSize: 16384, flashAttention: false, kvCacheType: "f16"},
                {label: "wide GQA 6:1 Q4_0, 64k, FA", file: gqa, contextSize: 65536, flashAttention: true, kvCacheType: "f16"},
                {label: "SmolLM2-135M Q4_1, 8k, FA", file: smol, contextSize: 8192, flashAttention: true, kvCacheType: "f16", speed: true},
                {label: "SmolLM2-135M Q4_1, 8k, no FA", file: smol, contextSize: 8192, flashAttention: false, kvCacheType: "f16"},
                {label: "SmolLM2-135M Q4_1, 32k, FA, KV q8_0", file: smol, contextSize: 32768, flashAttention: true, kvCacheType: "q8_0"},
                {label: "SmolLM2-135M Q4_1, 4k, FA", file: smol, contextSize: 4096, flashAttention: true, kvCacheType: "f16"},
                {label: "Gemma 3 270M Q4_K_M, 32k, FA", file: gemma, contextSize: 32768, flashAttention: true, kvCacheType: "f16"},
                {label: "Gemma 3 270M Q4_K_M, 4k, FA", file: gemma, contextSize: 4096, flashAttention: true, kvCacheType: "f16"}
            ];

            const snapshot = await probeHardware({modelsPath: dir, appVersion: "bench"});
            const bandwidth = await measureBandwidth({threads});
            const hardware: HardwareProfile = {
                ...profileFromSnapshot(snapshot, {threads}),
                cpuBandwidthBytesPerSecond: bandwidth.bytesPerSecond,
                bandwidthKind: "measured",
                bandwidthSource: bandwidth.method,
                backend: "cpu",
                vramBytes: 0
            };
            console.log(`   machine: ${snapshot.cpu.brand}, ${threads} threads, measured bandwidth ${(bandwidth.bytesPerSecond / 1e9).toFixed(1)} GB/s (${bandwidth.method})`);
            // Other processes' load: during the bandwidth measurement, then just before each speed run (runChild is synchronous, so nothing of ours runs then).
            const beforeSpeeds = machineLoadReadings();
            beforeSpeeds.add(bandwidth.load);
            await beforeSpeeds.sample();
            const busyBefore = beforeSpeeds.warning("before the speed runs", "speeds will be off");
            if (busyBefore) console.log(`   ${busyBefore}`);
            const betweenSpeeds = machineLoadReadings();
            console.log(`   ${"case".padEnd(38)} ${"estimate".padStart(9)} ${"resolver".padStart(9)} ${"llama.cpp".padStart(9)} ${"RSS".padStart(9)}  est/alloc  est/RSS  resolver/alloc`);

            const ratios: {label: string; alloc: number; rss: number}[] = [];
            const speeds: {label: string; tgPred: number; tgMeas: number; ppPred: number; ppMeas: number}[] = [];
            for (const c of cases) {
                const report = await inspectModel(c.file, {hardware, contextSize: c.contextSize, flashAttention: c.flashAttention, kvCacheType: c.kvCacheType});
                if (c.speed) await betweenSpeeds.sample();
                const measured = runChild(c);
                const allocated = measured.reported.weights + measured.reported.kv + measured.reported.compute + measured.reported.output;
                const estimate = report.fit.ramNeededBytes;
                const resolver = report.resolver?.ramNeededBytes ?? NaN;
                // The child's RSS baseline already holds the engine process (Node + addon); llama.cpp's buffers exclude its runtime state too.
                const alloc = llamaCppReservedBytes(shapeFromFacts(report.facts), report.fit.settings) / allocated;
                const rss = (estimate - engineProcessBytes) / measured.rssGrowth;
                ratios.push({label: c.label, alloc, rss});
                console.log(
                    `   ${c.label.padEnd(38)} ${formatBytes(estimate).padStart(9)} ${formatBytes(resolver).padStart(9)} ${formatBytes(allocated).padStart(9)} ${formatBytes(measured.rssGrowth).padStart(9)}  ${alloc.toFixed(3).padStart(9)} ${rss.toFixed(3).padStart(8)}  ${(resolver / allocated).toFixed(3).padStart(14)}`
                );
                if (measured.speed) speeds.push({label: c.label, tgPred: report.speed.generationTokensPerSecond, tgMeas: measured.speed.tg, ppPred: report.speed.promptTokensPerSecond, ppMeas: measured.speed.pp});
            }
            console.log("   (estimate = AgentFit arithmetic, RAM incl. the engine process; est/alloc leaves out the process and llama.cpp runtime, est/RSS the process: the child measures growth after loading the addon)");
            console.log("   (llama.cpp = its reported model + KV + compute + output buffers, the memory it reserves at that context; RSS = growth while loading and filling 1024 tokens)");
            const worstAlloc = ratios.reduce((w, r) => (Math.abs(r.alloc - 1) > Math.abs(w.alloc - 1) ? r : w));
            const worstRss = ratios.reduce((w, r) => (Math.abs(r.rss - 1) > Math.abs(w.rss - 1) ? r : w));
            console.log(ratioLine(`lowest estimate ÷ llama.cpp allocation`, Math.min(...ratios.map((r) => r.alloc)), {atLeast: 0.9}));
            console.log(ratioLine(`highest estimate ÷ llama.cpp allocation`, Math.max(...ratios.map((r) => r.alloc)), {atMost: 1.1}));
            console.log(`   worst vs allocation: ${worstAlloc.label} (${worstAlloc.alloc.toFixed(3)}×); worst vs RSS: ${worstRss.label} (${worstRss.rss.toFixed(3)}×)`);
            console.log(
                "   RSS is lower than the reservation while the context is mostly empty: llama.cpp touches the attention buffers (and, without flash attention, the scores) only up to the filled part, and the logits of the last token only."
            );
            console.log("");
            console.log(`   ${"speed (depth 0)".padEnd(38)} ${"tg pred".padStart(8)} ${"tg meas".padStart(8)} ${"ratio".padStart(6)}   ${"pp pred".padStart(8)} ${"pp meas".padStart(8)} ${"ratio".padStart(6)}`);
            for (const s of speeds)
                console.log(
                    `   ${s.label.padEnd(38)} ${s.tgPred.toFixed(1).padStart(8)} ${s.tgMeas.toFixed(1).padStart(8)} ${(s.tgMeas / s.tgPred).toFixed(2).padStart(6)}   ${s.ppPred.toFixed(0).padStart(8)} ${s.ppMeas.toFixed(0).padStart(8)} ${(s.ppMeas / s.ppPred).toFixed(2).padStart(6)}`
                );
            console.log("   (these predictions are uncalibrated; the calibrated ones follow)");
            const busyBetween = betweenSpeeds.warning("just before the speed runs", "the measured column is not this machine's real speed");
            if (busyBetween) console.log(`   ${busyBetween}`);
            console.log("");
            await speedCalibrationAccuracy(dir);
        } finally {
            fs.rmSync(dir, {recursive: true, force: true});
        }
    }
};
