/** Summary statistics for repeated measurements. */
export function summarize(samples: number[]) {
    const sorted = [...samples].sort((a, b) => a - b);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    const sd = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, samples.length - 1));
    const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    return {mean, sd, median, min: sorted[0]!, max: sorted.at(-1)!};
}

/** "0.93× (target ≥ 0.90) PASS" */
export function ratioLine(label: string, ratio: number, target: {atLeast?: number; atMost?: number}): string {
    const ok = (target.atLeast === undefined || ratio >= target.atLeast) && (target.atMost === undefined || ratio <= target.atMost);
    const goal = target.atLeast !== undefined ? `≥ ${target.atLeast}` : `≤ ${target.atMost}`;
    return `   ${label.padEnd(48)} ${ratio.toFixed(3)}×  (target ${goal})  ${ok ? "PASS" : "FAIL"}`;
}
