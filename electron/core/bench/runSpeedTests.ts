import type {LlamaContextSequence, LlamaModel, Token} from "node-llama-cpp";
import {meanAndStdDev} from "./speedStatistics.ts";

/** One llama-bench test: optional context already filled (`depth`), then a prompt and/or a generation. */
export interface SpeedTestShape {
    /** Prompt tokens evaluated in batches (pp). 0 for a pure generation test. */
    promptTokens: number;
    /** Tokens generated one at a time (tg). 0 for a pure prompt test. */
    generatedTokens: number;
    /** Tokens already in the context before the timed part starts (llama-bench `-d`). */
    depth: number;
}

export interface SpeedTestResult extends SpeedTestShape {
    /** Wall time of each timed repetition, nanoseconds (llama-bench `samples_ns`). */
    samplesNs: number[];
    /** Tokens per second of each repetition ((prompt + generated) / time). */
    samplesTokensPerSecond: number[];
    averageNs: number;
    stdDevNs: number;
    averageTokensPerSecond: number;
    stdDevTokensPerSecond: number;
    /**
     * For tests with both a prompt and a generation: time from the start of the prompt until the
     * first token can be sampled (the prompt's last logits are computed), per repetition, ms.
     */
    timeToFirstTokenMs: number[];
}

export interface RunSpeedTestsOptions {
    /** A context sequence of a context large enough for depth + prompt + generation. */
    sequence: LlamaContextSequence;
    model: LlamaModel;
    tests: readonly SpeedTestShape[];
    /** Timed repetitions per test. Default 5 (llama-bench's default). */
    repetitions?: number;
    /** Run each test once untimed first, as llama-bench does. Default true. */
    warmup?: boolean;
    /** Seed for the random tokens fed to the model. Default 42. */
    seed?: number;
    signal?: AbortSignal;
    /** Called before a test's untimed warm-up run; errors thrown by the listener are ignored. */
    onWarmup?: (event: {testIndex: number}) => void;
    /** Called after each timed repetition; errors thrown by the listener are ignored. */
    onRepetition?: (event: {testIndex: number; repetition: number; ns: number; tokensPerSecond: number}) => void;
}

/** The native context under node-llama-cpp's LlamaContext (3.22's internal AddonContext binding). */
interface NativeContextBinding {
    initBatch(size: number): void;
    addToBatch(sequenceId: number, firstTokenSequenceIndex: number, tokens: Uint32Array, logitIndexes: Uint32Array): Uint32Array;
    decodeBatch(): Promise<void>;
    removeTokenCellsFromSequence(sequenceId: number, startPos: number, endPos: number): boolean;
}

/**
 * One `llama_decode` of one token with its logits, as llama-bench's generation test does. The
 * public per-token path (`evaluateWithoutGeneratingNewTokens`) adds about 0.3 ms of scheduling per
 * token (measured here: 0.41 vs 0.09 ms per token on a tiny model), 4–6 % of a fast model's
 * generation time, which would be measured as the model's speed. node-llama-cpp is pinned, and the
 * engine tests fail if this binding changes.
 */
function nativeTokenDecoder(sequence: LlamaContextSequence) {
    const native = (sequence.context as unknown as {_ctx?: Partial<NativeContextBinding>})._ctx;
    const sequenceId = (sequence as unknown as {_sequenceId?: unknown})._sequenceId;
    if (
        typeof native?.initBatch !== "function" ||
        typeof native.addToBatch !== "function" ||
        typeof native.decodeBatch !== "function" ||
        typeof native.removeTokenCellsFromSequence !== "function" ||
        typeof sequenceId !== "number"
    )
        throw new Error("This node-llama-cpp version has no AddonContext binding under LlamaContext._ctx: update nativeTokenDecoder for it.");
    const binding = native as NativeContextBinding;
    const onlyLogits = Uint32Array.of(0);
    return {
        /** Decodes `token` at `position` of the sequence. */
        async decode(token: Token, position: number) {
            binding.initBatch(1);
            binding.addToBatch(sequenceId, position, Uint32Array.of(token), onlyLogits);
            await binding.decodeBatch();
        },
        /** Removes what `decode` added from `position` on, which the sequence object does not know about. */
        forget(position: number) {
            binding.removeTokenCellsFromSequence(sequenceId, position, -1);
        }
    };
}

