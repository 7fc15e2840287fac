import path from "node:path";
import {describe, expect, it} from "vitest";
import type {EvalRunDetail, EvalSampleDetail} from "../../electron/api/EvalApi.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {agentBinDirs} from "../../testkit/codingAgentsCache.ts";
import {task} from "../../testkit/evalFixtures.ts";
import {ensureSmolLM2} from "../../testkit/smollm2.ts";
import {startApp} from "../utils/startApp.ts";

// Aider driven by the eval against the real engine serving SmolLM2-135M-Instruct (8k
// trained context): the sample fails, and the failure mode recorded must be what the transcript
// and the agent's output show. Capped at 64 output tokens per call and 2 calls, one thread: about
// 30 s per agent on an idle machine; on two cores shared with other test runs a 1.6k-token prompt
// alone took two minutes, so the deadlines are generous.

const agentEnv = {...process.env, AGENTFIT_AGENT_DIRS: agentBinDirs().join(path.delimiter)};
const jsTask = task("js-timesheet-durations");

async function finished(client: ApiClient, runId: number): Promise<EvalRunDetail> {
    await expect.poll(async () => (await client.call("eval.run", {runId})).status, {timeout: 560_000, interval: 1000}).not.toMatch(/^(queued|running)$/);
    return client.call("eval.run", {runId});
}

/** What the transcript and the agent's output must show for each failure mode. */
function expectFailureMatchesTranscript(detail: EvalSampleDetail, maxTurns: number) {
    const answers = detail.messages.filter((m) => m.role === "assistant" && m.usage);
    const targetDiff = detail.diffs.find((d) => d.path === jsTask.targetFile);
    switch (detail.failureMode) {
        case "context_overflow":
            expect(detail.error ?? detail.failureDetail).toMatch(/context|too long|exceed|length/i);
            // The request that overflowed is in the transcript: the task's prompt reached the wire.
            expect(detail.messages.some((m) => m.role === "user" && m.content?.includes(jsTask.prompt.slice(0, 40)))).toBe(true);
            break;
        case "never_edited_target":
        case "no_tool_calls":
            expect(targetDiff).toBeUndefined();
            expect(answers.every((m) => !m.toolCalls?.some((c) => /write|edit|patch/i.test(c.name) && c.arguments.includes("timesheet")))).toBe(true);
            break;
        case "limit_reached":
            expect(detail.limitHit).not.toBeNull();
            if (detail.limitHit === "turns") expect(detail.turns).toBe(maxTurns);
            if (detail.limitHit === "output") expect(answers.some((m) => m.finishReason === "length")).toBe(true);
            break;
        case "tests_fail":
        case "target_broken":
            expect(targetDiff).toBeDefined();
            break;
        case "agent_crashed":
            expect(detail.agentOutput?.exitCode).not.toBe(0);
            break;
        case "tool_error_loop":
            expect(detail.messages.filter((m) => m.toolError).length).toBeGreaterThanOrEqual(3);
            break;
        default:
            expect.fail(`unexpected failure mode ${detail.failureMode}: ${detail.failureDetail}`);
    }
}

// First requests (system prompt and tools) on SmolLM2's tokenizer: Claude Code 12.4k tokens, OpenCode
// 7.0k, Codex 6.4k, Aider 1.6k. Claude Code's is larger than SmolLM2's 8k context; OpenCode and Codex
// are served at 4k so theirs are too (at 8k each spent more than 7 minutes reading its prompt on one
// busy thread). The engine refuses such a request with its context-length error: Claude Code and
// Codex report it and exit; OpenCode compacts the conversation and asks again, which overflows again,
// and the eval stops it then.
describe.each([
    {harness: "aider" as const, contextSize: 8192, maxTurns: 2, overflows: false},
    {harness: "claude-code" as const, contextSize: 8192, maxTurns: 2, overflows: true},
    {harness: "codex" as const, contextSize: 4096, maxTurns: 2, overflows: true},
    {harness: "opencode" as const, contextSize: 4096, maxTurns: 4, overflows: true}
])("$harness on the real engine with SmolLM2", ({harness, contextSize, maxTurns, overflows}) => {
    it("completes a sample that fails, with the failure mode the transcript shows", async () => {
        await using app = await startApp({service: {evalEnv: agentEnv}});
        const [created] = await app.client.call("eval.start", {
            tasks: [jsTask.name],
            models: [{provider: "local", model: ensureSmolLM2(), settings: {contextSize, threads: 1}}],
            epochs: 1,
            harness,
            limits: {maxTurns, maxOutputTokensPerTurn: 64, maxWallTimeMs: 420_000}
        });
        const run = await finished(app.client, created!.id);
        expect(run.status, JSON.stringify(run.error)).toBe("completed");
        const [sample] = run.samples;
        const detail = await app.client.call("eval.sample", {sampleId: sample!.id});
        expect(detail.score, JSON.stringify({mode: detail.failureMode, why: detail.failureDetail, out: detail.agentOutput?.stdout.slice(-500)})).toBe("I");
        expect(detail.failureMode).not.toBeNull();
        // A first request longer than the served context is that, whatever the agent does next.
        if (overflows) expect(detail.failureMode).toBe("context_overflow");
        expect(detail.turns).toBeGreaterThan(0);
        // A request the engine refused for its length used no tokens, nor one cut off by the time limit.
        if (detail.failureMode !== "context_overflow" && detail.limitHit !== "time") expect(detail.usage.inputTokens + detail.usage.cachedInputTokens).toBeGreaterThan(0);
        expect(detail.agentOutput).not.toBeNull();
        expectFailureMatchesTranscript(detail, maxTurns);
    }, 600_000);
});
