import path from "node:path";
import {describe, expect, it} from "vitest";
import type {BenchRun} from "../../electron/api/BenchApi.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {createTempHome} from "../../testkit/tempHome.ts";
import {runCli, startCliUntil} from "../utils/runCli.ts";

// Job ownership across real processes sharing one data folder: a job is left alone while the process
// that runs it lives, and recovered once that process is gone (electron/core/jobs/JobOwner.ts).

async function benchRuns(env: NodeJS.ProcessEnv): Promise<BenchRun[]> {
    const listed = await runCli(["bench", "runs", "--json"], env);
    expect(listed.code, listed.stderr).toBe(0);
    return JSON.parse(listed.stdout) as BenchRun[];
}

describe("job ownership across processes", () => {
    it("a benchmark measuring in one process stays running when another process starts, and is interrupted once its owner is SIGKILLed", async () => {
        using home = createTempHome();
        writeGgufModel(path.join(home.models, "slow.gguf"), {...ggufModelPresets.tiny, embeddingLength: 256, contextLength: 1024});
        const owner = startCliUntil(["bench", "--model", "slow", "--pp", "0", "--tg", "256", "--reps", "100", "--threads", "1"], home.env, /slow\.gguf tg rep 1\/100/);
        try {
            await owner.reached;
            // Another AgentFit process (a CLI command next to the desktop app) starts and lists the runs.
            const [measuring] = await benchRuns(home.env);
            expect(measuring).toMatchObject({id: 1, status: "running"});
            // Its owner still controls it: Ctrl-C cancels it and keeps what was measured.
            owner.child.kill("SIGINT");
            expect(await owner.exited).toBe(130);
            expect((await benchRuns(home.env))[0]).toMatchObject({id: 1, status: "cancelled"});
        } finally {
            owner.child.kill("SIGKILL");
        }

        const killed = startCliUntil(["bench", "--model", "slow", "--pp", "0", "--tg", "256", "--reps", "100", "--threads", "1"], home.env, /slow\.gguf tg rep 1\/100/);
        try {
            await killed.reached;
        } finally {
            killed.child.kill("SIGKILL");
        }
        expect(await killed.exited).toBe(-1);

        // Its owner is gone: the next process to start marks it interrupted, keeping what was measured.
        const [orphan] = await benchRuns(home.env);
        expect(orphan).toMatchObject({id: 2, status: "interrupted", progress: {current: null}});
        const shown = await runCli(["bench", "show", "2"], home.env);
        expect(shown.stdout).toContain("Run 2 · interrupted");
        // Each CLI command starts a process (seconds each on a busy machine).
    }, 400_000);
});
