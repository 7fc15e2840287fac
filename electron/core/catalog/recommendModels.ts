import type {
    CatalogModel,
    CatalogQuantization,
    FitSettings,
    HardwareProfile,
    MeasuredSpeed,
    ModelRecommendation,
    ModelVerdict,
    QuantizationOption,
    QuantizationVerdict,
    RecommendationReport,
    SpeedPrediction
} from "../../api/ModelsApi.ts";
import {formatBytes, formatKTokens} from "../../shared/format.ts";
import {CatalogError} from "./CatalogError.ts";
import {estimateFit, resolveFitSettings, type ModelShape} from "./estimateFit.ts";
import {calibrationFrom, predictSpeed, type SpeedCalibration} from "./predictSpeed.ts";
import {quantizationQuality} from "./quantizations.ts";

/** Generation speed (tokens/s at half the agent context) below which an agent loop feels broken. Default of `minTokensPerSecond`. */
export const defaultMinTokensPerSecond = 10;

export function shapeOf(model: CatalogModel, quantization: CatalogQuantization): ModelShape {
    return {architecture: model.architecture, weightsBytes: quantization.sizeBytes};
}

function measuredFor(model: CatalogModel, q: CatalogQuantization, hardware: HardwareProfile, samples: readonly MeasuredSpeed[]): SpeedPrediction["measured"] {
    if (!hardware.hardwareKey) return null;
    const matching = samples
        .filter((s) => s.hardwareKey === hardware.hardwareKey)
        .filter((s) => (s.modelId === model.id && s.quantization?.toUpperCase() === q.quantization) || (s.modelId == null && s.modelFileBytes === q.sizeBytes))
        .sort((a, b) => b.measuredAt.localeCompare(a.measuredAt));
    const latest = matching[0];
    return latest ? {generationTokensPerSecond: latest.generationTokensPerSecond, promptTokensPerSecond: latest.promptTokensPerSecond, measuredAt: latest.measuredAt} : null;
}

export interface EvaluateOptions {
    settings: Required<FitSettings>;
    minTokensPerSecond: number;
    calibration: SpeedCalibration | null;
    measurements: readonly MeasuredSpeed[];
}

export function evaluateQuantization(model: CatalogModel, q: CatalogQuantization, hardware: HardwareProfile, options: EvaluateOptions): QuantizationOption {
    const shape = shapeOf(model, q);
    const fit = estimateFit(shape, hardware, options.settings);
    const speed = predictSpeed(shape, fit, hardware, {calibration: options.calibration, weightType: q.quantization, measured: measuredFor(model, q, hardware, options.measurements)});
    const tps = speed.generationAtDepthTokensPerSecond;
    const verdict: QuantizationVerdict =
        fit.fitClass === "no-fit" ? "no-fit" : tps < options.minTokensPerSecond / 2 ? "too-slow" : tps < options.minTokensPerSecond ? "slow" : fit.tight ? "tight" : "recommended";
    return {quantization: q.quantization, sizeBytes: q.sizeBytes, sizeEstimated: q.sizeEstimated, fit, speed, verdict, quality: quantizationQuality(q.quantization)};
}

/**
 * The quantization to use. Among those that fit with headroom and keep the speed target: the highest
 * quality that is at most ~40 % slower than the fastest good one (≥ Q4_0) — so a file that spills off
 * the GPU loses to one that stays on it — preferring the smaller file when quality differs by under
 * one point (Q6_K over Q8_0 over BF16). When none meets the target: a tight fit if there is one,
 * otherwise the best of Q3_K_M…Q4_K_M that fits, trading quality for the speed the machine lacks.
 */
export function pickBestQuantization(options: QuantizationOption[]): QuantizationOption | null {
    const bestOf = (pool: QuantizationOption[]) => {
        const top = Math.max(...pool.map((o) => o.quality));
        return pool.filter((o) => o.quality >= top - 0.01).sort((a, b) => a.sizeBytes - b.sizeBytes)[0]!;
    };
    const speedOf = (o: QuantizationOption) => o.speed.generationAtDepthTokensPerSecond;
    const recommended = options.filter((o) => o.verdict === "recommended");
    if (recommended.length > 0) {
        const good = recommended.filter((o) => o.quality >= 0.9);
        const fastest = Math.max(...(good.length > 0 ? good : recommended).map(speedOf));
        return bestOf(recommended.filter((o) => speedOf(o) >= fastest * 0.6));
    }
    const tight = options.filter((o) => o.verdict === "tight");
    if (tight.length > 0) return bestOf(tight);
    const fitting = options.filter((o) => o.verdict !== "no-fit");
    if (fitting.length === 0) return null;
    const moderate = fitting.filter((o) => o.quality >= 0.85 && o.quality <= 0.95);
    return (moderate.length > 0 ? moderate : fitting).sort((a, b) => b.quality - a.quality || a.sizeBytes - b.sizeBytes)[0]!;
}

