import path from "node:path";
import {describe, expect, it} from "vitest";
import type {AnswerPlan} from "../../electron/api/AnswerApi.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {runCli, startCliUntil} from "../utils/runCli.ts";
import {createTempHome} from "../../testkit/tempHome.ts";
import {startFakeHuggingFace} from "../../testkit/fakeHuggingFace.ts";

const tiny = ["--runs", "1", "--max-turns", "2", "--max-output-tokens", "64", "--threads", "1"];
/** The plan's line offering the other profile, with its estimate: "  Or full helperbench: … (predicted: about 1 h 5 min)." */
const alternativeLine = (output: string) => output.split("\n").find((line) => line.startsWith("  Or "));

describe("agentfit answer", () => {
    it("prints the plan, refuses to run it unasked without a terminal, then continues the saved plan with --quick --yes --json to the Verdict", async () => {
        using home = createTempHome();
        const model = writeGgufModel(path.join(home.home, "downloads", "random-cli.Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 4096, type: "Q8_0"});

        const asked = await runCli(["answer", "--quick", "--model", model.path, ...tiny], home.env, {timeoutMs: 120_000});
        expect(asked.code, asked.stderr).toBe(1);
        expect(asked.stderr).toContain("Plan #1: the answer for this machine");
        expect(asked.stderr).toMatch(/random-cli\.Q8_0\s+Q8_0\s+.*on disk/);
        expect(asked.stderr).toMatch(/Eval: 1 model × 1 task \(.+\) × 1 run, at most 2 turns and 64 output tokens per turn\./);
        expect(asked.stderr).toContain("Engine: 1 thread, agent context 32,768 tokens.");
        expect(asked.stderr).toMatch(/Total: (predicted|measured|partly assumed): about/);
        expect(asked.stderr).toContain("[ANSWER_CONFIRMATION_NEEDED]");
        expect(asked.stderr).toContain("agentfit answer --yes");

        const ran = await runCli(["answer", "--quick", "--yes", "--json"], home.env, {timeoutMs: 300_000});
        expect(ran.code, ran.stderr).toBe(0);
        const plan = JSON.parse(ran.stdout) as AnswerPlan;
        expect(plan.id).toBe(1);
        expect(plan.state).toBe("done");
        expect(plan.steps.map((s) => `${s.kind}:${s.state}`)).toEqual(["bench:done", "eval:done", "verdict:done"]);
        expect(plan.verdict?.headline).toBeTruthy();
        // Progress lines on stderr: each step's state, with elapsed time and an ETA while it runs.
        expect(ran.stderr).toMatch(/▶ \[0\] Measure the speed of random-cli\.Q8_0 .*: running .*elapsed .* · ETA /);
        expect(ran.stderr).toMatch(/✓ \[1\] 1 run of .+ with random-cli\.Q8_0: done · 100% ?.*1 of 1 run done|✓ \[1\] 1 run of .+ with random-cli\.Q8_0: done/);
        expect(ran.stderr).toContain("✓ [2] The Verdict for this machine: done");
    });

    it("says once, as it learns it, that the downloaded file was trained for less than the agent context, and re-estimates the other profile from the file", async () => {
        using home = createTempHome();
        // The catalog's Qwen2.5-Coder 1.5B at Q8_0 as the Hugging Face stand-in serves it: a generated model whose header says
        // 4,096 tokens, where the catalog entry the plan is made from says 32,768.
        const repo = "bartowski/Qwen2.5-Coder-1.5B-Instruct-GGUF";
        const file = writeGgufModel(path.join(home.home, "hub", "Qwen2.5-Coder-1.5B-Instruct-Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 4096, type: "Q8_0"});
        await using hub = await startFakeHuggingFace({repos: {[repo]: {files: [{path: path.basename(file.path), source: file.path}]}}});
        const env: NodeJS.ProcessEnv = {...home.env, HF_ENDPOINT: hub.endpoint, HF_TOKEN_PATH: path.join(home.home, "no-token")};
        delete env.HF_TOKEN;
        delete env.HUGGING_FACE_HUB_TOKEN;

        const planned = await runCli(["answer", "--plan", "--model", "qwen2.5-coder-1.5b-instruct:Q8_0", ...tiny], env, {timeoutMs: 120_000});
        expect(planned.code, planned.stderr).toBe(0);
        expect(planned.stdout).toMatch(/Qwen2\.5-Coder 1\.5B Instruct Q8_0\s+Q8_0\s+\S+ GB\s+\S+ GB\s/);
        expect(planned.stdout).not.toContain("Doesn't fit: trained for");
        const before = alternativeLine(planned.stdout);
        expect(before).toMatch(/^ {2}Or full helperbench: 1 model × .+ × 10 runs, at most 40 turns \(predicted: about .+\)\.$/);

        // Run it; once the downloaded file's benchmark runs (its title now names the file's context), Ctrl-C pauses the plan.
        const limitation =
            "! Qwen2.5-Coder 1.5B Instruct Q8_0 — Doesn't fit: trained for 4,096 tokens; the agent context is 32,768. It is measured at the 4,096 tokens it was trained for.";
        const run = startCliUntil(["answer", "--yes"], env, /▶ \[1\] Measure the speed of Qwen2\.5-Coder 1\.5B Instruct Q8_0 at a 4,096-token context: running/);
        await run.reached;
        run.child.kill("SIGINT");
        expect(await run.exited, run.output().stderr).toBe(130);
        const lines = run.output().stderr.split("\n");
        // Said once, in the Verdict's words, as it was learnt: while the download step ran, before it was marked done.
        expect(lines.filter((line) => line.includes("Doesn't fit: trained for"))).toEqual([limitation]);
        const said = lines.indexOf(limitation);
        expect(said).toBeGreaterThan(lines.findIndex((line) => line.startsWith("▶ [0] Download Qwen2.5-Coder 1.5B Instruct Q8_0")));
        expect(said).toBeLessThan(lines.findIndex((line) => line.startsWith("✓ [0] Download Qwen2.5-Coder 1.5B Instruct Q8_0")));

        // The saved plan, paused: the limitation stays in it, and the other profile's estimate is now the file's.
        const saved = await runCli(["answer", "--plan", "--json"], env);
        expect(saved.code, saved.stderr).toBe(0);
        const plan = JSON.parse(saved.stdout) as AnswerPlan;
        expect(plan.state).toBe("paused");
        expect(plan.limitations).toEqual([limitation.slice(2)]);
        expect(plan.eval.alternative.candidates).toHaveLength(1);
        expect(plan.eval.alternative.candidates[0]!.estimate.text).toContain("per agent turn at a 4,096-token context");
        const shown = await runCli(["answer", "--plan"], env);
        expect(shown.stdout).toMatch(/Qwen2\.5-Coder 1\.5B Instruct Q8_0\s+Q8_0\s+\S+ KB\s+on disk\s+Doesn't fit/);
        const after = alternativeLine(shown.stdout);
        expect(after).toBe(`  Or ${plan.eval.alternative.description} (${plan.eval.alternative.estimate.text}).`);
        expect(after).not.toBe(before);
        expect(shown.stdout.split("\n").filter((line) => line.includes("Doesn't fit: trained for"))).toEqual([limitation]);
    });
});
