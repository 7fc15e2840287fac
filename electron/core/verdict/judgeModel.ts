import type {
    CriterionStatus,
    VerdictCriterion,
    VerdictEvalEvidence,
    VerdictLevel,
    VerdictMemoryEvidence,
    VerdictSpeedEvidence,
    VerdictThresholds
} from "../../api/VerdictApi.ts";
import {formatScore} from "../../shared/evalFormat.ts";
import {formatBytes, formatKTokens} from "../../shared/format.ts";
import {formatSeconds, formatTps} from "../../shared/verdictFormat.ts";

export interface ModelEvidence {
    memory: VerdictMemoryEvidence | null;
    speed: VerdictSpeedEvidence;
    eval: VerdictEvalEvidence | null;
}

/**
 * The verdict on one local model and quantization: each criterion against its thresholds, then
 * "no" when any fails, "usable" when all pass, "untested" when nothing fails but the eval has not
 * run, "almost" otherwise (something only near, or too few runs to be sure).
 */
export function judgeModel(evidence: ModelEvidence, t: VerdictThresholds): {verdict: VerdictLevel; headline: string; criteria: VerdictCriterion[]} {
    const criteria = [fitCriterion(evidence.memory, t), successCriterion(evidence.eval, t), generationCriterion(evidence.speed, t), turnCriterion(evidence.speed, t)];
    const failing = criteria.filter((c) => c.status === "fail");
    const success = criteria[1]!;
    let verdict: VerdictLevel;
    if (failing.length > 0) verdict = "no";
    else if (criteria.every((c) => c.status === "pass")) verdict = "usable";
    else if (success.status === "unknown") verdict = "untested";
    else verdict = "almost";
    return {verdict, headline: headlineFor(verdict, criteria, evidence, t), criteria};
}

function fitCriterion(memory: VerdictMemoryEvidence | null, t: VerdictThresholds): VerdictCriterion {
    const ctx = formatKTokens(t.contextSize);
    const base = {id: "fit" as const, label: `Fits at ${ctx} context`};
    if (!memory) return {...base, status: "unknown", value: "–", detail: "No estimate: the model file could not be read.", source: null};
    const needed = memory.ramNeededBytes + memory.vramNeededBytes;
    const capacity = memory.ramCapacityBytes + memory.vramCapacityBytes;
    if (memory.fitClass === "no-fit")
        return {
            ...base,
            status: "fail",
            value: `needs ${formatBytes(needed)} of ${formatBytes(capacity)}`,
            detail: `Does not fit in memory at a ${ctx} context with the OS reserve kept free.`,
            source: "estimated"
        };
    const placement = memory.fitClass === "gpu-full" ? "on the GPU" : memory.fitClass === "gpu-partial" ? "partly on the GPU" : "in RAM";
    const measured = memory.measured ? `; a real load took ${formatBytes(memory.measured.residentBytes + memory.measured.vramBytes)}` : "";
    return {
        ...base,
        status: "pass",
        value: `${formatBytes(needed)} of ${formatBytes(capacity)}`,
        detail: `Fits ${placement}${memory.tight ? ", with under 10% to spare" : ""}, ${formatBytes(Math.max(0, memory.headroomBytes))} left${measured}.`,
        source: memory.measured ? "measured" : "estimated"
    };
}

export function successCriterion(evidence: VerdictEvalEvidence | null, t: VerdictThresholds): VerdictCriterion {
    const base = {id: "success" as const, label: "Eval success rate"};
    if (!evidence) return {...base, status: "unknown", value: "not evaluated", detail: `Run the refactor eval (${t.minRuns} runs) to judge it.`, source: null};
    const rate = evidence.successRate;
    const value = formatScore(evidence.successes, evidence.samples, evidence.interval);
    const rule = `usable ≥ ${pct(t.usableSuccessRate)}, almost ≥ ${pct(t.almostSuccessRate)}`;
    let status: CriterionStatus = rate >= t.usableSuccessRate ? "pass" : rate >= t.almostSuccessRate ? "near" : "fail";
    let detail = rule;
    if (evidence.samples < t.minRuns) {
        // Too few runs: a miss still counts (the runs happened), a pass cannot be trusted yet.
        if (status === "pass") status = "near";
        detail = `${rule}; only ${evidence.samples} of the ${t.minRuns} runs needed to call it usable`;
    }
    return {...base, status, value, detail, source: "measured"};
}

