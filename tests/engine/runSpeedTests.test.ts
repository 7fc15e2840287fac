import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {getLlama, LlamaLogLevel, type Llama, type LlamaContextSequence, type LlamaModel, type Token} from "node-llama-cpp";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {runSpeedTests} from "../../electron/engine/bench/runSpeedTests.ts";
import {localScore, meanAndStdDev} from "../../electron/shared/speedStatistics.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-speed-"));
let llama: Llama;
let model: LlamaModel;

beforeAll(async () => {
    llama = await getLlama({gpu: false, maxThreads: 2, logLevel: LlamaLogLevel.error, build: "never"});
    model = await llama.loadModel({modelPath: writeGgufModel(path.join(dir, "tiny.gguf"), {...ggufModelPresets.tiny, contextLength: 2048}).path});
});
afterAll(async () => {
    await model.dispose();
    await llama.dispose();
    fs.rmSync(dir, {recursive: true, force: true});
});

/** The length of every token list `sequence` evaluates through its public call, in order. */
function recordEvaluatedLengths(sequence: LlamaContextSequence): number[] {
    const evaluated: number[] = [];
    const evaluate = sequence.evaluateWithoutGeneratingNewTokens.bind(sequence);
    sequence.evaluateWithoutGeneratingNewTokens = (tokens, ...rest) => {
        evaluated.push(tokens.length);
        return evaluate(tokens, ...rest);
    };
    return evaluated;
}

