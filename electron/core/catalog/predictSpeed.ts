import type {FitEstimate, HardwareProfile, MeasuredSpeed, SpeedPrediction} from "../../api/ModelsApi.ts";
import {agentTurnShape, agentTurnTimes} from "../../shared/agentTurn.ts";
import {activeWeightBytes, kvCacheBytes, type ModelShape} from "./estimateFit.ts";
import {bitsPerWeight} from "./quantizations.ts";

/**
 * Share of memory bandwidth generation reaches. llama-bench reached 79–100 % of a STREAM-measured
 * bandwidth here (docs/FACTS.md §6); against vendors' theoretical peaks, llmfit-style estimates use
 * 0.55–0.70 (docs/FACTS.md §2). GPUs stream weights closer to their peak.
 */
const efficiency = {measuredCpu: 0.85, peakCpu: 0.6, gpu: 0.7};
/**
 * Share of peak FLOP/s prompt processing reaches (llama.cpp's matmuls on CPU; GPU kernels). It varies
 * with the weight type (Q8_0 fast, F16 and Q4_1 slow on AVX2); 0.3 is the geometric mean measured here
 * by `npm run bench -- recommend`. Measured benchmarks calibrate it per machine.
 */
const computeEfficiency = {cpu: 0.3, gpu: 0.35};
/** Host-to-GPU copy rate for weights kept in RAM (PCIe 4.0 x8–x16 in practice, as laptop GPUs are wired). */
const pcieBytesPerSecond = 16e9;
const ubatchTokens = 512;
/** Time per generated token outside the weight streaming: sampling, the JS/N-API call, graph setup (docs/FACTS.md §3, ≈ 0.5 ms). */
const perTokenOverheadSeconds = 0.0004;
/** Tokens of the first request of an agent session: system prompt, tool definitions and file contents. */
export const agentPromptTokens = agentTurnShape.firstPromptTokens;

export interface SpeedCalibration {
    samples: number;
    generationFactor: number;
    promptFactor: number;
}

/** Seconds per generated token: the GPU share of the bytes over GPU bandwidth, the rest over RAM bandwidth. */
function secondsPerToken(bytes: number, gpuShare: number, hardware: HardwareProfile): number {
    const cpuEff = hardware.bandwidthKind === "measured" ? efficiency.measuredCpu : efficiency.peakCpu;
    const gpuBytes = bytes * gpuShare;
    const cpuBytes = bytes - gpuBytes;
    const gpuTime = gpuBytes > 0 ? gpuBytes / (hardware.gpuBandwidthBytesPerSecond * efficiency.gpu || 1) : 0;
    const cpuTime = cpuBytes > 0 ? cpuBytes / (hardware.cpuBandwidthBytesPerSecond * cpuEff) : 0;
    return gpuTime + cpuTime + perTokenOverheadSeconds;
}

/**
 * Prompt tokens/s. With a discrete GPU, llama.cpp runs large batches on the GPU even for layers kept in
 * RAM, copying their weights over PCIe once per 512-token batch; on unified memory or without a GPU the
 * CPU layers compute on the CPU.
 */
function promptTokensPerSecond(flopsPerToken: number, gpuShare: number, hardware: HardwareProfile, weightsBytes: number): number {
    const discrete = hardware.vramBytes > 0 && !hardware.unifiedMemory && hardware.gpuFlops > 0;
    if (discrete && gpuShare > 0) {
        const compute = flopsPerToken / (hardware.gpuFlops * computeEfficiency.gpu);
        const transfer = (weightsBytes * (1 - gpuShare)) / (pcieBytesPerSecond * ubatchTokens);
        return 1 / (compute + transfer);
    }
    const gpuTime = gpuShare > 0 && hardware.gpuFlops > 0 ? (flopsPerToken * gpuShare) / (hardware.gpuFlops * computeEfficiency.gpu) : 0;
    const cpuShare = hardware.gpuFlops > 0 ? 1 - gpuShare : 1;
    const cpuTime = cpuShare > 0 ? (flopsPerToken * cpuShare) / (hardware.cpuFlops * computeEfficiency.cpu) : 0;
    return 1 / (gpuTime + cpuTime);
}

/** Uncalibrated generation speed of a file of `activeBytes` per token with `gpuShare` of it on the GPU. */
export function rawGenerationSpeed(activeBytes: number, gpuShare: number, hardware: HardwareProfile): number {
    return 1 / secondsPerToken(activeBytes, gpuShare, hardware);
}

/** Uncalibrated prompt speed for a model with `activeParameters` per token. */
export function rawPromptSpeed(activeParameters: number, gpuShare: number, hardware: HardwareProfile, weightsBytes = 0): number {
    return promptTokensPerSecond(2 * activeParameters, gpuShare, hardware, weightsBytes);
}

/** Smaller models are bound by per-token overhead, not memory bandwidth (docs/FACTS.md §3), so they would skew a calibration. */
export const MIN_CALIBRATION_BYTES = 256 * 1024 * 1024;

