import path from "node:path";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";
import type {BenchResult, BenchRun, BenchSettings} from "../../electron/api/BenchApi.ts";
import type {EvalRunDetail} from "../../electron/api/EvalApi.ts";
import {runSpeedTests} from "../../electron/engine/bench/runSpeedTests.ts";
import type {SpeedTestShape} from "../../electron/protocol/engineProtocol.ts";
import {hardwareKeyOf} from "../../electron/core/catalog/hardwareProfile.ts";
import {createEnvironmentSecretStore} from "../../electron/core/evals/environmentSecretStore.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {task} from "../../testkit/evalFixtures.ts";
import {ggufModelPresets, writeGgufModel, type GgufModelFacts, type GgufWeightType} from "../../testkit/gguf/writeGgufModel.ts";
import {solver, failingAgents} from "../../testkit/scriptedAgents.ts";
import {startScriptedOpenAi, turnOf, type ScriptedAgent, type ScriptedOpenAi} from "../../testkit/scriptedOpenAi.ts";
import {startApp, type RunningApp} from "./startApp.ts";

export const verdictTask = "js-timesheet-durations";

export interface VerdictFixture extends AsyncDisposable {
    app: RunningApp;
    cloud: ScriptedOpenAi;
    /** The generated quantization ladder of one model: Q4_0 and Q8_0 evaluated, F16 only benchmarked. */
    models: Record<GgufWeightType & ("Q4_0" | "Q8_0" | "F16"), GgufModelFacts>;
    benchRun: BenchRun;
}

/** Waits for a run to end (usable in hooks, where expect.poll is not). */
async function finished(client: ApiClient, runId: number, timeoutMs = 600_000): Promise<EvalRunDetail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const run = await client.call("eval.run", {runId});
        if (run.status !== "queued" && run.status !== "running") return run;
        if (Date.now() > deadline) throw new Error(`Eval run ${runId} still ${run.status} after ${timeoutMs} ms.`);
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
}

/**
 * A data folder filled by real runs: a generated model at three quantizations, two evaluated
 * through AgentFit's engine (random weights: they fail as laptop-class models do), all three
 * benchmarked with the benchmark's own measuring loop (`runSpeedTests`) and stored through the
 * `store.bench` contract; two cloud models (scripted OpenAI servers, the production client) run
 * the same eval: one always solves it, one solves every other run.
 */
export async function createVerdictFixture(options: {serveUi?: boolean} = {}): Promise<VerdictFixture> {
    const js = task(verdictTask);
    let first = 0;
    const alternating: ScriptedAgent = (request) => {
        // Every other sample fails: decided on its first turn, then kept for its later turns.
        const sampleFails = turnOf(request) === 0 ? first++ % 2 === 1 : request.messages.some((m) => m.role === "assistant" && String(m.content).includes("#fail"));
        if (!sampleFails) return solver(js)(request);
        return turnOf(request) === 0 ? {toolCalls: [{name: "list_files", arguments: {path: "."}}], content: "#fail"} : failingAgents(js).never_edited_target!(request);
    };
    const cloud = await startScriptedOpenAi({agents: {"gpt-4.1": solver(js), "gpt-4.1-mini": alternating}});
    const app = await startApp({serveUi: options.serveUi, service: {secrets: createEnvironmentSecretStore({OPENAI_API_KEY: "sk-test"})}});
    const snapshot = await app.client.call("hardware.probe", {});

    // Trained for the 32k agent context (so the fit is about memory); the eval and benchmark run shorter contexts.
    const write = (type: "Q4_0" | "Q8_0" | "F16") =>
        writeGgufModel(path.join(app.home.models, `agentfit-test-tiny.${type}.gguf`), {...ggufModelPresets.tiny, contextLength: 32768, type, name: "AgentFit Test Tiny"});
    const models = {Q4_0: write("Q4_0"), Q8_0: write("Q8_0"), F16: write("F16")};

    const localRuns = await app.client.call("eval.start", {
        tasks: [verdictTask],
        models: (["Q4_0", "Q8_0"] as const).map((q) => ({provider: "local" as const, model: models[q].path, settings: {contextSize: 4096, threads: 1}})),
        epochs: 2,
        limits: {maxTurns: 1, maxTokens: 40_000}
    });
    const cloudRuns = await app.client.call("eval.start", {
        tasks: [verdictTask],
        models: [
            {provider: "openai", model: "gpt-4.1", baseUrl: cloud.baseUrl},
            {provider: "openai", model: "gpt-4.1-mini", baseUrl: cloud.baseUrl}
        ],
        epochs: 4,
        concurrency: 1
    });
    for (const run of [...localRuns, ...cloudRuns]) {
        const done = await finished(app.client, run.id);
        if (done.status !== "completed") throw new Error(`Eval run ${run.id} ended ${done.status}: ${JSON.stringify(done.error)}`);
    }
    await app.client.call("engine.stop", {});

    const benchRun = await recordSpeedRun(app, Object.values(models), snapshot);
    return {
        app,
        cloud,
        models,
        benchRun,
        async [Symbol.asyncDispose]() {
            await app[Symbol.asyncDispose]();
            await cloud.dispose();
        }
    };
}

