import path from "node:path";
import {describe, expect, it} from "vitest";
import type {EndpointBenchRun} from "../../electron/api/EndpointsApi.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {startApp} from "../utils/startApp.ts";
import {startServeCli} from "../utils/startServeCli.ts";

async function waitForRun(client: ApiClient, runId: number): Promise<EndpointBenchRun> {
    let run: EndpointBenchRun | undefined;
    await expect.poll(async () => (run = await client.call("endpoints.run", {runId})).status, {timeout: 280_000, interval: 250}).not.toBe("running");
    return run!;
}

/**
 * A second `agentfit serve` (the real engine on a generated GGUF, explicit threads) stands in for a
 * server on another machine: the endpoint benchmark measures it through its HTTP API.
 */
describe("endpoint benchmark of a real engine server", () => {
    it("detects the engine's prefix cache and sees as many streams generate at once as the server's parallel setting", async () => {
        await using app = await startApp();
        const model = writeGgufModel(path.join(app.home.models, "tiny-Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 8192});
        const serve = (parallel: number) => startServeCli(["--model", model.path, "--ctx", "8192", "--threads", "1", "--parallel", String(parallel)], app.home.env);
        await using two = await serve(2);
        await using one = await serve(1);

        const started = await app.client.call("endpoints.bench", {
            baseUrl: two.baseUrl,
            model: "tiny-Q8_0",
            promptSizes: [64],
            repetitions: 1,
            generatedTokens: 16,
            agentTurns: 3,
            concurrency: [1, 2, 4],
            concurrencyTokens: 48
        });
        const run = await waitForRun(app.client, started.id);
        expect(run.error).toBeNull();
        expect(run.status).toBe("completed");
        expect(run.server).toMatchObject({kind: "agentfit", reportedModel: model.path, quantization: "Q8_0", contextSize: 8192, parallelSlots: 2});
        // The engine reuses the conversation's prefix and says so (cached_tokens, timings.cache_n).
        expect(run.agent!.prefixCache).toMatchObject({status: "detected", evidence: "server"});
        expect(run.agent!.turns.slice(1).every((turn) => turn.cachedTokens! > 0)).toBe(true);
        // The cold control shares only the chat template's first tokens (its system message starts with a fresh tag).
        expect(run.agent!.cold.cachedTokens!).toBeLessThan(run.agent!.cold.promptTokens! * 0.05);
        expect(run.concurrency.map((c) => c.streams)).toEqual([1, 2, 4]);
        expect(run.concurrency[0]!.observedParallel).toBe(1);
        expect(run.concurrency.every((c) => c.observedParallel <= 2)).toBe(true);
        expect(Math.max(...run.concurrency.map((c) => c.observedParallel))).toBe(2);

        const serial = await app.client.call("endpoints.bench", {
            baseUrl: one.baseUrl,
            model: "tiny-Q8_0",
            promptSizes: [],
            generatedTokens: 0,
            agentTurns: 0,
            concurrency: [2, 4],
            concurrencyTokens: 48
        });
        const serialRun = await waitForRun(app.client, serial.id);
        expect(serialRun.status).toBe("completed");
        expect(serialRun.server.parallelSlots).toBe(1);
        // One slot: a stream starts generating only once the one before it has finished.
        expect(serialRun.concurrency.map((c) => c.observedParallel)).toEqual([1, 1]);
        expect(serialRun.summary.observedParallel).toBe(1);
    });

    it("measures the engine through Anthropic Messages: its prefix cache from cache_read_input_tokens, generation as through chat completions", async () => {
        await using app = await startApp();
        const model = writeGgufModel(path.join(app.home.models, "tiny-Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 8192});
        await using server = await startServeCli(["--model", model.path, "--ctx", "8192", "--threads", "1"], app.home.env);
        const request = {model: "tiny-Q8_0", promptSizes: [64], repetitions: 2, generatedTokens: 24, agentTurns: 3, concurrency: []};
        const anthropic = await waitForRun(app.client, (await app.client.call("endpoints.bench", {baseUrl: server.baseUrl.replace(/\/v1$/, ""), protocol: "anthropic", ...request})).id);
        expect(anthropic.error).toBeNull();
        expect(anthropic.status).toBe("completed");
        expect(anthropic.spec).toMatchObject({protocol: "anthropic", baseUrl: server.baseUrl});
        expect(anthropic.server).toMatchObject({kind: "agentfit", quantization: "Q8_0", contextSize: 8192, parallelSlots: 1});
        // The engine's Messages usage splits the prompt into input_tokens and cache_read_input_tokens.
        expect(anthropic.agent!.prefixCache).toMatchObject({status: "detected", evidence: "server"});
        expect(anthropic.agent!.turns.slice(1).every((turn) => turn.cachedTokens! > 0 && turn.cachedTokens! < turn.promptTokens!)).toBe(true);
        expect(anthropic.agent!.cold.cachedTokens!).toBeLessThan(anthropic.agent!.cold.promptTokens! * 0.05);
        expect(anthropic.generation.every((g) => g.generatedTokens > 1 && g.generationTps! > 0)).toBe(true);
        // The same prompts through chat completions: the protocol changes the envelope, not the count.
        const openai = await waitForRun(app.client, (await app.client.call("endpoints.bench", {baseUrl: server.baseUrl, ...request, agentTurns: 0})).id);
        expect(openai.status).toBe("completed");
        expect(anthropic.ttft[0]!.promptTokens).toBe(openai.ttft[0]!.promptTokens);
    });

    it("agrees with a local benchmark of the same file (ratios within a stated tolerance) and with the server's own timings", async () => {
        await using app = await startApp();
        const model = writeGgufModel(path.join(app.home.models, "medium-Q8_0.gguf"), {...ggufModelPresets.medium, contextLength: 4096});
        await using server = await startServeCli(["--model", model.path, "--ctx", "4096", "--threads", "1"], app.home.env);
        const started = await app.client.call("endpoints.bench", {
            baseUrl: server.baseUrl,
            model: "medium-Q8_0",
            promptSizes: [32, 160],
            repetitions: 2,
            generatedTokens: 32,
            agentTurns: 0,
            concurrency: []
        });
        const remote = await waitForRun(app.client, started.id);
        expect(remote.status).toBe("completed");
        await server.dispose();

        const local = await app.client.call("bench.start", {models: [model.path], promptTokens: 256, generatedTokens: 32, repetitions: 2, timeToFirstToken: false, matrix: {threads: [1]}});
        await expect.poll(async () => (await app.client.call("bench.run", {runId: local.id})).status, {timeout: 280_000, interval: 250}).toBe("completed");
        const results = (await app.client.call("bench.run", {runId: local.id})).results;
        const localTg = results.find((r) => r.kind === "tg")!.avgTs!;
        const localPp = results.find((r) => r.kind === "pp")!.avgTs!;

        // Tolerances (docs/benchmark.md, "Benchmarking a server"): the endpoint and the local benchmark run minutes apart on a
        // shared machine whose load swings 2–3× in that time, so generation (through HTTP, sampling and streaming)
        // must be within 0.15–3× of llama-bench-style tg and prompt processing (from the TTFT slope) within 0.1–5× of
        // pp; the client-side figures, measured on the same requests, within 0.5–2× of what the server itself reports.
        const s = remote.summary;
        expect(s.generationTps! / localTg).toBeGreaterThan(0.15);
        expect(s.generationTps! / localTg).toBeLessThan(3);
        expect(s.promptTps! / localPp).toBeGreaterThan(0.1);
        expect(s.promptTps! / localPp).toBeLessThan(5);
        expect(s.generationTps! / s.serverGenerationTps!).toBeGreaterThan(0.5);
        expect(s.generationTps! / s.serverGenerationTps!).toBeLessThan(2);
        expect(s.promptTps! / s.serverPromptTps!).toBeGreaterThan(0.5);
        expect(s.promptTps! / s.serverPromptTps!).toBeLessThan(2);
        // The endpoint's results stay apart from this machine's: the verdict's local models are the local bench only.
        const verdict = await app.client.call("verdict.get", {});
        expect(verdict.local.map((l) => l.path)).toEqual([model.path]);
    });
});
