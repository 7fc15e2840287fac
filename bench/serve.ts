import {fork} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type {ChatCompletionMessageParam} from "openai/resources/chat/completions";
import {createAppService} from "../electron/core/AppService.ts";
import {createServingFront} from "../electron/core/engine/createServingFront.ts";
import {launchNodeEngineProcess} from "../electron/core/engine/EngineLauncher.ts";
import {EngineSupervisor} from "../electron/core/engine/EngineSupervisor.ts";
import {prepareModelLoad} from "../electron/core/engine/prepareModelLoad.ts";
import {FRONT_SECRET_HEADER} from "../electron/protocol/frontHop.ts";
import {createTempHome} from "../testkit/tempHome.ts";
import {ggufModelPresets, writeGgufModel} from "../testkit/gguf/writeGgufModel.ts";
import {ensureSmolLM2} from "../testkit/smollm2.ts";
import type {Benchmark} from "./index.ts";
import {describeMachineLoad} from "./machineLoadReadings.ts";
import {ratioLine, summarize} from "./stats.ts";

const benchDir = path.join(os.tmpdir(), "agentfit-bench-models");
// Generation gets every core but one: the HTTP client (the benchmark itself, like a real agent) runs
// on this machine too, and on 2 cores a client competing with 2 generation threads slowed streaming
// to ~0.89× while non-streaming generation inside the engine matched direct generation (docs/FACTS.md
// §3). AGENTFIT_BENCH_THREADS overrides.
const threads = Number(process.env.AGENTFIT_BENCH_THREADS) || Math.max(1, Math.min(2, os.availableParallelism() - 1));

/** A ~250M-parameter random model: memory-bound like real models, so per-token overheads show honestly. */
function largeModel(): string {
    const file = path.join(benchDir, "serve-large-q8_0.gguf");
    if (!fs.existsSync(file)) {
        fs.mkdirSync(benchDir, {recursive: true});
        writeGgufModel(file, {...ggufModelPresets.large, contextLength: 4096});
    }
    return file;
}

/** A ~200k-parameter random model: per-request overheads dominate its time. */
function tinyModel(): string {
    const file = path.join(benchDir, "serve-tiny.gguf");
    fs.mkdirSync(benchDir, {recursive: true});
    writeGgufModel(file, {...ggufModelPresets.tiny, contextLength: 1024});
    return file;
}

/** One greedy streamed answer's generation speed as the client sees it: tokens after the first ÷ time from the first to the last. */
async function streamedTokensPerSecond(client: OpenAI, model: string, messages: ChatCompletionMessageParam[], maxTokens: number): Promise<number> {
    const stamps: number[] = [];
    let completion = 0;
    const stream = await client.chat.completions.create({model, messages, max_tokens: maxTokens, temperature: 0, stream: true, stream_options: {include_usage: true}});
    for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) stamps.push(performance.now());
        if (chunk.usage) completion = chunk.usage.completion_tokens;
    }
    return streamedSpeed(stamps, completion);
}

/** Tokens after the first ÷ time from the first to the last text delta, tokens/s. */
function streamedSpeed(stamps: number[], tokens: number): number {
    return ((tokens - 1) * 1000) / (stamps.at(-1)! - stamps[0]!);
}

async function withServer<T>(modelPath: string, settings: {contextSize: number; parallel?: number}, action: (client: OpenAI, model: string) => Promise<T>): Promise<T> {
    using home = createTempHome("agentfit-bench-");
    await using app = await createAppService({paths: home});
    const status = await app["engine.start"]({model: modelPath, settings: {...settings, threads}, server: {port: 0}});
    return await action(new OpenAI({baseURL: status.server!.baseUrl, apiKey: "bench", maxRetries: 0}), status.model!.id);
}

/**
 * Direct in-process generation with node-llama-cpp in a child (bench/serveDirectGeneration.ts) on the
 * same model and settings the server gets: `tokensPerSecond(messages)` is measured as the HTTP side
 * is (tokens after the first ÷ first to last text chunk).
 */
