/** Mean and sample standard deviation, as llama-bench reports them. */
export function meanAndStdDev(samples: readonly number[]): {mean: number; stdDev: number} {
    if (samples.length === 0) return {mean: NaN, stdDev: NaN};
    const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
    if (samples.length === 1) return {mean, stdDev: 0};
    const variance = samples.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (samples.length - 1);
    return {mean, stdDev: Math.sqrt(variance)};
}

/**
 * A LocalScore-style summary of one model on one machine: 10 × cbrt(prompt tok/s × generation
 * tok/s × 1000 / time-to-first-token ms). Higher is better; it rewards fast prompts, fast
 * generation and short waits equally (each under a cube root).
 */
export function localScore(promptTokensPerSecond: number, generationTokensPerSecond: number, timeToFirstTokenMs: number): number {
    if (!(promptTokensPerSecond > 0 && generationTokensPerSecond > 0 && timeToFirstTokenMs > 0)) return 0;
    return 10 * Math.cbrt((promptTokensPerSecond * generationTokensPerSecond * 1000) / timeToFirstTokenMs);
}