/**
 * Calibration factors (measured ÷ predicted, median) from benchmarks of this machine. Only samples
 * comparable with the prediction count: this machine, an empty context (the raw prediction has no
 * KV reads), the thread count predictions assume on the CPU, and models big enough to be
 * bandwidth-bound. Factors are clamped to ¼–4× so one odd sample cannot run away.
 */
export function calibrationFrom(samples: readonly MeasuredSpeed[], hardware: HardwareProfile): SpeedCalibration | null {
    if (!hardware.hardwareKey) return null;
    const mine = samples.filter(
        (s) =>
            s.hardwareKey === hardware.hardwareKey &&
            s.contextDepth === 0 &&
            s.activeBytesPerToken >= MIN_CALIBRATION_BYTES &&
            (s.gpuLayers > 0 || s.threads === hardware.cpuThreads)
    );
    const gen: number[] = [];
    const pp: number[] = [];
    for (const s of mine) {
        const gpuShare = s.gpuLayers > 0 && hardware.vramBytes > 0 ? 1 : 0;
        if (s.generationTokensPerSecond && s.activeBytesPerToken > 0)
            gen.push(s.generationTokensPerSecond / rawGenerationSpeed(s.activeBytesPerToken, gpuShare, hardware));
        if (s.promptTokensPerSecond && s.activeBytesPerToken > 0) {
            // Parameters from bytes and the quantization's bits per weight (Q4_K_M when unknown).
            const bits = bitsPerWeight[(s.quantization ?? "Q4_K_M").toUpperCase()] ?? bitsPerWeight.Q4_K_M!;
            pp.push(s.promptTokensPerSecond / rawPromptSpeed(s.activeBytesPerToken / (bits / 8), gpuShare, hardware));
        }
    }
    if (gen.length === 0 && pp.length === 0) return null;
    const clamp = (v: number) => Math.min(4, Math.max(0.25, v));
    return {samples: mine.length, generationFactor: gen.length ? clamp(median(gen)) : 1, promptFactor: pp.length ? clamp(median(pp)) : 1};
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Predicted speed of a model placed as `fit` says: generation from memory bandwidth ÷ bytes read per
 * token (active weights, plus the KV cache read at that depth) × an efficiency factor; prompt
 * processing from compute throughput. Calibrated from measured benchmarks of this machine when there
 * are any, and shown next to a measurement of the same file when there is one.
 */
export function predictSpeed(
    shape: ModelShape,
    fit: FitEstimate,
    hardware: HardwareProfile,
    options: {calibration?: SpeedCalibration | null; measured?: SpeedPrediction["measured"]} = {}
): SpeedPrediction {
    const a = shape.architecture;
    const gpuShare = fit.totalLayers > 0 ? fit.gpuLayers / fit.totalLayers : 0;
    const weights = activeWeightBytes(shape);
    const depth = Math.floor(fit.settings.contextSize / 2);
    const kvAtDepth = kvCacheBytes(shape, depth, fit.settings.kvCacheType).total;
    const calibration = options.calibration ?? null;
    const genFactor = calibration?.generationFactor ?? 1;
    const ppFactor = calibration?.promptFactor ?? 1;
    const generation = (1 / secondsPerToken(weights, gpuShare, hardware)) * genFactor;
    const generationAtDepth = (1 / secondsPerToken(weights + kvAtDepth, gpuShare, hardware)) * genFactor;
    const activeParameters = a.activeParameters ?? a.parameters;
    // Attention adds 4 × layers × heads × head dim FLOPs per token per token of context; half the prompt on average.
    const attentionFlops = 4 * a.kvLayers * a.headCount * a.headDim * (agentPromptTokens / 2);
    const prompt = promptTokensPerSecond(2 * activeParameters + attentionFlops, gpuShare, hardware, shape.weightsBytes) * ppFactor;
    const where = fit.gpuLayers === 0 ? "RAM" : fit.gpuLayers === fit.totalLayers ? "GPU memory" : `GPU memory (${fit.gpuLayers}/${fit.totalLayers} layers) and RAM`;
    const bandwidth = fit.gpuLayers === fit.totalLayers ? hardware.gpuBandwidthBytesPerSecond : hardware.cpuBandwidthBytesPerSecond;
    return {
        predicted: true,
        generationTokensPerSecond: generation,
        generationAtDepthTokensPerSecond: generationAtDepth,
        depth,
        promptTokensPerSecond: prompt,
        agentPromptSeconds: agentPromptTokens / prompt,
        ...agentTurnTimes(prompt, generationAtDepth)!,
        bytesPerToken: weights,
        basis:
            `${(weights / 1e9).toFixed(2)} GB read per token from ${where} at ${(bandwidth / 1e9).toFixed(0)} GB/s (${hardware.bandwidthKind === "measured" ? "measured" : "peak"})` +
            (calibration ? `, calibrated by ${calibration.samples} benchmark${calibration.samples === 1 ? "" : "s"} of this machine (×${genFactor.toFixed(2)})` : ""),
        calibration,
        measured: options.measured ?? null
    };
}
