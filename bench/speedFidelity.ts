import {execFile, spawn, type ChildProcess} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {promisify} from "node:util";
import type {BenchRun, LlamaBenchJsonEntry} from "../electron/api/BenchApi.ts";
import {createAppService} from "../electron/core/AppService.ts";
import {sampleMachineLoad} from "../electron/core/catalog/watchMachineLoad.ts";
import {engineProcessEnvironment} from "../electron/core/engine/engineProcessEnvironment.ts";
import {createTempHome} from "../testkit/tempHome.ts";
import {ggufModelPresets, writeGgufModel, type GgufWeightType} from "../testkit/gguf/writeGgufModel.ts";
import type {Benchmark} from "./index.ts";
import {ratioLine, summarize} from "./stats.ts";

const run = promisify(execFile);
const benchDir = path.join(os.tmpdir(), "agentfit-bench-models");
const threads = Number(process.env.AGENTFIT_BENCH_THREADS) || Math.min(2, os.availableParallelism());
const ROUNDS = Number(process.env.AGENTFIT_BENCH_ROUNDS) || 5;
const REPS = 5;
/** The weight types real models use: Q8_0, Q4_0 and Q4_K_M (Q4_K with Q6_K output, attn_v and ffn_down layers). */
const WEIGHT_TYPES = (process.env.AGENTFIT_BENCH_TYPES?.split(",") ?? ["Q8_0", "Q4_0", "Q4_K_M"]) as GgufWeightType[];
/** "quiet" runs on the machine as it is; "loaded" adds BUSY_LOOPS busy loops for the duration of that half. */
const CONDITIONS = (process.env.AGENTFIT_BENCH_CONDITIONS?.split(",") ?? ["quiet", "loaded"]) as ("quiet" | "loaded")[];
const BUSY_LOOPS = 2;
/**
 * With AGENTFIT_BENCH_PLAIN=1, the quiet half also runs the engine's own load and speed tests on
 * node-llama-cpp in a plain Node process with the engine's environment (no engine process IPC, app or
 * store): AgentFit ÷ plain says what AgentFit's plumbing costs, plain ÷ llama-bench what
 * node-llama-cpp's setup of the same llama.cpp does.
 */
const PLAIN_PROCESS = process.env.AGENTFIT_BENCH_PLAIN === "1";
/** Targets of issue #16: quiet ≥ 0.95× llama-bench; loaded ≥ 0.9× with a repetition spread ≤ 2× llama-bench's. */
const TARGETS = {quiet: {ratio: 0.95, spread: Infinity}, loaded: {ratio: 0.9, spread: 2}} as const;

interface Side {
    pp: number[];
    tg: number[];
}

/** ~250M-parameter random models (~270 MB at Q8_0, ~150 MB at Q4_0 and Q4_K_M): memory-bound like real models. */
function largeModel(type: GgufWeightType): string {
    const file = path.join(benchDir, `speed-large-${type.toLowerCase()}.gguf`);
    if (!fs.existsSync(file)) {
        fs.mkdirSync(benchDir, {recursive: true});
        writeGgufModel(file, {...ggufModelPresets.large, contextLength: 4096, type});
    }
    return file;
}

/** Every timed repetition's tokens/s of the pp512 and tg128 entries of a llama-bench JSON array. */
function repetitions(entries: LlamaBenchJsonEntry[]): Side {
    return {pp: entries.find((e) => e.n_prompt === 512 && e.n_gen === 0)!.samples_ts, tg: entries.find((e) => e.n_gen === 128 && e.n_prompt === 0)!.samples_ts};
}

async function llamaBench(binary: string, model: string): Promise<Side> {
    // Same shape and settings as AgentFit's run: pp512 and tg128 at depth 0, 512-token batches, f16 KV, no flash attention, CPU.
    const {stdout} = await run(
        binary,
        ["-m", model, "-p", "512", "-n", "128", "-r", String(REPS), "-t", String(threads), "-b", "512", "-ub", "512", "-fa", "0", "-ngl", "0", "-o", "json"],
        {maxBuffer: 16 << 20}
    );
    return repetitions(JSON.parse(stdout) as LlamaBenchJsonEntry[]);
}

/**
 * AgentFit's pp512 and tg128, each in a benchmark run of its own, so each gets a context sized to its
 * own tokens as llama-bench's tests do (tg128: 256 cells; pp512: 768, benchContextSize). One
 * run of both would share the 768-token context, and without flash attention the V cache is stored
 * transposed, so the values generation reads lie a context's length apart: it ran ~3 % slower there (docs/FACTS.md §3).
 */
