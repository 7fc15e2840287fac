import {describe, expect, it} from "vitest";
import type {EvalPrice, EvalSampleSummary} from "../../electron/api/EvalApi.ts";
import {defaultPrices, findPrice} from "../../electron/core/evals/defaultPrices.ts";
import {computeStats, runCost, wilsonInterval} from "../../electron/core/evals/evalStatistics.ts";
import {quantizationInFileName} from "../../electron/core/gguf/ggufFileNames.ts";
import {modelLabel, parseModelArgument, resolveBaseUrl} from "../../electron/core/evals/providers.ts";

const sample = (score: "C" | "I", extra: Partial<EvalSampleSummary> = {}): EvalSampleSummary => ({
    id: 1,
    runId: 1,
    epoch: 1,
    status: "completed",
    score,
    strictScore: score,
    failureMode: score === "I" ? "tests_fail" : null,
    failureDetail: null,
    turns: 6,
    usage: {inputTokens: 100_000, cachedInputTokens: 50_000, outputTokens: 2_000},
    toolCalls: 5,
    toolErrors: {unknownTool: 0, badArguments: 0, failed: 0},
    limitHit: null,
    wallMs: 60_000,
    modelMs: 40_000,
    toolMs: 1000,
    subprocessMs: 900,
    scoringMs: 500,
    startedAt: null,
    completedAt: null,
    error: null,
    outsideAccess: null,
    ...extra
});

describe("eval statistics", () => {
    it("gives Wilson 95% intervals", () => {
        // Reference values (Wilson score interval, z = 1.96).
        expect(wilsonInterval(10, 10)!.low).toBeCloseTo(0.7225, 4);
        expect(wilsonInterval(10, 10)!.high).toBeCloseTo(1, 9);
        expect(wilsonInterval(0, 10)!.low).toBe(0);
        expect(wilsonInterval(0, 10)!.high).toBeCloseTo(0.2775, 4);
        expect(wilsonInterval(8, 10)!.low).toBeCloseTo(0.4902, 4);
        expect(wilsonInterval(8, 10)!.high).toBeCloseTo(0.9433, 4);
        expect(wilsonInterval(0, 0)).toBeNull();
    });

    it("prices a run as uncached input, cached input and output per million tokens", () => {
        const price: EvalPrice = {provider: "openai", model: "m", inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8, source: "user"};
        expect(runCost({inputTokens: 1_000_000, cachedInputTokens: 2_000_000, outputTokens: 500_000}, price)).toBeCloseTo(2 + 1 + 4, 9);
        expect(runCost({inputTokens: 0, cachedInputTokens: 1_000_000, outputTokens: 0}, {...price, cachedInputPerMillion: null})).toBe(2);
    });

    it("summarises scored samples: rates, means, cost, energy, speed and failure modes", () => {
        const price = findPrice(defaultPrices.map((p) => ({...p, source: "default" as const})), "anthropic", "claude-sonnet-4-5-20250929")!;
        expect(price.model).toBe("claude-sonnet-4-5");
        const samples = [sample("C"), sample("C"), sample("I"), sample("C", {status: "running", score: null, strictScore: null})];
        const stats = computeStats(samples, {local: false, price});
        expect(stats).toMatchObject({samples: 3, successes: 2, strictSuccesses: 2, meanTurns: 6, meanWallMs: 60_000, failureModes: {tests_fail: 1}});
        expect(stats.successRate).toBeCloseTo(2 / 3, 9);
        expect(stats.costPerRun).toBeCloseTo((100_000 * 3 + 50_000 * 0.3 + 2_000 * 15) / 1e6, 9);
        expect(stats.outputTokensPerSecond).toBeCloseTo(6000 / 120, 9);
        const local = computeStats(samples, {local: true, price: null, wattage: 60});
        expect(local.costPerRun).toBe(0);
        expect(local.energyWhPerRun).toBeCloseTo(1, 9);
        expect(computeStats([], {local: false, price: null})).toMatchObject({samples: 0, successRate: null, interval: null, costPerRun: null});
    });
});

describe("model arguments and providers", () => {
    it("parses provider:model, GGUF paths and ids", () => {
        expect(parseModelArgument("openai:gpt-4.1")).toEqual({provider: "openai", model: "gpt-4.1"});
        expect(parseModelArgument("openrouter:qwen/qwen3-14b")).toEqual({provider: "openrouter", model: "qwen/qwen3-14b"});
        expect(parseModelArgument("openai-compatible:qwen3:8b")).toEqual({provider: "openai-compatible", model: "qwen3:8b"});
        expect(parseModelArgument("/models/Qwen3-8B-Q4_K_M.gguf")).toEqual({provider: "local", model: "/models/Qwen3-8B-Q4_K_M.gguf", quantization: "Q4_K_M"});
        expect(parseModelArgument("C:\\models\\gemma-3-4b-it-Q8_0.gguf")).toMatchObject({provider: "local", quantization: "Q8_0"});
        expect(parseModelArgument("hf:unsloth/Qwen3-8B-GGUF:Q4_K_M")).toMatchObject({provider: "local", quantization: "Q4_K_M"});
        expect(parseModelArgument("qwen3-8b")).toEqual({provider: "local", model: "qwen3-8b"});
        expect(() => parseModelArgument("azure:gpt-4")).toThrow(/Unknown provider "azure"/);
        expect(() => parseModelArgument("openai:")).toThrow(/names no model/);
    });

    it("reads quantizations from file names", () => {
        expect(quantizationInFileName("SmolLM2-135M-Instruct-Q4_1.gguf")).toBe("Q4_1");
        expect(quantizationInFileName("model.IQ4_XS.gguf")).toBe("IQ4_XS");
        expect(quantizationInFileName("llama-7b-f16.gguf")).toBe("F16");
        expect(quantizationInFileName("plain.gguf")).toBeNull();
        expect(modelLabel({provider: "local", model: "/m/Qwen3-8B.gguf", quantization: "Q4_K_M"})).toBe("local:Qwen3-8B (Q4_K_M)");
    });

    it("resolves base URLs from the spec, the environment or the provider default", () => {
        expect(resolveBaseUrl({provider: "openai", model: "m"}, {})).toBe("https://api.openai.com/v1");
        expect(resolveBaseUrl({provider: "anthropic", model: "m"}, {})).toBe("https://api.anthropic.com/v1");
        expect(resolveBaseUrl({provider: "gemini", model: "m"}, {})).toBe("https://generativelanguage.googleapis.com/v1beta/openai");
        expect(resolveBaseUrl({provider: "openai", model: "m"}, {AGENTFIT_OPENAI_BASE_URL: "http://127.0.0.1:9/v1/"})).toBe("http://127.0.0.1:9/v1");
        expect(resolveBaseUrl({provider: "openrouter", model: "m", baseUrl: "https://gw.example/v1"}, {AGENTFIT_OPENROUTER_BASE_URL: "x"})).toBe("https://gw.example/v1");
        expect(() => resolveBaseUrl({provider: "openai-compatible", model: "m"}, {})).toThrow(/needs a base URL/);
        expect(() => resolveBaseUrl({provider: "openai", model: "m", baseUrl: "ftp://x"}, {})).toThrow(/http/);
        expect(() => resolveBaseUrl({provider: "openai", model: "m", baseUrl: "https://user:key@x/v1"}, {})).toThrow(/not in the base URL/);
    });
});
