import path from "node:path";
import {describe, expect, it} from "vitest";
import type {EvalFailureMode, EvalRunDetail} from "../../electron/api/EvalApi.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {ensureSmolLM2} from "../../testkit/smollm2.ts";
import {startApp} from "../utils/startApp.ts";

// The whole eval pipeline through AgentFit's own engine: the model is loaded by the engine
// process, reached over its OpenAI-compatible API by the same client as cloud models, and graded
// by the task's tests. Laptop-class models fail; what matters is that nothing crashes, everything
// is recorded, and the failure mode matches the transcript.

async function finished(client: ApiClient, runId: number): Promise<EvalRunDetail> {
    await expect.poll(async () => (await client.call("eval.run", {runId})).status, {timeout: 240_000, interval: 250}).not.toMatch(/^(queued|running)$/);
    return client.call("eval.run", {runId});
}

const failureModes: EvalFailureMode[] = [
    "no_tool_calls",
    "tool_calls_as_text",
    "bad_tool_calls",
    "never_edited_target",
    "edited_other_files_only",
    "target_broken",
    "tests_fail",
    "limit_reached",
    "context_overflow"
];

async function checkRecordedFailure(client: ApiClient, run: EvalRunDetail) {
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    expect(run.samples).toHaveLength(1);
    const [sample] = run.samples;
    expect(sample).toMatchObject({status: "completed", score: "I", strictScore: "I"});
    expect(failureModes).toContain(sample!.failureMode);
    expect(sample!.turns).toBeGreaterThan(0);
    expect(sample!.usage.inputTokens + sample!.usage.cachedInputTokens).toBeGreaterThan(0);

    const detail = await client.call("eval.sample", {sampleId: sample!.id});
    expect(detail.messages[0]!.role).toBe("system");
    expect(detail.messages.filter((m) => m.role === "assistant")).toHaveLength(sample!.turns);
    const calledTools = detail.messages.some((m) => (m.toolCalls?.length ?? 0) > 0);
    if (!calledTools) expect(["no_tool_calls", "tool_calls_as_text", "limit_reached", "context_overflow"]).toContain(sample!.failureMode);
    if (sample!.failureMode === "never_edited_target") expect(detail.diffs.filter((d) => d.insideSource)).toEqual([]);
    if (sample!.limitHit) expect(sample!.failureMode).toBe("limit_reached");
    return {sample: sample!, detail};
}

