import {expect} from "vitest";
import type {EndpointBenchRequest, EndpointBenchRun} from "../../electron/api/EndpointsApi.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";

/** Polls until the endpoint run has ended (generous deadline: the machine is shared). */
export async function waitForEndpointRun(client: ApiClient, runId: number): Promise<EndpointBenchRun> {
    let run: EndpointBenchRun | undefined;
    await expect.poll(async () => (run = await client.call("endpoints.run", {runId})).status, {timeout: 280_000, interval: 250}).not.toBe("running");
    return run!;
}

/**
 * Agreement bounds (docs/FACTS.md §14): endpoint ÷ local, each side the median of rounds measured
 * alternately. Generation goes through sampling, HTTP and SSE besides the decode; prompt processing
 * is derived from a TTFT slope on the endpoint and timed in 512-token batches locally.
 */
export const ENDPOINT_GENERATION_AGREEMENT: [number, number] = [0.4, 2];
export const ENDPOINT_PROMPT_AGREEMENT: [number, number] = [0.3, 2.5];
/** The client's figures against the server's own `timings` on the same requests. */
export const CLIENT_SERVER_AGREEMENT: [number, number] = [0.7, 1.4];

export function expectWithin(value: number, [low, high]: [number, number], what: string, context: unknown) {
    expect(value, `${what} = ${value.toFixed(3)} is outside ${low}–${high}×: ${JSON.stringify(context)}`).toBeGreaterThanOrEqual(low);
    expect(value, `${what} = ${value.toFixed(3)} is outside ${low}–${high}×: ${JSON.stringify(context)}`).toBeLessThanOrEqual(high);
}

/**
 * What a llama.cpp-based server with `slots` parallel sequences shows in a run of 3 agent turns and
 * concurrency [1, 2, 4]: later turns reuse the conversation's prefix and say so (cached tokens); the
 * cold control, whose system message starts with a fresh tag, shares at most the chat template's first
 * tokens; one stream generates alone, and never more streams at once than the server has slots.
 */
export function expectPrefixCacheAndSlots(run: EndpointBenchRun, slots: number) {
    expect(run.agent!.prefixCache).toMatchObject({status: "detected", evidence: "server"});
    expect(run.agent!.turns.slice(1).every((turn) => turn.cachedTokens! > 0)).toBe(true);
    expect(run.agent!.cold.cachedTokens!).toBeLessThan(run.agent!.cold.promptTokens! * 0.05);
    expect(run.concurrency.map((c) => c.streams)).toEqual([1, 2, 4]);
    expect(run.concurrency[0]!.observedParallel).toBe(1);
    expect(run.concurrency.every((c) => c.observedParallel <= slots)).toBe(true);
    expect(Math.max(...run.concurrency.map((c) => c.observedParallel))).toBe(slots);
}

const median = (values: readonly number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export interface AgreementRatios {
    /** Median endpoint generation ÷ median local tg. */
    generation: number;
    /** Median endpoint prompt processing (TTFT slope) ÷ median local pp. */
    prompt: number;
    /** Median client-side ÷ server-reported generation on the same requests. */
    clientVsServerGeneration: number;
    /** Median client-side ÷ server-reported prompt processing on the same requests. */
    clientVsServerPrompt: number;
    /** Every round's figures, for the failure message. */
    rounds: {endpointGeneration: number; localTg: number; endpointPrompt: number; localPp: number}[];
}

/**
 * Measures an endpoint and the local benchmark of the same file alternately, round after round, so
 * both sides see the same stretch of machine load (docs/FACTS.md §14), and compares the medians.
 * `endpoint` is the endpoint request without the measured sizes, which this helper fixes: prompts of
 * ~32 and ~`promptTokens` tokens, `generatedTokens` generated, 2 repetitions, no agent turns or concurrency.
 */
export async function measureAlternately(
    client: ApiClient,
    options: {endpoint: Pick<EndpointBenchRequest, "baseUrl" | "model" | "protocol">; modelPath: string; threads: number; rounds: number; promptTokens: number; generatedTokens: number}
): Promise<AgreementRatios> {
    const rounds: AgreementRatios["rounds"] = [];
    const clientVsServer: {generation: number[]; prompt: number[]} = {generation: [], prompt: []};
    for (let round = 0; round < options.rounds; round++) {
        const started = await client.call("endpoints.bench", {
            ...options.endpoint,
            promptSizes: [32, options.promptTokens],
            repetitions: 2,
            generatedTokens: options.generatedTokens,
            agentTurns: 0,
            concurrency: []
        });
        const remote = await waitForEndpointRun(client, started.id);
        expect(remote.error).toBeNull();
        const s = remote.summary;
        expect(s.generationTps).not.toBeNull();
        expect(s.promptTps).not.toBeNull();

        const local = await client.call("bench.start", {
            models: [options.modelPath],
            promptTokens: options.promptTokens,
            generatedTokens: options.generatedTokens,
            repetitions: 2,
            timeToFirstToken: false,
            matrix: {threads: [options.threads]}
        });
        await expect.poll(async () => (await client.call("bench.run", {runId: local.id})).status, {timeout: 280_000, interval: 250}).toBe("completed");
        const results = (await client.call("bench.run", {runId: local.id})).results;
        rounds.push({
            endpointGeneration: s.generationTps!,
            localTg: results.find((r) => r.kind === "tg")!.avgTs!,
            endpointPrompt: s.promptTps!,
            localPp: results.find((r) => r.kind === "pp")!.avgTs!
        });
        console.log(`round ${round + 1} of ${options.rounds} (${options.endpoint.baseUrl}): ${JSON.stringify({...rounds.at(-1), serverGeneration: s.serverGenerationTps, serverPrompt: s.serverPromptTps})}`);
        if (s.serverGenerationTps) clientVsServer.generation.push(s.generationTps! / s.serverGenerationTps);
        if (s.serverPromptTps) clientVsServer.prompt.push(s.promptTps! / s.serverPromptTps);
    }
    return {
        generation: median(rounds.map((r) => r.endpointGeneration)) / median(rounds.map((r) => r.localTg)),
        prompt: median(rounds.map((r) => r.endpointPrompt)) / median(rounds.map((r) => r.localPp)),
        clientVsServerGeneration: clientVsServer.generation.length ? median(clientVsServer.generation) : Number.NaN,
        clientVsServerPrompt: clientVsServer.prompt.length ? median(clientVsServer.prompt) : Number.NaN,
        rounds
    };
}