async function startDirectGeneration(modelPath: string, maxTokens: number) {
    const child = fork(path.resolve("bin/run-ts.js"), ["bench/serveDirectGeneration.ts", modelPath, "1024", String(threads), String(maxTokens)], {
        env: {...process.env, UV_THREADPOOL_SIZE: "1"}
    });
    const nextMessage = () => new Promise<{tokens: number; ms: number}>((resolve) => child.once("message", (m) => resolve(m as {tokens: number; ms: number})));
    await nextMessage();
    return {
        async tokensPerSecond(messages: ChatCompletionMessageParam[]): Promise<number> {
            const pending = nextMessage();
            child.send({messages});
            const d = await pending;
            return ((d.tokens - 1) * 1000) / d.ms;
        },
        [Symbol.dispose]: () => void child.kill()
    };
}

/** Streaming generation through the HTTP API vs direct node-llama-cpp generation, alternated. */
export const serveThroughputBenchmark: Benchmark = {
    name: "serve-throughput",
    description: "HTTP streaming tokens/s vs direct in-process generation (target ≥ 0.97×)",
    async run() {
        const modelPath = largeModel();
        const maxTokens = 128;
        const messages: ChatCompletionMessageParam[] = [{role: "user", content: "Write a long story about a lighthouse keeper."}];
        using direct = await startDirectGeneration(modelPath, maxTokens);
        await withServer(modelPath, {contextSize: 1024}, async (client, model) => {
            const viaHttp: number[] = [];
            const inProcess: number[] = [];
            for (let round = 0; round < 6; round++) {
                const directRate = await direct.tokensPerSecond(messages);
                const rate = await streamedTokensPerSecond(client, model, messages, maxTokens);
                if (round === 0) continue; // warm-up
                inProcess.push(directRate);
                viaHttp.push(rate);
            }
            const h = summarize(viaHttp);
            const d = summarize(inProcess);
            console.log(`   model ${path.basename(modelPath)}, ${threads} threads, ${maxTokens} tokens greedy, 5 alternated rounds`);
            console.log(`   direct node-llama-cpp          ${d.mean.toFixed(1)} ± ${d.sd.toFixed(1)} tok/s`);
            console.log(`   HTTP streaming (openai client) ${h.mean.toFixed(1)} ± ${h.sd.toFixed(1)} tok/s`);
            console.log(ratioLine("HTTP ÷ direct generation tokens/s", h.mean / d.mean, {atLeast: 0.97}));
        });
    }
};

/** What the HTTP layer adds per request: client wall time minus the engine's own prompt + generation time. */
export const serveLatencyBenchmark: Benchmark = {
    name: "serve-latency",
    description: "median added latency of the HTTP layer per request (target ≤ 5 ms)",
    async run() {
        await withServer(tinyModel(), {contextSize: 1024}, async (client, model) => {
            const added: number[] = [];
            for (let i = 0; i < 60; i++) {
                const started = performance.now();
                const reply = await client.chat.completions.create({model, messages: [{role: "user", content: `ping ${i % 3}`}], max_tokens: 1, temperature: 0});
                const wall = performance.now() - started;
                const timings = (reply as unknown as {timings: {prompt_ms: number; predicted_ms: number}}).timings;
                if (i >= 10) added.push(wall - timings.prompt_ms - timings.predicted_ms);
            }
            const s = summarize(added);
            console.log(`   50 requests (after 10 warm-up): added ${s.median.toFixed(2)} ms median, ${s.mean.toFixed(2)} ± ${s.sd.toFixed(2)} ms mean`);
            console.log(ratioLine("median added latency ÷ 5 ms", s.median / 5, {atMost: 1}));
        });
    }
};

