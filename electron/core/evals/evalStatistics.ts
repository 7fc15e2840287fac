import type {EvalInterval, EvalPrice, EvalSampleSummary, EvalStats} from "../../api/EvalApi.ts";

const Z95 = 1.959963984540054;

/** Wilson score interval for `successes` of `n` (95% by default); null for n = 0. */
export function wilsonInterval(successes: number, n: number, z = Z95): EvalInterval | null {
    if (n <= 0) return null;
    const p = successes / n;
    const z2 = z * z;
    const denominator = 1 + z2 / n;
    const center = (p + z2 / (2 * n)) / denominator;
    const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
    return {low: Math.max(0, center - half), high: Math.min(1, center + half)};
}

export interface CostBasis {
    /** Local models cost nothing per token. */
    local: boolean;
    /** Price for cloud models; null when none is known. */
    price: EvalPrice | null;
    /** Watts, for an energy estimate of local runs. */
    wattage?: number;
}

/** Dollars for one run's usage at a price (cached input at its own price, or the input price). */
export function runCost(usage: EvalSampleSummary["usage"], price: EvalPrice): number {
    return (
        (usage.inputTokens * price.inputPerMillion +
            usage.cachedInputTokens * (price.cachedInputPerMillion ?? price.inputPerMillion) +
            usage.outputTokens * price.outputPerMillion) /
        1e6
    );
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);

/** Statistics over the scored samples given (others are ignored). */
export function computeStats(samples: readonly EvalSampleSummary[], basis: CostBasis): EvalStats {
    const scored = samples.filter((s) => s.status === "completed" && s.score !== null);
    const n = scored.length;
    const successes = scored.filter((s) => s.score === "C").length;
    const strictSuccesses = scored.filter((s) => s.strictScore === "C").length;
    const failureModes: EvalStats["failureModes"] = {};
    for (const sample of scored) if (sample.failureMode) failureModes[sample.failureMode] = (failureModes[sample.failureMode] ?? 0) + 1;
    const outputTokens = scored.reduce((sum, s) => sum + s.usage.outputTokens, 0);
    const modelSeconds = scored.reduce((sum, s) => sum + (s.modelMs ?? 0), 0) / 1000;
    const meanWallMs = mean(scored.map((s) => s.wallMs ?? 0));
    return {
        samples: n,
        successes,
        successRate: n ? successes / n : null,
        interval: wilsonInterval(successes, n),
        strictSuccesses,
        strictRate: n ? strictSuccesses / n : null,
        strictInterval: wilsonInterval(strictSuccesses, n),
        meanTurns: mean(scored.map((s) => s.turns)),
        meanInputTokens: mean(scored.map((s) => s.usage.inputTokens)),
        meanCachedInputTokens: mean(scored.map((s) => s.usage.cachedInputTokens)),
        meanOutputTokens: mean(scored.map((s) => s.usage.outputTokens)),
        costPerRun: n === 0 ? null : basis.local ? 0 : basis.price ? mean(scored.map((s) => runCost(s.usage, basis.price!))) : null,
        energyWhPerRun: basis.local && basis.wattage && meanWallMs !== null ? (basis.wattage * meanWallMs) / 3_600_000 : null,
        meanWallMs,
        outputTokensPerSecond: modelSeconds > 0 && outputTokens > 0 ? outputTokens / modelSeconds : null,
        failureModes
    };
}
