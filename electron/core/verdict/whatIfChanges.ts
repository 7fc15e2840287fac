import type {CatalogModel, FitSettings, HardwareProfile, InspectReport, ModelRecommendation, QuantizationOption, RecommendationReport, RecommendRequest} from "../../api/ModelsApi.ts";
import type {LocalModelVerdict, Verdict, VerdictChange, VerdictChangeAction, VerdictCriterion, VerdictLevel, VerdictThresholds} from "../../api/VerdictApi.ts";
import {formatBytes, formatKTokens} from "../../shared/format.ts";
import {agentSessionDepth} from "../../shared/agentTurn.ts";
import {formatSeconds, formatTps} from "../../shared/verdictFormat.ts";
import {levelLabels} from "../../shared/verdictLevels.ts";
import {whatIfPresets} from "../catalog/hardwareProfile.ts";

export interface WhatIfChangesOptions {
    thresholds: VerdictThresholds;
    hardware: HardwareProfile;
    catalog: readonly CatalogModel[];
    local: readonly LocalModelVerdict[];
    /** The answer as it stands: what each change is weighed against. */
    answer: Verdict["answer"];
    /** The eval task the verdict judges on (what an eval item runs). */
    task: string | null;
    recommend(request: RecommendRequest): Promise<RecommendationReport>;
    inspect(file: string, settings: FitSettings): Promise<InspectReport | null>;
}

const GiB = 1024 ** 3;
const ramSteps = [16, 24, 32, 48, 64, 96, 128];

const levelRank: Record<VerdictLevel, number> = {usable: 0, almost: 1, untested: 2, no: 3, "no-fit": 4};

/**
 * What could change the answer, decisive ones first: the measurements the answer still lacks (a
 * local model's benchmark or eval, when its criteria leave room for a better level than the
 * answer's), then the what-if estimates (always predictions): a model with a good published
 * refactor score that fits here and has not been tried; the smallest RAM upgrade that fits such a
 * model; the first laptop preset that would run it fast enough; and for local files that do not
 * fit, a quantized KV cache or a shorter context that would. Each is decisive only when the level it
 * could reach beats the answer's level; the others stay listed as other options, with the reason.
 */
export async function whatIfChanges(options: WhatIfChangesOptions): Promise<VerdictChange[]> {
    const measurements = missingMeasurements(options);
    const whatIfs = await whatIfEstimates(options);
    const all = [...measurements, ...whatIfs];
    return [...all.filter((c) => c.decisive), ...all.filter((c) => !c.decisive)];
}

/** Whether a change that could reach `expected` could move the answer, and why, in one sentence. */
export function weighChange(expected: VerdictLevel, answer: Verdict["answer"], bestLabel: string | null): {decisive: boolean; why: string} {
    if (answer.verdict === "usable")
        return {decisive: false, why: `The answer is already Yes${bestLabel ? ` (${bestLabel} is usable)` : ""}: this would add another option, not change it.`};
    if (levelRank[expected] < levelRank[answer.verdict])
        return {decisive: true, why: `It could reach "${levelLabels[expected]}", better than the answer as it stands ("${levelLabels[answer.verdict]}").`};
    return {decisive: false, why: `At best "${levelLabels[expected]}": no better than the answer as it stands ("${levelLabels[answer.verdict]}").`};
}

/**
 * The best level a model without a failing criterion could reach once its open criteria are
 * measured: "almost" while any other criterion is near, else usable.
 */
function ceilingOf(model: LocalModelVerdict, stillOpen: (c: VerdictCriterion) => boolean): VerdictLevel {
    return model.criteria.some((c) => c.status === "near" && !stillOpen(c)) ? "almost" : "usable";
}