const tps = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(0) : n.toFixed(1));

function placement(o: QuantizationOption, hardware: HardwareProfile): string {
    const f = o.fit;
    if (f.fitClass === "gpu-full") return hardware.unifiedMemory ? `fits in unified memory, fully on the GPU` : `fits fully in ${formatBytes(hardware.vramBytes)} VRAM`;
    if (f.fitClass === "gpu-partial") return `${f.gpuLayers} of ${f.totalLayers} layers on the GPU, the rest in RAM`;
    return "runs on the CPU from RAM";
}

function reasonsFor(model: CatalogModel, best: QuantizationOption | null, options: QuantizationOption[], hardware: HardwareProfile, minTps: number): string[] {
    const reasons: string[] = [];
    const ctx = formatKTokens((best ?? options[0]!).fit.settings.contextSize);
    if (!best) {
        const smallest = [...options].sort((a, b) => a.fit.ramNeededBytes - b.fit.ramNeededBytes)[0]!;
        reasons.push(
            `Does not fit: even ${smallest.quantization} needs ${formatBytes(smallest.fit.ramNeededBytes)} of RAM at a ${ctx} context; ${formatBytes(smallest.fit.ramCapacityBytes)} is usable here.`
        );
    } else {
        reasons.push(`${best.quantization} ${placement(best, hardware)} at a ${ctx} context with ${formatBytes(best.fit.headroomBytes)} to spare.`);
        const s = best.speed;
        const measured = s.measured?.generationTokensPerSecond;
        reasons.push(
            `Predicted ${tps(s.generationAtDepthTokensPerSecond)} tok/s generation at ${formatKTokens(s.depth)} tokens of context (${tps(s.generationTokensPerSecond)} when empty), ${Math.round(s.agentPromptSeconds)} s to read an 8k-token agent prompt` +
                (measured ? `; measured ${tps(measured)} tok/s.` : ".")
        );
        if (best.verdict === "slow" || best.verdict === "too-slow") reasons.push(`Below the ${minTps} tok/s an agent loop needs: every turn will feel slow.`);
        if (best.verdict === "tight") reasons.push("Fits with under 10 % to spare: close other apps, or pick a smaller quantization or context.");
        if (best.quality < 0.9) reasons.push(`${best.quantization} loses noticeable quality; only a ${best.quantization} file fits.`);
    }
    for (const e of model.evals) reasons.push(`Scored ${e.correct}/${e.runs} on the ${e.name} eval (${e.date}, ${e.setup}).`);
    if (model.toolCalling === "native") reasons.push(`Native tool calling (${model.toolCallingNote}).`);
    else reasons.push(`No native tool calling (${model.toolCallingNote}): agents that rely on tools will stumble.`);
    if (model.architecture.contextLength < (best ?? options[0]!).fit.settings.contextSize)
        reasons.push(`Trained for ${formatKTokens(model.architecture.contextLength)} tokens, less than the ${ctx} agent context.`);
    if (model.architecture.activeParameters)
        reasons.push(`Mixture of experts: ${(model.architecture.activeParameters / 1e9).toFixed(1)}B of ${(model.architecture.parameters / 1e9).toFixed(1)}B parameters active per token, so it runs like a much smaller model.`);
    return reasons;
}

function modelVerdict(model: CatalogModel, best: QuantizationOption | null): ModelVerdict {
    if (!best) return "no-fit";
    if (best.verdict === "slow" || best.verdict === "too-slow") return "slow";
    if (best.verdict === "tight" || model.toolCalling !== "native" || best.quality < 0.9) return "usable";
    return "recommended";
}

