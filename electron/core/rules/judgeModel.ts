import type {ServedModelFacts} from "../../api/EvalApi.ts";
import type {PredictedLevel, SpeedPrediction} from "../../api/ModelsApi.ts";
import type {CriterionStatus, VerdictCriterion, VerdictEvalEvidence, VerdictLevel, VerdictMemoryEvidence, VerdictSpeedEvidence, VerdictThresholds} from "../../api/VerdictApi.ts";
import {agentTurnShape} from "../../shared/agentTurn.ts";
import {formatScore} from "../../shared/evalFormat.ts";
import {formatBytes, formatKTokens} from "../../shared/format.ts";
import {formatSeconds, formatTps} from "../../shared/verdictFormat.ts";
import {levelOf, statusAtLeast, statusAtMost} from "../../shared/verdictLevels.ts";

/** A model on a local server (Ollama, LM Studio, llama-server…): it runs there, so its fit is what the server reports. */
export interface ServedModelEvidence {
    facts: ServedModelFacts;
    /** "127.0.0.1:11434". */
    host: string;
}

export interface ModelEvidence {
    memory: VerdictMemoryEvidence | null;
    server?: ServedModelEvidence | null;
    speed: VerdictSpeedEvidence;
    eval: VerdictEvalEvidence | null;
}

/**
 * The verdict on one local model and quantization: each criterion against its thresholds, then the
 * level by the one rule every view uses (`levelOf`): "no-fit" when the fit fails, "no" when another
 * criterion fails, "usable" when all pass, "untested" when nothing fails but the eval has not run,
 * "almost" otherwise (something only near, or too few runs to be sure). Predictions are shown but
 * never decide here: the Verdict judges what was measured.
 */
export function judgeModel(evidence: ModelEvidence, t: VerdictThresholds): {verdict: VerdictLevel; headline: string; criteria: VerdictCriterion[]} {
    const s = evidence.speed;
    const generationWhere = s.generationSource === "bench" ? `benchmark tg at depth ${s.generationDepth ?? 0}` : "output rate in the eval";
    const turnWhere =
        s.turnSource === "bench-agent"
            ? "benchmark agent workload"
            : s.turnSource === "eval"
              ? "eval wall time ÷ turns (tools included)"
              : "measured pp and tg over the predicted agent turn's shape";
    const {failure, ...fit} = fitCriterion(evidence.memory, evidence.server ?? null, t.contextSize);
    const criteria = [
        fit,
        successCriterion(evidence.eval, t),
        speedCriterion(generationRule(t), s.generationTps !== null ? {value: s.generationTps, source: "measured", where: generationWhere} : {value: null, predicted: s.predictedGenerationTps}),
        speedCriterion(
            turnRule(t),
            s.turnSeconds !== null ? {value: s.turnSeconds, source: s.turnSource === "estimated" ? "estimated" : "measured", where: turnWhere} : {value: null, predicted: s.predictedTurnSeconds}
        )
    ];
    const verdict = levelOf(criteria);
    return {verdict, headline: headlineFor(verdict, criteria, failure, evidence.eval, t), criteria};
}

/**
 * A prediction judged by the same rules as a measurement: fit at the agent context (memory and
 * trained context), generation at the agent's depth, and the predicted time per agent turn.
 */
export function judgePrediction(memory: VerdictMemoryEvidence, speed: SpeedPrediction, t: VerdictThresholds): {verdict: PredictedLevel; headline: string; criteria: VerdictCriterion[]} {
    const {failure, ...fit} = fitCriterion(memory, null, memory.contextSize);
    const criteria = [
        fit,
        speedCriterion(generationRule(t), {value: speed.generationAtDepthTokensPerSecond, source: "predicted", where: `predicted at ${formatKTokens(speed.depth)} tokens of context`}),
        speedCriterion(turnRule(t), {
            value: speed.agentTurnSeconds,
            source: "predicted",
            where: `predicted mean of a ${agentTurnShape.sessionTurns}-turn session (the first turn, reading the agent prompt cold, ${formatSeconds(speed.firstTurnSeconds)}; each later one ${formatSeconds(speed.laterTurnSeconds)})`
        })
    ];
    const verdict = levelOf(criteria) as PredictedLevel;
    return {verdict, headline: headlineFor(verdict, criteria, failure, null, t), criteria};
}

const tokens = (n: number) => n.toLocaleString("en-US");

/**
 * Why a model trained for fewer tokens than the agent context fails "fits at the agent context", in
 * the words every view uses: "trained for 8,192 tokens; the agent context is 32,768". Null when the
 * trained context is unknown or long enough.
 */
