import {describe, expect, it} from "vitest";
import type {EvalRunDetail} from "../../electron/api/EvalApi.ts";
import {describeEndpoint} from "../../electron/core/endpoints/describeEndpoint.ts";
import {detectServedModel} from "../../electron/core/servers/detectServedModel.ts";
import {createEnvironmentSecretStore} from "../../electron/core/evals/environmentSecretStore.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {task} from "../../testkit/evalFixtures.ts";
import {failingAgents, solver} from "../../testkit/scriptedAgents.ts";
import {startScriptedOpenAi, type ScriptedAgent} from "../../testkit/scriptedOpenAi.ts";
import {startApp} from "../utils/startApp.ts";

// Local servers speaking the metadata APIs Ollama, LM Studio and llama-server publish (shapes from
// their documentation and source), with the eval's scripted agents behind their /v1. What each
// says about its model must reach the eval's records, the Verdict and the reports, and a server
// on a loopback address must count as local, never as cloud.

const js = task("js-timesheet-durations");

/** Ollama: /v1/models without details; POST /api/show and GET /api/ps carry them. */
function ollama(model: string, agent: ScriptedAgent, loadedContext: number) {
    const details = {parent_model: "", format: "gguf", family: "qwen3", families: ["qwen3"], parameter_size: "8.2B", quantization_level: "Q4_K_M"};
    return startScriptedOpenAi({
        agents: {[model]: agent},
        routes: {
            "GET /v1/models": () => ({object: "list", data: [{id: model, object: "model", created: 1750000000, owned_by: "library"}]}),
            "POST /api/show": (body) =>
                (body as {model?: string}).model === model
                    ? {
                          modelfile: "FROM qwen3:8b",
                          parameters: 'stop "<|im_end|>"',
                          template: "{{ .Prompt }}",
                          details,
                          model_info: {"general.architecture": "qwen3", "general.parameter_count": 8190735360, "qwen3.context_length": 40960, "qwen3.block_count": 36},
                          capabilities: ["completion", "tools"]
                      }
                    : undefined,
            "GET /api/ps": () => ({models: [{name: model, model, size: 6_000_000_000, digest: "d".repeat(64), details, expires_at: "2026-12-05T10:00:00Z", size_vram: 0, context_length: loadedContext}]})
        }
    });
}

/** LM Studio: its REST API v0 beside the OpenAI-compatible one. */
function lmStudio(model: string, agent: ScriptedAgent) {
    const entry = {id: model, object: "model", type: "llm", publisher: "lmstudio-community", arch: "qwen2", compatibility_type: "gguf", quantization: "Q6_K", state: "loaded", max_context_length: 32768, loaded_context_length: 32768};
    return startScriptedOpenAi({
        agents: {[model]: agent},
        routes: {
            "GET /v1/models": () => ({data: [{id: model, object: "model", owned_by: "organization_owner"}], object: "list"}),
            "GET /api/v0/models/*": (_body, url) => (decodeURIComponent(url.pathname.split("/").pop()!) === model ? entry : undefined)
        }
    });
}

/** llama-server: `owned_by: "llamacpp"` with `meta` in /v1/models, the served context and file in /props. */
function llamaServer(model: string, agent: ScriptedAgent) {
    return startScriptedOpenAi({
        agents: {[model]: agent},
        routes: {
            "GET /v1/models": () => ({
                object: "list",
                data: [{id: model, object: "model", created: 1750000000, owned_by: "llamacpp", meta: {vocab_type: 2, n_vocab: 151936, n_ctx_train: 40960, n_embd: 4096, n_params: 8190735360, size: 5851103232}}]
            }),
            "GET /props": () => ({default_generation_settings: {n_ctx: 65536, temperature: 0.8}, total_slots: 1, model_path: `/models/${model}`, chat_template: "", build_info: "b6000-0000000"})
        }
    });
}

async function finished(client: ApiClient, runId: number): Promise<EvalRunDetail> {
    await expect.poll(async () => (await client.call("eval.run", {runId})).status, {timeout: 120_000, interval: 200}).not.toMatch(/^(queued|running)$/);
    return client.call("eval.run", {runId});
}