/**
 * Ranking tiers: models that fit and keep the speed target rank together (by capability), except that
 * a fit only at Q2_K-level quality comes after them; then the slow; then those that do not fit.
 */
function tierOf(verdict: ModelVerdict, best: QuantizationOption | null): number {
    if (verdict === "recommended" || verdict === "usable") return (best?.quality ?? 0) < 0.85 ? 1 : 0;
    return verdict === "slow" ? 2 : 3;
}

export interface RecommendOptions extends FitSettings {
    minTokensPerSecond?: number;
    measurements?: readonly MeasuredSpeed[];
    now?: Date;
}

/**
 * Answers "which model should I use as a coding agent here": every catalog model evaluated at every
 * quantization, the best quantization per model, and the models ranked: first those that fit with
 * headroom at the agent context and keep the speed target, by capability (published eval results
 * first), then the usable, the slow, and those that do not fit.
 */
export function recommendModels(catalog: readonly CatalogModel[], hardware: HardwareProfile, options: RecommendOptions = {}): RecommendationReport {
    const {settings} = resolveFitSettings(options);
    const minTokensPerSecond = options.minTokensPerSecond ?? defaultMinTokensPerSecond;
    if (!Number.isFinite(minTokensPerSecond) || minTokensPerSecond <= 0)
        throw new CatalogError("FIT_SETTINGS_INVALID", `The minimum speed must be a positive number of tokens per second, got ${options.minTokensPerSecond}.`);
    const measurements = options.measurements ?? [];
    const calibration = calibrationFrom(measurements, hardware);
    const evaluated = catalog.map((model) => {
        const quantOptions = model.quantizations.map((q) => evaluateQuantization(model, q, hardware, {settings, minTokensPerSecond, calibration, measurements}));
        const best = pickBestQuantization(quantOptions);
        return {model, options: quantOptions, best, verdict: modelVerdict(model, best)};
    });
    evaluated.sort(
        (a, b) =>
            tierOf(a.verdict, a.best) - tierOf(b.verdict, b.best) ||
            b.model.capability.score * (b.best?.quality ?? 0) - a.model.capability.score * (a.best?.quality ?? 0) ||
            (b.best?.speed.generationAtDepthTokensPerSecond ?? 0) - (a.best?.speed.generationAtDepthTokensPerSecond ?? 0) ||
            b.model.capability.score - a.model.capability.score
    );
    const models: ModelRecommendation[] = evaluated.map((e, index) => ({
        rank: index + 1,
        model: e.model,
        verdict: e.verdict,
        bestQuantization: e.best?.quantization ?? null,
        best: e.best,
        options: e.options,
        reasons: reasonsFor(e.model, e.best, e.options, hardware, minTokensPerSecond)
    }));
    const top = models.find((m) => m.verdict === "recommended" || m.verdict === "usable") ?? null;
    return {
        hardware,
        settings,
        minTokensPerSecond,
        summary: summarize(models, top, hardware, settings.contextSize, minTokensPerSecond),
        topPick: top?.model.id ?? null,
        models,
        generatedAt: (options.now ?? new Date()).toISOString()
    };
}

function summarize(models: ModelRecommendation[], top: ModelRecommendation | null, hardware: HardwareProfile, contextSize: number, minTps: number): string {
    const ctx = formatKTokens(contextSize);
    if (top?.best) {
        const caveat =
            top.verdict === "usable"
                ? top.best.quality < 0.9
                    ? ` Only a low-bit quantization fits, so expect some quality loss.`
                    : top.model.toolCalling !== "native"
                      ? " It has no native tool calling."
                      : " It fits with little room to spare."
                : "";
        return `Best coding-agent pick here: ${top.model.name} at ${top.bestQuantization} — ${placement(top.best, hardware)}, predicted ${tps(top.best.speed.generationAtDepthTokensPerSecond)} tok/s at a ${ctx} context.${caveat}`;
    }
    const slow = models.find((m) => m.verdict === "slow");
    if (slow?.best)
        return `No model keeps ${minTps} tok/s at a ${ctx} context here. Closest: ${slow.model.name} at ${slow.bestQuantization}, predicted ${tps(slow.best.speed.generationAtDepthTokensPerSecond)} tok/s.`;
    return `No catalog model fits at a ${ctx} context on this machine. Try a smaller context, a quantized KV cache, or the what-if mode for another machine.`;
}
