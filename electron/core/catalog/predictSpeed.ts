import type {FitEstimate, HardwareProfile, KvCacheType, MeasuredSpeed, SpeedPrediction} from "../../api/ModelsApi.ts";
import {agentSessionDepth, agentTurnShape, agentTurnTimes} from "../../shared/agentTurn.ts";
import {activeWeightBytes, kvCacheBytes, type ModelShape} from "./estimateFit.ts";
import {medianOf} from "./measureBandwidth.ts";
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

/** Measured ÷ predicted speed for one weight type (its kernels set prompt speed; its layout the bytes streamed). */
export interface WeightTypeFactors {
    samples: number;
    generationFactor: number;
    promptFactor: number;
}

export interface SpeedCalibration {
    samples: number;
    /** Over every weight type (used for a type never measured here). */
    generationFactor: number;
    promptFactor: number;
    /** Per weight type ("Q4_K_M", "Q8_0", "F16", …), from benchmarks at an empty context. */
    byWeightType: Record<string, WeightTypeFactors>;
    /**
     * What the context adds to the time per token (reading or attending over the KV cache while
     * generating, on a CPU per attention FLOP per KV byte; attention while reading a prompt), from
     * benchmarks at a depth; ×1 with linear growth until one exists.
     */
    generationContext: ContextTermCalibration;
    promptContext: ContextTermCalibration;
    /** The newest measurement it rests on (ISO time). */
    measuredAt: string;
}

/**
 * Measured ÷ modelled time of one context term: `factor` at `contextReferenceDepth` tokens, growing as
 * (depth ÷ contextReferenceDepth)^`exponent`. The model's own term is linear in depth; on a CPU the
 * measured one grows faster once the cache no longer holds a layer's KV (a Zen 2 with 8 MB of L3:
 * generation's context time ∝ depth^1.45 from 2k to 16k, FACTS §9), which one factor cannot follow.
 */
export interface ContextTermCalibration {
    factor: number;
    exponent: number;
    /** Benchmarks at a depth it rests on (0: uncalibrated, ×1 and linear). */
    samples: number;
}

/** The depth a context term's factor is stated at (the depth of the calibration's deepest test). */
export const contextReferenceDepth = 4096;

const uncalibratedContextTerm: ContextTermCalibration = {factor: 1, exponent: 0, samples: 0};

/** The multiplier of a context term's modelled time at `depth` tokens. */
export function contextTermMultiplier(term: ContextTermCalibration, depth: number): number {
    return depth > 0 ? term.factor * (depth / contextReferenceDepth) ** term.exponent : 1;
}

/** A calibration factor kept within ¼–`max`× so one odd sample cannot run away. */
const clampFactor = (v: number, max: number) => Math.min(max, Math.max(0.25, v));

/** Growth exponents outside 0–1 are noise: the context's time per token grows at least linearly with depth (as modelled) and at most as depth². */
const clampExponent = (v: number) => Math.min(1, Math.max(0, v));

/**
 * The context term from samples of measured ÷ modelled time at a depth, each tagged with the model
 * it measured: the growth exponent is the median of each model's log-log slope over its depths (a
 * model measured at one depth shows none), so models of different shapes never fake a slope; the
 * factor is the median of the samples brought to the reference depth.
 */
function contextTermFrom(samples: readonly {model: string; depth: number; ratio: number}[]): ContextTermCalibration {
    const usable = samples.filter((s) => s.ratio > 0 && Number.isFinite(s.ratio) && s.depth > 0);
    if (usable.length === 0) return uncalibratedContextTerm;
    const slopes: number[] = [];
    for (const model of new Set(usable.map((s) => s.model))) {
        const points = usable.filter((s) => s.model === model).map((s) => ({x: Math.log(s.depth), y: Math.log(s.ratio)}));
        const xs = points.map((p) => p.x);
        if (Math.max(...xs) - Math.min(...xs) < Math.log(1.5)) continue;
        const meanX = xs.reduce((a, b) => a + b, 0) / points.length;
        const meanY = points.reduce((a, p) => a + p.y, 0) / points.length;
        slopes.push(points.reduce((a, p) => a + (p.x - meanX) * (p.y - meanY), 0) / points.reduce((a, p) => a + (p.x - meanX) ** 2, 0));
    }
    const exponent = slopes.length ? clampExponent(medianOf(slopes)) : 0;
    const factor = medianOf(usable.map((s) => s.ratio / (s.depth / contextReferenceDepth) ** exponent));
    return {factor: clampFactor(factor, 64), exponent, samples: usable.length};
}

