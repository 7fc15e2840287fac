import crypto from "node:crypto";
import type {
    CatalogModel,
    CatalogQuantization,
    CloseCall,
    FitEstimate,
    FitSettings,
    HardwareProfile,
    MeasuredSpeed,
    ModelRecommendation,
    PredictedLevel,
    QuantizationOption,
    RecommendationReport,
    SpeedPrediction
} from "../../api/ModelsApi.ts";
import type {VerdictMemoryEvidence, VerdictThresholds} from "../../api/VerdictApi.ts";
import {agentTurnShape, describeAgentTurn} from "../../shared/agentTurn.ts";
import {formatBytes, formatKTokens} from "../../shared/format.ts";
import {formatSeconds, formatTps} from "../../shared/verdictFormat.ts";
import {levelLabels, levelLegend} from "../../shared/verdictLevels.ts";
import {judgePrediction, trainedContextShortfall} from "../rules/judgeModel.ts";
import {defaultThresholds} from "../rules/defaultThresholds.ts";
import {estimateFit, resolveFitSettings, type ModelShape} from "./estimateFit.ts";
import {calibrationFrom, predictSpeed, type SpeedCalibration} from "./predictSpeed.ts";
import {quantizationQuality} from "./quantizations.ts";

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

/** A fit estimate as the evidence the Verdict's fit criterion reads (memory at the agent context, trained context). */
export function memoryEvidenceOf(fit: FitEstimate, trainedContextSize: number | null): VerdictMemoryEvidence {
    return {
        contextSize: fit.settings.contextSize,
        trainedContextSize,
        fitClass: fit.fitClass,
        ramNeededBytes: fit.ramNeededBytes,
        vramNeededBytes: fit.vramNeededBytes,
        ramCapacityBytes: fit.ramCapacityBytes,
        vramCapacityBytes: fit.vramCapacityBytes,
        headroomBytes: fit.headroomBytes,
        tight: fit.tight,
        parts: fit.parts,
        measured: null
    };
}

export interface EvaluateOptions {
    settings: Required<FitSettings>;
    /** The Verdict's thresholds: predictions are judged by the same rules as measurements. */
    thresholds: VerdictThresholds;
    calibration: SpeedCalibration | null;
    measurements: readonly MeasuredSpeed[];
}

export function evaluateQuantization(model: CatalogModel, q: CatalogQuantization, hardware: HardwareProfile, options: EvaluateOptions): QuantizationOption {
    const shape = shapeOf(model, q);
    const fit = estimateFit(shape, hardware, options.settings);
    const speed = predictSpeed(shape, fit, hardware, {calibration: options.calibration, weightType: q.quantization, measured: measuredFor(model, q, hardware, options.measurements)});
    const {verdict, criteria} = judgePrediction(memoryEvidenceOf(fit, model.architecture.contextLength), speed, options.thresholds);
    return {quantization: q.quantization, sizeBytes: q.sizeBytes, sizeEstimated: q.sizeEstimated, fit, speed, verdict, criteria, quality: quantizationQuality(q.quantization)};
}

const levelRank: Record<PredictedLevel, number> = {usable: 0, almost: 1, no: 2, "no-fit": 3};

/**
 * The quantization to use: among those at the best level (usable, else almost, else no), and with
 * headroom when some have it, the highest quality that is at most ~40 % slower than the fastest good
 * one (≥ Q4_0) — so a file that spills off the GPU loses to one that stays on it — preferring the
 * smaller file when quality differs by under one point (Q6_K over Q8_0 over BF16). When every file
 * that fits is too slow: the best of Q3_K_M…Q4_K_M, trading quality for the speed the machine lacks.
 */
