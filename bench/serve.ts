import {fork} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import type {ChatCompletionMessageParam} from "openai/resources/chat/completions";
import {createAppService} from "../electron/core/AppService.ts";
import {createTempHome} from "../testkit/tempHome.ts";
import {ggufModelPresets, writeGgufModel} from "../testkit/gguf/writeGgufModel.ts";
import {ensureSmolLM2} from "../testkit/smollm2.ts";
import type {Benchmark} from "./index.ts";
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

async function withServer<T>(modelPath: string, settings: {contextSize: number; parallel?: number}, action: (client: OpenAI, model: string) => Promise<T>): Promise<T> {
    using home = createTempHome("agentfit-bench-");
    await using app = await createAppService({paths: home});
    const status = await app["engine.start"]({model: modelPath, settings: {...settings, threads}, server: {port: 0}});
    return await action(new OpenAI({baseURL: status.server!.baseUrl, apiKey: "bench", maxRetries: 0}), status.model!.id);
}

/** Streaming generation through the HTTP API vs direct node-llama-cpp generation, alternated. */
export const serveThroughputBenchmark: Benchmark = {
    name: "serve-throughput",
    description: "HTTP streaming tokens/s vs direct in-process generation (target ≥ 0.97×)",
    async run() {
        const modelPath = largeModel();
        const maxTokens = 128;
        const messages: ChatCompletionMessageParam[] = [{role: "user", content: "Write a long story about a lighthouse keeper."}];
        const direct = fork(path.resolve("bin/run-ts.js"), ["bench/serveDirectGeneration.ts", modelPath, "1024", String(threads), String(maxTokens)], {
            env: {...process.env, UV_THREADPOOL_SIZE: "1"}
        });
        const nextMessage = () => new Promise<{tokens: number; ms: number}>((resolve) => direct.once("message", (m) => resolve(m as {tokens: number; ms: number})));
        await nextMessage();
        try {
            await withServer(modelPath, {contextSize: 1024}, async (client, model) => {
                const viaHttp: number[] = [];
                const inProcess: number[] = [];
                for (let round = 0; round < 6; round++) {
                    const pending = nextMessage();
                    direct.send({messages});
                    const d = await pending;
                    const stamps: number[] = [];
                    let completion = 0;
                    const stream = await client.chat.completions.create({model, messages, max_tokens: maxTokens, temperature: 0, stream: true, stream_options: {include_usage: true}});
                    for await (const chunk of stream) {
                        if (chunk.choices[0]?.delta.content) stamps.push(performance.now());
                        if (chunk.usage) completion = chunk.usage.completion_tokens;
                    }
                    if (round === 0) continue; // warm-up
                    inProcess.push(((d.tokens - 1) * 1000) / d.ms);
                    viaHttp.push(((completion - 1) * 1000) / (stamps.at(-1)! - stamps[0]!));
                }
                const h = summarize(viaHttp);
                const d = summarize(inProcess);
                console.log(`   model ${path.basename(modelPath)}, ${threads} threads, ${maxTokens} tokens greedy, 5 alternated rounds`);
                console.log(`   direct node-llama-cpp          ${d.mean.toFixed(1)} ± ${d.sd.toFixed(1)} tok/s`);
                console.log(`   HTTP streaming (openai client) ${h.mean.toFixed(1)} ± ${h.sd.toFixed(1)} tok/s`);
                console.log(ratioLine("HTTP ÷ direct generation tokens/s", h.mean / d.mean, {atLeast: 0.97}));
            });
        } finally {
            direct.kill();
        }
    }
};

/** What the HTTP layer adds per request: client wall time minus the engine's own prompt + generation time. */
export const serveLatencyBenchmark: Benchmark = {
    name: "serve-latency",
    description: "median added latency of the HTTP layer per request (target ≤ 5 ms)",
    async run() {
        const modelPath = path.join(benchDir, "serve-tiny.gguf");
        fs.mkdirSync(benchDir, {recursive: true});
        writeGgufModel(modelPath, {...ggufModelPresets.tiny, contextLength: 1024});
        await withServer(modelPath, {contextSize: 1024}, async (client, model) => {
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
