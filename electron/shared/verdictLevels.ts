/**
 * The words AgentFit judges with — usable, almost, no, doesn't fit — and the rules behind them, the
 * same on the Models screen, in `recommend`, the Verdict and reports. Pure: the renderer bundles
 * this file.
 */
import type {CriterionStatus, VerdictLevel, VerdictThresholds} from "../api/VerdictApi.ts";
import {formatKTokens} from "./format.ts";

export const levelLabels: Record<VerdictLevel, string> = {usable: "Usable", almost: "Almost", no: "No", "no-fit": "Doesn't fit", untested: "Not evaluated"};

/** Where a value stands when more is better (success rate, tokens/s): pass at the usable bar, near at the almost bar. */
export function statusAtLeast(value: number, usable: number, almost: number): CriterionStatus {
    return value >= usable ? "pass" : value >= almost ? "near" : "fail";
}

/** Where a value stands when less is better (seconds per turn). */
export function statusAtMost(value: number, usable: number, almost: number): CriterionStatus {
    return value <= usable ? "pass" : value <= almost ? "near" : "fail";
}

/**
 * The level from the criteria: "no-fit" when the fit fails, "no" when another fails, "usable" when
 * all pass, "untested" when nothing fails but the eval has not judged it, "almost" otherwise.
 */
export function levelOf(criteria: readonly {id: string; status: CriterionStatus}[]): VerdictLevel {
    if (criteria.some((c) => c.id === "fit" && c.status === "fail")) return "no-fit";
    if (criteria.some((c) => c.status === "fail")) return "no";
    if (criteria.every((c) => c.status === "pass")) return "usable";
    if (criteria.some((c) => c.id === "success" && c.status === "unknown")) return "untested";
    return "almost";
}

export interface LevelLegendEntry {
    level: VerdictLevel;
    label: string;
    meaning: string;
}

const pct = (rate: number) => `${Math.round(rate * 100)}%`;

/**
 * What each word means under these thresholds. "predicted": the Models screen and `recommend`, which
 * judge predictions of fit, generation and turn time (success cannot be predicted); "verdict": the
 * Verdict and reports, which also judge the eval's success rate.
 */
export function levelLegend(t: VerdictThresholds, kind: "predicted" | "verdict", contextSize = t.contextSize): LevelLegendEntry[] {
    const ctx = formatKTokens(contextSize);
    const depth = formatKTokens(contextSize / 2);
    const success = kind === "verdict";
    const entries: LevelLegendEntry[] = [
        {
            level: "usable",
            label: levelLabels.usable,
            meaning:
                `fits at ${ctx} context` +
                (success ? `, refactors ≥ ${pct(t.usableSuccessRate)} of ≥ ${t.minRuns} eval runs` : "") +
                `, generates ≥ ${t.usableGenerationTps} tok/s at the agent's depth${success ? "" : ` (${depth})`} and takes ≤ ${t.usableTurnSeconds} s per agent turn`
        },
        {
            level: "almost",
            label: levelLabels.almost,
            meaning:
                `fits and nothing fails, but ${success ? `success is only ≥ ${pct(t.almostSuccessRate)} (or fewer than ${t.minRuns} runs), ` : ""}generation only ≥ ${t.almostGenerationTps} tok/s or a turn up to ${t.almostTurnSeconds} s`
        },
        {
            level: "no",
            label: levelLabels.no,
            meaning: `fits, but ${success ? `succeeds under ${pct(t.almostSuccessRate)}, ` : ""}generates under ${t.almostGenerationTps} tok/s or takes over ${t.almostTurnSeconds} s per turn`
        },
        {
            level: "no-fit",
            label: levelLabels["no-fit"],
            meaning: `needs more memory than this machine leaves a model at ${ctx}, or was trained for fewer tokens than the ${ctx} agent context`
        }
    ];
    if (success) entries.push({level: "untested", label: levelLabels.untested, meaning: "fits and nothing measured rules it out, but the refactor eval has not run"});
    return entries;
}

/** The legend as one line: "Usable = …; Almost = …; …". */
export function legendLine(t: VerdictThresholds, kind: "predicted" | "verdict", contextSize?: number): string {
    return levelLegend(t, kind, contextSize)
        .map((e) => `${e.label} = ${e.meaning}`)
        .join("; ") + ".";
}
