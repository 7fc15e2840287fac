import type {LlamaContextSequence} from "node-llama-cpp";

/** llama-server's `timings` object. */
export interface CompletionTimings {
    cache_n: number;
    prompt_n: number;
    prompt_ms: number;
    prompt_per_token_ms: number;
    prompt_per_second: number;
    predicted_n: number;
    predicted_ms: number;
    predicted_per_token_ms: number;
    predicted_per_second: number;
}

export interface GenerationUsage {
    promptTokens: number;
    cachedTokens: number;
    completionTokens: number;
}

/** What one generation on a sequence evaluated, reused from cache and generated, and how long each phase took. */
export class GenerationMeter {
    private readonly before;
    private readonly started = performance.now();
    private firstOutputAt: number | undefined;

    constructor(
        private readonly sequence: LlamaContextSequence,
        private readonly promptTokenCount: number
    ) {
        this.before = sequence.tokenMeter.getState();
    }

    /** Call on every output token or text; the first call ends the prompt phase. */
    markFirstOutput = () => {
        this.firstOutputAt ??= performance.now();
    };

    measure(ended = performance.now()): {usage: GenerationUsage; promptMs: number; generationMs: number} {
        const used = this.sequence.tokenMeter.diff(this.before);
        // The meter counts a token as output when its logits were read: the last prompt token and
        // every generated token fed back. So evaluated prompt tokens = input + 1.
        const evaluatedPrompt = Math.min(this.promptTokenCount, used.usedInputTokens + 1);
        return {
            usage: {promptTokens: this.promptTokenCount, cachedTokens: Math.max(0, this.promptTokenCount - evaluatedPrompt), completionTokens: Math.max(0, used.usedOutputTokens)},
            promptMs: (this.firstOutputAt ?? ended) - this.started,
            generationMs: ended - (this.firstOutputAt ?? ended)
        };
    }

    timings(ended = performance.now()): {usage: GenerationUsage; timings: CompletionTimings} {
        const {usage, promptMs, generationMs: predictedMs} = this.measure(ended);
        const {completionTokens, cachedTokens} = usage;
        const evaluatedPrompt = usage.promptTokens - cachedTokens;
        return {
            usage,
            timings: {
                cache_n: cachedTokens,
                prompt_n: evaluatedPrompt,
                prompt_ms: promptMs,
                prompt_per_token_ms: evaluatedPrompt > 0 ? promptMs / evaluatedPrompt : 0,
                prompt_per_second: promptMs > 0 ? (evaluatedPrompt * 1000) / promptMs : 0,
                predicted_n: completionTokens,
                predicted_ms: predictedMs,
                predicted_per_token_ms: completionTokens > 1 ? predictedMs / (completionTokens - 1) : 0,
                predicted_per_second: predictedMs > 0 && completionTokens > 1 ? ((completionTokens - 1) * 1000) / predictedMs : 0
            }
        };
    }
}
