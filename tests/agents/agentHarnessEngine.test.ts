import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {describe, expect, it, onTestFinished} from "vitest";
import type {EvalRunDetail, EvalSampleDetail} from "../../electron/api/EvalApi.ts";
import type {RefactorTask} from "../../electron/core/evals/tasks/refactorTasks.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {agentBinDirs} from "../../testkit/codingAgentsCache.ts";
import {task} from "../../testkit/evalFixtures.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {ensureSmolLM2} from "../../testkit/smollm2.ts";
import {startApp} from "../utils/startApp.ts";

// Real coding agents driven by the eval against the real engine serving SmolLM2-135M-Instruct (8k
// trained context) or a generated model on the R, JavaScript and Python tasks: each sample fails, and
// the failure mode recorded must be what the transcript and the agent's output show. Capped at 64
// output tokens per call and 2 calls, one thread: about 30 s per Aider sample on SmolLM2 on an idle
// machine; on two cores shared with other test runs a 1.6k-token prompt alone took two minutes, so
// the deadlines are generous.

const agentEnv = {...process.env, AGENTFIT_AGENT_DIRS: agentBinDirs().join(path.delimiter)};
const allTasks = ["r-skill-frontmatter", "js-timesheet-durations", "py-ledger-amounts"].map(task);

async function finished(client: ApiClient, runId: number): Promise<EvalRunDetail> {
    await expect.poll(async () => (await client.call("eval.run", {runId})).status, {timeout: 560_000, interval: 1000}).not.toMatch(/^(queued|running)$/);
    return client.call("eval.run", {runId});
}

/** What the transcript and the agent's output must show for each failure mode. */
function expectFailureMatchesTranscript(detail: EvalSampleDetail, maxTurns: number, refactorTask: RefactorTask) {
    const answers = detail.messages.filter((m) => m.role === "assistant" && m.usage);
    const targetDiff = detail.diffs.find((d) => d.path === refactorTask.targetFile);
    const targetName = refactorTask.targetFile.split("/").at(-1)!;
    switch (detail.failureMode) {
        case "context_overflow":
            expect(detail.error ?? detail.failureDetail).toMatch(/context|too long|exceed|length/i);
            // The request that overflowed is in the transcript: the task's prompt reached the wire.
            expect(detail.messages.some((m) => m.role === "user" && m.content?.includes(refactorTask.prompt.slice(0, 40)))).toBe(true);
            break;
        case "never_edited_target":
        case "no_tool_calls":
            expect(targetDiff).toBeUndefined();
            expect(answers.every((m) => !m.toolCalls?.some((c) => /write|edit|patch/i.test(c.name) && c.arguments.includes(targetName)))).toBe(true);
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
        // A confined agent whose commands wrote or connected outside its workspace: the sample names where.
        case "wrote_outside_workspace":
            expect(detail.outsideAccess?.writes.length).toBeGreaterThan(0);
            break;
        case "tried_network":
            expect(detail.outsideAccess?.network.length).toBeGreaterThan(0);
            break;
        default:
            expect.fail(`unexpected failure mode ${detail.failureMode}: ${detail.failureDetail}`);
    }
}

/** A generated GGUF (random weights, a synthetic vocabulary, 16k trained context): it reads a prompt in seconds where SmolLM2 takes minutes on a busy thread. */
function generatedModel(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-test-model-"));
    onTestFinished(() => fs.rmSync(dir, {recursive: true, force: true}));
    return writeGgufModel(path.join(dir, "random-16k.Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 16_384, type: "Q8_0"}).path;
}

const jsTask = task("js-timesheet-durations");
const [rTask, pyTask] = [task("r-skill-frontmatter"), task("py-ledger-amounts")];

// First requests (system prompt and tools) on SmolLM2's tokenizer: Claude Code 12.4k tokens, OpenCode
// 7.0k, Codex 6.4k, Aider 1.6k. Claude Code's is larger than SmolLM2's 8k context; OpenCode and Codex
// are served at 4k so theirs are too (at 8k each spent more than 7 minutes reading its prompt on one
// busy thread). The engine refuses such a request with its context-length error: Claude Code and
// Codex report it and exit; OpenCode compacts the conversation and asks again, which overflows again,
// and the eval stops it then. Claude Code and Codex work on each of the three tasks in one request
// (one run per task, the model loaded once for all three); OpenCode, whose failure here is the same
// on any task, on the JavaScript one. Aider, whose prompt fits, reads it: SmolLM2 writes its answers
// on the JavaScript task; on the R and Python tasks a generated model does (Aider's three samples on
// SmolLM2 took 10 minutes on two cores shared with other test runs).
describe.each([
    {harness: "aider" as const, model: "SmolLM2", contextSize: 8192, maxTurns: 2, overflows: false, tasks: [jsTask]},
    {harness: "aider" as const, model: "a generated model", contextSize: 16_384, maxTurns: 2, overflows: false, tasks: [rTask, pyTask]},
    {harness: "claude-code" as const, model: "SmolLM2", contextSize: 8192, maxTurns: 2, overflows: true, tasks: allTasks},
    {harness: "codex" as const, model: "SmolLM2", contextSize: 4096, maxTurns: 2, overflows: true, tasks: allTasks},
    {harness: "opencode" as const, model: "SmolLM2", contextSize: 4096, maxTurns: 4, overflows: true, tasks: [jsTask]}
])("$harness on the real engine with $model", ({harness, model, contextSize, maxTurns, overflows, tasks}) => {
    it(`completes a failing sample of ${tasks.map((t) => t.name).join(", ")}, with the failure mode the transcript shows`, async () => {
        await using app = await startApp({service: {evalEnv: agentEnv}});
        const created = await app.client.call("eval.start", {
            tasks: tasks.map((t) => t.name),
            models: [{provider: "local", model: model === "SmolLM2" ? ensureSmolLM2() : generatedModel(), settings: {contextSize, threads: 1}}],
            epochs: 1,
            harness,
            limits: {maxTurns, maxOutputTokensPerTurn: 64, maxWallTimeMs: 420_000}
        });
        expect(created.map((run) => run.spec.task)).toEqual(tasks.map((t) => t.name));
        for (const [index, refactorTask] of tasks.entries()) {
            const run = await finished(app.client, created[index]!.id);
            expect(run.status, JSON.stringify({task: refactorTask.name, error: run.error})).toBe("completed");
            const [sample] = run.samples;
            const detail = await app.client.call("eval.sample", {sampleId: sample!.id});
            const context = JSON.stringify({task: refactorTask.name, mode: detail.failureMode, why: detail.failureDetail, out: detail.agentOutput?.stdout.slice(-500)});
            expect(detail.score, context).toBe("I");
            expect(detail.failureMode, context).not.toBeNull();
            // A first request longer than the served context is that, whatever the agent does next.
            if (overflows) expect(detail.failureMode, context).toBe("context_overflow");
            expect(detail.turns, context).toBeGreaterThan(0);
            // A request the engine refused for its length used no tokens, nor one cut off by the time limit.
            if (detail.failureMode !== "context_overflow" && detail.limitHit !== "time") expect(detail.usage.inputTokens + detail.usage.cachedInputTokens).toBeGreaterThan(0);
            expect(detail.agentOutput, context).not.toBeNull();
            expectFailureMatchesTranscript(detail, maxTurns, refactorTask);
        }
    }, 1_500_000);
});
