/** How verdict numbers read, the same in the UI, the CLI and reports. Pure: the renderer bundles this file. */

/** "14.2 tok/s", "0.84 tok/s", "312 tok/s". */
export function formatTps(tps: number | null | undefined): string {
    if (tps == null || !Number.isFinite(tps)) return "–";
    return `${tps >= 100 ? Math.round(tps) : tps >= 10 ? tps.toFixed(1) : tps.toPrecision(2)} tok/s`;
}

/** "0.4 s", "12 s", "3.5 min". */
export function formatSeconds(seconds: number | null | undefined): string {
    if (seconds == null || !Number.isFinite(seconds)) return "–";
    if (seconds < 10) return `${seconds.toFixed(seconds < 1 ? 2 : 1)} s`;
    if (seconds < 120) return `${Math.round(seconds)} s`;
    return `${(seconds / 60).toFixed(1)} min`;
}

/** One machine's figures for one model in the machines comparison: "usable · 14 tok/s · 9/10". */
export function machineCellText(cell: {verdict: string; generationTps: number | null; eval: {successes: number; samples: number} | null} | null): string {
    if (!cell) return "not tried";
    return [cell.verdict, formatTps(cell.generationTps), cell.eval ? `${cell.eval.successes}/${cell.eval.samples}` : "not evaluated"].join(" · ");
}

/** Which engine binary measured a verdict's speed, in words (VerdictSpeedEvidence.binary). */
export const engineBinaryLabels: Record<"prebuilt" | "local" | "mixed", string> = {
    prebuilt: "prebuilt binary",
    local: "built for this CPU",
    mixed: "prebuilt and built-for-this-CPU runs pooled"
};