export function trainedContextShortfall(trained: number | null, contextSize: number): string | null {
    return trained !== null && trained < contextSize ? `trained for ${tokens(trained)} tokens; the agent context is ${tokens(contextSize)}` : null;
}

/**
 * The fit at the agent context: enough memory, and a trained context at least as long as the agent's.
 * `failure` is the reason in a few words when it fails.
 */
function fitCriterion(memory: VerdictMemoryEvidence | null, server: ServedModelEvidence | null, contextSize: number): VerdictCriterion & {failure: string | null} {
    const ctx = formatKTokens(contextSize);
    const base = {id: "fit" as const, label: `Fits at ${ctx} context`};
    const trained = memory?.trainedContextSize ?? server?.facts.trainedContextSize ?? null;
    const tooShort = trainedContextShortfall(trained, contextSize);
    if (memory) {
        const needed = memory.ramNeededBytes + memory.vramNeededBytes;
        const capacity = memory.ramCapacityBytes + memory.vramCapacityBytes;
        if (memory.fitClass === "no-fit")
            return {
                ...base,
                status: "fail",
                value: `needs ${formatBytes(needed)} of ${formatBytes(capacity)}`,
                detail: `Does not fit in memory at a ${ctx} context with the OS reserve kept free${tooShort ? `; also ${tooShort}` : ""}.`,
                source: "estimated",
                cause: "memory",
                failure: `it needs ${formatBytes(needed)} of ${formatBytes(capacity)} at a ${ctx} context`
            };
        if (tooShort)
            return {
                ...base,
                status: "fail",
                value: `trained for ${formatKTokens(trained!)}`,
                detail: `${capitalize(tooShort)} (memory would fit: ${formatBytes(needed)} of ${formatBytes(capacity)}).`,
                source: "estimated",
                cause: "trained-context",
                failure: tooShort
            };
        const placement = memory.fitClass === "gpu-full" ? "on the GPU" : memory.fitClass === "gpu-partial" ? "partly on the GPU" : "in RAM";
        const measured = memory.measured ? `; a real load took ${formatBytes(memory.measured.residentBytes + memory.measured.vramBytes)}` : "";
        return {
            ...base,
            status: "pass",
            value: `${formatBytes(needed)} of ${formatBytes(capacity)}`,
            detail: `Fits ${placement}${memory.tight ? ", with under 10% to spare" : ""}, ${formatBytes(Math.max(0, memory.headroomBytes))} left${measured}.`,
            source: memory.measured ? "measured" : "estimated",
            failure: null
        };
    }
    if (server) {
        const served = server.facts.contextSize;
        if (tooShort)
            return {
                ...base,
                status: "fail",
                value: `trained for ${formatKTokens(trained!)}`,
                detail: `${capitalize(tooShort)} (reported by the server at ${server.host}).`,
                source: "measured",
                cause: "trained-context",
                failure: tooShort
            };
        if (served !== null && served < contextSize) {
            const failure = `the server at ${server.host} runs it with a ${tokens(served)}-token context; the agent context is ${tokens(contextSize)}`;
            return {...base, status: "fail", value: `served at ${formatKTokens(served)}`, detail: `${capitalize(failure)}. Restart it with a longer context.`, source: "measured", cause: "served-context", failure};
        }
        return {
            ...base,
            status: "pass",
            value: `runs on ${server.host}`,
            detail: `A local server (${server.facts.server}) at ${server.host} serves it, so it fits there${served !== null ? ` at ${tokens(served)} tokens` : "; the server did not report its context"}.`,
            source: "measured",
            failure: null
        };
    }
    return {...base, status: "unknown", value: "–", detail: "No estimate: the model file could not be read.", source: null, failure: null};
}

function successCriterion(evidence: VerdictEvalEvidence | null, t: VerdictThresholds): VerdictCriterion {
    const base = {id: "success" as const, label: "Eval success rate"};
    if (!evidence) return {...base, status: "unknown", value: "not evaluated", detail: `Run the refactor eval (${t.minRuns} runs) to judge it.`, source: null};
    const rule = `usable ≥ ${pct(t.usableSuccessRate)}, almost ≥ ${pct(t.almostSuccessRate)}`;
    let status = statusAtLeast(evidence.successRate, t.usableSuccessRate, t.almostSuccessRate);
    let detail = rule;
    if (evidence.samples < t.minRuns) {
        // Too few runs: a miss still counts (the runs happened), a pass cannot be trusted yet.
        if (status === "pass") status = "near";
        detail = `${rule}; only ${evidence.samples} of the ${t.minRuns} runs needed to call it usable`;
    }
    return {...base, status, value: formatScore(evidence.successes, evidence.samples, evidence.interval), detail, source: "measured"};
}