export function pickBestQuantization(options: QuantizationOption[]): QuantizationOption | null {
    const fitting = options.filter((o) => o.verdict !== "no-fit");
    if (fitting.length === 0) return null;
    const bestLevel = Math.min(...fitting.map((o) => levelRank[o.verdict]));
    const atLevel = fitting.filter((o) => levelRank[o.verdict] === bestLevel);
    if (bestLevel === levelRank.no) {
        const moderate = atLevel.filter((o) => o.quality >= 0.85 && o.quality <= 0.95);
        return (moderate.length > 0 ? moderate : atLevel).sort((a, b) => b.quality - a.quality || a.sizeBytes - b.sizeBytes)[0]!;
    }
    const roomy = atLevel.filter((o) => !o.fit.tight);
    const pool = roomy.length > 0 ? roomy : atLevel;
    const speedOf = (o: QuantizationOption) => o.speed.generationAtDepthTokensPerSecond;
    const good = pool.filter((o) => o.quality >= 0.9);
    const fastest = Math.max(...(good.length > 0 ? good : pool).map(speedOf));
    const candidates = pool.filter((o) => speedOf(o) >= fastest * 0.6);
    const top = Math.max(...candidates.map((o) => o.quality));
    return candidates.filter((o) => o.quality >= top - 0.01).sort((a, b) => a.sizeBytes - b.sizeBytes)[0]!;
}

function placement(o: QuantizationOption, hardware: HardwareProfile): string {
    const f = o.fit;
    if (f.fitClass === "gpu-full") return hardware.unifiedMemory ? `fits in unified memory, fully on the GPU` : `fits fully in ${formatBytes(hardware.vramBytes)} VRAM`;
    if (f.fitClass === "gpu-partial") return `${f.gpuLayers} of ${f.totalLayers} layers on the GPU, the rest in RAM`;
    return "runs on the CPU from RAM";
}


/** "Almost (predicted): 7.0 tok/s (needs 10)…" — the level and why, from the judged criteria. */
function levelReason(o: QuantizationOption): string {
    const failing = o.criteria.filter((c) => c.status !== "pass");
    const why = failing.length ? failing.map((c) => `${c.label.toLowerCase()} ${c.value} (${c.detail.split("; ").at(-1)})`).join("; ") : o.criteria.map((c) => `${c.label.toLowerCase()} ${c.value}`).join(", ");
    return `${levelLabels[o.verdict]} by the Verdict's rules: ${why}.`;
}

function reasonsFor(model: CatalogModel, best: QuantizationOption | null, options: QuantizationOption[], hardware: HardwareProfile): string[] {
    const reasons: string[] = [];
    const contextSize = (best ?? options[0]!).fit.settings.contextSize;
    const ctx = formatKTokens(contextSize);
    const shortfall = trainedContextShortfall(model.architecture.contextLength, contextSize);
    if (!best) {
        const smallest = [...options].sort((a, b) => a.fit.ramNeededBytes - b.fit.ramNeededBytes)[0]!;
        if (shortfall)
            reasons.push(
                `${levelLabels["no-fit"]}: ${shortfall}` + (smallest.fit.fitClass === "no-fit" ? `, and even ${smallest.quantization} needs ${formatBytes(smallest.fit.ramNeededBytes)} of RAM.` : ".")
            );
        else
            reasons.push(
                `Does not fit: even ${smallest.quantization} needs ${formatBytes(smallest.fit.ramNeededBytes)} of RAM at a ${ctx} context; ${formatBytes(smallest.fit.ramCapacityBytes)} is usable here.`
            );
    } else {
        reasons.push(`${best.quantization} ${placement(best, hardware)} at a ${ctx} context with ${formatBytes(best.fit.headroomBytes)} to spare.`);
        const s = best.speed;
        const measured = s.measured?.generationTokensPerSecond;
        reasons.push(
            `Predicted ${formatTps(s.generationAtDepthTokensPerSecond)} generation at ${formatKTokens(s.depth)} tokens of context (${formatTps(s.generationTokensPerSecond)} when empty) and ~${formatSeconds(s.agentTurnSeconds)} per agent turn ` +
                `(the first, reading the ${formatKTokens(agentTurnShape.firstPromptTokens)}-token agent prompt cold, ${formatSeconds(s.firstTurnSeconds)})` +
                (measured ? `; measured ${formatTps(measured)}.` : ".")
        );
        reasons.push(levelReason(best));
        if (best.fit.tight) reasons.push("Fits with under 10 % to spare: close other apps, or pick a smaller quantization or context.");
        if (best.quality < 0.9) {
            const better = options.filter((o) => o.quality > best.quality && o.verdict !== "no-fit").sort((a, b) => a.quality - b.quality);
            reasons.push(
                better.length === 0
                    ? `${best.quantization} loses noticeable quality; no larger quantization fits here.`
                    : `${best.quantization} loses noticeable quality; larger quantizations fit but are judged worse here (${better
                          .slice(0, 2)
                          .map((o) => `${o.quantization}: ${levelLabels[o.verdict].toLowerCase()}, ${formatTps(o.speed.generationAtDepthTokensPerSecond)}, ~${formatSeconds(o.speed.agentTurnSeconds)} per turn`)
                          .join("; ")}).`
            );
        }
    }
    for (const e of model.evals) reasons.push(`Scored ${e.correct}/${e.runs} on the ${e.name} eval (${e.date}, ${e.setup}).`);
    if (model.toolCalling === "native") reasons.push(`Native tool calling (${model.toolCallingNote}).`);
    else reasons.push(`No native tool calling (${model.toolCallingNote}): agents that rely on tools will stumble.`);
    if (model.architecture.activeParameters)
        reasons.push(`Mixture of experts: ${(model.architecture.activeParameters / 1e9).toFixed(1)}B of ${(model.architecture.parameters / 1e9).toFixed(1)}B parameters active per token, so it runs like a much smaller model.`);
    return reasons;
}