/** Tokens per second for a weight part and a context part of the time per token (seconds each). */
const speedOf = (weightSeconds: number, contextSeconds: number) => 1 / (weightSeconds + contextSeconds);

/** Seconds the KV cache of `kvBytes` adds to each generated token (read at the same bandwidth as the weights). */
function kvReadSeconds(kvBytes: number, gpuShare: number, hardware: HardwareProfile): number {
    return kvBytes > 0 ? secondsPerToken(kvBytes, gpuShare, hardware) - perTokenOverheadSeconds : 0;
}

/**
 * How a calibrated generation context term scales with the model's shape. On a GPU reading the KV
 * cache is bandwidth-bound (1). On a CPU the attention over it is the cost, and that follows the query
 * heads reading each KV head: two models with the same KV cache and 16 or 24 heads differed 1.5× at
 * 16k on a 2-core Zen 2 (FACTS §9). So CPU samples are compared, and CPU predictions scaled, per
 * attention FLOP per KV byte.
 */
function generationContextShape(attentionFlopsPerContextToken: number, kvBytesPerContextToken: number, gpuShare: number): number {
    return gpuShare > 0 || kvBytesPerContextToken <= 0 ? 1 : attentionFlopsPerContextToken / kvBytesPerContextToken;
}

/** Seconds attention adds to each prompt token at `depth` tokens of context. */
function attentionSeconds(attentionFlopsPerContextToken: number, depth: number, gpuShare: number, hardware: HardwareProfile): number {
    return depth > 0 ? 1 / promptTokensPerSecond(attentionFlopsPerContextToken * depth, gpuShare, hardware, 0) : 0;
}

/**
 * KV-cache bytes per token of context as benchmarks record it (`MeasuredSpeed.kvBytesPerContextToken`):
 * a 256-token cache's, so sliding-window layers count fully and padding does not.
 */
export function kvBytesPerContextToken(shape: ModelShape, kvCacheType: KvCacheType = "f16"): number {
    return kvCacheBytes(shape, 256, kvCacheType).total / 256;
}

/** FLOPs of attention per prompt token per token of context: 4 × KV layers × heads × head dim (QK and AV). */
export function attentionFlopsPerContextToken(shape: ModelShape): number {
    const a = shape.architecture;
    return 4 * a.kvLayers * a.headCount * a.headDim;
}

/** Smaller models are bound by per-token overhead, not memory bandwidth (docs/FACTS.md §3), so they would skew a calibration. */
export const MIN_CALIBRATION_BYTES = 256 * 1024 * 1024;

/** "Q4_K_M", "q8_0", "MOSTLY_F16" → the key weight-type factors are kept under. */
export const weightTypeKey = (quantization: string | null | undefined) => (quantization ?? "unknown").toUpperCase().replace(/^(MOSTLY|ALL)_/, "");

/**
 * Calibration factors (measured ÷ predicted, medians) from benchmarks of this machine, per weight type.
 * Only samples comparable with the prediction count: this machine, the thread count predictions
 * assume on the CPU, and models big enough to be bandwidth-bound. Samples at an empty context give
 * each weight type's factors; samples at a depth (when they carry the model's KV and attention sizes)
 * give the time the context adds and how it grows with depth (see ContextTermCalibration). Factors are
 * clamped to ¼–4× so one odd sample cannot run away; context factors to ¼–64×, because a CPU's
 * attention is bound by compute and cache, not by the bandwidth the KV term assumes: a 2-core Zen 2
 * with 8 MB of L3 needed ×24 at 4k (FACTS §9).
 */
