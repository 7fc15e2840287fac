import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";
import type {EvalRunDetail} from "../../electron/api/EvalApi.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {agentBinDirs} from "../../testkit/codingAgentsCache.ts";
import {task} from "../../testkit/evalFixtures.ts";
import {aiderSolver, claudeCodeSolver, codexSolver, openCodeSolver} from "../../testkit/scriptedAgents.ts";
import {startScriptedOpenAi} from "../../testkit/scriptedOpenAi.ts";
import {startApp} from "../utils/startApp.ts";

// Real coding agents (pinned in ~/.cache/agentfit-agents) as the eval's harness, against a scripted
// server standing in for a capable model (chat completions for OpenCode and Aider, Anthropic Messages
// for Claude Code, Responses for Codex: the same scripted server): the agent edits the workspace with its
// own tools or edit format, the recording proxy keeps the transcript, the same scorer grades it.
// Each sample takes 10–40 s on two busy cores (the agents' own start-up dominates).

const agentEnv = {...process.env, AGENTFIT_AGENT_DIRS: agentBinDirs().join(path.delimiter)};
const jsTask = task("js-timesheet-durations");
const rTask = task("r-skill-frontmatter");
const pyTask = task("py-ledger-amounts");

async function finished(client: ApiClient, runId: number): Promise<EvalRunDetail> {
    await expect.poll(async () => (await client.call("eval.run", {runId})).status, {timeout: 240_000, interval: 250}).not.toMatch(/^(queued|running)$/);
    return client.call("eval.run", {runId});
}

// Every task has a passing path through a real agent: the JavaScript one through each agent, the R package
// (testthat, Aider's --auto-test running Rscript) through Aider, the Python one (unittest) through Claude Code.
describe.each([
    {harness: "claude-code" as const, label: "Claude Code", agent: claudeCodeSolver(jsTask), protocol: "anthropic-messages", task: jsTask},
    {harness: "codex" as const, label: "Codex CLI", agent: codexSolver(jsTask), protocol: "openai-responses", task: jsTask},
    {harness: "opencode" as const, label: "OpenCode", agent: openCodeSolver(jsTask), protocol: "chat-completions", task: jsTask},
    {harness: "aider" as const, label: "Aider", agent: aiderSolver(jsTask), protocol: "chat-completions", task: jsTask},
    // Aider's --auto-test runs the task's test command after its edit: testthat's summary is in its output.
    {harness: "aider" as const, label: "Aider", agent: aiderSolver(rTask), protocol: "chat-completions", task: rTask, agentOutput: /\[ FAIL 0 \| WARN \d+ \| SKIP \d+ \| PASS \d+ \]/},
    {harness: "claude-code" as const, label: "Claude Code", agent: claudeCodeSolver(pyTask), protocol: "anthropic-messages", task: pyTask}
])("$harness as the eval harness on $task.name", ({harness, label, agent, protocol, task: refactorTask, agentOutput}) => {
    it("produces a passing refactor end to end, scored C, with the transcript from the wire and the agent recorded", async () => {
        await using server = await startScriptedOpenAi({agents: {capable: agent}});
        await using app = await startApp({service: {evalEnv: agentEnv}});
        const [run] = await app.client.call("eval.start", {
            tasks: [refactorTask.name],
            models: [{provider: "openai-compatible", model: "capable", baseUrl: server.baseUrl}],
            epochs: 1,
            harness,
            limits: {maxTurns: 8, maxWallTimeMs: 180_000}
        });
        expect(run!.spec.harness).toMatchObject({id: harness, version: expect.stringMatching(/^\d+\.\d+\.\d+/), executable: expect.stringContaining(path.sep)});
        // On Linux the agent runs confined by bubblewrap (installed wherever the tests run), and still passes.
        if (process.platform === "linux") expect(run!.spec.harness!.confinement).toMatchObject({mode: "bwrap"});
        const done = await finished(app.client, run!.id);
        expect(done.status, JSON.stringify(done.error)).toBe("completed");
        const [sample] = done.samples;
        const detail = await app.client.call("eval.sample", {sampleId: sample!.id});
        expect(sample, JSON.stringify({detail: detail.agentOutput, failure: sample!.failureDetail})).toMatchObject({score: "C", strictScore: "C", failureMode: null, outsideAccess: {writes: [], network: []}});
        expect(sample!.turns).toBe(server.requests.filter((r) => r.body.model === "capable").length);
        expect(new Set(server.requests.map((r) => r.protocol))).toEqual(new Set([protocol]));
        expect(sample!.usage.outputTokens).toBeGreaterThan(0);
        expect(detail.messages.some((m) => m.role === "user" && m.content?.includes(refactorTask.prompt.slice(0, 40)))).toBe(true);
        expect(detail.messages.filter((m) => m.role === "assistant" && m.usage).length).toBe(sample!.turns);
        expect(detail.agentOutput).toMatchObject({agent: label, version: run!.spec.harness!.version, exitCode: 0, timedOut: false});
        if (agentOutput) expect(detail.agentOutput!.stdout).toMatch(agentOutput);
        expect(detail.diffs.some((d) => d.path === refactorTask.targetFile && d.status === "modified")).toBe(true);

        const results = await app.client.call("eval.results", {});
        expect(results.map((r) => [r.harness, r.model, r.stats.successes])).toEqual([[harness, "capable", 1]]);
        expect(fs.existsSync(path.join(app.home.home, "eval-output", `run-${run!.id}`, "sample-1", "stdout.txt"))).toBe(true);

        // The Verdict answers for this agent (the scripted server is a local server), and the reports carry the harness.
        const verdict = await app.client.call("verdict.get", {});
        expect(verdict.harnesses).toEqual([expect.objectContaining({harness, label, successes: 1, samples: 1, sentence: expect.stringMatching(/^With .+: (usable|almost|no) — /)})]);
        const exported = async (format: "md" | "html" | "json") => (await app.client.call("reports.export", {format})).files[0]!.content;
        const md = await exported("md");
        expect(md).toContain(verdict.harnesses[0]!.sentence);
        expect(md).toMatch(new RegExp(`\\| ${label} \\| capable \\| – \\| local server \\| ${refactorTask.name} \\| 1/1 `));
        expect(await exported("html")).toContain(verdict.harnesses[0]!.sentence);
        expect((JSON.parse(await exported("json")) as {evals: {results: unknown[]}}).evals.results).toEqual([expect.objectContaining({harness, model: "capable", stats: expect.objectContaining({successes: 1})})]);
    });
});