describe("runSpeedTests", () => {
    it("times pp, tg and pp+tg like llama-bench: warm-up excluded, one sample per repetition, TTFT for prompt+generation", async () => {
        await using context = await model.createContext({contextSize: 1024, threads: 2});
        const sequence = context.getSequence();
        const seen: number[] = [];
        const results = await runSpeedTests({
            sequence,
            model,
            repetitions: 3,
            tests: [
                {promptTokens: 64, generatedTokens: 0, depth: 0},
                {promptTokens: 0, generatedTokens: 8, depth: 128},
                {promptTokens: 32, generatedTokens: 4, depth: 0}
            ],
            onRepetition: (event) => {
                seen.push(event.testIndex);
                throw new Error("a failing listener must not break the run");
            }
        });
        expect(seen).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
        for (const result of results) {
            expect(result.samplesNs).toHaveLength(3);
            expect(result.averageTokensPerSecond).toBeGreaterThan(0);
            const {mean} = meanAndStdDev(result.samplesTokensPerSecond);
            expect(result.averageTokensPerSecond).toBeCloseTo(mean, 6);
        }
        expect(results[0]!.timeToFirstTokenMs).toEqual([]);
        expect(results[1]!.depth).toBe(128);
        expect(results[2]!.timeToFirstTokenMs).toHaveLength(3);
        expect(results[2]!.timeToFirstTokenMs[0]!).toBeLessThan(results[2]!.samplesNs[0]! / 1e6);
        // The sequence keeps the last test's depth and prompt for the next call; generated tokens are forgotten.
        expect(sequence.nextTokenIndex).toBe(32);
    });

    it("decodes generated tokens natively, one llama_decode each, and leaves no trace in the context", async () => {
        await using context = await model.createContext({contextSize: 256, threads: 2});
        const sequence = context.getSequence();
        const prompt = model.tokenize("The quick brown fox");
        // What the public API computes for the next token after the prompt...
        await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
        const [viaPublicApi] = await sequence.controlledEvaluate([[prompt.at(-1)!, {generateNext: {probabilities: true}}]]);
        await sequence.clearHistory();
        // ...is what the native decoder's position bookkeeping leads to after a benchmark filled and forgot generated tokens.
        await runSpeedTests({sequence, model, repetitions: 2, tests: [{promptTokens: 0, generatedTokens: 200, depth: 40}]});
        expect(sequence.nextTokenIndex).toBe(40);
        await sequence.clearHistory();
        await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
        const [afterBenchmark] = await sequence.controlledEvaluate([[prompt.at(-1)!, {generateNext: {probabilities: true}}]]);
        expect([...afterBenchmark!.next!.probabilities!.entries()].slice(0, 5)).toEqual([...viaPublicApi!.next!.probabilities!.entries()].slice(0, 5));
    });

    it("fills a test's depth once and starts every repetition from it, so a deep test does not pay its prefill per repetition", async () => {
        await using context = await model.createContext({contextSize: 1024, threads: 1});
        const sequence = context.getSequence();
        const evaluated = recordEvaluatedLengths(sequence);
        const depthsSeen: number[] = [];
        const [pp, tg] = await runSpeedTests({
            sequence,
            model,
            repetitions: 3,
            tests: [
                {promptTokens: 32, generatedTokens: 0, depth: 300},
                {promptTokens: 0, generatedTokens: 4, depth: 200}
            ],
            onWarmup: () => depthsSeen.push(sequence.nextTokenIndex),
            onRepetition: () => depthsSeen.push(sequence.nextTokenIndex)
        });
        // pp: the 300-token depth once, then the 32-token prompt for the warm-up and each of 3 repetitions; tg: the first 200 of those 300 kept.
        expect(evaluated).toEqual([300, 32, 32, 32, 32]);
        expect(pp!.samplesNs).toHaveLength(3);
        expect(tg!.samplesNs).toHaveLength(3);
        // After each pp repetition the context holds the depth and that repetition's prompt, never an earlier one's.
        expect(depthsSeen.slice(1, 4)).toEqual([332, 332, 332]);
        // The last test's depth stays for the next call.
        expect(sequence.nextTokenIndex).toBe(200);
    });

    it("keeps the depth for the next call: a benchmark's next test at that depth, or a noisy test's re-run, evaluates only its prompt", async () => {
        await using context = await model.createContext({contextSize: 1024, threads: 1});
        const sequence = context.getSequence();
        const evaluated = recordEvaluatedLengths(sequence);
        const oneTest = (test: {promptTokens: number; generatedTokens: number; depth: number}, warmup: boolean) => runSpeedTests({sequence, model, repetitions: 2, warmup, tests: [test]});
        await oneTest({promptTokens: 16, generatedTokens: 0, depth: 300}, true);
        await oneTest({promptTokens: 16, generatedTokens: 0, depth: 300}, false);
        const [tg] = await oneTest({promptTokens: 0, generatedTokens: 4, depth: 300}, true);
        expect(evaluated).toEqual([300, 16, 16, 16, 16, 16]);
        expect(tg!.samplesNs).toHaveLength(2);
    });

    it("keeps a filled depth across tests: tests at the same or a shallower depth trim it, a deeper one extends it", async () => {
        await using context = await model.createContext({contextSize: 1024, threads: 1});
        const sequence = context.getSequence();
        await sequence.evaluateWithoutGeneratingNewTokens([1, 2, 3, 4, 5] as Token[]);
        const evaluated = recordEvaluatedLengths(sequence);
        const heldAfterRepetition: number[] = [];
        const results = await runSpeedTests({
            sequence,
            model,
            repetitions: 2,
            tests: [
                {promptTokens: 16, generatedTokens: 0, depth: 0},
                {promptTokens: 16, generatedTokens: 0, depth: 300},
                {promptTokens: 0, generatedTokens: 4, depth: 300},
                {promptTokens: 0, generatedTokens: 4, depth: 100},
                {promptTokens: 16, generatedTokens: 0, depth: 400}
            ],
            onRepetition: () => heldAfterRepetition.push(sequence.nextTokenIndex)
        });
        // What the sequence held before the run is trimmed to the first test's depth 0. The first test's last prompt
        // counts toward the next depth (all random tokens), so 284 more fill it to 300, once for both tests at 300;
        // 100 of those are kept for the test at 100; the 400-token test adds the missing 300.
        expect(evaluated).toEqual([16, 16, 16, 284, 16, 16, 16, 300, 16, 16, 16]);
        expect(heldAfterRepetition).toEqual([16, 16, 316, 316, 300, 300, 100, 100, 416, 416]);
        expect(results.map((r) => r.samplesNs.length)).toEqual([2, 2, 2, 2, 2]);
        expect(sequence.nextTokenIndex).toBe(416);
    });

    it("refuses a test that does not fit the context", async () => {
        await using context = await model.createContext({contextSize: 256, threads: 2});
        await expect(
            runSpeedTests({sequence: context.getSequence(), model, tests: [{promptTokens: 200, generatedTokens: 0, depth: 100}]})
        ).rejects.toThrow(/needs 300 tokens of context but the context holds 256/);
    });

    it("stops when cancelled", async () => {
        await using context = await model.createContext({contextSize: 512, threads: 2});
        const controller = new AbortController();
        const run = runSpeedTests({
            sequence: context.getSequence(),
            model,
            repetitions: 50,
            tests: [{promptTokens: 0, generatedTokens: 32, depth: 0}],
            signal: controller.signal,
            onRepetition: ({repetition}) => repetition === 1 && controller.abort()
        });
        await expect(run).rejects.toThrow();
    });
});

describe("speed statistics", () => {
    it("mean and sample standard deviation", () => {
        expect(meanAndStdDev([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({mean: 5, stdDev: Math.sqrt(32 / 7)});
        expect(meanAndStdDev([3])).toEqual({mean: 3, stdDev: 0});
    });
    it("LocalScore-style score", () => {
        expect(localScore(1000, 50, 500)).toBeCloseTo(10 * Math.cbrt(100_000), 6);
        expect(localScore(0, 50, 500)).toBe(0);
    });
});