/**
 * Ranking tiers follow the level (usable, almost, no, doesn't fit); among the usable, a fit only at
 * Q2_K-level quality comes after the rest. Usable and almost models rank by capability, the too slow
 * by how close they come (their agent turn).
 */
function tierOf(verdict: PredictedLevel, best: QuantizationOption | null): number {
    if (verdict === "usable") return (best?.quality ?? 0) < 0.85 ? 1 : 0;
    return verdict === "almost" ? 2 : verdict === "no" ? 3 : 4;
}

export interface RecommendOptions extends FitSettings {
    /** The Verdict's thresholds (default: the defaults). */
    thresholds?: VerdictThresholds;
    measurements?: readonly MeasuredSpeed[];
    now?: Date;
    /** Rankings kept from earlier recommendations (createRankingCache), reused for the same inputs. Default: none kept. */
    rankings?: RankingCache;
}

/** Rankings of the catalog already made, by everything a ranking depends on (createRankingCache). */
export interface RankingCache {
    /** The ranking kept under `key`, else `rank()`'s, kept. */
    get(key: string, rank: () => RankedModel[]): RankedModel[];
}

/**
 * Keeps the last `size` rankings, keyed by the catalog, the hardware profile, the fit settings, the
 * thresholds and the measured speeds: a recommendation asked again for the same machine and rules
 * (the Models screen, `recommend` and the guided plan each ask) reuses its three rankings — at the
 * measured bandwidth and ±5 % for the close call — instead of ranking the catalog again.
 */
export function createRankingCache(size = 12): RankingCache {
    const kept = new Map<string, RankedModel[]>();
    return {
        get(key, rank) {
            const ranked = kept.get(key) ?? rank();
            // Newest last, so the oldest is the first one dropped.
            kept.delete(key);
            kept.set(key, ranked);
            for (const oldest of kept.keys()) {
                if (kept.size <= size) break;
                kept.delete(oldest);
            }
            return ranked;
        }
    };
}

/**
 * Answers "which model should I use as a coding agent here": every catalog model evaluated at every
 * quantization and judged by the Verdict's rules (fit at the agent context, generation at the agent's
 * depth, time per agent turn), the best quantization per model, and the models ranked by level, then
 * by capability (published eval results first) — or, for those too slow, by how close they come.
 */