/** A growing agent conversation on SmolLM2: each turn must only evaluate what is new. */
export const servePrefixReuseBenchmark: Benchmark = {
    name: "serve-prefix-reuse",
    description: "turn N of a growing conversation: evaluated ÷ new tokens (≤ 1.1×), TTFT ÷ cold TTFT (≤ 0.25×)",
    async run() {
        const system = `You are a coding agent working in a repository. ${"Follow the repository conventions, run the tests, and explain each change briefly. ".repeat(40)}`;
        await withServer(ensureSmolLM2(), {contextSize: 8192, parallel: 2}, async (client, model) => {
            const ttft = async (messages: ChatCompletionMessageParam[]) => {
                const started = performance.now();
                let first = 0;
                let content = "";
                let usage: OpenAI.CompletionUsage | undefined;
                let timings: {prompt_n: number} | undefined;
                const stream = await client.chat.completions.create({model, messages, max_tokens: 48, temperature: 0, stream: true, stream_options: {include_usage: true}});
                for await (const chunk of stream) {
                    if (!first && chunk.choices[0]?.delta.content) first = performance.now() - started;
                    content += chunk.choices[0]?.delta.content ?? "";
                    const t = (chunk as unknown as {timings?: {prompt_n: number}}).timings;
                    if (t) timings = t;
                    if (chunk.usage) usage = chunk.usage;
                }
                return {ttftMs: first, content, usage: usage!, promptN: timings!.prompt_n};
            };
            const conversation: ChatCompletionMessageParam[] = [{role: "system", content: system}];
            let previousPrompt = 0;
            const ratios: number[] = [];
            const warm: number[] = [];
            const cold: number[] = [];
            for (let turn = 1; turn <= 6; turn++) {
                conversation.push({role: "user", content: `Step ${turn}: read src/module${turn}.ts and refactor the parser into a helper, then update the tests.`});
                const result = await ttft(conversation);
                if (turn > 1) {
                    const newTokens = result.usage.prompt_tokens - previousPrompt;
                    ratios.push(result.promptN / newTokens);
                    warm.push(result.ttftMs);
                    // The same prompt evaluated cold: a first word no earlier prompt had defeats every cached prefix.
                    const coldRun = await ttft([{role: "system", content: `Cold${turn}: ${system}`}, ...conversation.slice(1)]);
                    cold.push(coldRun.ttftMs);
                    console.log(
                        `   turn ${turn}: prompt ${result.usage.prompt_tokens} tokens, new ${newTokens}, evaluated ${result.promptN}, cached ${result.usage.prompt_tokens_details?.cached_tokens}; TTFT ${result.ttftMs.toFixed(0)} ms vs cold ${coldRun.ttftMs.toFixed(0)} ms`
                    );
                }
                previousPrompt = result.usage.prompt_tokens;
                conversation.push({role: "assistant", content: result.content});
            }
            console.log(ratioLine("worst turn: evaluated ÷ new tokens", Math.max(...ratios), {atMost: 1.1}));
            console.log(ratioLine("median TTFT ÷ cold TTFT", summarize(warm).median / summarize(cold).median, {atMost: 0.25}));
        });
    }
};

/**
 * The agents' protocols on one server and model, in one run: streamed generation speed through
 * /v1/messages and /v1/responses ÷ direct in-process generation (rounds in rotating order, with chat
 * completions beside them; ≥ 0.97×), and a second conversation turn in each protocol — resent history for
 * Messages, previous_response_id for Responses — evaluating ≤ 1.1× its new tokens (prefix cache).
 */