describe("what local servers report about their model", () => {
    it("reads Ollama's, LM Studio's and llama-server's metadata, and a plain server's model name", async () => {
        await using o = await ollama("qwen3:8b", solver(js), 4096);
        expect(await detectServedModel(o.baseUrl, "qwen3:8b")).toEqual({
            server: "ollama",
            quantization: "Q4_K_M",
            trainedContextSize: 40960,
            contextSize: 4096,
            sources: ["GET /v1/models", "POST /api/show", "GET /api/ps"],
            models: ["qwen3:8b"],
            reportedModel: null,
            parallelSlots: null
        });
        await using l = await lmStudio("qwen2.5-coder-7b-instruct", solver(js));
        expect(await detectServedModel(l.baseUrl, "qwen2.5-coder-7b-instruct")).toMatchObject({server: "lm-studio", quantization: "Q6_K", trainedContextSize: 32768, contextSize: 32768});
        await using c = await llamaServer("Qwen3-8B-Q5_K_M.gguf", solver(js));
        expect(await detectServedModel(c.baseUrl, "Qwen3-8B-Q5_K_M.gguf")).toMatchObject({
            server: "llama-server",
            quantization: "Q5_K_M",
            trainedContextSize: 40960,
            contextSize: 65536,
            sources: ["GET /v1/models", "GET /props"]
        });
        // A server that publishes nothing but the OpenAI list: the model name is all there is.
        await using plain = await startScriptedOpenAi({agents: {"tiny-Q8_0": solver(js)}});
        expect(await detectServedModel(plain.baseUrl, "tiny-Q8_0")).toMatchObject({server: "openai-compatible", quantization: "Q8_0", trainedContextSize: null, contextSize: null});
        // A server that is gone answers nothing, and nothing breaks.
        await plain.dispose();
        expect(await detectServedModel(plain.baseUrl, "tiny-Q8_0", {timeoutMs: 500})).toMatchObject({server: "openai-compatible", quantization: "Q8_0", sources: []});
    });
});

describe("one detector for the eval and the endpoint benchmark", () => {
    it("describeEndpoint reads the same facts as the eval's detector, and turns what only a strict check can tell into coded errors", async () => {
        await using o = await ollama("qwen3:8b", solver(js), 4096);
        await using c = await llamaServer("Qwen3-8B-Q5_K_M.gguf", solver(js));
        for (const [server, model] of [
            [o, "qwen3:8b"],
            [c, "Qwen3-8B-Q5_K_M.gguf"]
        ] as const) {
            const facts = await detectServedModel(server.baseUrl, model);
            const described = await describeEndpoint({baseUrl: server.baseUrl, apiKey: null}, model);
            expect(described).toEqual({
                kind: facts.server,
                models: [model],
                reportedModel: facts.reportedModel,
                quantization: facts.quantization,
                trainedContextSize: facts.trainedContextSize,
                contextSize: facts.contextSize,
                parallelSlots: facts.parallelSlots
            });
        }
        expect(await describeEndpoint({baseUrl: o.baseUrl, apiKey: null}, "qwen3:8b")).toMatchObject({kind: "ollama", quantization: "Q4_K_M", trainedContextSize: 40960, contextSize: 4096});
        expect(await describeEndpoint({baseUrl: c.baseUrl, apiKey: null}, "Qwen3-8B-Q5_K_M.gguf")).toMatchObject({
            kind: "llama-server",
            reportedModel: "/models/Qwen3-8B-Q5_K_M.gguf",
            parallelSlots: 1
        });
        // The eval's reading is best effort; the benchmark's refuses what it cannot measure.
        await expect(describeEndpoint({baseUrl: o.baseUrl, apiKey: null}, "qwen3:4b")).rejects.toMatchObject({code: "ENDPOINT_MODEL_NOT_FOUND"});
        await o.dispose();
        expect((await detectServedModel(o.baseUrl, "qwen3:8b", {timeoutMs: 500})).sources).toEqual([]);
        await expect(describeEndpoint({baseUrl: o.baseUrl, apiKey: null, timeoutMs: 2000}, "qwen3:8b")).rejects.toMatchObject({code: "ENDPOINT_UNREACHABLE"});
    });
});