async function agentFit(model: string): Promise<Side & {binary: string}> {
    using home = createTempHome("agentfit-bench-");
    await using app = await createAppService({paths: home, measureBandwidthAutomatically: false});
    const measureOne = async (promptTokens: number, generatedTokens: number) => {
        const ended = new Promise<BenchRun>((resolve) => {
            const stop = app.events.subscribe((event, payload) => {
                if (event !== "bench.progress" || (payload as BenchRun).status === "running") return;
                stop();
                resolve(payload as BenchRun);
            });
        });
        await app["bench.start"]({models: [model], promptTokens, generatedTokens, repetitions: REPS, timeToFirstToken: false, matrix: {threads: [threads], flashAttention: [false]}});
        const finished = await ended;
        if (finished.status !== "completed") throw new Error(`AgentFit's run ended ${finished.status}: ${finished.error?.message ?? ""}`);
        return {entries: await app["bench.exportJson"]({runId: finished.id}), binary: finished.engine?.binary === "local" ? "built on this machine" : "prebuilt"};
    };
    const pp = await measureOne(512, 0);
    const tg = await measureOne(0, 128);
    return {...repetitions([...pp.entries, ...tg.entries]), binary: tg.binary};
}

/** The engine's own load and speed tests in a plain Node process with the engine's environment (bench/speedTestsChild.ts). */
async function plainProcess(modelPath: string): Promise<Side> {
    const {stdout} = await run(process.execPath, ["bin/run-ts.js", "bench/speedTestsChild.ts", JSON.stringify({file: modelPath, threads, repetitions: REPS})], {
        env: engineProcessEnvironment(process.env),
        maxBuffer: 16 << 20
    });
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as Side;
}

/**
 * Busy loops in their own processes, for the loaded half; stopped by pid. Each loop also ends itself
 * once its parent is gone (checked every few million iterations), so a benchmark killed by a signal
 * leaves no loop behind.
 */
function startBusyLoops(count: number): {stop(): void} {
    const loop = `for (let i = 0; ; i++) if ((i & 0xffffff) === 0 && process.ppid !== ${process.pid}) process.exit();`;
    const loops: ChildProcess[] = Array.from({length: count}, () => spawn(process.execPath, ["-e", loop], {stdio: "ignore"}));
    const stop = () => {
        for (const loop of loops) if (loop.exitCode === null && loop.signalCode === null) loop.kill("SIGKILL");
    };
    process.once("exit", stop);
    return {stop};
}

/** Coefficient of variation of all timed repetitions (every round pooled): what a user sees from run to run. */
function spread(samples: number[]): number {
    const s = summarize(samples);
    return s.sd / s.mean;
}

interface Figure {
    condition: "quiet" | "loaded";
    type: GgufWeightType;
    test: "pp512" | "tg128";
    ratio: number;
    ours: number[];
    theirs: number[];
    loads: number[];
}

