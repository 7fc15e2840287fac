import {spawn} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";
import type {EvalRunDetail, EvalRunSummary, EvalTaskInfo} from "../../electron/api/EvalApi.ts";
import {projectRoot, runCli} from "../utils/runCli.ts";
import {solvers} from "../../testkit/scriptedAgents.ts";
import {startScriptedOpenAi} from "../../testkit/scriptedOpenAi.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

const KEY = "sk-cli-test-91b2";
const js = "js-timesheet-durations";

/** Starts `agentfit <args>` and resolves once stderr contains `marker`, with the running process. */
function startCliUntil(args: string[], env: NodeJS.ProcessEnv, marker: RegExp) {
    const child = spawn(process.execPath, [path.join(projectRoot, "bin", "agentfit.js"), ...args], {cwd: projectRoot, env: {...env, NO_COLOR: "1"}});
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code, signal) => resolve(code ?? (signal ? -1 : null))));
    const reached = new Promise<void>((resolve, reject) => {
        child.stderr.on("data", (d: Buffer) => {
            stderr += d.toString();
            if (marker.test(stderr)) resolve();
        });
        void exited.then(() => reject(new Error(`agentfit exited before ${marker}: ${stderr}`)));
    });
    return {child, reached, exited, output: () => ({stdout, stderr})};
}

