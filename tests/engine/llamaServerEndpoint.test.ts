import {describe, expect, it} from "vitest";
import {ensureSmolLM2} from "../../testkit/smollm2.ts";
import {findLlamaServer, startLlamaServer} from "../../testkit/llamaServer.ts";
import {CLIENT_SERVER_AGREEMENT, ENDPOINT_GENERATION_AGREEMENT, ENDPOINT_PROMPT_AGREEMENT, expectPrefixCacheAndSlots, expectWithin, measureAlternately, waitForEndpointRun} from "../utils/endpointAgreement.ts";
import {startApp} from "../utils/startApp.ts";

// llama.cpp's own llama-server, built from the llama.cpp source node-llama-cpp ships
// (scripts/build-llama-server.ts, run by .ci/run), as a real third-party server.
const found = findLlamaServer();
const skipReason = "missing" in found ? found.missing : undefined;
if (skipReason) console.warn(`Skipping the llama-server endpoint tests: ${skipReason}`);
const binary = "binary" in found ? found.binary : "";

describe.skipIf(skipReason !== undefined)(`endpoint benchmark of llama.cpp's llama-server${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
    it("reads what llama-server reports, detects its prefix cache, uses its timings, and sees as many streams generate at once as its --parallel", async () => {
        await using app = await startApp();
        const model = ensureSmolLM2();
        await using two = await startLlamaServer({binary, model, threads: 1, contextSize: 16_384, parallel: 2, alias: "smollm2"});
        const started = await app.client.call("endpoints.bench", {
            baseUrl: two.baseUrl,
            model: "smollm2",
            promptSizes: [64],
            repetitions: 1,
            generatedTokens: 24,
            agentTurns: 3,
            concurrency: [1, 2, 4],
            concurrencyTokens: 48
        }).catch(async (error: unknown) => {
            throw new Error(`${(error as Error).message}\n${two.log().slice(-3000)}`);
        });
        const run = await waitForEndpointRun(app.client, started.id);
        expect(run.error).toBeNull();
        expect(run.status).toBe("completed");
        expect(run.server).toMatchObject({kind: "llama-server", reportedModel: model, quantization: "Q4_1", parallelSlots: 2});
        expect(run.server.contextSize).toBeGreaterThan(0);
        // llama-server's own timings come with every completion and are compared with the client's figures.
        expect(run.generation.every((g) => g.server !== null && g.server.generatedTokens > 1)).toBe(true);
        expectWithin(run.summary.generationTps! / run.summary.serverGenerationTps!, CLIENT_SERVER_AGREEMENT, "client ÷ server generation", run.summary);
        expectPrefixCacheAndSlots(run, 2);
        await two.dispose();

        await using one = await startLlamaServer({binary, model, threads: 1, contextSize: 8192, parallel: 1, alias: "smollm2"});
        const serial = await waitForEndpointRun(
            app.client,
            (await app.client.call("endpoints.bench", {baseUrl: one.baseUrl, model: "smollm2", promptSizes: [], generatedTokens: 0, agentTurns: 0, concurrency: [2, 4], concurrencyTokens: 48})).id
        );
        expect(serial.status).toBe("completed");
        expect(serial.server.parallelSlots).toBe(1);
        // One slot: a stream starts generating only once the one before it has finished.
        expect(serial.concurrency.map((c) => c.observedParallel)).toEqual([1, 1]);
    });

    it("measures llama-server through Anthropic Messages too (/v1/messages, cache_read_input_tokens)", async () => {
        await using app = await startApp();
        await using server = await startLlamaServer({binary, model: ensureSmolLM2(), threads: 1, contextSize: 8192, parallel: 1, alias: "smollm2"});
        const run = await waitForEndpointRun(
            app.client,
            (await app.client.call("endpoints.bench", {baseUrl: server.baseUrl.replace(/\/v1$/, ""), protocol: "anthropic", model: "smollm2", promptSizes: [64], repetitions: 1, generatedTokens: 24, agentTurns: 3, concurrency: []})).id
        );
        expect(run.error).toBeNull();
        expect(run.status).toBe("completed");
        expect(run.spec.protocol).toBe("anthropic");
        expect(run.generation[0]!.generatedTokens).toBeGreaterThan(1);
        expect(run.agent!.prefixCache).toMatchObject({status: "detected", evidence: "server"});
    });

    it("agrees with a local benchmark of the same GGUF file, measured alternately (ratio of medians within a stated tolerance)", {timeout: 900_000}, async () => {
        await using app = await startApp();
        const model = ensureSmolLM2();
        await using server = await startLlamaServer({binary, model, threads: 1, contextSize: 4096, parallel: 1, alias: "smollm2"});
        const ratios = await measureAlternately(app.client, {endpoint: {baseUrl: server.baseUrl, model: "smollm2"}, modelPath: model, threads: 1, rounds: 3, promptTokens: 512, generatedTokens: 64});
        console.log(`llama-server vs local bench: ${JSON.stringify(ratios)}`);
        expectWithin(ratios.generation, ENDPOINT_GENERATION_AGREEMENT, "endpoint generation ÷ local tg", ratios);
        expectWithin(ratios.prompt, ENDPOINT_PROMPT_AGREEMENT, "endpoint prompt processing ÷ local pp", ratios);
        expectWithin(ratios.clientVsServerGeneration, CLIENT_SERVER_AGREEMENT, "client ÷ server generation", ratios);
        expectWithin(ratios.clientVsServerPrompt, CLIENT_SERVER_AGREEMENT, "client ÷ server prompt processing", ratios);
    });
});