async function measure(binary: string, condition: "quiet" | "loaded", type: GgufWeightType, figures: Figure[]) {
    const model = largeModel(type);
    console.log(
        `   [${condition}] ${path.basename(model)} (${(fs.statSync(model).size / 1e6).toFixed(0)} MB), ${threads} thread${threads === 1 ? "" : "s"}, ${ROUNDS} alternating rounds of ${REPS} repetitions`
    );
    const ours: Side = {pp: [], tg: []};
    const theirs: Side = {pp: [], tg: []};
    // Per-round means of AgentFit, llama-bench and (with PLAIN_PROCESS) the plain process.
    const rounds = {ours: {pp: [], tg: []} as Side, theirs: {pp: [], tg: []} as Side, plain: {pp: [], tg: []} as Side};
    const withPlain = PLAIN_PROCESS && condition === "quiet";
    const loads: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
        // The load other processes (and, loaded, the busy loops) put on the machine just before the round.
        const load = await sampleMachineLoad(500);
        loads.push(load.otherBusyCores);
        // Alternate which side goes first, so a drift in machine load hits both alike; the plain process goes between.
        let a: Side & {binary: string};
        let b: Side;
        let c: Side | undefined;
        if (round % 2 === 0) {
            a = await agentFit(model);
            if (withPlain) c = await plainProcess(model);
            b = await llamaBench(binary, model);
        } else {
            b = await llamaBench(binary, model);
            if (withPlain) c = await plainProcess(model);
            a = await agentFit(model);
        }
        for (const test of ["pp", "tg"] as const) {
            ours[test].push(...a[test]);
            theirs[test].push(...b[test]);
            rounds.ours[test].push(summarize(a[test]).mean);
            rounds.theirs[test].push(summarize(b[test]).mean);
            if (c) rounds.plain[test].push(summarize(c[test]).mean);
        }
        if (round === 0) console.log(`   AgentFit's engine binary: ${a.binary} (agentfit engine build / remove-build switches it)`);
        const plainPart = c ? `; plain process: pp512 ${summarize(c.pp).mean.toFixed(1)}, tg128 ${summarize(c.tg).mean.toFixed(2)} t/s` : "";
        console.log(
            `   round ${round + 1} (other busy cores ${load.otherBusyCores.toFixed(2)} of ${load.cores}, load average ${load.loadAverage1m?.toFixed(2) ?? "n/a"}): ` +
                `pp512 ${summarize(a.pp).mean.toFixed(1)} vs ${summarize(b.pp).mean.toFixed(1)} t/s, tg128 ${summarize(a.tg).mean.toFixed(2)} vs ${summarize(b.tg).mean.toFixed(2)} t/s${plainPart}`
        );
    }
    /** Median over rounds of one side's mean ÷ another's. */
    const medianRatio = (top: Side, bottom: Side, test: keyof Side) => summarize(top[test].map((v, i) => v / bottom[test][i]!)).median;
    if (withPlain)
        for (const test of ["pp", "tg"] as const) {
            const name = test === "pp" ? "pp512" : "tg128";
            console.log(
                `   [${condition}] ${type} ${name} AgentFit ÷ plain node-llama-cpp ${medianRatio(rounds.ours, rounds.plain, test).toFixed(3)}×, ` +
                    `plain ÷ llama-bench ${medianRatio(rounds.plain, rounds.theirs, test).toFixed(3)}× (medians of rounds)`
            );
        }
    for (const test of ["pp", "tg"] as const) {
        const name = test === "pp" ? "pp512" : "tg128";
        const o = summarize(ours[test]);
        const t = summarize(theirs[test]);
        const ratio = medianRatio(rounds.ours, rounds.theirs, test);
        console.log(`   ${name}: AgentFit ${o.mean.toFixed(1)} ± ${o.sd.toFixed(1)} t/s (spread ${(spread(ours[test]) * 100).toFixed(1)} %), llama-bench ${t.mean.toFixed(1)} ± ${t.sd.toFixed(1)} t/s (spread ${(spread(theirs[test]) * 100).toFixed(1)} %)`);
        console.log(ratioLine(`[${condition}] ${type} ${name} AgentFit ÷ llama-bench (median of rounds)`, ratio, {atLeast: TARGETS[condition].ratio}));
        if (condition === "loaded")
            console.log(ratioLine(`[${condition}] ${type} ${name} spread AgentFit ÷ llama-bench`, spread(ours[test]) / spread(theirs[test]), {atMost: TARGETS.loaded.spread}));
        figures.push({condition, type, test: name, ratio, ours: ours[test], theirs: theirs[test], loads});
    }
}

/** The run as a Markdown table, for docs/benchmark.md. */
function summaryTable(figures: Figure[]): string {
    const rows = figures.map((f) => {
        const o = summarize(f.ours);
        const t = summarize(f.theirs);
        const l = summarize(f.loads);
        return `| ${f.condition} | ${f.type} ${f.test} | ${f.ratio.toFixed(2)}× | ${o.mean.toFixed(1)} ± ${o.sd.toFixed(1)} vs ${t.mean.toFixed(1)} ± ${t.sd.toFixed(1)} | ${(spread(f.ours) * 100).toFixed(1)} % vs ${(spread(f.theirs) * 100).toFixed(1)} % | ${l.min.toFixed(1)}–${l.max.toFixed(1)} |`;
    });
    return ["| conditions | test | AgentFit ÷ llama-bench | t/s (AgentFit vs llama-bench) | spread | other busy cores |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

/** AgentFit's pp512/tg128 vs llama.cpp's llama-bench on the same files, threads and settings, alternated round by round, quiet and loaded. */
export const speedFidelityBenchmark: Benchmark = {
    name: "speed-fidelity",
    description: "AgentFit pp512/tg128 (engine process) vs llama-bench on Q8_0, Q4_0 and Q4_K_M, quiet (≥ 0.95×) and with two busy loops (≥ 0.9×, spread ≤ 2×)",
    async run() {
        const binary = process.env.AGENTFIT_LLAMA_BENCH;
        if (!binary || !fs.existsSync(binary)) {
            console.log("   skipped: set AGENTFIT_LLAMA_BENCH to a llama-bench binary built from node-llama-cpp's llama.cpp source (docs/benchmark.md: \"Checking the benchmark against llama-bench\").");
            return;
        }
        const figures: Figure[] = [];
        for (const condition of CONDITIONS) {
            const busy = condition === "loaded" ? startBusyLoops(BUSY_LOOPS) : undefined;
            try {
                if (busy) console.log(`   ${BUSY_LOOPS} busy loops running for the loaded half`);
                for (const type of WEIGHT_TYPES) await measure(binary, condition, type, figures);
            } finally {
                busy?.stop();
            }
        }
        console.log(`\n${summaryTable(figures)}`);
    }
};