describe("agentfit eval", () => {
    it("runs a model on a task, prints JSON and writes Inspect logs", async () => {
        await using server = await startScriptedOpenAi({agents: solvers(), apiKey: KEY});
        using home = createTempHome();
        const env = {...home.env, OPENAI_API_KEY: KEY, AGENTFIT_OPENAI_BASE_URL: server.baseUrl};
        const logDir = path.join(home.home, "logs");
        const result = await runCli(["eval", "--model", `openai:solver-${js}`, "--task", js, "--runs", "2", "--json", "--log-dir", logDir], env);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        const [run] = JSON.parse(result.stdout) as EvalRunDetail[];
        expect(run).toMatchObject({status: "completed", modelLabel: `openai:solver-${js}`, stats: {samples: 2, successes: 2, strictSuccesses: 2}});
        expect(fs.readdirSync(logDir)).toEqual([`agentfit-run-${run!.id}.json`]);
        expect(fs.readFileSync(path.join(logDir, `agentfit-run-${run!.id}.json`), "utf8")).not.toContain(KEY);

        const table = await runCli(["eval", "runs"], env);
        expect(table.stdout).toMatch(/#1\s+openai:solver-js-timesheet-durations\s+cloud\s+js-timesheet-durations\s+completed\s+2\/2 \(100%, 95% CI 34–100%\)/);
        expect(table.stdout).toContain("Strict: also extracted a real helper that the function calls and the block no longer inline.");
        const results = await runCli(["eval", "results"], env);
        expect(results.stdout).toMatch(/openai:solver-js-timesheet-durations\s+cloud\s+–\s+js-timesheet-durations\s+concise\s+#1\s+2\/2/);
        const show = await runCli(["eval", "show", "1"], env);
        expect(show.stdout).toContain("Strict passed  2/2");
        expect(show.stdout).toMatch(/#\s+Sample\s+Status\s+Score\s+Strict score/);
        expect(show.stdout).toMatch(/completed\s+passed\s+passed\s+5/);
        const exported = await runCli(["eval", "export", "1", "--out", path.join(home.home, "run1.json")], env);
        expect(JSON.parse(fs.readFileSync(exported.stdout.trim(), "utf8"))).toMatchObject({version: 2, status: "success"});
    });

    it("prints progress and a summary table", async () => {
        await using server = await startScriptedOpenAi({agents: solvers(), apiKey: KEY});
        using home = createTempHome();
        const result = await runCli(["eval", "-m", `openai:solver-${js}`, "-t", js, "-n", "1", "--base-url", server.baseUrl], {...home.env, OPENAI_API_KEY: KEY});
        expect(result.code).toBe(0);
        expect(result.stderr).toMatch(/run #1 sample 1: passed \(strict passed\), 5 turns/);
        expect(result.stdout).toMatch(/Run\s+Model\s+Where\s+Task\s+Status\s+Passed\s+Strict passed\s+Turns\s+Input \(cached\)\s+Output\s+Cost\/run\s+Time\/run/);
        expect(result.stdout).toMatch(/#1\s+openai:solver-js-timesheet-durations/);
    });

    it("says what is missing: a runtime, an API key, the engine", async () => {
        using home = createTempHome();
        const noR = {...home.env, AGENTFIT_RSCRIPT: path.join(home.home, "no-such-Rscript"), OPENAI_API_KEY: KEY};
        const tasks = JSON.parse((await runCli(["eval", "tasks", "--json"], noR)).stdout) as EvalTaskInfo[];
        expect(tasks.find((t) => t.name === "r-skill-frontmatter")!.runtime).toMatchObject({available: false});
        const listing = await runCli(["eval", "tasks"], noR);
        expect(listing.stdout).toMatch(/r-skill-frontmatter: ".*no-such-Rscript" was not found\. Install R and testthat/);

        const r = await runCli(["eval", "--model", "openai:gpt-4.1", "--task", "r-skill-frontmatter"], noR);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^error \[EVAL_RUNTIME_MISSING\]: The task r-skill-frontmatter needs .*no-such-Rscript/);

        const key = await runCli(["eval", "--model", "anthropic:claude-sonnet-4-5", "--task", js], home.env);
        expect(key.code).toBe(1);
        expect(key.stderr).toMatch(/error \[EVAL_API_KEY_MISSING\]: No API key for Anthropic: set ANTHROPIC_API_KEY/);

        const local = await runCli(["eval", "--model", "/models/Qwen3-8B-Q4_K_M.gguf", "--task", js], home.env);
        expect(local.stderr).toMatch(/error \[EVAL_LOCAL_MODEL_NOT_FOUND\]: No model file at \/models\/Qwen3-8B-Q4_K_M\.gguf/);

        const bad = await runCli(["eval", "--model", "azure:gpt-4", "--task", js], home.env);
        expect(bad.stderr).toMatch(/error \[EVAL_MODEL_INVALID\]: Unknown provider "azure"/);
        expect((await runCli(["eval", "show", "abc"], home.env)).stderr).toMatch(/error \[INVALID_ARGUMENT\]/);
        expect((await runCli(["eval", "show", "99"], home.env)).stderr).toMatch(/error \[EVAL_RUN_NOT_FOUND\]/);
    });

    it("a killed eval is interrupted and `eval resume` finishes it, keeping finished samples", async () => {
        await using server = await startScriptedOpenAi({agents: solvers(), apiKey: KEY, delayMs: 120});
        using home = createTempHome();
        const env = {...home.env, OPENAI_API_KEY: KEY, AGENTFIT_OPENAI_BASE_URL: server.baseUrl};
        const cli = startCliUntil(["eval", "-m", `openai:solver-${js}`, "-t", js, "-n", "3", "-c", "1"], env, /sample 1: passed/);
        await cli.reached;
        cli.child.kill("SIGKILL");
        await cli.exited;

        const [stopped] = JSON.parse((await runCli(["eval", "runs", "--json"], env)).stdout) as EvalRunSummary[];
        expect(stopped).toMatchObject({id: 1, status: "interrupted", progress: {total: 3, running: 0}});
        expect(stopped!.progress.completed).toBeGreaterThanOrEqual(1);

        const resumed = await runCli(["eval", "resume", "1", "--json"], env);
        expect(resumed.code).toBe(0);
        const [run] = JSON.parse(resumed.stdout) as EvalRunDetail[];
        expect(run).toMatchObject({status: "completed", stats: {samples: 3, successes: 3}});
    });

    it("Ctrl-C stops the eval and tells how to resume", async () => {
        await using server = await startScriptedOpenAi({agents: solvers(), apiKey: KEY, delayMs: 200});
        using home = createTempHome();
        const env = {...home.env, OPENAI_API_KEY: KEY, AGENTFIT_OPENAI_BASE_URL: server.baseUrl};
        const cli = startCliUntil(["eval", "-m", `openai:solver-${js}`, "-t", js, "-n", "3", "-c", "1"], env, /sample 1: passed/);
        await cli.reached;
        cli.child.kill("SIGINT");
        expect(await cli.exited).toBe(130);
        expect(cli.output().stderr).toContain("Resume run #1 with: agentfit eval resume 1");
        const [run] = JSON.parse((await runCli(["eval", "runs", "--json"], env)).stdout) as EvalRunSummary[];
        expect(run!.status).toBe("interrupted");
    });
});