/** Measures pp and tg (at depth 0 and 256) of each file with the benchmark's loop and stores a run the way the benchmark does. */
async function recordSpeedRun(app: RunningApp, files: GgufModelFacts[], snapshot: {id: number} & Parameters<typeof hardwareKeyOf>[0]): Promise<BenchRun> {
    const store = app.service.store;
    const settings: BenchSettings = {threads: 1, gpuLayers: 0, kvCacheType: "f16", flashAttention: false};
    const tests: SpeedTestShape[] = [
        {promptTokens: 128, generatedTokens: 0, depth: 0},
        {promptTokens: 0, generatedTokens: 16, depth: 0},
        {promptTokens: 0, generatedTokens: 16, depth: 256}
    ];
    const run = store.bench.createRun({
        createdAt: new Date().toISOString(),
        spec: {
            models: files.map((f) => f.path),
            promptTokens: 128,
            generatedTokens: 16,
            repetitions: 2,
            depths: [0, 256],
            matrix: {threads: [1], gpuLayers: [0], kvCacheTypes: ["f16"], flashAttention: [false]},
            timeToFirstToken: false,
            agent: null,
            contextSize: 1024,
            batchSize: 512
        },
        hardwareSnapshotId: snapshot.id,
        hardwareKey: hardwareKeyOf(snapshot),
        appVersion: "test",
        engine: {nodeLlamaCpp: "3.22.1", llamaCppRelease: "unknown", buildNumber: 0, backend: "CPU", cpuInfo: snapshot.cpu.brand, gpuInfo: ""},
        progress: {testsDone: 0, testsTotal: files.length * tests.length, current: null},
        modelFiles: files.map((f) => ({reference: f.path, path: f.path, sha256: null, registryId: null})),
        owner: null
    });
    const llama = await getLlama({gpu: false, maxThreads: 1, logLevel: LlamaLogLevel.error, build: "never"});
    try {
        for (const [configuration, file] of files.entries()) {
            const model = await llama.loadModel({modelPath: file.path});
            try {
                await using context = await model.createContext({contextSize: 1024, threads: 1});
                const measured = await runSpeedTests({sequence: context.getSequence(), model, tests, repetitions: 2});
                for (const m of measured) {
                    const result: Omit<BenchResult, "id" | "seq"> = {
                        runId: run.id,
                        configuration,
                        model: {
                            reference: file.path,
                            path: file.path,
                            fileName: path.basename(file.path),
                            fileBytes: file.fileSizeBytes,
                            registryId: null,
                            catalogModelId: null,
                            quantization: file.type,
                            architecture: "llama",
                            modelType: `llama ? ${file.type}`,
                            parameterCount: file.parameterCount,
                            activeBytesPerToken: file.fileSizeBytes,
                            trainedContextSize: file.contextLength
                        },
                        requested: settings,
                        settings: {...settings, gpuLayers: 0, contextSize: 1024, batchSize: 512},
                        kind: m.promptTokens > 0 ? "pp" : "tg",
                        promptTokens: m.promptTokens,
                        generatedTokens: m.generatedTokens,
                        depth: m.depth,
                        status: "completed",
                        reason: null,
                        samplesNs: m.samplesNs,
                        samplesTs: m.samplesTokensPerSecond,
                        avgNs: m.averageNs,
                        stddevNs: m.stdDevNs,
                        avgTs: m.averageTokensPerSecond,
                        stddevTs: m.stdDevTokensPerSecond,
                        timeToFirstTokenMs: [],
                        agentTurns: [],
                        measuredAt: new Date().toISOString()
                    };
                    store.bench.addResult(result);
                }
            } finally {
                await model.dispose();
            }
        }
    } finally {
        await llama.dispose();
    }
    return store.bench.updateRun(run.id, {status: "completed", completedAt: new Date().toISOString(), progress: {testsDone: files.length * tests.length, testsTotal: files.length * tests.length, current: null}});
}