/**
 * Measures prompt processing and generation the way llama-bench does: random tokens, the context
 * cleared before every repetition, the depth prefilled untimed, the prompt evaluated in batches,
 * generation one token at a time without sampling (one llama_decode per token, see
 * nativeTokenDecoder). The loop is kept lean on purpose: anything per token here is overhead
 * llama-bench does not have.
 */
export async function runSpeedTests(options: RunSpeedTestsOptions): Promise<SpeedTestResult[]> {
    const {sequence, model, tests} = options;
    const repetitions = options.repetitions ?? 5;
    const random = createRandom(options.seed ?? 42);
    const vocabularySize = (model.fileInfo.metadata.tokenizer?.ggml?.tokens as unknown[] | undefined)?.length ?? 32000;
    const randomTokens = (count: number): Token[] => Array.from({length: count}, () => Math.floor(random() * vocabularySize) as Token);
    const results: SpeedTestResult[] = [];
    const decoder = tests.some((t) => t.generatedTokens > 0) ? nativeTokenDecoder(sequence) : undefined;

    for (const [testIndex, test] of tests.entries()) {
        const needed = test.depth + test.promptTokens + test.generatedTokens;
        if (needed > sequence.context.contextSize)
            throw new RangeError(`The test needs ${needed} tokens of context but the context holds ${sequence.context.contextSize}.`);
        const runOnce = async () => {
            await sequence.clearHistory();
            if (test.depth > 0) await sequence.evaluateWithoutGeneratingNewTokens(randomTokens(test.depth));
            const prompt = randomTokens(test.promptTokens);
            const generated = randomTokens(test.generatedTokens);
            options.signal?.throwIfAborted();
            const started = process.hrtime.bigint();
            let firstTokenAt: bigint | undefined;
            if (prompt.length > 0) await sequence.evaluateWithoutGeneratingNewTokens(prompt);
            // The prompt's last logits give the first token; after a prompt, that is when a client sees it.
            if (prompt.length > 0 && generated.length > 0) firstTokenAt = process.hrtime.bigint();
            const firstGenerated = sequence.nextTokenIndex;
            let ended: bigint;
            try {
                for (let i = 0; i < generated.length; i++) await decoder!.decode(generated[i]!, firstGenerated + i);
                ended = process.hrtime.bigint();
            } finally {
                if (generated.length > 0) decoder!.forget(firstGenerated);
            }
            return {ns: Number(ended - started), ttftMs: firstTokenAt !== undefined && prompt.length > 0 ? Number(firstTokenAt - started) / 1e6 : undefined};
        };

        if (options.warmup ?? true) {
            try {
                options.onWarmup?.({testIndex});
            } catch {}
            await runOnce();
        }
        const samplesNs: number[] = [];
        const timeToFirstTokenMs: number[] = [];
        for (let repetition = 0; repetition < repetitions; repetition++) {
            options.signal?.throwIfAborted();
            const {ns, ttftMs} = await runOnce();
            samplesNs.push(ns);
            if (ttftMs !== undefined) timeToFirstTokenMs.push(ttftMs);
            const tokensPerSecond = ((test.promptTokens + test.generatedTokens) * 1e9) / ns;
            try {
                options.onRepetition?.({testIndex, repetition, ns, tokensPerSecond});
            } catch {}
        }
        const samplesTokensPerSecond = samplesNs.map((ns) => ((test.promptTokens + test.generatedTokens) * 1e9) / ns);
        const ns = meanAndStdDev(samplesNs);
        const tps = meanAndStdDev(samplesTokensPerSecond);
        results.push({
            ...test,
            samplesNs,
            samplesTokensPerSecond,
            averageNs: ns.mean,
            stdDevNs: ns.stdDev,
            averageTokensPerSecond: tps.mean,
            stdDevTokensPerSecond: tps.stdDev,
            timeToFirstTokenMs
        });
    }
    await sequence.clearHistory();
    return results;
}

function createRandom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
