/**
 * How the speed benchmark's tests and results read, the same in the UI and the CLI.
 * No Node or DOM APIs here: the renderer bundles this file.
 */

interface TestShape {
    kind: "pp" | "tg" | "ttft" | "agent";
    promptTokens: number;
    generatedTokens: number;
    depth: number;
}

interface MeasuredTest extends TestShape {
    status: "completed" | "skipped" | "failed" | "cancelled";
    avgTs: number | null;
    stddevTs: number | null;
    avgNs: number | null;
    stddevNs: number | null;
    samplesNs: number[];
    timeToFirstTokenMs: number[];
    load?: {otherBusyCores: number; cores: number};
    noise?: {spread: number; bound: number; attempts: number; noisy: boolean};
}

/** llama-bench's test names ("pp512", "tg128", "pp512 @ d4096"), plus "ttft pp512" and "agent turn". */
export function benchTestName(test: TestShape): string {
    const base =
        test.kind === "pp"
            ? `pp${test.promptTokens}`
            : test.kind === "tg"
              ? `tg${test.generatedTokens}`
              : test.kind === "ttft"
                ? `ttft pp${test.promptTokens}`
                : `agent turn (≤${test.generatedTokens} tok)`;
    return test.depth > 0 ? `${base} @ d${test.depth}` : base;
}

/** "123.45 ± 1.20 tok/s", "182 ms to first token", "1,240 ± 80 ms per turn"; "–" without samples. */
export function benchSpeedText(result: MeasuredTest, options: {unit?: boolean} = {}): string {
    const unit = options.unit ?? true;
    if (result.kind === "ttft") {
        const ms = result.timeToFirstTokenMs;
        if (ms.length === 0) return "–";
        return `${(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(1)} ms to first token`;
    }
    if (result.kind === "agent") {
        if (result.avgNs == null) return "–";
        return `${Math.round(result.avgNs / 1e6).toLocaleString("en-US")} ± ${Math.round((result.stddevNs ?? 0) / 1e6).toLocaleString("en-US")} ms per turn`;
    }
    if (result.avgTs == null) return "–";
    const digits = result.avgTs >= 1000 ? 0 : 2;
    return `${result.avgTs.toFixed(digits)} ± ${(result.stddevTs ?? 0).toFixed(digits)}${unit ? " tok/s" : ""}`;
}

/**
 * The warning a noisy test carries, null for a steady one: "noisy: ±14 % between repetitions (bound
 * ±10 %) after 3 attempts, other processes kept 1.6 of 2 cores busy; kept out of the calibration".
 */
export function benchNoiseWarning(result: MeasuredTest): string | null {
    if (!result.noise?.noisy) return null;
    const percent = (share: number) => `±${Math.round(share * 100)} %`;
    const load = result.load ? `, other processes kept ${result.load.otherBusyCores.toFixed(1)} of ${result.load.cores} cores busy` : "";
    const attempts = `${result.noise.attempts} attempt${result.noise.attempts === 1 ? "" : "s"}`;
    return `noisy: ${percent(result.noise.spread)} between repetitions (bound ${percent(result.noise.bound)}) after ${attempts}${load}; kept out of the calibration`;
}

/** "model.gguf · 2 threads · KV q8_0 · FA on" */
export function benchConfigurationLabel(modelFile: string, settings: {threads: number; kvCacheType: string; flashAttention: boolean; gpuLayers: number | "max"}): string {
    const gpu = settings.gpuLayers === "max" || settings.gpuLayers > 0 ? ` · ${settings.gpuLayers} GPU layers` : "";
    return `${modelFile} · ${settings.threads} thread${settings.threads === 1 ? "" : "s"} · KV ${settings.kvCacheType} · FA ${settings.flashAttention ? "on" : "off"}${gpu}`;
}