/** Benchmarks and evals the answer lacks, for this machine's own model files. */
function missingMeasurements(options: WhatIfChangesOptions): VerdictChange[] {
    const t = options.thresholds;
    const changes: VerdictChange[] = [];
    const bestLabel = options.local.find((l) => l.key === options.answer.best)?.label ?? null;
    const unknown = (model: LocalModelVerdict, id: VerdictCriterion["id"]) => model.criteria.find((c) => c.id === id)?.status === "unknown";
    // A model that already fails a criterion keeps its level whatever else is measured.
    for (const model of options.local.filter((l) => l.location === "engine" && l.path && !l.criteria.some((c) => c.status === "fail"))) {
        const common = {modelId: model.catalogModelId, quantization: model.quantization, hardware: null, predictedGenerationTps: model.speed.predictedGenerationTps, published: null};
        if (unknown(model, "generation") || unknown(model, "turn")) {
            const expected = ceilingOf(model, (c) => c.status === "unknown");
            const predicted = model.speed.predictedGenerationTps !== null ? ` (predicted ${formatTps(model.speed.predictedGenerationTps)})` : "";
            changes.push({
                ...common,
                kind: "bench",
                text: `Benchmark ${model.label} at the ${formatKTokens(t.contextSize)} agent context: its generation speed and time per agent turn are not measured yet${predicted}.`,
                expected,
                ...weighChange(expected, options.answer, bestLabel),
                action: benchAction(model.path!, t.contextSize, null)
            });
        }
        const success = model.criteria.find((c) => c.id === "success");
        const tooFewRuns = model.eval !== null && model.eval.samples < t.minRuns && success?.status === "near";
        if (unknown(model, "success") || tooFewRuns) {
            const runs = model.eval ? t.minRuns - model.eval.samples : t.minRuns;
            const expected = ceilingOf(model, (c) => c.id === "success" || c.status === "unknown");
            changes.push({
                ...common,
                kind: "eval",
                text: model.eval
                    ? `Run ${runs} more eval run${runs === 1 ? "" : "s"} of ${model.label}: ${model.eval.samples} of the ${t.minRuns} runs needed to call it usable are done.`
                    : `Run the refactor eval on ${model.label} (${t.minRuns} runs): whether it refactors reliably is not measured yet.`,
                expected,
                ...weighChange(expected, options.answer, bestLabel),
                action: {kind: "eval", model: model.path!, task: options.task, runs, contextSize: t.contextSize}
            });
        }
    }
    return changes;
}