export const serveProtocolsBenchmark: Benchmark = {
    name: "serve-protocols",
    description: "Messages and Responses streaming vs direct generation (≥ 0.97×, chat completions beside them) and a second turn's evaluated ÷ new tokens (≤ 1.1×)",
    async run() {
        const maxTokens = 128;
        const protocolRounds = 9;
        const prompt = "Write a long story about a lighthouse keeper.";
        console.log(`   at the start: ${await describeMachineLoad()}`);
        const modelPath = largeModel();
        using direct = await startDirectGeneration(modelPath, maxTokens);
        await withServer(modelPath, {contextSize: 1024}, async (openai, model) => {
            const anthropic = new Anthropic({baseURL: openai.baseURL.replace(/\/v1$/, ""), apiKey: "bench", maxRetries: 0});
            const viaDirect = () => direct.tokensPerSecond([{role: "user", content: prompt}]);
            const viaChat = () => streamedTokensPerSecond(openai, model, [{role: "user", content: prompt}], maxTokens);
            const viaMessages = async () => {
                const stamps: number[] = [];
                const stream = anthropic.messages.stream({model, max_tokens: maxTokens, messages: [{role: "user", content: prompt}], ...({temperature: 0} as object)});
                stream.on("text", () => void stamps.push(performance.now()));
                const message = await stream.finalMessage();
                return streamedSpeed(stamps, message.usage.output_tokens);
            };
            const viaResponses = async () => {
                const stamps: number[] = [];
                let tokens = 0;
                const stream = await openai.responses.create({model, input: prompt, max_output_tokens: maxTokens, temperature: 0, stream: true, store: false});
                for await (const event of stream) {
                    if (event.type === "response.output_text.delta") stamps.push(performance.now());
                    if (event.type === "response.incomplete" || event.type === "response.completed") tokens = event.response.usage!.output_tokens;
                }
                return streamedSpeed(stamps, tokens);
            };
            const speeds = {direct: [] as number[], chat: [] as number[], messages: [] as number[], responses: [] as number[]};
            // The order rotates each round, so no variant always runs first or last (drift on a shared machine).
            const variants = [["direct", viaDirect], ["chat", viaChat], ["messages", viaMessages], ["responses", viaResponses]] as const;
            for (let round = 0; round <= protocolRounds; round++) {
                for (let i = 0; i < variants.length; i++) {
                    const [name, run] = variants[(round + i) % variants.length]!;
                    const speed = await run();
                    if (round > 0) speeds[name].push(speed); // round 0 warms up
                }
            }
            const [d, c, m, r] = [summarize(speeds.direct), summarize(speeds.chat), summarize(speeds.messages), summarize(speeds.responses)];
            console.log(`   model ${path.basename(modelPath)}, ${threads} threads, ${maxTokens} tokens greedy, ${protocolRounds} rounds in rotating order`);
            console.log(`   direct node-llama-cpp ${d.mean.toFixed(1)} ± ${d.sd.toFixed(1)} tok/s`);
            console.log(`   /v1/chat/completions  ${c.mean.toFixed(1)} ± ${c.sd.toFixed(1)} tok/s`);
            console.log(`   /v1/messages          ${m.mean.toFixed(1)} ± ${m.sd.toFixed(1)} tok/s`);
            console.log(`   /v1/responses         ${r.mean.toFixed(1)} ± ${r.sd.toFixed(1)} tok/s`);
            console.log(ratioLine("Messages ÷ direct generation tokens/s", m.mean / d.mean, {atLeast: 0.97}));
            console.log(ratioLine("Responses ÷ direct generation tokens/s", r.mean / d.mean, {atLeast: 0.97}));
            console.log(ratioLine("Chat completions ÷ direct (serve-throughput's)", c.mean / d.mean, {atLeast: 0.97}));
        });

        // A second turn on SmolLM2 (a real tokenizer: the answer re-reads as the tokens generated).
        const system = `You are a coding agent working in a repository. ${"Follow the repository conventions, run the tests, and explain each change briefly. ".repeat(40)}`;
        const first = "Step 1: read src/module1.ts and refactor the parser into a helper.";
        const second = "Step 2: now update the tests of that helper and run them.";
        await withServer(ensureSmolLM2(), {contextSize: 8192}, async (openai, model) => {
            const anthropic = new Anthropic({baseURL: openai.baseURL.replace(/\/v1$/, ""), apiKey: "bench", maxRetries: 0});
            const greedy = {temperature: 0} as object;
            const turn1 = await anthropic.messages.create({model, system, max_tokens: 48, messages: [{role: "user", content: first}], ...greedy});
            const turn2 = await anthropic.messages.create({
                model,
                system,
                max_tokens: 48,
                ...greedy,
                messages: [
                    {role: "user", content: first},
                    {role: "assistant", content: turn1.content},
                    {role: "user", content: second}
                ]
            });
            const prompt1 = turn1.usage.input_tokens + (turn1.usage.cache_read_input_tokens ?? 0);
            const prompt2 = turn2.usage.input_tokens + (turn2.usage.cache_read_input_tokens ?? 0);
            console.log(`   Messages, resent history: turn 2 prompt ${prompt2} tokens, new ${prompt2 - prompt1}, evaluated ${turn2.usage.input_tokens}, cached ${turn2.usage.cache_read_input_tokens}`);
            console.log(ratioLine("Messages second turn: evaluated ÷ new tokens", turn2.usage.input_tokens / (prompt2 - prompt1), {atMost: 1.1}));

            // A new conversation (another system prompt), so nothing of the Messages one is reused.
            const instructions = `Responses. ${system}`;
            const r1 = await openai.responses.create({model, instructions, input: first, max_output_tokens: 48, temperature: 0});
            const r2 = await openai.responses.create({model, instructions, input: second, previous_response_id: r1.id, max_output_tokens: 48, temperature: 0});
            const cached = r2.usage!.input_tokens_details.cached_tokens;
            const newTokens = r2.usage!.input_tokens - r1.usage!.input_tokens;
            console.log(`   Responses, previous_response_id: turn 2 prompt ${r2.usage!.input_tokens} tokens, new ${newTokens}, evaluated ${r2.usage!.input_tokens - cached}, cached ${cached}`);
            console.log(ratioLine("Responses second turn: evaluated ÷ new tokens", (r2.usage!.input_tokens - cached) / newTokens, {atMost: 1.1}));
        });
        console.log(`   at the end: ${await describeMachineLoad()}`);
    }
};