export function recommendModels(catalog: readonly CatalogModel[], hardware: HardwareProfile, options: RecommendOptions = {}): RecommendationReport {
    const thresholds = options.thresholds ?? defaultThresholds;
    const {settings} = resolveFitSettings({...options, contextSize: options.contextSize ?? thresholds.contextSize});
    const measurements = options.measurements ?? [];
    const calibration = calibrationFrom(measurements, hardware);
    const rankAt = (at: HardwareProfile) => rankModels(catalog, at, {settings, thresholds, calibration, measurements});
    const rankings = options.rankings;
    const inputs = rankings && crypto.createHash("sha256").update(JSON.stringify([catalog, settings, thresholds, measurements])).digest("hex");
    const rank = (at: HardwareProfile) => (rankings ? rankings.get(`${inputs}\n${JSON.stringify(at)}`, () => rankAt(at)) : rankAt(at));
    const evaluated = rank(hardware);
    const nearby = hardware.bandwidthKind === "measured" ? bandwidthChanges(hardware).map(({change, at}) => ({change, ranked: rank(at)})) : [];
    const models: ModelRecommendation[] = evaluated.map((e, index) => {
        const closeCall = closeCallOf(e, nearby);
        return {
            rank: index + 1,
            model: e.model,
            verdict: e.verdict,
            bestQuantization: e.best?.quantization ?? null,
            best: e.best,
            options: e.options,
            reasons: [...reasonsFor(e.model, e.best, e.options, hardware), ...(closeCall ? [describeCloseCall(closeCall, e.best?.quantization ?? null)] : [])],
            closeCall
        };
    });
    const top = topPickOf(models);
    const otherTops = nearby
        .map(({change, ranked}) => ({change, other: topPickOf(ranked)}))
        .filter(({other}) => (other?.model.id ?? null) !== (top?.model.id ?? null));
    const topCloseCall = otherTops.length
        ? ` A close call: ${otherTops.map(({change, other}) => `with the memory bandwidth ${pct(Math.abs(change))} ${change < 0 ? "lower" : "higher"} the pick would be ${other ? `${other.model.name} at ${other.best!.quantization}` : "none"}`).join("; ")} (measurements vary about that much from run to run).`
        : top?.closeCall
          ? ` ${describeCloseCall(top.closeCall, top.bestQuantization)}`
          : "";
    return {
        hardware,
        settings,
        thresholds,
        legend: levelLegend(thresholds, "predicted", settings.contextSize),
        agentTurn: describeAgentTurn(),
        summary: summarize(models, top, hardware, settings.contextSize, thresholds) + topCloseCall,
        topPick: top?.model.id ?? null,
        models,
        generatedAt: (options.now ?? new Date()).toISOString()
    };
}

/** The top pick of a ranking: its best-ranked model predicted usable, else almost. */
function topPickOf<T extends {verdict: PredictedLevel}>(ranked: readonly T[]): T | null {
    return ranked.find((e) => e.verdict === "usable") ?? ranked.find((e) => e.verdict === "almost") ?? null;
}

export interface RankedModel {
    model: CatalogModel;
    options: QuantizationOption[];
    best: QuantizationOption | null;
    verdict: PredictedLevel;
}

function rankModels(catalog: readonly CatalogModel[], hardware: HardwareProfile, options: EvaluateOptions): RankedModel[] {
    const evaluated = catalog.map((model) => {
        const quantOptions = model.quantizations.map((q) => evaluateQuantization(model, q, hardware, options));
        const best = pickBestQuantization(quantOptions);
        return {model, options: quantOptions, best, verdict: best?.verdict ?? ("no-fit" as const)};
    });
    return evaluated.sort(
        (a, b) =>
            tierOf(a.verdict, a.best) - tierOf(b.verdict, b.best) ||
            // Among models too slow to use, the one closest to usable (the shortest agent turn) comes first.
            (a.verdict === "no" ? a.best!.speed.agentTurnSeconds - b.best!.speed.agentTurnSeconds : 0) ||
            b.model.capability.score * (b.best?.quality ?? 0) - a.model.capability.score * (a.best?.quality ?? 0) ||
            (b.best?.speed.generationAtDepthTokensPerSecond ?? 0) - (a.best?.speed.generationAtDepthTokensPerSecond ?? 0) ||
            b.model.capability.score - a.model.capability.score
    );
}

