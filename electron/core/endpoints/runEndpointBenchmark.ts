import type {
    EndpointAgentResult,
    EndpointAgentTurn,
    EndpointBenchRun,
    EndpointBenchSpec,
    EndpointBenchSummary,
    EndpointConcurrencyResult,
    EndpointPhase,
    EndpointPrefixCache,
    EndpointRequestSample,
    EndpointTtftResult
} from "../../api/EndpointsApi.ts";
import {seededRandom} from "../../shared/seededRandom.ts";
import {agentWorkloadScript} from "../bench/agentWorkloadScript.ts";
import {streamCompletion} from "./streamAnthropicMessage.ts";
import type {EndpointChatMessage, EndpointConnection, StreamedCompletion} from "./streamChatCompletion.ts";

/** Below this ratio of warm to cold time to first token, a server without cache reports is taken to reuse prefixes. */
export const PREFIX_CACHE_TTFT_RATIO = 0.5;
/** Above this share of prompt tokens reported cached on agent turns after the first, the server's prefix cache works. */
export const PREFIX_CACHE_REPORTED_SHARE = 0.5;

export interface RunEndpointBenchmarkOptions {
    run: EndpointBenchRun;
    connection: EndpointConnection;
    /** Stores the run after each phase (and announces it). */
    save(patch: Partial<EndpointBenchRun>): EndpointBenchRun;
    signal: AbortSignal;
}

/** Words most tokenizers keep as one token each (with their leading space), for prompts of a known size without a tokenizer. */
const fillerWords =
    "the of and to in is that for it as with was on be by this are from at or an have not they which one you were all we her she there would their will when who him been has more if no out so what up said about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three".split(
            " "
        );

/** A prompt of about `tokens` tokens that starts with `nonce`, so no two prompts share a cached prefix. */
export function fillerPrompt(tokens: number, nonce: string, seed: number): string {
    const random = seededRandom(seed);
    const words: string[] = [];
    for (let i = 0; i < Math.max(1, tokens - 24); i++) words.push(fillerWords[Math.floor(random() * fillerWords.length)]!);
    return `[${nonce}] The following words are filler; ignore them.\n${words.join(" ")}\nNow write a long story about a lighthouse keeper.`;
}