describe("a model on a local server is local in the eval, the Verdict and the reports", () => {
    it("records Ollama and LM Studio on 127.0.0.1 as local servers with their quantization; a named cloud provider stays cloud", async () => {
        await using o = await ollama("qwen3:8b", failingAgents(js).never_edited_target!, 4096);
        await using l = await lmStudio("qwen2.5-coder-7b-instruct", solver(js));
        await using cloud = await startScriptedOpenAi({agents: {"gpt-4.1": solver(js)}});
        await using app = await startApp({service: {secrets: createEnvironmentSecretStore({OPENAI_API_KEY: "sk-test"})}});
        const runs = await app.client.call("eval.start", {
            tasks: [js.name],
            models: [
                {provider: "openai-compatible", model: "qwen3:8b", baseUrl: o.baseUrl},
                {provider: "openai-compatible", model: "qwen2.5-coder-7b-instruct", baseUrl: l.baseUrl},
                // A stand-in for OpenAI's API on this machine: the provider is a remote service, so cloud.
                {provider: "openai", model: "gpt-4.1", baseUrl: cloud.baseUrl}
            ],
            epochs: 10,
            concurrency: 2
        });
        expect(runs.map((r) => [r.location, r.spec.model.quantization ?? null, r.spec.server?.server ?? null])).toEqual([
            ["local-server", "Q4_K_M", "ollama"],
            ["local-server", "Q6_K", "lm-studio"],
            ["cloud", null, null]
        ]);
        expect(runs[0]!.modelLabel).toBe("openai-compatible:qwen3:8b (Q4_K_M)");
        for (const run of runs) expect((await finished(app.client, run.id)).status).toBe("completed");

        const results = await app.client.call("eval.results", {task: js.name});
        const byModel = (model: string) => results.find((r) => r.model === model)!;
        expect(byModel("qwen3:8b")).toMatchObject({location: "local-server", baseUrl: o.baseUrl, quantization: "Q4_K_M", server: {server: "ollama", contextSize: 4096}});
        // Local servers cost nothing per token, like AgentFit's engine; the cloud model has its list price.
        expect(byModel("qwen2.5-coder-7b-instruct").stats.costPerRun).toBe(0);
        expect(byModel("gpt-4.1").stats.costPerRun).toBeGreaterThan(0);

        const verdict = await app.client.call("verdict.get", {task: js.name});
        expect(verdict.cloud.map((c) => c.model)).toEqual(["gpt-4.1"]);
        const local = (model: string) => verdict.local.find((e) => e.key.startsWith(`openai-compatible:${model}@`))!;
        const lm = local("qwen2.5-coder-7b-instruct");
        expect(lm).toMatchObject({location: "local-server", label: "qwen2.5-coder-7b-instruct · Q6_K", quantization: "Q6_K", path: null, server: {server: "lm-studio", baseUrl: l.baseUrl}});
        expect(lm.criteria.map((c) => [c.id, c.status])).toEqual([
            ["fit", "pass"],
            ["success", "pass"],
            ["generation", "pass"],
            ["turn", "pass"]
        ]);
        expect(lm.criteria[0]!.value).toBe(`runs on ${new URL(l.baseUrl).host}`);
        expect(lm.verdict).toBe("usable");
        // Ollama runs its model with a 4,096-token context: that fails the 32k agent context, and says so.
        const qwen3 = local("qwen3:8b");
        expect(qwen3.verdict).toBe("no-fit");
        expect(qwen3.headline).toBe(`Doesn't fit: the server at ${new URL(o.baseUrl).host} runs it with a 4,096-token context; the agent context is 32,768.`);
        expect(verdict.answer.verdict).toBe("usable");
        expect(verdict.answer.best).toBe(lm.key);

        const [md] = (await app.client.call("reports.export", {format: "md"})).files;
        expect(md!.content).toContain(`| qwen2.5-coder-7b-instruct · Q6_K | local server (lm-studio, ${new URL(l.baseUrl).host}) | Usable |`);
        expect(md!.content).toMatch(/\| qwen3:8b · Q4_K_M \| local server \| /);
        expect(md!.content).toMatch(/\| openai:gpt-4\.1 \| cloud \| /);
        expect(md!.content).not.toMatch(/\| qwen\S* [^|]*\| cloud \|/);
        expect(md!.content).toContain("## What the words mean");
    });
});
