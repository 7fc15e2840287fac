import path from "node:path";
import {describe, expect, it} from "vitest";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {startApp} from "../utils/startApp.ts";
import {CLIENT_SERVER_AGREEMENT, ENDPOINT_GENERATION_AGREEMENT, ENDPOINT_PROMPT_AGREEMENT, expectPrefixCacheAndSlots, expectWithin, measureAlternately, waitForEndpointRun} from "../utils/endpointAgreement.ts";
import {startServeCli} from "../utils/startServeCli.ts";

const waitForRun = waitForEndpointRun;

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
        // No protocol named: agentfit serve's /v1 lists its models the OpenAI way first.
        expect(run.spec.protocol).toBe("openai");
        expect(run.server).toMatchObject({kind: "agentfit", reportedModel: model.path, quantization: "Q8_0", contextSize: 8192, parallelSlots: 2});
        expectPrefixCacheAndSlots(run, 2);

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
        // agentfit serve speaks both: detected as OpenAI at its /v1 URL, as Anthropic at the URL without /v1 (Anthropic's convention).
        expect(await app.client.call("endpoints.connect", {baseUrl: server.baseUrl})).toMatchObject({protocol: "openai", models: ["tiny-Q8_0"]});
        expect(await app.client.call("endpoints.connect", {baseUrl: server.baseUrl.replace(/\/v1$/, "")})).toMatchObject({protocol: "anthropic", baseUrl: server.baseUrl, models: ["tiny-Q8_0"]});
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
        // The same prompts through chat completions count the same tokens, up to the run's own tag at each prompt's start.
        const openai = await waitForRun(app.client, (await app.client.call("endpoints.bench", {baseUrl: server.baseUrl, ...request, agentTurns: 0})).id);
        expect(openai.status).toBe("completed");
        expect(Math.abs(anthropic.ttft[0]!.promptTokens! - openai.ttft[0]!.promptTokens!)).toBeLessThanOrEqual(4);
    });

    it("agrees with a local benchmark of the same file, measured alternately (ratio of medians within a stated tolerance), and with the server's own timings", {timeout: 900_000}, async () => {
        await using app = await startApp();
        const model = writeGgufModel(path.join(app.home.models, "medium-Q8_0.gguf"), {...ggufModelPresets.medium, contextLength: 4096});
        await using server = await startServeCli(["--model", model.path, "--ctx", "4096", "--threads", "1"], app.home.env);
        const ratios = await measureAlternately(app.client, {endpoint: {baseUrl: server.baseUrl, model: "medium-Q8_0"}, modelPath: model.path, threads: 1, rounds: 3, promptTokens: 160, generatedTokens: 32});
        console.log(`agentfit serve vs local bench: ${JSON.stringify(ratios)}`);
        // Tolerances (docs/FACTS.md §14): both sides measured in the same window, round by round, medians compared.
        expectWithin(ratios.generation, ENDPOINT_GENERATION_AGREEMENT, "endpoint generation ÷ local tg", ratios);
        expectWithin(ratios.prompt, ENDPOINT_PROMPT_AGREEMENT, "endpoint prompt processing ÷ local pp", ratios);
        expectWithin(ratios.clientVsServerGeneration, CLIENT_SERVER_AGREEMENT, "client ÷ server generation", ratios);
        expectWithin(ratios.clientVsServerPrompt, CLIENT_SERVER_AGREEMENT, "client ÷ server prompt processing", ratios);
        // The endpoint's results stay apart from this machine's: the verdict's local models are the local bench only.
        const verdict = await app.client.call("verdict.get", {});
        expect(verdict.local.map((l) => l.path)).toEqual([model.path]);
    });
});
