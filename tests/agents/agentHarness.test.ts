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

async function finished(client: ApiClient, runId: number): Promise<EvalRunDetail> {
    await expect.poll(async () => (await client.call("eval.run", {runId})).status, {timeout: 240_000, interval: 250}).not.toMatch(/^(queued|running)$/);
    return client.call("eval.run", {runId});
}

describe.each([
    {harness: "claude-code" as const, agent: claudeCodeSolver(jsTask), protocol: "anthropic-messages"},
    {harness: "codex" as const, agent: codexSolver(jsTask), protocol: "openai-responses"},
    {harness: "opencode" as const, agent: openCodeSolver(jsTask), protocol: "chat-completions"},
    {harness: "aider" as const, agent: aiderSolver(jsTask), protocol: "chat-completions"}
])("$harness as the eval harness", ({harness, agent, protocol}) => {
    it("produces a passing refactor end to end, scored C, with the transcript from the wire and the agent recorded", async () => {
        await using server = await startScriptedOpenAi({agents: {capable: agent}});
        await using app = await startApp({service: {evalEnv: agentEnv}});
        const [run] = await app.client.call("eval.start", {
            tasks: [jsTask.name],
            models: [{provider: "openai-compatible", model: "capable", baseUrl: server.baseUrl}],
            epochs: 1,
            harness,
            limits: {maxTurns: 8, maxWallTimeMs: 180_000}
        });
        expect(run!.spec.harness).toMatchObject({id: harness, version: expect.stringMatching(/^\d+\.\d+\.\d+/), executable: expect.stringContaining(path.sep)});
        const done = await finished(app.client, run!.id);
        expect(done.status, JSON.stringify(done.error)).toBe("completed");
        const [sample] = done.samples;
        const detail = await app.client.call("eval.sample", {sampleId: sample!.id});
        expect(sample, JSON.stringify({detail: detail.agentOutput, failure: sample!.failureDetail})).toMatchObject({score: "C", strictScore: "C", failureMode: null});
        expect(sample!.turns).toBe(server.requests.filter((r) => r.body.model === "capable").length);
        expect(new Set(server.requests.map((r) => r.protocol))).toEqual(new Set([protocol]));
        expect(sample!.usage.outputTokens).toBeGreaterThan(0);
        expect(detail.messages.some((m) => m.role === "user" && m.content?.includes(jsTask.prompt.slice(0, 40)))).toBe(true);
        expect(detail.messages.filter((m) => m.role === "assistant" && m.usage).length).toBe(sample!.turns);
        expect(detail.agentOutput).toMatchObject({exitCode: 0, timedOut: false});
        expect(detail.diffs.some((d) => d.path === jsTask.targetFile && d.status === "modified")).toBe(true);

        const results = await app.client.call("eval.results", {});
        expect(results.map((r) => [r.harness, r.model, r.stats.successes])).toEqual([[harness, "capable", 1]]);
        expect(fs.existsSync(path.join(app.home.home, "eval-output", `run-${run!.id}`, "sample-1", "stdout.txt"))).toBe(true);
    });
});
