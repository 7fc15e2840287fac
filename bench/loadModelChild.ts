// Child process of the recommendation accuracy benchmark: loads one GGUF with node-llama-cpp at a
// context, fills part of it, and reports what it really used (RSS growth and llama.cpp's own buffer
// sizes), then optionally times pp/tg like llama-bench. Run with UV_THREADPOOL_SIZE=1.
import fs from "node:fs";
import {getLlama, LlamaLogLevel, type Token} from "node-llama-cpp";
import {runSpeedTests} from "../electron/engine/bench/runSpeedTests.ts";

interface Job {
    file: string;
    contextSize: number;
    flashAttention: boolean;
    kvCacheType: "f16" | "q8_0" | "q4_0";
    threads: number;
    fillTokens: number;
    speed: boolean;
}

const job = JSON.parse(process.argv[2]!) as Job;
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))![1]) * 1024;
const logs: string[] = [];
const llama = await getLlama({gpu: false, maxThreads: job.threads, build: "never", logLevel: LlamaLogLevel.info, logger: (_level, message) => void logs.push(message)});
const before = rss();
const model = await llama.loadModel({modelPath: job.file, useMmap: false});
const kv = job.kvCacheType.toUpperCase() as "F16" | "Q8_0" | "Q4_0";
const context = await model.createContext({
    contextSize: job.contextSize,
    threads: job.threads,
    flashAttention: job.flashAttention,
    experimentalKvCacheKeyType: kv,
    experimentalKvCacheValueType: kv
});
const sequence = context.getSequence();
const vocabulary = (model.fileInfo.metadata.tokenizer?.ggml?.tokens as unknown[] | undefined)?.length ?? 32000;
const fill = Array.from({length: Math.min(job.fillTokens, job.contextSize - 1)}, (_, i) => ((i * 7919) % (vocabulary - 300)) + 260) as Token[];
await sequence.evaluateWithoutGeneratingNewTokens(fill);
const after = rss();
await new Promise((resolve) => setTimeout(resolve, 100)); // llama.cpp's log lines reach JS asynchronously
const text = logs.join("");
const mib = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]) * 1024 ** 2, 0);
const reported = {
    weights: mib(/model buffer size =\s*([\d.]+) MiB/g),
    kv: mib(/KV buffer size =\s*([\d.]+) MiB/g),
    compute: mib(/compute buffer size =\s*([\d.]+) MiB/g),
    output: mib(/output buffer size =\s*([\d.]+) MiB/g)
};
let speed: {pp: number; tg: number} | null = null;
if (job.speed) {
    const [pp, tg] = await runSpeedTests({sequence, model, repetitions: 3, tests: [{promptTokens: 256, generatedTokens: 0, depth: 0}, {promptTokens: 0, generatedTokens: 48, depth: 0}]});
    speed = {pp: pp!.averageTokensPerSecond, tg: tg!.averageTokensPerSecond};
}
process.stdout.write(JSON.stringify({rssGrowth: after - before, reported, speed}) + "\n");
await context.dispose();
await model.dispose();
await llama.dispose();