/** Other models, more RAM, another laptop, other settings: predictions from the what-if estimates. */
async function whatIfEstimates(options: WhatIfChangesOptions): Promise<VerdictChange[]> {
    const t = options.thresholds;
    const base: RecommendRequest = {contextSize: t.contextSize};
    const ctx = formatKTokens(t.contextSize);
    const changes: VerdictChange[] = [];
    const bestLabel = options.local.find((l) => l.key === options.answer.best)?.label ?? null;
    const weigh = (expected: VerdictLevel) => ({expected, ...weighChange(expected, options.answer, bestLabel)});
    const tried = new Set(options.local.map((l) => `${l.catalogModelId}:${l.quantization}`));

    // Models worth having: a published refactor score at least "almost", best first.
    const promising = options.catalog
        .map((model) => ({model, published: bestPublished(model)}))
        .filter((m) => m.published && m.published.accuracy >= t.almostSuccessRate)
        .sort((a, b) => b.published!.accuracy - a.published!.accuracy || b.model.capability.score - a.model.capability.score);
    const here = await options.recommend(base);
    const rec = (report: RecommendationReport, id: string) => report.models.find((m) => m.model.id === id);
    // Predicted usable by the Verdict's own rules (generation at the agent's depth and time per agent turn).
    const fitsFast = (r: ModelRecommendation | undefined) => !!r?.best && r.verdict === "usable";
    const predicted = (o: QuantizationOption) => `predicted ${formatTps(o.speed.generationAtDepthTokensPerSecond)} and ~${formatSeconds(o.speed.agentTurnSeconds)} per agent turn`;

    for (const {model, published} of promising) {
        const r = rec(here, model.id);
        if (!r?.best || tried.has(`${model.id}:${r.bestQuantization}`)) continue;
        const speed = r.best.speed.generationAtDepthTokensPerSecond;
        const fast = fitsFast(r);
        changes.push({
            kind: "model",
            text: fast
                ? `Try ${model.name} at ${r.bestQuantization}: it fits here at ${ctx} (${formatBytes(r.best.fit.ramNeededBytes + r.best.fit.vramNeededBytes)}), ${predicted(r.best)} (usable), and scored ${published!.label} on the published refactor eval.`
                : `${model.name} at ${r.bestQuantization} fits here at ${ctx} and scored ${published!.label} on the published refactor eval, but is ${predicted(r.best)}: ${levelLabels[r.verdict].toLowerCase()} (usable needs ≥ ${t.usableGenerationTps} tok/s and ≤ ${t.usableTurnSeconds} s).`,
            modelId: model.id,
            quantization: r.bestQuantization,
            hardware: null,
            predictedGenerationTps: speed,
            published: published!.label,
            ...weigh(r.verdict),
            action: {kind: "download", reference: `${model.id}:${r.bestQuantization}`}
        });
        if (changes.length >= 2) break;
    }

    // The smallest RAM upgrade that fits each promising model at its usual quantization (Q4_K_M for most), when it does not fit here.
    const optionOf = (report: RecommendationReport, model: CatalogModel) => rec(report, model.id)?.options.find((o) => o.quantization === model.defaultQuantization);
    const missing = promising.filter(({model}) => {
        const option = optionOf(here, model);
        return option !== undefined && option.verdict === "no-fit";
    });
    const ramCurrentGiB = options.hardware.ramBytes / GiB;
    const reported = new Set<string>();
    for (const gib of ramSteps.filter((g) => g > ramCurrentGiB + 0.5)) {
        if (missing.every(({model}) => reported.has(model.id)) || reported.size >= 3) break;
        const report = await options.recommend({...base, hardware: {ram: `${gib}GiB`}});
        for (const {model, published} of missing) {
            const option = optionOf(report, model);
            if (reported.has(model.id) || !option || option.verdict === "no-fit") continue;
            reported.add(model.id);
            const speed = option.speed.generationAtDepthTokensPerSecond;
            changes.push({
                kind: "ram",
                text: `With ${gib} GB of RAM this machine would fit ${model.name} at ${option.quantization} at ${ctx} (${predicted(option)}: ${levelLabels[option.verdict].toLowerCase()}; published refactor score ${published!.label}).`,
                modelId: model.id,
                quantization: option.quantization,
                hardware: `${gib} GB RAM`,
                predictedGenerationTps: speed,
                published: published!.label,
                ...weigh(option.verdict),
                action: {kind: "whatif", ram: `${gib}GiB`, preset: null}
            });
        }
    }

    // The first laptop preset that runs the best promising model fast enough, when this machine cannot.
    const target = promising.find(({model}) => !fitsFast(rec(here, model.id)));
    if (target) {
        for (const preset of whatIfPresets) {
            const report = await options.recommend({...base, hardware: {preset: preset.id}});
            const r = rec(report, target.model.id);
            if (!fitsFast(r)) continue;
            changes.push({
                kind: "gpu",
                text: `On a ${preset.label} (${preset.description}), ${target.model.name} at ${r!.bestQuantization} would fit at ${ctx} and be usable: ${predicted(r!.best!)}.`,
                modelId: target.model.id,
                quantization: r!.bestQuantization,
                hardware: preset.label,
                predictedGenerationTps: r!.best!.speed.generationAtDepthTokensPerSecond,
                published: target.published!.label,
                ...weigh("usable"),
                action: {kind: "whatif", ram: null, preset: preset.id}
            });
            break;
        }
    }

    // Local files that do not fit (memory, or a trained context below the agent's): would a quantized
    // KV cache or a shorter context make them fit?
    for (const entry of options.local.filter((l) => l.path && l.verdict === "no-fit")) {
        const trained = entry.memory?.trainedContextSize ?? null;
        const shorter = trained !== null && trained < t.contextSize ? trained : Math.max(4096, t.contextSize / 2);
        const tries: {settings: FitSettings; label: string; kvCacheType: "q8_0" | "q4_0" | null}[] = [
            ...(trained !== null && trained < t.contextSize
                ? []
                : [
                      {settings: {contextSize: t.contextSize, kvCacheType: "q8_0" as const}, label: `a q8_0 KV cache at ${ctx}`, kvCacheType: "q8_0" as const},
                      {settings: {contextSize: t.contextSize, kvCacheType: "q4_0" as const}, label: `a q4_0 KV cache at ${ctx}`, kvCacheType: "q4_0" as const}
                  ]),
            {settings: {contextSize: shorter}, label: `a ${formatKTokens(shorter)} context${shorter === trained ? " (the one it was trained for)" : ""}`, kvCacheType: null}
        ];
        for (const attempt of tries) {
            const report = await options.inspect(entry.path!, attempt.settings);
            if (!report || report.verdict === "no-fit") continue;
            changes.push({
                kind: "settings",
                text: `With ${attempt.label}, ${entry.label} would fit (${formatBytes(report.fit.ramNeededBytes + report.fit.vramNeededBytes)}).`,
                modelId: entry.catalogModelId,
                quantization: entry.quantization,
                hardware: null,
                predictedGenerationTps: report.speed.generationAtDepthTokensPerSecond,
                published: null,
                ...weigh(report.verdict),
                action: benchAction(entry.path!, attempt.settings.contextSize ?? t.contextSize, attempt.kvCacheType)
            });
            break;
        }
    }
    return changes;
}

/** Benchmark a file at `contextSize`, measuring generation at half of it, where the Verdict reads it (as the guided path's benchmark does). */
function benchAction(model: string, contextSize: number, kvCacheType: "q8_0" | "q4_0" | null): VerdictChangeAction {
    return {kind: "bench", model, kvCacheType, contextSize, depth: agentSessionDepth(contextSize)};
}

function bestPublished(model: CatalogModel): {accuracy: number; label: string} | null {
    const newest = [...model.evals].sort((a, b) => b.date.localeCompare(a.date) || b.accuracy - a.accuracy)[0];
    if (!newest) return null;
    const [year, month] = newest.date.split("-");
    const monthName = month ? new Date(Date.UTC(Number(year), Number(month) - 1, 1)).toLocaleString("en", {month: "short", timeZone: "UTC"}) : "";
    return {accuracy: newest.accuracy, label: `${newest.correct}/${newest.runs} (${monthName} ${year})`.replace("( ", "(")};
}