/**
 * How far a measured bandwidth moves between runs on one machine: five fresh measurements on the quiet
 * 2-core test machine spread ±6 % (FACTS.md §9). A pick that changes within ±5 % is a close call.
 */
export const bandwidthRunToRun = 0.05;

function bandwidthChanges(hardware: HardwareProfile): {change: number; at: HardwareProfile}[] {
    return [-bandwidthRunToRun, bandwidthRunToRun].map((change) => ({change, at: {...hardware, cpuBandwidthBytesPerSecond: hardware.cpuBandwidthBytesPerSecond * (1 + change)}}));
}

function closeCallOf(e: RankedModel, nearby: readonly {change: number; ranked: readonly RankedModel[]}[]): CloseCall | null {
    const sideOf = (change: number) => {
        const other = nearby.find((n) => n.change === change)?.ranked.find((r) => r.model.id === e.model.id);
        if (!other) return null;
        const quantization = other.best?.quantization ?? null;
        return quantization === (e.best?.quantization ?? null) && other.verdict === e.verdict ? null : {quantization, verdict: other.verdict};
    };
    const lower = sideOf(-bandwidthRunToRun);
    const higher = sideOf(bandwidthRunToRun);
    return lower || higher ? {bandwidthChange: bandwidthRunToRun, lower, higher} : null;
}

/** "A close call: 5 % less memory bandwidth would pick Q4_K_M (almost); 5 % more would pick Q6_K (almost) — …" */
function describeCloseCall(c: CloseCall, pickedQuantization: string | null): string {
    const pick = (side: NonNullable<CloseCall["lower"]>) => (side.quantization ? `${side.quantization} (${levelLabels[side.verdict].toLowerCase()})` : "nothing (doesn't fit)");
    const sides = [c.lower && `${pct(c.bandwidthChange)} less memory bandwidth would pick ${pick(c.lower)}`, c.higher && `${pct(c.bandwidthChange)} more would pick ${pick(c.higher)}`].filter(Boolean);
    const otherQuantization = [c.lower, c.higher].some((side) => side && side.quantization !== pickedQuantization);
    return `A close call: ${sides.join("; ")} — the bandwidth measurement varies about that much from run to run, so ${otherQuantization ? "treat these quantizations as equally good here" : "the level is borderline here"}.`;
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

function summarize(models: ModelRecommendation[], top: ModelRecommendation | null, hardware: HardwareProfile, contextSize: number, t: VerdictThresholds): string {
    const ctx = formatKTokens(contextSize);
    const bar = `usable needs ≥ ${t.usableGenerationTps} tok/s and ≤ ${t.usableTurnSeconds} s per agent turn`;
    const figures = (m: ModelRecommendation) => `predicted ${formatTps(m.best!.speed.generationAtDepthTokensPerSecond)} at ${formatKTokens(m.best!.speed.depth)} of context and ~${formatSeconds(m.best!.speed.agentTurnSeconds)} per agent turn`;
    if (top?.best && top.verdict === "usable") {
        const caveat =
            top.best.quality < 0.9
                ? " Only a low-bit quantization is fast enough, so expect some quality loss."
                : top.model.toolCalling !== "native"
                  ? " It has no native tool calling."
                  : top.best.fit.tight
                    ? " It fits with little room to spare."
                    : "";
        return `Best coding-agent pick here: ${top.model.name} at ${top.bestQuantization} — usable: ${placement(top.best, hardware)}, ${figures(top)} at a ${ctx} context.${caveat}`;
    }
    if (top?.best) return `No model is predicted usable at a ${ctx} context here. Closest: ${top.model.name} at ${top.bestQuantization} — almost: ${figures(top)} (${bar}).`;
    const slow = models.find((m) => m.verdict === "no");
    if (slow?.best) return `No model is predicted usable at a ${ctx} context here: the closest, ${slow.model.name} at ${slow.bestQuantization}, is ${figures(slow)} (${bar}).`;
    return `No catalog model fits at a ${ctx} context on this machine. Try a smaller context, a quantized KV cache, or the what-if mode for another machine.`;
}