export function generationCriterion(speed: VerdictSpeedEvidence, t: VerdictThresholds): VerdictCriterion {
    const base = {id: "generation" as const, label: "Generation speed"};
    const rule = `usable ≥ ${t.usableGenerationTps} tok/s, almost ≥ ${t.almostGenerationTps}`;
    if (speed.generationTps === null)
        return {
            ...base,
            status: "unknown",
            value: speed.predictedGenerationTps !== null ? `~${formatTps(speed.predictedGenerationTps)} predicted` : "–",
            detail: `Not measured: run the speed benchmark or the eval. ${rule}.`,
            source: speed.predictedGenerationTps !== null ? "predicted" : null
        };
    const tps = speed.generationTps;
    const where = speed.generationSource === "bench" ? `benchmark tg at depth ${speed.generationDepth ?? 0}` : "output rate in the eval";
    return {
        ...base,
        status: tps >= t.usableGenerationTps ? "pass" : tps >= t.almostGenerationTps ? "near" : "fail",
        value: formatTps(tps),
        detail: `${where}; ${rule}`,
        source: "measured"
    };
}

export function turnCriterion(speed: VerdictSpeedEvidence, t: VerdictThresholds): VerdictCriterion {
    const base = {id: "turn" as const, label: "Time per agent turn"};
    const rule = `usable ≤ ${t.usableTurnSeconds} s, almost ≤ ${t.almostTurnSeconds} s`;
    if (speed.turnSeconds === null) return {...base, status: "unknown", value: "–", detail: `Not measured: run the speed benchmark or the eval. ${rule}.`, source: null};
    const s = speed.turnSeconds;
    const where =
        speed.turnSource === "bench-agent"
            ? "benchmark agent workload"
            : speed.turnSource === "eval"
              ? "eval wall time ÷ turns (tools included)"
              : "estimated from measured pp and tg for an agent-sized turn";
    return {
        ...base,
        status: s <= t.usableTurnSeconds ? "pass" : s <= t.almostTurnSeconds ? "near" : "fail",
        value: formatSeconds(s),
        detail: `${where}; ${rule}`,
        source: speed.turnSource === "estimated" ? "estimated" : "measured"
    };
}

function headlineFor(verdict: VerdictLevel, criteria: VerdictCriterion[], evidence: ModelEvidence, t: VerdictThresholds): string {
    const [fit, success, generation, turn] = criteria as [VerdictCriterion, VerdictCriterion, VerdictCriterion, VerdictCriterion];
    const rate = evidence.eval ? pct(evidence.eval.successRate) : null;
    if (verdict === "usable") return `Usable: refactors ${rate} of the time at ${generation.value}, ${turn.value} per turn.`;
    if (verdict === "untested") return "Not evaluated yet: fits and nothing measured rules it out; run the refactor eval.";
    if (verdict === "no") {
        if (fit.status === "fail") return `No: it does not fit at a ${formatKTokens(t.contextSize)} context (${fit.value}).`;
        if (success.status === "fail") return `No: it refactored ${success.value.split(" (")[0]} runs, below the ${pct(t.almostSuccessRate)} "almost" bar.`;
        if (generation.status === "fail") return `No: generation at ${generation.value} is below ${t.almostGenerationTps} tok/s.`;
        return `No: an agent turn takes ${turn.value}, over ${t.almostTurnSeconds} s.`;
    }
    const near = criteria.filter((c) => c.status === "near" || c.status === "unknown").map((c) => describeGap(c, evidence, t));
    return `Almost: ${near.join("; ")}.`;
}

function describeGap(c: VerdictCriterion, evidence: ModelEvidence, t: VerdictThresholds): string {
    if (c.status === "unknown") return `${c.label.toLowerCase()} not measured`;
    if (c.id === "success") {
        const e = evidence.eval!;
        return e.samples < t.minRuns && e.successRate >= t.usableSuccessRate ? `${e.samples} runs so far, ${t.minRuns} needed` : `success ${pct(e.successRate)} (needs ${pct(t.usableSuccessRate)})`;
    }
    if (c.id === "generation") return `${c.value} (needs ${t.usableGenerationTps})`;
    if (c.id === "turn") return `${c.value} per turn (needs ≤ ${t.usableTurnSeconds} s)`;
    return c.value;
}

const pct = (rate: number) => `${Math.round(rate * 100)}%`;
