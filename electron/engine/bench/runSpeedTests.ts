import type {LlamaContextSequence, LlamaModel, Token} from "node-llama-cpp";
import type {SpeedTestResult, SpeedTestShape} from "../../protocol/engineProtocol.ts";
import {seededRandom} from "../../shared/seededRandom.ts";
import {meanAndStdDev} from "../../shared/speedStatistics.ts";
import {nativeTokenDecoder} from "./nativeTokenDecoder.ts";
import {notifyListener} from "../../shared/notifyListener.ts";

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

/**
 * Measures prompt processing and generation the way llama-bench does: random tokens, the depth
 * prefilled untimed (each repetition starts from it), the prompt evaluated in batches,
 * generation one token at a time without sampling (one llama_decode per token, see
 * nativeTokenDecoder). The loop is kept lean on purpose: anything per token here is overhead
 * llama-bench does not have. The sequence keeps what it holds at the end (the last test's depth and
 * prompt), so the next call's tests start from it.
 */
export async function runSpeedTests(options: RunSpeedTestsOptions): Promise<SpeedTestResult[]> {
    const {sequence, model, tests} = options;
    const repetitions = options.repetitions ?? 5;
    const random = seededRandom(options.seed ?? 42);
    const vocabularySize = (model.fileInfo.metadata.tokenizer?.ggml?.tokens as unknown[] | undefined)?.length ?? 32000;
    const randomTokens = (count: number): Token[] => Array.from({length: count}, () => Math.floor(random() * vocabularySize) as Token);
    const results: SpeedTestResult[] = [];
    const decoder = tests.some((t) => t.generatedTokens > 0) ? nativeTokenDecoder(sequence) : undefined;

    for (const [testIndex, test] of tests.entries()) {
        const needed = test.depth + test.promptTokens + test.generatedTokens;
        if (needed > sequence.context.contextSize)
            throw new RangeError(`The test needs ${needed} tokens of context but the context holds ${sequence.context.contextSize}.`);
        const runOnce = async () => {
            // The filled depth is kept across repetitions, tests and calls (a benchmark runs one test per call, and
            // re-runs a noisy one): each run trims the context back to its test's depth, or extends it, and any tokens
            // already held count as filled depth, as llama-bench's random ones would. The timed part is llama-bench's;
            // a deep context's prefill (14 min at 16k for a 580M model on a 2-core Zen 2) is paid once per model.
            if (sequence.nextTokenIndex > test.depth) await sequence.eraseContextTokenRanges([{start: test.depth, end: sequence.nextTokenIndex}]);
            else if (sequence.nextTokenIndex < test.depth) await sequence.evaluateWithoutGeneratingNewTokens(randomTokens(test.depth - sequence.nextTokenIndex));
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

        const cpuAtStart = process.cpuUsage();
        if (options.warmup ?? true) {
            notifyListener(options.onWarmup, {testIndex});
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
            notifyListener(options.onRepetition, {testIndex, repetition, ns, tokensPerSecond});
        }
        const samplesTokensPerSecond = samplesNs.map((ns) => ((test.promptTokens + test.generatedTokens) * 1e9) / ns);
        const ns = meanAndStdDev(samplesNs);
        const tps = meanAndStdDev(samplesTokensPerSecond);
        const cpu = process.cpuUsage(cpuAtStart);
        results.push({
            ...test,
            samplesNs,
            samplesTokensPerSecond,
            averageNs: ns.mean,
            stdDevNs: ns.stdDev,
            averageTokensPerSecond: tps.mean,
            stdDevTokensPerSecond: tps.stdDev,
            timeToFirstTokenMs,
            engineCpuMicros: cpu.user + cpu.system
        });
    }
    return results;
}