/**
 * The engine's server reached directly (its loopback port, with the hop's secret) and through the
 * serving front the app puts before it, in one engine process, so the two differ only by the hop.
 */
async function withEngineBehindFront<T>(modelPath: string, contextSize: number, action: (clients: {direct: OpenAI; front: OpenAI}, model: string) => Promise<T>): Promise<T> {
    await using supervisor = new EngineSupervisor({launcher: launchNodeEngineProcess});
    const {load} = await prepareModelLoad(modelPath, {contextSize, threads});
    const loaded = await supervisor.call("load", load);
    let enginePort: number | undefined;
    const front = await createServingFront({host: "127.0.0.1", port: 0, upstreamPort: () => enginePort, unavailableReason: () => "The engine is starting."});
    try {
        enginePort = (await supervisor.call("serve", {host: "127.0.0.1", frontSecret: front.secret})).port;
        const direct = new OpenAI({baseURL: `http://127.0.0.1:${enginePort}/v1`, apiKey: "bench", maxRetries: 0, defaultHeaders: {[FRONT_SECRET_HEADER]: front.secret}});
        return await action({direct, front: new OpenAI({baseURL: front.baseUrl, apiKey: "bench", maxRetries: 0})}, loaded.id);
    } finally {
        await front.close();
    }
}

/** What the serving front (the app's socket before the engine) costs: latency per request and streaming tokens/s, alternated with direct requests. */
export const serveFrontBenchmark: Benchmark = {
    name: "serve",
    description: "the serving front vs the engine's server directly: added latency per request (≤ 5 ms), streaming tokens/s (≥ 0.97×)",
    async run() {
        await withEngineBehindFront(tinyModel(), 1024, async (clients, model) => {
            const wall = {direct: [] as number[], front: [] as number[]};
            for (let i = 0; i < 120; i++) {
                const via = i % 2 === 0 ? "direct" : "front";
                const started = performance.now();
                await clients[via].chat.completions.create({model, messages: [{role: "user", content: `ping ${i % 3}`}], max_tokens: 1, temperature: 0});
                if (i >= 20) wall[via].push(performance.now() - started);
            }
            const direct = summarize(wall.direct);
            const front = summarize(wall.front);
            const added = front.median - direct.median;
            console.log(`   ${wall.direct.length} + ${wall.front.length} alternated requests (after 20 warm-up), 1 token each, ${threads} threads`);
            console.log(`   direct to the engine   ${direct.median.toFixed(2)} ms median (${direct.mean.toFixed(2)} ± ${direct.sd.toFixed(2)} mean)`);
            console.log(`   through the front      ${front.median.toFixed(2)} ms median (${front.mean.toFixed(2)} ± ${front.sd.toFixed(2)} mean)`);
            console.log(`   added by the front     ${added.toFixed(2)} ms median`);
            console.log(ratioLine("added latency of the front ÷ 5 ms", added / 5, {atMost: 1}));
        });

        const maxTokens = 128;
        const messages: ChatCompletionMessageParam[] = [{role: "user", content: "Write a long story about a lighthouse keeper."}];
        await withEngineBehindFront(largeModel(), 1024, async (clients, model) => {
            const rates = {direct: [] as number[], front: [] as number[]};
            for (let round = 0; round < 12; round++) {
                const via = round % 2 === 0 ? "direct" : "front";
                const rate = await streamedTokensPerSecond(clients[via], model, messages, maxTokens);
                if (round >= 2) rates[via].push(rate);
            }
            const direct = summarize(rates.direct);
            const front = summarize(rates.front);
            console.log(`   model ${path.basename(largeModel())}, ${maxTokens} tokens greedy, 5 + 5 alternated streams (after 2 warm-up)`);
            console.log(`   direct to the engine   ${direct.mean.toFixed(1)} ± ${direct.sd.toFixed(1)} tok/s`);
            console.log(`   through the front      ${front.mean.toFixed(1)} ± ${front.sd.toFixed(1)} tok/s`);
            console.log(ratioLine("front ÷ direct streaming tokens/s", front.mean / direct.mean, {atLeast: 0.97}));
        });
    }
};
