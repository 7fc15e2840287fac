import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";
import type {EvalRunDetail, EvalRunSummary} from "../../electron/api/EvalApi.ts";
import {agentBinDirs} from "../../testkit/codingAgentsCache.ts";
import {task} from "../../testkit/evalFixtures.ts";
import {claudeCodeSolver, workingDirectory} from "../../testkit/scriptedAgents.ts";
import {startScriptedOpenAi, turnOf} from "../../testkit/scriptedOpenAi.ts";
import {createTempHome} from "../../testkit/tempHome.ts";
import {runCli, startCliUntil} from "../utils/runCli.ts";

// `agentfit eval --harness claude-code` SIGKILLed while Claude Code works on a sample. Confined, the
// agent dies with it (bwrap dies with its parent, the agent with the native forwarder); unconfined it
// keeps running in its own process group and the next AgentFit process stops it. Either way the
// sample's workspace and scratch folder are removed by the next AgentFit process, and `eval resume`
// re-runs that sample and keeps the finished one.

const jsTask = task("js-timesheet-durations");

/** Pids of processes whose working folder is under `root` (the agents the eval started there). */
function processesIn(root: string): number[] {
    return fs.readdirSync("/proc").flatMap((entry) => {
        if (!/^\d+$/.test(entry)) return [];
        try {
            return fs.readlinkSync(`/proc/${entry}/cwd`).startsWith(root) ? [Number(entry)] : [];
        } catch {
            return [];
        }
    });
}

describe("a killed agent run", () => {
    it.each([
        {confine: "required", agentOutlivesTheEval: false},
        {confine: "off", agentOutlivesTheEval: true}
    ])("is cleaned up by the next AgentFit process and resumes, re-running the killed sample only (--confine $confine)", async ({confine, agentOutlivesTheEval}) => {
        const solve = claudeCodeSolver(jsTask);
        let firstWorkspace: string | null = null;
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        // The second sample's agent is held in its second model call until the test lets it go.
        await using server = await startScriptedOpenAi({
            agents: {
                capable: async (request) => {
                    if (request.tools?.length) {
                        const workspace = workingDirectory(request);
                        firstWorkspace ??= workspace;
                        if (workspace !== firstWorkspace && turnOf(request) === 1) await released;
                    }
                    return solve(request);
                }
            }
        });
        using home = createTempHome();
        const tmp = path.join(home.home, "tmp");
        fs.mkdirSync(tmp);
        const env = {...home.env, TMPDIR: tmp, AGENTFIT_AGENT_DIRS: agentBinDirs().join(path.delimiter)};
        const left = () => fs.readdirSync(tmp).filter((name) => name.startsWith("agentfit-eval-") || name.startsWith("agentfit-agent-"));
        const args = ["eval", "--harness", "claude-code", "-m", "openai-compatible:capable", "--base-url", server.baseUrl, "-t", jsTask.name, "-n", "2", "-c", "1", "--max-turns", "8", "--confine", confine];
        const cli = startCliUntil(args, env, /sample 1: passed/);
        await cli.reached;
        const held = () => server.requests.filter((r) => r.body.tools?.length && workingDirectory(r.body) !== firstWorkspace && turnOf(r.body) === 1).length;
        await expect.poll(held, {timeout: 120_000, interval: 250}).toBe(1);
        const agents = processesIn(tmp);
        expect(agents.length).toBeGreaterThan(0);

        cli.child.kill("SIGKILL");
        await cli.exited;
        // The workspace and scratch folder stay; the agent dies with the eval only when confined.
        if (agentOutlivesTheEval) expect(processesIn(tmp).length).toBeGreaterThan(0);
        else await expect.poll(() => processesIn(tmp), {timeout: 30_000, interval: 250}).toEqual([]);
        expect(left().filter((name) => name.endsWith(".owner"))).toHaveLength(2);

        const [stopped] = JSON.parse((await runCli(["eval", "runs", "--json"], env)).stdout) as EvalRunSummary[];
        expect(stopped).toMatchObject({id: 1, status: "interrupted", progress: {total: 2, completed: 1, running: 0}});
        // Starting that process stopped the agent and removed what the killed run left in the temp folder.
        await expect.poll(() => processesIn(tmp), {timeout: 30_000, interval: 250}).toEqual([]);
        expect(left()).toEqual([]);

        release();
        const requestsBefore = server.requests.length;
        const resumed = await runCli(["eval", "resume", "1", "--json"], env);
        expect(resumed.code, resumed.stderr).toBe(0);
        const [run] = JSON.parse(resumed.stdout) as EvalRunDetail[];
        expect(run).toMatchObject({status: "completed", stats: {samples: 2, successes: 2}});
        // The re-run sample counts only its own model calls, not the killed attempt's.
        const rerunCalls = server.requests.slice(requestsBefore).filter((r) => r.body.model === "capable").length;
        expect(run!.samples.map((s) => s.score)).toEqual(["C", "C"]);
        expect(run!.samples[1]!.turns).toBe(rerunCalls);
        expect(left()).toEqual([]);
    });
});
