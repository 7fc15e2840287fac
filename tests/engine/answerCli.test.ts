import path from "node:path";
import {describe, expect, it} from "vitest";
import type {AnswerPlan} from "../../electron/api/AnswerApi.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {runCli} from "../utils/runCli.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

describe("agentfit answer", () => {
    it("prints the plan, refuses to run it unasked without a terminal, then continues the saved plan with --quick --yes --json to the Verdict", async () => {
        using home = createTempHome();
        const model = writeGgufModel(path.join(home.home, "downloads", "random-cli.Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 4096, type: "Q8_0"});
        const tiny = ["--runs", "1", "--max-turns", "2", "--max-output-tokens", "64", "--threads", "1"];

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
});
