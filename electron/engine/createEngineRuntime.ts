import type {EngineCommandHandlers, EngineEventMap} from "../protocol/engineProtocol.ts";
import type {Token} from "node-llama-cpp";
import {z} from "zod";
import {modelSettingsSchema, serverSettingsSchema} from "../protocol/engineSettings.ts";
import {AppError} from "../shared/AppError.ts";
import {parseArgument} from "../shared/parseArgument.ts";
import {runAgentWorkload} from "./bench/runAgentWorkload.ts";
import {runSpeedTests} from "./bench/runSpeedTests.ts";
import {disposeLlama, loadEngineModel, type LoadedEngineModel} from "./model/loadEngineModel.ts";
import {createOpenAiServer, type OpenAiServer} from "./server/createOpenAiServer.ts";
import {ServerMetrics} from "./server/ServerMetrics.ts";

/** The `serve` command's argument: the clients' server settings and the internal hop's secret. */
const serveArgSchema = serverSettingsSchema.extend({frontSecret: z.string().min(32)});

/** How often live counters are pushed to the app while requests run, ms. */
const METRICS_INTERVAL_MS = 1000;

/**
 * Everything the engine process holds (the model, the server, the counters) and the handler of
 * each protocol command. Runs inside the engine process; `emit` sends events to the app.
 */
export function createEngineRuntime(emit: <E extends keyof EngineEventMap>(event: E, payload: EngineEventMap[E]) => void): {
    handlers: EngineCommandHandlers;
    dispose(): Promise<void>;
} {
    let loaded: LoadedEngineModel | undefined;
    let loading = false;
    let aliases: string[] = [];
    let server: {instance: OpenAiServer; key: string} | undefined;
    const metrics = new ServerMetrics(() => ({active: loaded?.pool.busy ?? 0, queued: loaded?.pool.queued ?? 0}));

    let ticker: NodeJS.Timeout | undefined;
    const onActivity = () => {
        emit("metrics", metrics.snapshot());
        const {active, queued} = metrics.snapshot();
        if (active + queued > 0 && !ticker) {
            ticker = setInterval(() => {
                const snapshot = metrics.snapshot();
                emit("metrics", snapshot);
                if (snapshot.active + snapshot.queued === 0) {
                    clearInterval(ticker);
                    ticker = undefined;
                }
            }, METRICS_INTERVAL_MS);
            ticker.unref();
        }
    };

    const unload = async () => {
        const current = loaded;
        loaded = undefined;
        await current?.dispose();
    };

    const stopServer = async () => {
        const current = server;
        server = undefined;
        await current?.instance.dispose();
    };

    /** What the last speed test of each loaded model left in its sequence. */
    const speedTestContext = new WeakMap<LoadedEngineModel, Token[]>();
    const loadedForBench = () => {
        if (!loaded) throw new AppError("MODEL_UNLOADED", "No model is loaded: load one before benchmarking it.");
        return loaded;
    };

    const handlers: EngineCommandHandlers = {
        async load(arg, context) {
            await unload();
            loading = true;
            let lastProgressAt = 0;
            try {
                // The app checked the settings; checking again keeps a bad command from reaching llama.cpp.
                const settings = parseArgument(modelSettingsSchema, arg.settings, "ENGINE_SETTINGS_INVALID");
                loaded = await loadEngineModel(arg.path, settings, {
                    trainedContextSize: arg.trainedContextSize,
                    quantization: arg.quantization,
                    mappedWeightBytes: arg.mappedWeightBytes,
                    otherBusyCores: arg.otherBusyCores ?? null,
                    signal: context.signal,
                    // llama.cpp reports per tensor; ten updates a second are plenty.
                    onProgress: (progress) => {
                        const now = Date.now();
                        if (now - lastProgressAt < 100 && progress < 1) return;
                        lastProgressAt = now;
                        context.emit("loadProgress", {progress});
                    }
                });
                aliases = [arg.path, ...(arg.aliases ?? [])];
                return loaded.info;
            } finally {
                loading = false;
            }
        },
        async unload() {
            await unload();
            return null;
        },
        async serve(arg) {
            const settings = parseArgument(serveArgSchema, arg, "ENGINE_SERVER_INVALID");
            const key = JSON.stringify(settings);
            if (server?.key !== key) {
                await stopServer();
                const instance = await createOpenAiServer({
                    ...settings,
                    metrics,
                    onActivity,
                    onRequestLogged: (entry) => emit("request", entry),
                    source: {
                        current: () => (loaded ? {state: "ready", model: loaded} : {state: loading ? "loading" : "none"}),
                        aliases: () => aliases
                    }
                });
                server = {instance, key};
            }
            return {port: server.instance.port};
        },
        async stopServing() {
            await stopServer();
            return null;
        },
        async metrics() {
            return metrics.snapshot();
        },
        async speedTest(arg, context) {
            const model = loadedForBench();
            // Back to the sequence the previous speed test left its depth in, so a test at that depth (the next
            // test, or a noisy one's re-run) skips the prefill.
            const lease = await model.pool.acquire(speedTestContext.get(model) ?? [], context.signal);
            try {
                const [result] = await runSpeedTests({
                    sequence: lease.sequence,
                    model: model.model,
                    tests: [arg.test],
                    repetitions: arg.repetitions,
                    warmup: arg.warmup,
                    signal: context.signal,
                    onWarmup: () => context.emit("benchRepetition", {phase: "warmup", repetition: 0}),
                    onRepetition: ({repetition, ns, tokensPerSecond}) => context.emit("benchRepetition", {phase: "measuring", repetition, ns, tokensPerSecond})
                });
                return result!;
            } finally {
                speedTestContext.set(model, [...lease.sequence.contextTokens]);
                lease.release();
            }
        },
        async agentWorkload(arg, context) {
            return runAgentWorkload(loadedForBench(), {
                ...arg,
                signal: context.signal,
                onWarmup: () => context.emit("benchRepetition", {phase: "warmup", repetition: 0}),
                onTurn: (turn) =>
                    context.emit("benchRepetition", {
                        phase: "measuring",
                        repetition: turn.repetition,
                        ns: turn.totalMs * 1e6,
                        tokensPerSecond: turn.generationMs > 0 ? (turn.generatedTokens * 1000) / turn.generationMs : 0
                    })
            });
        },
        async benchInfo() {
            const {llama, model} = loadedForBench();
            const gpu = llama.gpu;
            return {
                llamaCppRelease: llama.llamaCppRelease.release,
                binary: llama.buildType === "localBuild" ? "local" : "prebuilt",
                backend: gpu === false ? "CPU" : gpu === "cuda" ? "CUDA" : gpu === "metal" ? "Metal" : gpu === "vulkan" ? "Vulkan" : String(gpu),
                gpuNames: gpu === false ? [] : await llama.getGpuDeviceNames().catch(() => []),
                modelType: model.typeDescription,
                parameterCount: model.fileInsights.totalParameters
            };
        },
        async shutdown() {
            await stopServer();
            await unload();
            await disposeLlama();
            return null;
        }
    };

    return {
        handlers,
        async dispose() {
            clearInterval(ticker);
            await handlers.shutdown({}, {signal: AbortSignal.abort(), emit});
        }
    };
}