const median = (values: readonly number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Nearest-rank percentile. */
export const percentile = (values: readonly number[], p: number): number => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

/** The sample without what only the conversation needs. */
function sampleOf(completion: StreamedCompletion): EndpointRequestSample {
    const {promptTokens, cachedTokens, generatedTokens, timeToFirstTokenMs, totalMs, generationTps, server} = completion;
    return {promptTokens, cachedTokens, generatedTokens, timeToFirstTokenMs, totalMs, generationTps, server};
}

/**
 * Streams generating at the same moment: the most intervals (first to last token) that overlap,
 * each trimmed by 10% at both ends so a stream that starts as another ends (a server working one
 * at a time) does not count as overlapping.
 */
export function observedParallelism(streams: readonly {firstTokenAt: number; lastTokenAt: number}[]): number {
    const events: [number, number][] = [];
    for (const s of streams) {
        const length = s.lastTokenAt - s.firstTokenAt;
        if (length <= 0) continue;
        events.push([s.firstTokenAt + length * 0.1, 1], [s.lastTokenAt - length * 0.1, -1]);
    }
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0;
    let most = streams.length > 0 ? 1 : 0;
    for (const [, change] of events) most = Math.max(most, (open += change));
    return most;
}

/** Judges the prefix cache from what the server reported and from warm against cold time to first token. */
export function judgePrefixCache(turns: readonly EndpointAgentTurn[], cold: EndpointRequestSample): EndpointPrefixCache {
    const later = turns.slice(1);
    const reported = later.length > 0 && later.every((t) => t.cachedTokens !== null && t.promptTokens !== null);
    const reportedCachedShare = reported ? later.reduce((sum, t) => sum + t.cachedTokens!, 0) / Math.max(1, later.reduce((sum, t) => sum + t.promptTokens!, 0)) : null;
    const last = turns.at(-1);
    const warmToColdTtftRatio = last && turns.length > 1 && cold.timeToFirstTokenMs > 0 ? last.timeToFirstTokenMs / cold.timeToFirstTokenMs : null;
    const ratioText = warmToColdTtftRatio !== null ? `the last turn's first token came ${warmToColdTtftRatio.toFixed(2)}× as fast as the same prompt sent cold` : "";
    if (reportedCachedShare !== null && reportedCachedShare >= PREFIX_CACHE_REPORTED_SHARE)
        return {
            status: "detected",
            evidence: "server",
            reportedCachedShare,
            warmToColdTtftRatio,
            summary: `The server reused ${Math.round(reportedCachedShare * 100)}% of the prompt tokens of agent turns after the first (cached tokens it reported)${ratioText ? `; ${ratioText}` : ""}.`
        };
    if (warmToColdTtftRatio !== null && warmToColdTtftRatio < PREFIX_CACHE_TTFT_RATIO)
        return {
            status: "detected",
            evidence: "timing",
            reportedCachedShare,
            warmToColdTtftRatio,
            summary: `Prefix reuse detected by timing: ${ratioText} (below ${PREFIX_CACHE_TTFT_RATIO}×)${reportedCachedShare !== null ? `, although the server reported only ${Math.round(reportedCachedShare * 100)}% cached` : ""}.`
        };
    return {
        status: "not-detected",
        evidence: reportedCachedShare !== null ? "server" : "timing",
        reportedCachedShare,
        warmToColdTtftRatio,
        summary: `No prefix reuse: ${reportedCachedShare !== null ? `the server reported ${Math.round(reportedCachedShare * 100)}% of later turns' prompt tokens cached` : "the server reports no cached tokens"}${ratioText ? ` and ${ratioText}` : ""}; every agent turn pays for the whole conversation again.`
    };
}

export function summarize(run: Pick<EndpointBenchRun, "ttft" | "generation" | "agent" | "concurrency">): EndpointBenchSummary {
    const sizes = run.ttft.filter((t) => t.promptTokens !== null);
    const smallest = sizes[0];
    const largest = sizes.at(-1);
    const promptTps =
        smallest && largest && largest.promptTokens! > smallest.promptTokens! && largest.timeToFirstTokenMs > smallest.timeToFirstTokenMs
            ? (largest.promptTokens! - smallest.promptTokens!) / ((largest.timeToFirstTokenMs - smallest.timeToFirstTokenMs) / 1000)
            : null;
    const serverPrompt = (largest?.samples ?? [])
        .map((s) => s.server)
        .filter((s) => s !== null && s.promptMs > 0)
        .map((s) => s!.promptTokens / (s!.promptMs / 1000));
    const generation = run.generation.map((s) => s.generationTps).filter((v) => v !== null);
    const serverGeneration = run.generation
        .map((s) => s.server)
        .filter((s) => s !== null && s.generationMs > 0 && s.generatedTokens > 1)
        .map((s) => (s!.generatedTokens - 1) / (s!.generationMs / 1000));
    const best = [...run.concurrency].sort((a, b) => b.aggregateTps - a.aggregateTps)[0];
    return {
        promptTps,
        serverPromptTps: serverPrompt.length ? median(serverPrompt) : null,
        generationTps: generation.length ? median(generation) : null,
        serverGenerationTps: serverGeneration.length ? median(serverGeneration) : null,
        timeToFirstTokenMs: run.ttft[0]?.timeToFirstTokenMs ?? null,
        turnSeconds: run.agent?.turnSeconds ?? null,
        prefixCache: run.agent?.prefixCache.status ?? null,
        bestAggregateTps: best?.aggregateTps ?? null,
        bestAggregateStreams: best?.streams ?? null,
        observedParallel: run.concurrency.length ? Math.max(...run.concurrency.map((c) => c.observedParallel)) : null
    };
}

/**
 * Measures an endpoint through its API, phase by phase (TTFT at each prompt size, generation, agent
 * turns, concurrency), saving the run after each phase so a failure or cancel keeps what finished.
 */
export async function runEndpointBenchmark(options: RunEndpointBenchmarkOptions): Promise<EndpointBenchRun> {
    const {connection, signal} = options;
    let run = options.run;
    const spec: EndpointBenchSpec = run.spec;
    const nonceBase = `${run.id}-${Date.now().toString(36)}`;
    let requests = 0;
    const nonce = () => `${nonceBase}-${requests++}`;
    const contextSize = run.server.contextSize;
    const save = (patch: Partial<EndpointBenchRun>) => (run = options.save(patch));
    const phase = async (name: EndpointPhase, measure: () => Promise<Partial<EndpointBenchRun>>) => {
        signal.throwIfAborted();
        save({phase: name});
        const measured = await measure();
        signal.throwIfAborted();
        const next = {...run, ...measured};
        save({...measured, phase: null, phasesDone: [...run.phasesDone, name], summary: summarize(next)});
    };
    const stream = (messages: EndpointChatMessage[], maxTokens: number, extra: {tools?: unknown[]} = {}) =>
        streamCompletion(connection, {model: spec.model, messages, max_tokens: maxTokens, temperature: 0, ...extra});

    // Prompt sizes the server's context can hold (with room for the reply), when it reports its context.
    const sizes = contextSize ? spec.promptSizes.filter((size) => size + 64 <= contextSize) : spec.promptSizes;
    if (sizes.length > 0)
        await phase("ttft", async () => {
            const ttft: EndpointTtftResult[] = [];
            for (const size of sizes) {
                const samples: EndpointRequestSample[] = [];
                for (let rep = 0; rep < spec.repetitions; rep++)
                    samples.push(sampleOf(await stream([{role: "user", content: fillerPrompt(size, nonce(), size * 100 + rep)}], 1)));
                const prompts = samples.map((s) => s.promptTokens).filter((n) => n !== null);
                ttft.push({
                    targetTokens: size,
                    samples,
                    timeToFirstTokenMs: median(samples.map((s) => s.timeToFirstTokenMs)),
                    promptTokens: prompts.length === samples.length ? median(prompts) : null
                });
            }
            return {ttft};
        });

    if (spec.generatedTokens > 0)
        await phase("generation", async () => {
            const generation: EndpointRequestSample[] = [];
            for (let rep = 0; rep < spec.repetitions; rep++) generation.push(sampleOf(await stream([{role: "user", content: fillerPrompt(64, nonce(), rep)}], spec.generatedTokens)));
            return {generation};
        });

    if (spec.agentTurns > 0)
        await phase("agent", async () => {
            // A server with a small context gets AgentFit's concise system prompt instead of the long one.
            const script = agentWorkloadScript(contextSize !== null && contextSize < 16_384 ? "concise" : "long");
            const system = (tag: string): EndpointChatMessage => ({role: "system", content: `[${tag}] ${script.systemPrompt}`});
            const conversation: EndpointChatMessage[] = [{role: "user", content: script.userPrompt}];
            const tag = nonce();
            const turns: EndpointAgentTurn[] = [];
            let lastPrompt: EndpointChatMessage[] = [];
            for (let turn = 1; turn <= spec.agentTurns; turn++) {
                lastPrompt = [...conversation];
                const reply = await stream([system(tag), ...conversation], 64, {tools: script.tools});
                turns.push({turn, ...sampleOf(reply)});
                if (reply.toolCalls.length > 0) {
                    conversation.push({
                        role: "assistant",
                        content: reply.content || null,
                        tool_calls: reply.toolCalls.map((call) => ({id: call.id, type: "function", function: {name: call.name, arguments: call.arguments}}))
                    });
                    for (const call of reply.toolCalls) conversation.push({role: "tool", tool_call_id: call.id, content: script.toolResults[call.name] ?? script.defaultToolResult});
                } else {
                    conversation.push({role: "assistant", content: reply.content}, {role: "user", content: script.continuePrompt});
                }
            }
            // The last turn's prompt again behind a new prefix: what that turn costs without any reuse.
            const cold = sampleOf(await stream([system(nonce()), ...lastPrompt], 64, {tools: script.tools}));
            const agent: EndpointAgentResult = {
                turns,
                cold,
                prefixCache: judgePrefixCache(turns, cold),
                turnSeconds: turns.reduce((sum, t) => sum + t.totalMs, 0) / turns.length / 1000
            };
            return {agent};
        });

    if (spec.concurrency.length > 0)
        await phase("concurrency", async () => {
            const concurrency: EndpointConcurrencyResult[] = [];
            for (const streams of spec.concurrency) {
                signal.throwIfAborted();
                const completions = await Promise.all(
                    Array.from({length: streams}, (_, i) => stream([{role: "user", content: fillerPrompt(64, nonce(), 1000 + i)}], spec.concurrencyTokens))
                );
                const start = Math.min(...completions.map((c) => c.sentAt));
                const end = Math.max(...completions.map((c) => c.lastTokenAt));
                const tokens = completions.reduce((sum, c) => sum + c.generatedTokens, 0);
                const perStream = completions.map((c) => c.generationTps).filter((v) => v !== null);
                const latencies = completions.map((c) => c.totalMs);
                concurrency.push({
                    streams,
                    samples: completions.map(sampleOf),
                    aggregateTps: end > start ? tokens / ((end - start) / 1000) : 0,
                    perStreamTps: perStream.length ? median(perStream) : null,
                    latencyP50Ms: percentile(latencies, 50),
                    latencyP95Ms: percentile(latencies, 95),
                    observedParallel: observedParallelism(completions)
                });
            }
            return {concurrency};
        });

    return save({status: "completed", completedAt: new Date().toISOString(), phase: null});
}