describe("the eval against local models served by the engine", () => {
    it("a generated GGUF (random weights) runs the JavaScript task end to end and is recorded as a failure", async () => {
        await using app = await startApp();
        const model = writeGgufModel(path.join(app.home.models, "random-tiny.Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 4096, type: "Q8_0"});
        const [created] = await app.client.call("eval.start", {
            tasks: ["js-timesheet-durations"],
            models: [{provider: "local", model: model.path, settings: {contextSize: 4096, threads: 1}}],
            epochs: 1,
            limits: {maxTurns: 2, maxTokens: 40_000}
        });
        expect(created!.spec.model.quantization).toBe("Q8_0");
        const run = await finished(app.client, created!.id);
        await checkRecordedFailure(app.client, run);
        expect((await app.client.call("engine.status", {})).model?.path).toBe(model.path);
    });

    it("the real SmolLM2-135M-Instruct, registered by id, fails the refactor the way laptop-class models do", async () => {
        await using app = await startApp();
        const imported = await app.client.call("models.import", {path: ensureSmolLM2()});
        const modelId = imported.imported[0]!.id;
        const [created] = await app.client.call("eval.start", {
            tasks: ["js-timesheet-durations"],
            models: [{provider: "local", model: modelId, settings: {contextSize: 8192, threads: 1}}],
            epochs: 1,
            // Greedy and capped per turn: SmolLM2 repeats itself, and uncapped each turn fills the 8k context.
            temperature: 0,
            limits: {maxTurns: 4, maxTokens: 60_000, maxOutputTokensPerTurn: 400}
        });
        expect(created!.spec.model.quantization).toBe("Q4_1");
        // One name: the registry's (the file name without extension), not the GGUF's general.name.
        expect(created!.modelLabel).toBe("local:SmolLM2-135M-Instruct.Q4_1");
        expect(created!.location).toBe("engine");
        const run = await finished(app.client, created!.id);
        const {detail} = await checkRecordedFailure(app.client, run);
        expect(detail.messages[1]!.content).toContain("helper");

        const results = await app.client.call("eval.results", {});
        expect(results).toContainEqual(expect.objectContaining({provider: "local", location: "engine", quantization: "Q4_1", stats: expect.objectContaining({samples: 1, successes: 0})}));
        const log = await app.client.call("eval.exportInspect", {runId: run.id});
        expect(log).toMatchObject({version: 2, status: "success"});

        // The Verdict names it once (the registry's name; general.name is a detail) and fails the 32k agent context it was not trained for.
        const verdict = await app.client.call("verdict.get", {});
        const entry = verdict.local.find((l) => l.location === "engine")!;
        expect(entry).toMatchObject({label: "SmolLM2-135M-Instruct.Q4_1", verdict: "no-fit", headline: "Doesn't fit: trained for 8,192 tokens; the agent context is 32,768."});
        expect(entry.detail).toMatch(/^GGUF name "[^"]+"/);
        expect(entry.label).not.toContain(entry.detail!.split('"')[1]!);
        expect(entry.criteria[0]).toMatchObject({id: "fit", label: "Fits at 32k context", status: "fail", value: "trained for 8k"});
        // The report says the same, under the same name.
        const [md] = (await app.client.call("reports.export", {format: "md"})).files;
        expect(md!.content).toContain("| SmolLM2-135M-Instruct.Q4_1 | AgentFit engine | Doesn't fit |");
        expect(md!.content).toContain("- SmolLM2-135M-Instruct.Q4_1: Doesn't fit: trained for 8,192 tokens; the agent context is 32,768.");
    });

    it("AgentFit's own server, reached as an OpenAI-compatible server on 127.0.0.1, is a local server that says what it serves", async () => {
        await using app = await startApp();
        const imported = await app.client.call("models.import", {path: ensureSmolLM2()});
        // Served without a context, the engine caps the 32k agent default at SmolLM2's trained 8,192, and says so.
        const served = await app.client.call("engine.start", {model: imported.imported[0]!.id, settings: {threads: 1}, server: {port: 0}});
        expect(served.model!.contextLimit).toMatchObject({action: "capped", requested: 32768, trained: 8192, applied: 8192});
        expect((await app.client.call("engine.status", {})).model!.contextLimit!.message).toMatch(/^Context capped at 8,192 tokens, the length the model was trained for; the agent default is 32,768/);

        const [run] = await app.client.call("eval.start", {
            tasks: ["js-timesheet-durations"],
            models: [{provider: "openai-compatible", model: served.model!.id, baseUrl: served.server!.baseUrl}],
            epochs: 1,
            temperature: 0,
            limits: {maxTurns: 1, maxTokens: 60_000, maxOutputTokensPerTurn: 200}
        });
        expect(run).toMatchObject({location: "local-server", spec: {model: {quantization: "Q4_1"}, server: {server: "agentfit", quantization: "Q4_1", trainedContextSize: 8192, contextSize: 8192}}});
        expect((await finished(app.client, run!.id)).status).toBe("completed");

        const verdict = await app.client.call("verdict.get", {});
        expect(verdict.cloud).toEqual([]);
        expect(verdict.local).toHaveLength(1);
        expect(verdict.local[0]).toMatchObject({
            location: "local-server",
            label: "SmolLM2-135M-Instruct.Q4_1",
            quantization: "Q4_1",
            verdict: "no-fit",
            headline: "Doesn't fit: trained for 8,192 tokens; the agent context is 32,768."
        });
    });
});
