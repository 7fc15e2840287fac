import path from "node:path";
import {describe, expect, it} from "vitest";
import type {LlamaBenchJsonEntry} from "../../electron/api/BenchApi.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {runCli, startCliUntil} from "../utils/runCli.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

// `agentfit bench` as a real process on generated GGUF files.

describe("agentfit bench", () => {
    it("prints llama-bench's table, the score and the run; --json prints llama-bench JSON; runs and show read the stored run", async () => {
        using home = createTempHome();
        for (const type of ["Q8_0", "Q4_0"] as const)
            writeGgufModel(path.join(home.models, `cli-${type.toLowerCase()}.gguf`), {...ggufModelPresets.tiny, embeddingLength: 256, contextLength: 1024, type});

        const table = await runCli(["bench", "--model", "cli-q8_0", "cli-q4_0", "--pp", "32", "--tg", "4", "--reps", "2", "--depth", "0,512,2048", "--kv-type", "f16,q8_0", "--threads", "1"], home.env, {timeoutMs: 120_000});
        expect(table.stderr).toContain("Benchmark run 1: 2 models, 2 repetitions per test");
        expect(table.code).toBe(0);
        const lines = table.stdout.split("\n");
        expect(lines[0]).toMatch(/^model\s+size\s+params\s+threads\s+ngl\s+type_kv\s+fa\s+test\s+t\/s/);
        // 2 files × 2 KV types × (pp, tg at 3 depths + TTFT) = 28 rows.
        expect(lines.filter((l) => /^llama /.test(l))).toHaveLength(28);
        // On a busy machine a test may also carry its noise warning: "(noisy: ±14 % between repetitions …)".
        const measured = (test: string) => new RegExp(`\\b${test}\\s+[\\d.]+ ± [\\d.]+(?: \\(noisy: ±\\d+ % between repetitions .*\\))?$`);
        expect(lines.filter((l) => measured("pp32").test(l))).toHaveLength(4);
        expect(lines.filter((l) => measured("tg4 @ d512").test(l))).toHaveLength(4);
        expect(lines.filter((l) => /tg4 @ d2048\s+skipped: Depth 2048 plus 4 test tokens exceed the 1024-token context/.test(l))).toHaveLength(4);
        expect(lines.filter((l) => /ttft pp32\s+[\d.]+ ms to first token/.test(l))).toHaveLength(4);
        expect(lines.filter((l) => l.startsWith("LocalScore-style score"))).toHaveLength(4);
        expect(table.stdout).toMatch(/Run 1 · completed · node-llama-cpp 3\.22\.1/);

        const json = await runCli(["bench", "--model", path.join(home.models, "cli-q4_0.gguf"), "--pp", "16", "--tg", "2", "--reps", "3", "--threads", "1", "--no-ttft", "--json"], home.env, {timeoutMs: 120_000});
        expect(json.code).toBe(0);
        const entries = JSON.parse(json.stdout) as LlamaBenchJsonEntry[];
        expect(entries.map((e) => [e.n_prompt, e.n_gen, e.n_depth])).toEqual([
            [16, 0, 0],
            [0, 2, 0]
        ]);
        for (const e of entries) {
            expect(e).toMatchObject({n_threads: 1, type_k: "f16", type_v: "f16", n_gpu_layers: 0, backends: "CPU", agentfit_run_id: 2, agentfit_status: "completed"});
            expect(e.samples_ns).toHaveLength(3);
            expect(e.samples_ts).toHaveLength(3);
            expect(e.model_filename).toBe(path.join(home.models, "cli-q4_0.gguf"));
        }

        const runs = await runCli(["bench", "runs"], home.env);
        expect(runs.code).toBe(0);
        expect(runs.stdout.split("\n").filter((l) => /^\d+\s/.test(l))).toHaveLength(2);
        const shown = await runCli(["bench", "show", "1", "--json", "--all"], home.env);
        expect((JSON.parse(shown.stdout) as LlamaBenchJsonEntry[]).filter((e) => e.agentfit_status === "skipped")).toHaveLength(8);
    }, 300_000); // two benchmark processes of up to 120 s each on a busy machine

    it("refuses bad arguments with a clear message and a failing exit code", async () => {
        using home = createTempHome();
        const noModel = await runCli(["bench"], home.env);
        expect(noModel.code).toBe(2);
        expect(noModel.stderr).toContain("--model is required");
        const badKv = await runCli(["bench", "--model", "x", "--kv-type", "q5_1"], home.env);
        expect(badKv.code).not.toBe(0);
        expect(badKv.stderr).toContain("--kv-type must be f16, q8_0 or q4_0");
        const missing = await runCli(["bench", "--model", "nothing-here", "--threads", "1"], home.env);
        expect(missing.code).toBe(1);
        expect(missing.stderr).toMatch(/error \[MODEL_NOT_FOUND\]/);
        const unknownRun = await runCli(["bench", "show", "7"], home.env);
        expect(unknownRun.code).toBe(1);
        expect(unknownRun.stderr).toMatch(/BENCH_RUN_NOT_FOUND/);
    });

    it("Ctrl-C cancels the run, keeps what was measured and marks it cancelled", async () => {
        using home = createTempHome();
        writeGgufModel(path.join(home.models, "slow.gguf"), {...ggufModelPresets.tiny, embeddingLength: 256, contextLength: 1024});
        const cli = startCliUntil(["bench", "--model", "slow", "--pp", "0", "--tg", "256", "--reps", "100", "--threads", "1"], home.env, /slow\.gguf tg rep 1\/100/);
        await cli.reached;
        // The first repetition is done; let a few more finish before interrupting.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        cli.child.kill("SIGINT");
        expect(await cli.exited).toBe(130);
        const {stdout} = cli.output();
        expect(stdout).toMatch(/tg256\s+[\d.]+ ± [\d.]+ \(cancelled after \d+\)/);
        expect(stdout).toContain("Run 1 · cancelled");
        const shown = await runCli(["bench", "show", "1", "--json", "--all"], home.env);
        const [entry] = JSON.parse(shown.stdout) as LlamaBenchJsonEntry[];
        expect(entry!.agentfit_status).toBe("cancelled");
    });
});
