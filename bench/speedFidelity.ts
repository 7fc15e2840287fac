import {execFile} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {promisify} from "node:util";
import type {BenchRun, LlamaBenchJsonEntry} from "../electron/api/BenchApi.ts";
import {createAppService} from "../electron/core/AppService.ts";
import {createTempHome} from "../testkit/tempHome.ts";
import {ggufModelPresets, writeGgufModel, type GgufWeightType} from "../testkit/gguf/writeGgufModel.ts";
import type {Benchmark} from "./index.ts";
import {ratioLine, summarize} from "./stats.ts";

const run = promisify(execFile);
const benchDir = path.join(os.tmpdir(), "agentfit-bench-models");
const threads = Number(process.env.AGENTFIT_BENCH_THREADS) || Math.min(2, os.availableParallelism());
const ROUNDS = Number(process.env.AGENTFIT_BENCH_ROUNDS) || 5;
const REPS = 5;

/** ~250M-parameter random models (~270 MB at Q8_0, ~150 MB at Q4_0): memory-bound like real models. */
function largeModel(type: GgufWeightType): string {
    const file = path.join(benchDir, `speed-large-${type.toLowerCase()}.gguf`);
    if (!fs.existsSync(file)) {
        fs.mkdirSync(benchDir, {recursive: true});
        writeGgufModel(file, {...ggufModelPresets.large, contextLength: 4096, type});
    }
    return file;
}

async function llamaBench(binary: string, model: string): Promise<{pp: number; tg: number}> {
    // Same shape and settings as AgentFit's run: pp512 and tg128 at depth 0, 512-token batches, f16 KV, no flash attention, CPU.
    const {stdout} = await run(
        binary,
        ["-m", model, "-p", "512", "-n", "128", "-r", String(REPS), "-t", String(threads), "-b", "512", "-ub", "512", "-fa", "0", "-ngl", "0", "-o", "json"],
        {maxBuffer: 16 << 20}
    );
    const entries = JSON.parse(stdout) as LlamaBenchJsonEntry[];
    return {pp: entries.find((e) => e.n_prompt === 512 && e.n_gen === 0)!.avg_ts, tg: entries.find((e) => e.n_gen === 128 && e.n_prompt === 0)!.avg_ts};
}

async function agentFit(model: string): Promise<{pp: number; tg: number; binary: string}> {
    using home = createTempHome("agentfit-bench-");
    await using app = await createAppService({paths: home, measureBandwidthAutomatically: false});
    const ended = new Promise<BenchRun>((resolve) =>
        app.events.subscribe((event, payload) => event === "bench.progress" && (payload as BenchRun).status !== "running" && resolve(payload as BenchRun))
    );
    await app["bench.start"]({models: [model], promptTokens: 512, generatedTokens: 128, repetitions: REPS, timeToFirstToken: false, matrix: {threads: [threads], flashAttention: [false]}});
    const finished = await ended;
    if (finished.status !== "completed") throw new Error(`AgentFit's run ended ${finished.status}: ${finished.error?.message ?? ""}`);
    const entries = await app["bench.exportJson"]({runId: finished.id});
    const binary = finished.engine?.binary === "local" ? "built on this machine" : "prebuilt";
    return {pp: entries.find((e) => e.n_prompt === 512)!.avg_ts, tg: entries.find((e) => e.n_gen === 128)!.avg_ts, binary};
}

/** AgentFit's pp512/tg128 vs llama.cpp's llama-bench on the same files, threads and settings, alternated round by round. */
export const speedFidelityBenchmark: Benchmark = {
    name: "speed-fidelity",
    description: "AgentFit pp512/tg128 (engine process) vs llama-bench on the same file and settings (target ≥ 0.95×)",
    async run() {
        const binary = process.env.AGENTFIT_LLAMA_BENCH;
        if (!binary || !fs.existsSync(binary)) {
            console.log("   skipped: set AGENTFIT_LLAMA_BENCH to a llama-bench binary built from node-llama-cpp's llama.cpp source (docs/benchmark.md: \"Checking the benchmark against llama-bench\").");
            return;
        }
        for (const type of ["Q8_0", "Q4_0"] as const) {
            const model = largeModel(type);
            console.log(`   ${path.basename(model)} (${(fs.statSync(model).size / 1e6).toFixed(0)} MB), ${threads} thread${threads === 1 ? "" : "s"}, ${ROUNDS} alternating rounds of ${REPS} repetitions`);
            const ours = {pp: [] as number[], tg: [] as number[]};
            const theirs = {pp: [] as number[], tg: [] as number[]};
            const ratios = {pp: [] as number[], tg: [] as number[]};
            for (let round = 0; round < ROUNDS; round++) {
                // Alternate which side goes first, so a drift in machine load hits both alike.
                let a: {pp: number; tg: number; binary: string};
                let b: {pp: number; tg: number};
                if (round % 2 === 0) {
                    a = await agentFit(model);
                    b = await llamaBench(binary, model);
                } else {
                    b = await llamaBench(binary, model);
                    a = await agentFit(model);
                }
                ours.pp.push(a.pp);
                ours.tg.push(a.tg);
                theirs.pp.push(b.pp);
                theirs.tg.push(b.tg);
                ratios.pp.push(a.pp / b.pp);
                ratios.tg.push(a.tg / b.tg);
                if (round === 0) console.log(`   AgentFit's engine binary: ${a.binary} (agentfit engine build / remove-build switches it)`);
                console.log(`   round ${round + 1}: pp512 ${a.pp.toFixed(1)} vs ${b.pp.toFixed(1)} t/s, tg128 ${a.tg.toFixed(2)} vs ${b.tg.toFixed(2)} t/s`);
            }
            for (const test of ["pp", "tg"] as const) {
                const o = summarize(ours[test]);
                const t = summarize(theirs[test]);
                console.log(`   ${test === "pp" ? "pp512" : "tg128"}: AgentFit ${o.mean.toFixed(1)} ± ${o.sd.toFixed(1)} t/s, llama-bench ${t.mean.toFixed(1)} ± ${t.sd.toFixed(1)} t/s`);
                console.log(ratioLine(`${type} ${test === "pp" ? "pp512" : "tg128"} AgentFit ÷ llama-bench (median of rounds)`, summarize(ratios[test]).median, {atLeast: 0.95}));
            }
        }
    }
};
