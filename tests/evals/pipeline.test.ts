import fs from "node:fs";
import {describe, expect, it} from "vitest";
import type {EvalFailureMode, EvalRunDetail} from "../../electron/api/EvalApi.ts";
import {createEnvironmentSecretStore} from "../../electron/core/evals/environmentSecretStore.ts";
import type {LocalModelEndpoints} from "../../electron/api/EngineApi.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {task, tasks} from "../../testkit/evalFixtures.ts";
import {failingAgents, solvers} from "../../testkit/scriptedAgents.ts";
import {startScriptedOpenAi} from "../../testkit/scriptedOpenAi.ts";
import {startApp} from "../utils/startApp.ts";

const API_KEY = "sk-agentfit-test-7f3c9a1e5b";

async function finished(client: ApiClient, runIds: number[]): Promise<EvalRunDetail[]> {
    await expect
        .poll(async () => (await Promise.all(runIds.map((runId) => client.call("eval.run", {runId})))).map((r) => r.status), {timeout: 90_000, interval: 100})
        .not.toContainEqual(expect.stringMatching(/^(queued|running)$/));
    return Promise.all(runIds.map((runId) => client.call("eval.run", {runId})));
}

describe("the eval pipeline against scripted OpenAI-compatible agents", () => {
    it("an agent that solves each task scores C on both scores; everything is recorded and keys stay out", async () => {
        await using server = await startScriptedOpenAi({agents: solvers(), apiKey: API_KEY});
        await using app = await startApp({service: {secrets: createEnvironmentSecretStore({OPENAI_API_KEY: API_KEY})}});
        const sampleEvents: number[] = [];
        const unsubscribe = app.client.on("eval.sample.updated", (sample) => sampleEvents.push(sample.id));

        const created = [];
        for (const t of tasks)
            created.push(
                ...(await app.client.call("eval.start", {
                    tasks: [t.name],
                    models: [{provider: "openai", model: `solver-${t.name}`, baseUrl: server.baseUrl}],
                    epochs: 1
                }))
            );
        expect(created.map((r) => r.status)).toEqual(["queued", "queued", "queued"]);
        const runs = await finished(app.client, created.map((r) => r.id));
        unsubscribe();

        for (const run of runs) {
            expect(run.status, JSON.stringify(run.error)).toBe("completed");
            const [sample] = run.samples;
            expect(sample).toMatchObject({status: "completed", score: "C", strictScore: "C", failureMode: null, turns: 5, toolCalls: 4});
            expect(sample!.toolErrors).toEqual({unknownTool: 0, badArguments: 0, failed: 0});
            expect(sample!.usage.inputTokens).toBeGreaterThan(0);
            expect(sample!.usage.cachedInputTokens).toBeGreaterThan(0);
            expect(sample!.usage.outputTokens).toBeGreaterThan(0);
            expect(sample!.modelMs).toBeGreaterThan(0);
            expect(sample!.wallMs).toBeGreaterThanOrEqual(sample!.modelMs!);
            expect(run.stats).toMatchObject({samples: 1, successes: 1, successRate: 1, strictSuccesses: 1, meanTurns: 5});
            expect(run.stats.interval!.low).toBeCloseTo(0.2065, 3);
            expect(run.stats.costPerRun).toBeNull(); // no price for a model called "solver-…"
            expect(run.hardwareSnapshotId).toBeNull();

            const detail = await app.client.call("eval.sample", {sampleId: sample!.id});
            const t = task(run.spec.task);
            expect(detail.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "assistant", "tool", "assistant", "tool", "assistant", "tool", "assistant"]);
            expect(detail.messages[1]!.content).toBe(t.prompt);
            expect(detail.messages[2]!.toolCalls![0]).toMatchObject({name: "list_files", arguments: '{ "path" :  "." }'});
            expect(detail.messages[9]!.content).toMatch(/tests: \d+ passed, 0 failed, 0 errors/);
            expect(detail.diffs).toEqual([expect.objectContaining({path: t.targetFile, status: "modified", insideSource: true})]);
            expect(detail.diffs[0]!.diff).toContain(`+${t.language === "python" ? "def parse_amount" : t.language === "r" ? "frontmatter_end <- function" : "function parseDuration"}`);
            expect(detail.scoring!.checks.helperUsed).toBeTruthy();
            expect(sampleEvents).toContain(sample!.id);
        }

        // Tool-call arguments went back exactly as the model produced them, and the key reached the provider.
        const sent = server.responses[0]!.choices[0]!.message.tool_calls![0]!;
        const echoed = server.requests[1]!.body.messages.find((m) => m.role === "assistant");
        expect(echoed).toMatchObject({tool_calls: [{id: sent.id, type: "function", function: {name: "list_files", arguments: '{ "path" :  "." }'}}]});
        expect(server.requests.every((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);

        const log = await app.client.call("eval.exportInspect", {runId: runs[0]!.id});
        expect(JSON.stringify(log)).not.toContain(API_KEY);
        await app.service.dispose();
        for (const file of [app.home.database, `${app.home.database}-wal`])
            if (fs.existsSync(file)) expect(fs.readFileSync(file).includes(API_KEY)).toBe(false);
    });

    it("agents failing in each way get the right failure mode", async () => {
        const js = task("js-timesheet-durations");
        const agents = failingAgents(js);
        await using server = await startScriptedOpenAi({agents});
        await using app = await startApp();
        const modes = Object.keys(agents).filter((m) => m !== "limit_reached" && m !== "helper_not_called");
        const created = await app.client.call("eval.start", {
            tasks: [js.name],
            models: modes.map((model) => ({provider: "openai-compatible" as const, model, baseUrl: server.baseUrl})),
            epochs: 1,
            limits: {maxTurns: 8}
        });
        const limited = await app.client.call("eval.start", {
            tasks: [js.name],
            models: [{provider: "openai-compatible", model: "limit_reached", baseUrl: server.baseUrl}],
            epochs: 1,
            limits: {maxTurns: 3}
        });
        const strictOnly = await app.client.call("eval.start", {
            tasks: [js.name],
            models: [{provider: "openai-compatible", model: "helper_not_called", baseUrl: server.baseUrl}],
            epochs: 1
        });
        const runs = await finished(app.client, [...created, ...limited, ...strictOnly].map((r) => r.id));
        const byModel = Object.fromEntries(runs.map((run) => [run.spec.model.model, run]));

        for (const mode of [...modes, "limit_reached"]) {
            const run = byModel[mode]!;
            expect(run.status, `${mode}: ${JSON.stringify(run.error)}`).toBe("completed");
            expect(run.samples[0], mode).toMatchObject({score: "I", strictScore: "I", failureMode: mode as EvalFailureMode});
            expect(run.stats.failureModes).toEqual({[mode]: 1});
        }
        expect(byModel.limit_reached!.samples[0]).toMatchObject({limitHit: "turns", turns: 3});
        expect(byModel.bad_tool_calls!.samples[0]!.toolErrors).toEqual({unknownTool: 1, badArguments: 3, failed: 0});
        expect(byModel.provider_error!.samples[0]!.error).toMatch(/HTTP 500/);
        expect(byModel.context_overflow!.samples[0]!.error).toMatch(/exceeds the available context size/);
        expect(byModel.helper_not_called!.samples[0]).toMatchObject({score: "C", strictScore: "I", failureMode: null});
        expect(byModel.helper_not_called!.samples[0]!.failureDetail).toMatch(/does not use the new function parseDuration/);

        const badCalls = await app.client.call("eval.sample", {sampleId: byModel.bad_tool_calls!.samples[0]!.id});
        const toolMessages = badCalls.messages.filter((m) => m.role === "tool");
        expect(toolMessages.map((m) => m.toolError?.kind)).toEqual(["unknownTool", "badArguments", "badArguments", "badArguments"]);
        expect(toolMessages[0]!.content).toMatch(/no tool named "edit_file"/);
        expect(toolMessages[1]!.content).toMatch(/unknown arguments "filename", "text"/);
        expect(toolMessages[2]!.content).toMatch(/not valid JSON/);
    });

    it("token and time limits stop a run and are recorded", async () => {
        const js = task("js-timesheet-durations");
        const loop = failingAgents(js).limit_reached!;
        await using server = await startScriptedOpenAi({agents: {loop, slow: async (r) => (await new Promise((resolve) => setTimeout(resolve, 1500)), loop(r))}});
        await using app = await startApp();
        const [tokens] = await app.client.call("eval.start", {
            tasks: [js.name],
            models: [{provider: "openai-compatible", model: "loop", baseUrl: server.baseUrl}],
            epochs: 1,
            limits: {maxTokens: 5000}
        });
        const [time] = await app.client.call("eval.start", {
            tasks: [js.name],
            models: [{provider: "openai-compatible", model: "slow", baseUrl: server.baseUrl}],
            epochs: 1,
            limits: {maxWallTimeMs: 1000}
        });
        const [byTokens, byTime] = await finished(app.client, [tokens!.id, time!.id]);
        expect(byTokens!.samples[0]).toMatchObject({failureMode: "limit_reached", limitHit: "tokens"});
        expect(byTime!.samples[0]).toMatchObject({failureMode: "limit_reached", limitHit: "time", turns: 0});
    });

    it("the per-turn output cap goes in each provider's field, and an answer cut off there is that limit", async () => {
        const js = task("js-timesheet-durations");
        await using server = await startScriptedOpenAi({agents: {rambler: () => ({content: "I will look at the code first. ".repeat(300)})}, apiKey: API_KEY});
        await using app = await startApp({service: {secrets: createEnvironmentSecretStore({OPENAI_API_KEY: API_KEY, AGENTFIT_OPENAI_COMPATIBLE_API_KEY: API_KEY})}});
        const runs = [];
        for (const provider of ["openai", "openai-compatible"] as const)
            runs.push(
                ...(await app.client.call("eval.start", {
                    tasks: [js.name],
                    models: [{provider, model: "rambler", baseUrl: server.baseUrl}],
                    epochs: 1,
                    limits: {maxOutputTokensPerTurn: 64}
                }))
            );
        const [openai, compatible] = await finished(app.client, runs.map((r) => r.id));
        for (const run of [openai, compatible]) expect(run!.samples[0]).toMatchObject({failureMode: "limit_reached", limitHit: "output", turns: 1});
        const bodies = server.requests.map((r) => r.body as unknown as Record<string, unknown>);
        expect(bodies.filter((b) => b.max_completion_tokens === 64 && !("max_tokens" in b))).toHaveLength(1);
        expect(bodies.filter((b) => b.max_tokens === 64 && !("max_completion_tokens" in b))).toHaveLength(1);
    });

    it("local models go through the engine's endpoint with the same client path", async () => {
        const js = task("js-timesheet-durations");
        await using server = await startScriptedOpenAi({agents: {"engine-model-id": solvers()[`solver-${js.name}`]!}, apiKey: "engine-key"});
        const ensured: unknown[] = [];
        const localModels: LocalModelEndpoints = {
            async ensure(request, options) {
                ensured.push(request);
                options?.onProgress?.({phase: "Loading the model", progress: 0.5});
                return {baseUrl: server.baseUrl, apiKey: "engine-key", model: "engine-model-id"};
            }
        };
        await using app = await startApp({service: {localModels}});
        const providers = await app.client.call("eval.providers", {});
        expect(providers.find((p) => p.id === "local")).toMatchObject({available: true});
        const [run] = await app.client.call("eval.start", {
            tasks: [js.name],
            models: [{provider: "local", model: "/models/Qwen3-8B-Q4_K_M.gguf", settings: {contextSize: 16384, kvCacheType: "q8_0"}}],
            epochs: 2,
            wattage: 45
        });
        expect(run!.spec.model.quantization).toBe("Q4_K_M");
        expect(run!.modelLabel).toBe("local:Qwen3-8B-Q4_K_M");
        const [done] = await finished(app.client, [run!.id]);
        expect(done!.samples.map((s) => s.score)).toEqual(["C", "C"]);
        expect(ensured).toEqual([{model: "/models/Qwen3-8B-Q4_K_M.gguf", settings: {contextSize: 16384, kvCacheType: "q8_0"}}]);
        expect(done!.stats.costPerRun).toBe(0);
        expect(done!.stats.energyWhPerRun).toBeCloseTo((45 * done!.stats.meanWallMs!) / 3_600_000, 6);

        const results = await app.client.call("eval.results", {});
        expect(results).toEqual([
            expect.objectContaining({provider: "local", model: "/models/Qwen3-8B-Q4_K_M.gguf", quantization: "Q4_K_M", task: js.name, runIds: [run!.id]})
        ]);
        expect(results[0]!.stats.successes).toBe(2);
    });

    it("a provider that refuses the key fails the run clearly and records no sample as a model failure", async () => {
        await using server = await startScriptedOpenAi({agents: solvers(), apiKey: API_KEY});
        await using app = await startApp({service: {secrets: createEnvironmentSecretStore({OPENROUTER_API_KEY: "sk-wrong"})}});
        const [run] = await app.client.call("eval.start", {
            tasks: ["js-timesheet-durations"],
            models: [{provider: "openrouter", model: "solver-js-timesheet-durations", baseUrl: server.baseUrl}],
            epochs: 3
        });
        const [failed] = await finished(app.client, [run!.id]);
        expect(failed!.status).toBe("failed");
        expect(failed!.error).toMatchObject({code: "EVAL_PROVIDER_REJECTED", message: expect.stringMatching(/HTTP 401.*The API key was refused/)});
        expect(failed!.samples.every((s) => s.status === "pending" && s.score === null)).toBe(true);
        expect(failed!.stats.samples).toBe(0);
        expect(server.requests[0]!.headers["x-title"]).toBe("AgentFit");
    });

    it("explains what is missing: the engine, an API key, a runtime, a task", async () => {
        await using app = await startApp({service: {secrets: createEnvironmentSecretStore({})}});
        const js = "js-timesheet-durations";
        await expect(app.client.call("eval.start", {tasks: [js], models: [{provider: "local", model: "x.gguf"}]})).rejects.toMatchObject({
            code: "EVAL_LOCAL_MODEL_NOT_FOUND",
            message: expect.stringMatching(/No model file at .*x\.gguf/)
        });
        const response = await fetch(`${app.server.url}/api/eval.start`, {
            method: "POST",
            headers: {"Content-Type": "application/json"},
            body: JSON.stringify({tasks: [js], models: [{provider: "openai", model: "gpt-4.1"}]})
        });
        expect(response.status).toBe(409);
        expect(await response.json()).toMatchObject({error: {code: "EVAL_API_KEY_MISSING"}});
        await expect(app.client.call("eval.start", {tasks: [js], models: [{provider: "anthropic", model: "claude-sonnet-4-5"}]})).rejects.toMatchObject({
            code: "EVAL_API_KEY_MISSING",
            message: expect.stringContaining("ANTHROPIC_API_KEY")
        });
        await expect(app.client.call("eval.start", {tasks: ["nope"], models: [{provider: "openai", model: "gpt-4.1"}]})).rejects.toMatchObject({
            code: "EVAL_TASK_NOT_FOUND"
        });
        await expect(app.client.call("eval.start", {tasks: [js], models: [{provider: "openai-compatible", model: "m"}]})).rejects.toMatchObject({
            code: "EVAL_BASE_URL_INVALID"
        });
        await expect(app.client.call("eval.start", {tasks: [js], models: [], epochs: 0} as never)).rejects.toMatchObject({code: "INVALID_ARGUMENT"});
        await expect(app.client.call("eval.setApiKey", {provider: "openai", apiKey: "sk-x"})).rejects.toMatchObject({
            code: "EVAL_KEYS_READ_ONLY",
            message: expect.stringContaining("OPENAI_API_KEY")
        });
        expect(await app.client.call("eval.runs", {})).toEqual([]);
    });

    it("a task whose runtime is missing says so and will not start", async () => {
        await using app = await startApp({service: {}});
        // The runtime commands come from the environment the service reads.
        await using missing = await startApp({service: {evalEnv: {...process.env, AGENTFIT_RSCRIPT: "/nonexistent/Rscript"}}});
        const tasksInfo = await missing.client.call("eval.tasks", {});
        const r = tasksInfo.find((t) => t.language === "r")!;
        expect(r.runtime).toMatchObject({available: false, command: "/nonexistent/Rscript"});
        expect(r.runtime.message).toMatch(/was not found.*apt-get install r-base-core r-cran-testthat/);
        await expect(
            missing.client.call("eval.start", {tasks: [r.name], models: [{provider: "openai-compatible", model: "m", baseUrl: "http://127.0.0.1:9/v1"}]})
        ).rejects.toMatchObject({code: "EVAL_RUNTIME_MISSING"});
        expect((await app.client.call("eval.tasks", {})).every((t) => t.runtime.available)).toBe(true);
    });
});
