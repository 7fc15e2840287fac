/**
 * The points of the verdict's charts (accuracy against speed, cost against accuracy), the same in
 * the UI (recharts) and the HTML report (inline SVG). Pure: the renderer bundles this file.
 */
import type {Verdict, VerdictLevel} from "../api/VerdictApi.ts";

export interface ChartPoint {
    key: string;
    label: string;
    /** A label short enough to sit next to a point: the quantization when all local points are one model, the model without its provider. */
    shortLabel: string;
    group: "local" | "cloud";
    level: VerdictLevel;
    /** Eval success rate, 0–1. */
    successRate: number;
    /** Generation tokens/s: measured on this machine for local models, the eval's output rate for cloud models. */
    tokensPerSecond: number | null;
    /** Dollars per run (0 for local models); null when no price is known. */
    costPerRun: number | null;
    /** Agent wall time per eval run, seconds. */
    secondsPerRun: number | null;
}

/** Every evaluated model of the verdict as a chart point (models without eval results have no accuracy to plot). */
export function chartPoints(verdict: Verdict): ChartPoint[] {
    const evaluated = verdict.local.filter((l) => l.eval);
    const oneFamily = new Set(evaluated.map((l) => l.family)).size === 1;
    const local: ChartPoint[] = evaluated
        .map((l) => ({
            key: l.key,
            label: l.label,
            shortLabel: oneFamily ? (l.quantization ?? l.label) : l.label,
            group: "local",
            level: l.verdict,
            successRate: l.eval!.successRate,
            tokensPerSecond: l.speed.generationTps,
            costPerRun: l.eval!.costPerRun ?? 0,
            secondsPerRun: l.eval!.meanWallMs !== null ? l.eval!.meanWallMs / 1000 : null
        }));
    const cloud: ChartPoint[] = verdict.cloud.map((c) => ({
        key: c.key,
        label: c.label,
        shortLabel: c.model,
        group: "cloud",
        level: c.level,
        successRate: c.eval.successRate,
        tokensPerSecond: c.eval.outputTokensPerSecond,
        costPerRun: c.eval.costPerRun,
        secondsPerRun: c.eval.meanWallMs !== null ? c.eval.meanWallMs / 1000 : null
    }));
    return [...local, ...cloud];
}

/** Colours of the verdict levels (UI badges, charts, the HTML report). */
export const levelColors: Record<VerdictLevel, string> = {usable: "#14875a", almost: "#b86e00", no: "#c2323c", "no-fit": "#7a1f26", untested: "#5f6b7d"};