export function calibrationFrom(samples: readonly MeasuredSpeed[], hardware: HardwareProfile): SpeedCalibration | null {
    if (!hardware.hardwareKey) return null;
    const mine = samples.filter(
        (s) => s.hardwareKey === hardware.hardwareKey && s.activeBytesPerToken >= MIN_CALIBRATION_BYTES && (s.gpuLayers > 0 || s.threads === hardware.cpuThreads)
    );
    const clamp = (v: number) => clampFactor(v, 4);
    const gpuShareOf = (s: MeasuredSpeed) => (s.gpuLayers > 0 && hardware.vramBytes > 0 ? 1 : 0);
    // Parameters from the sample when stored, else from bytes and the quantization's bits per weight (Q4_K_M when unknown).
    const parametersOf = (s: MeasuredSpeed) => s.parameterCount ?? s.activeBytesPerToken / ((bitsPerWeight[weightTypeKey(s.quantization)] ?? bitsPerWeight.Q4_K_M!) / 8);

    let used = 0;
    const gen = new Map<string, number[]>();
    const pp = new Map<string, number[]>();
    const push = (map: Map<string, number[]>, key: string, value: number) => map.set(key, [...(map.get(key) ?? []), value]);
    for (const s of mine.filter((x) => x.contextDepth === 0)) {
        used++;
        const type = weightTypeKey(s.quantization);
        const share = gpuShareOf(s);
        if (s.generationTokensPerSecond) push(gen, type, s.generationTokensPerSecond / rawGenerationSpeed(s.activeBytesPerToken, share, hardware));
        if (s.promptTokensPerSecond) {
            // The prompt's own tokens attend to half of it on average; that part is the attention term's.
            const weights = 1 / rawPromptSpeed(parametersOf(s), share, hardware);
            const attention = s.attentionFlopsPerContextToken ? attentionSeconds(s.attentionFlopsPerContextToken, (s.promptTokens ?? 512) / 2, share, hardware) : 0;
            const measured = 1 / s.promptTokensPerSecond;
            push(pp, type, weights / (measured > attention * 2 ? measured - attention : measured));
        }
    }
    const all = (map: Map<string, number[]>) => [...map.values()].flat();
    if (all(gen).length === 0 && all(pp).length === 0) return null;
    const byWeightType: Record<string, WeightTypeFactors> = {};
    for (const type of new Set([...gen.keys(), ...pp.keys()]))
        byWeightType[type] = {
            samples: Math.max(gen.get(type)?.length ?? 0, pp.get(type)?.length ?? 0),
            generationFactor: gen.has(type) ? clamp(medianOf(gen.get(type)!)) : all(gen).length ? clamp(medianOf(all(gen))) : 1,
            promptFactor: pp.has(type) ? clamp(medianOf(pp.get(type)!)) : all(pp).length ? clamp(medianOf(all(pp))) : 1
        };
    const overall = {generationFactor: all(gen).length ? clamp(medianOf(all(gen))) : 1, promptFactor: all(pp).length ? clamp(medianOf(all(pp))) : 1};
    const factorsOf = (s: MeasuredSpeed) => byWeightType[weightTypeKey(s.quantization)] ?? overall;

    // What the context adds, once each type's own factor has taken the weights' share of the time.
    const generationContext: {model: string; depth: number; ratio: number}[] = [];
    const promptContext: {model: string; depth: number; ratio: number}[] = [];
    const deep = mine.filter((x) => x.contextDepth > 0 && x.kvBytesPerContextToken && x.attentionFlopsPerContextToken);
    used += deep.length;
    for (const s of deep) {
        const share = gpuShareOf(s);
        const f = factorsOf(s);
        const model = `${s.modelFileBytes}|${s.quantization}|${s.kvBytesPerContextToken}|${s.attentionFlopsPerContextToken}|${share}`;
        if (s.generationTokensPerSecond) {
            const weights = secondsPerToken(s.activeBytesPerToken, share, hardware) / f.generationFactor;
            const context = kvReadSeconds(s.kvBytesPerContextToken! * s.contextDepth, share, hardware);
            const shapeFactor = generationContextShape(s.attentionFlopsPerContextToken!, s.kvBytesPerContextToken!, share);
            if (context > 0) generationContext.push({model, depth: s.contextDepth, ratio: (1 / s.generationTokensPerSecond - weights) / context / shapeFactor});
        }
        if (s.promptTokensPerSecond) {
            const weights = 1 / rawPromptSpeed(parametersOf(s), share, hardware) / f.promptFactor;
            // A prompt after `depth` tokens attends on average to depth + half its own length.
            const depth = s.contextDepth + (s.promptTokens ?? 512) / 2;
            const context = attentionSeconds(s.attentionFlopsPerContextToken!, depth, share, hardware);
            if (context > 0) promptContext.push({model, depth, ratio: (1 / s.promptTokensPerSecond - weights) / context});
        }
    }
    return {
        samples: used,
        ...overall,
        byWeightType,
        generationContext: contextTermFrom(generationContext),
        promptContext: contextTermFrom(promptContext),
        measuredAt: [...mine.filter((x) => x.contextDepth === 0), ...deep].reduce((newest, s) => (s.measuredAt > newest ? s.measuredAt : newest), "")
    };
}