/** A speed figure: a value with where it comes from, or none (with the prediction to show beside it). */
type Figure = {value: number; source: "measured" | "estimated" | "predicted"; where: string} | {value: null; predicted: number | null};

/** One speed criterion's rule: its bars and how its values read. */
interface SpeedRule {
    id: "generation" | "turn";
    label: string;
    rule: string;
    status(value: number): CriterionStatus;
    format(value: number): string;
}

const generationRule = (t: VerdictThresholds): SpeedRule => ({
    id: "generation",
    label: "Generation speed",
    rule: `usable ≥ ${t.usableGenerationTps} tok/s, almost ≥ ${t.almostGenerationTps}`,
    status: (tps) => statusAtLeast(tps, t.usableGenerationTps, t.almostGenerationTps),
    format: formatTps
});

const turnRule = (t: VerdictThresholds): SpeedRule => ({
    id: "turn",
    label: "Time per agent turn",
    rule: `usable ≤ ${t.usableTurnSeconds} s, almost ≤ ${t.almostTurnSeconds} s`,
    status: (seconds) => statusAtMost(seconds, t.usableTurnSeconds, t.almostTurnSeconds),
    format: formatSeconds
});

/** A figure against its rule; predictions read "~" so they never pass for measurements. */
function speedCriterion(rule: SpeedRule, figure: Figure): VerdictCriterion {
    const base = {id: rule.id, label: rule.label};
    if (figure.value === null)
        return {
            ...base,
            status: "unknown",
            value: figure.predicted !== null ? `~${rule.format(figure.predicted)} predicted` : "–",
            detail: `Not measured: run the speed benchmark or the eval. ${rule.rule}.`,
            source: figure.predicted !== null ? "predicted" : null
        };
    return {
        ...base,
        status: rule.status(figure.value),
        value: `${figure.source === "predicted" ? "~" : ""}${rule.format(figure.value)}`,
        detail: `${figure.where}; ${rule.rule}`,
        source: figure.source
    };
}

function headlineFor(verdict: VerdictLevel, criteria: VerdictCriterion[], fitFailure: string | null, evaluation: VerdictEvalEvidence | null, t: VerdictThresholds): string {
    const byId = (id: VerdictCriterion["id"]) => criteria.find((c) => c.id === id);
    const generation = byId("generation")!;
    const turn = byId("turn")!;
    if (verdict === "usable")
        return evaluation
            ? `Usable: refactors ${pct(evaluation.successRate)} of the time at ${generation.value}, ${turn.value} per turn.`
            : `Usable (predicted): ${generation.value} at the agent's depth, ${turn.value} per agent turn.`;
    if (verdict === "untested") return "Not evaluated yet: fits and nothing measured rules it out; run the refactor eval.";
    if (verdict === "no-fit") return `Doesn't fit: ${fitFailure ?? "it does not fit at the agent context"}.`;
    if (verdict === "no") {
        if (byId("success")?.status === "fail") return `No: it refactored ${evaluation!.successes}/${evaluation!.samples} runs, below the ${pct(t.almostSuccessRate)} "almost" bar.`;
        if (generation.status === "fail") return `No: generation at ${generation.value} is below ${t.almostGenerationTps} tok/s.`;
        return `No: an agent turn takes ${turn.value}, over ${t.almostTurnSeconds} s.`;
    }
    const near = criteria.filter((c) => c.status === "near" || c.status === "unknown").map((c) => describeGap(c, evaluation, t));
    return `Almost: ${near.join("; ")}.`;
}

function describeGap(c: VerdictCriterion, evaluation: VerdictEvalEvidence | null, t: VerdictThresholds): string {
    if (c.status === "unknown") return `${c.label.toLowerCase()} not measured`;
    if (c.id === "success") {
        const e = evaluation!;
        return e.samples < t.minRuns && e.successRate >= t.usableSuccessRate ? `${e.samples} runs so far, ${t.minRuns} needed` : `success ${pct(e.successRate)} (needs ${pct(t.usableSuccessRate)})`;
    }
    if (c.id === "generation") return `${c.value} (needs ${t.usableGenerationTps})`;
    if (c.id === "turn") return `${c.value} per turn (needs ≤ ${t.usableTurnSeconds} s)`;
    return c.value;
}

const pct = (rate: number) => `${Math.round(rate * 100)}%`;
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