/** Tokens per second of generation at `depth` and of a `promptTokens`-token prompt read after `depth` tokens, calibrated for a weight type. */
export function predictAtDepth(
    shape: ModelShape,
    hardware: HardwareProfile,
    options: {depth: number; promptTokens?: number; gpuShare?: number; kvCacheType?: KvCacheType; weightType?: string | null; calibration?: SpeedCalibration | null}
): {generationTokensPerSecond: number; promptTokensPerSecond: number} {
    const gpuShare = options.gpuShare ?? 0;
    const c = options.calibration ?? null;
    const f = (c && (c.byWeightType[weightTypeKey(options.weightType)] ?? c)) ?? {generationFactor: 1, promptFactor: 1};
    const weights = activeWeightBytes(shape);
    const kvBytes = kvCacheBytes(shape, options.depth, options.kvCacheType ?? "f16").total;
    const a = shape.architecture;
    const promptWeights = 1 / promptTokensPerSecond(2 * (a.activeParameters ?? a.parameters), gpuShare, hardware, shape.weightsBytes);
    const averageDepth = options.depth + (options.promptTokens ?? 512) / 2;
    // Calibrated, the generation context term is per attention FLOP per KV byte on a CPU (see generationContextShape).
    const shapeFactor = c?.generationContext.samples ? generationContextShape(attentionFlopsPerContextToken(shape), kvBytesPerContextToken(shape, options.kvCacheType), gpuShare) : 1;
    const generationContext =
        options.depth > 0 ? kvReadSeconds(kvBytes, gpuShare, hardware) * contextTermMultiplier(c?.generationContext ?? uncalibratedContextTerm, options.depth) * shapeFactor : 0;
    const promptContext = attentionSeconds(attentionFlopsPerContextToken(shape), averageDepth, gpuShare, hardware) * contextTermMultiplier(c?.promptContext ?? uncalibratedContextTerm, averageDepth);
    return {
        generationTokensPerSecond: speedOf(secondsPerToken(weights, gpuShare, hardware) / f.generationFactor, generationContext),
        promptTokensPerSecond: speedOf(promptWeights / f.promptFactor, promptContext)
    };
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
    options: {calibration?: SpeedCalibration | null; weightType?: string | null; measured?: SpeedPrediction["measured"]} = {}
): SpeedPrediction {
    const gpuShare = fit.totalLayers > 0 ? fit.gpuLayers / fit.totalLayers : 0;
    const weights = activeWeightBytes(shape);
    const depth = agentSessionDepth(fit.settings.contextSize);
    const calibration = options.calibration ?? null;
    const at = (d: number, promptTokens?: number) =>
        predictAtDepth(shape, hardware, {depth: d, promptTokens, gpuShare, kvCacheType: fit.settings.kvCacheType, weightType: options.weightType, calibration});
    const generation = at(0).generationTokensPerSecond;
    const generationAtDepth = at(depth).generationTokensPerSecond;
    // The agent prompt is read from an empty context: its tokens attend to half of it on average.
    const prompt = at(0, agentPromptTokens).promptTokensPerSecond;
    const typeFactors = calibration?.byWeightType[weightTypeKey(options.weightType)];
    const where = fit.gpuLayers === 0 ? "RAM" : fit.gpuLayers === fit.totalLayers ? "GPU memory" : `GPU memory (${fit.gpuLayers}/${fit.totalLayers} layers) and RAM`;
    const bandwidth = fit.gpuLayers === fit.totalLayers ? hardware.gpuBandwidthBytesPerSecond : hardware.cpuBandwidthBytesPerSecond;
    const calibrationLabel = !calibration
        ? "uncalibrated estimate"
        : `calibrated on this machine (${calibration.measuredAt.slice(0, 10)}${typeFactors ? `, ${weightTypeKey(options.weightType)} measured` : ", other weight types measured"})`;
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
            `${(weights / 1e9).toFixed(2)} GB read per token from ${where} at ${(bandwidth / 1e9).toFixed(0)} GB/s (${hardware.bandwidthKind === "measured" ? (hardware.bandwidthUnderLoad ? "measured under load" : "measured") : "peak"}); ` +
            calibrationLabel +
            (calibration ? ` (generation ×${(typeFactors ?? calibration).generationFactor.toFixed(2)}, prompt ×${(typeFactors ?? calibration).promptFactor.toFixed(2)})` : ""),
        calibrationLabel,
        calibration: calibration ? {samples: calibration.samples, generationFactor: (typeFactors ?? calibration).generationFactor, promptFactor: (typeFactors ?? calibration).promptFactor, weightType: typeFactors ? weightTypeKey(options.weightType) : null, measuredAt: calibration.measuredAt} : null,
        measured: options.measured ?? null
    };
}
