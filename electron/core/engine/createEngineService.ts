import crypto from "node:crypto";
import fs from "node:fs";
import {z} from "zod";
import type {AppEvents} from "../../api/AppApi.ts";
import type {
    EngineApi,
    EngineCrash,
    EngineStartRequest,
    EngineStatus,
    LoadedModel,
    LocalModelEndpoint,
    LocalModelEndpoints,
    LocalModelSettings,
    ServerSettings
} from "../../api/EngineApi.ts";
import {errorBody} from "../../shared/AppError.ts";
import {emptyArgument, listArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {codeByField, requiredText} from "../../shared/parseArgument.ts";
import type {EventBus} from "../../shared/EventBus.ts";
import type {Store} from "../store/Store.ts";
import type {EngineEventMap} from "../../protocol/engineProtocol.ts";
import {DEFAULT_SERVE_HOST, DEFAULT_SERVE_PORT, modelSettingsSchema, serverSettingsSchema} from "../../protocol/engineSettings.ts";
import {isLoopbackAddress} from "../../shared/requestGuards.ts";
import {EngineError} from "./EngineError.ts";
import {launchNodeEngineProcess, type EngineLauncher} from "./EngineLauncher.ts";
import {EngineBinaryManager, type NodeLlamaCppLayout} from "./engineBinary.ts";
import {EngineSupervisor} from "./EngineSupervisor.ts";
import {createServingFront, type ServingFront} from "./createServingFront.ts";
import {prepareModelLoad, withAgentFitEstimate} from "./prepareModelLoad.ts";
import {listServableModels} from "../downloads/listLocalModels.ts";
import {resolveModelReference} from "../downloads/resolveModelReference.ts";
import {notifyListener} from "../../shared/notifyListener.ts";
import {createEngineRestartPolicy, type EngineRestartSettings} from "./createEngineRestartPolicy.ts";

export interface EngineServiceOptions {
    /** The models folder: a bare model name is looked up there. */
    modelsDir: string;
    store: Store;
    events: EventBus<AppEvents>;
    /** Starts the engine process. Default: a Node child process (the desktop app injects utilityProcess). */
    launcher?: EngineLauncher;
    /** Extra environment for the engine process. */
    env?: NodeJS.ProcessEnv;
    /** node-llama-cpp's folders, for building the engine (default: the installed package). */
    nodeLlamaCpp?: NodeLlamaCppLayout;
    /** When an engine that died while serving is started again (default: 1 s, 5 s, 30 s; at most 3 in 5 minutes). */
    restarts?: EngineRestartSettings;
}

/** The serving domain: the AppApi slice, the endpoints other domains use, and the supervisor. */
export interface EngineService extends LocalModelEndpoints, AsyncDisposable {
    readonly methods: MethodTable<EngineApi>;
    status(): EngineStatus;
    /**
     * Gives `work` the engine process to itself (the speed benchmark): waits for other engine
     * operations, stops serving and unloads the model first (measurements need the cores and the
     * memory), holds later operations until `work` ends, then ends the process so whatever it loaded
     * is released. `onEvent` receives the engine's events while `work` runs.
     */
    exclusiveUse<T>(work: (engine: EngineCaller) => Promise<T>, options?: {onEvent?: EngineEventListener}): Promise<T>;
    /** Stops the engine process (model, server) and refuses further work. Idempotent. */
    dispose(): Promise<void>;
}

/** Sends one command to the engine process (see EngineSupervisor.call). */
export type EngineCaller = EngineSupervisor["call"];
export type EngineEventListener = <E extends keyof EngineEventMap>(event: E, payload: EngineEventMap[E]) => void;

type LoadProgress = (p: {phase: string; progress?: number}) => void;

function withoutUndefined<T extends object>(value: T | undefined): T {
    return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as T;
}

export function createEngineService(options: EngineServiceOptions): EngineService {
    const {store, events} = options;
    const noRestarts: EngineStatus["restarts"] = {count: 0, pending: null, gaveUp: null};
    let status: EngineStatus = {state: "stopped", pid: null, loadProgress: null, model: null, server: null, metrics: null, error: null, crash: null, restarts: noRestarts};
    /** What the current model was loaded from, to skip reloading an identical request. */
    let loadedKey: string | undefined;
    /** The server settings last asked for (a generated key is not among them). */
    let serverSettings: ServerSettings | undefined;
    /** The public socket while serving; it outlives engine crashes, so clients keep their port. */
    let front: {instance: ServingFront; settings: string; apiKey: string | undefined; keyGenerated: boolean} | undefined;
    /** The engine server's loopback port behind the front, while an engine serves. */
    let enginePort: number | undefined;
    let progressListener: LoadProgress | undefined;
    let exclusiveListener: EngineEventListener | undefined;
    /** Which binary (EngineBinaryManager.nextBinaryId) the engine process with this pid loaded its binding from. */
    let processBinary: {pid: number | null; id: string} | undefined;
    let disposed = false;
    /** The start that serves now, which an automatic restart repeats; unset when serving was stopped or given up. */
    let served: EngineStartRequest | undefined;
    const restartPolicy = createEngineRestartPolicy(options.restarts);
    let restartTimer: NodeJS.Timeout | undefined;
    /** A restart's own start runs: its failure, not the crash event, decides what comes next. */
    let restartRunning = false;

    const update = (change: Partial<EngineStatus>) => {
        status = {...status, ...change, pid: supervisor.pid};
        events.emit("engine.status", status);
    };

    const supervisor = new EngineSupervisor({
        launcher: options.launcher ?? launchNodeEngineProcess,
        env: options.env,
        onEvent: (event, payload) => {
            if (exclusiveListener) {
                notifyListener(exclusiveListener, event, payload);
                return;
            }
            if (event === "loadProgress") {
                const {progress} = payload as {progress: number};
                notifyListener(progressListener, {phase: "loading", progress});
                update({loadProgress: progress});
            } else if (event === "metrics") {
                status = {...status, metrics: payload as EngineStatus["metrics"]};
                events.emit("engine.metrics", payload as AppEvents["engine.metrics"]);
            } else if (event === "request") events.emit("engine.request", payload as AppEvents["engine.request"]);
        },
        onCrash: (crash) => {
            loadedKey = undefined;
            enginePort = undefined;
            // The front keeps the port and answers 503 until a start brings an engine back behind it.
            update({state: "crashed", crash, model: null, loadProgress: null, metrics: null, error: {code: "ENGINE_CRASHED", message: crash.reason}});
            if (served && !restartRunning) planRestart(served, crash);
        }
    });

    /** After a crash while serving: schedules the next restart of `request`, or says why there is none. */
    function planRestart(request: EngineStartRequest, crash: EngineCrash) {
        const decision = restartPolicy.afterCrash(crash);
        if (!decision.restart) {
            served = undefined;
            update({state: "crashed", restarts: {...status.restarts, pending: null, gaveUp: decision.reason}, error: {code: "ENGINE_CRASHED", message: decision.reason}});
            return;
        }
        const {attempt, of, delayMs} = decision;
        update({state: "restarting", restarts: {...status.restarts, pending: {attempt, of, at: new Date(Date.now() + delayMs).toISOString()}, gaveUp: null}});
        restartTimer = setTimeout(() => void restart(request), delayMs);
    }

    async function restart(request: EngineStartRequest) {
        restartTimer = undefined;
        if (disposed || served !== request) return;
        restartRunning = true;
        try {
            await start(request, {restart: true});
            update({restarts: {...status.restarts, count: status.restarts.count + 1, pending: null}});
        } catch (error) {
            // A stop or another start meanwhile owns what happens next.
            if (served !== request) return;
            const code = (error as {code?: unknown}).code;
            if (status.state === "crashed" && status.crash && (code === "ENGINE_CRASHED" || code === "ENGINE_CANCELLED")) {
                restartRunning = false;
                planRestart(request, status.crash);
                return;
            }
            served = undefined;
            const reason = `AgentFit could not restart the engine: ${(error as Error).message}`;
            update({state: status.state === "restarting" ? "crashed" : status.state, restarts: {...status.restarts, pending: null, gaveUp: reason}});
        } finally {
            restartRunning = false;
        }
    }

    /** Ends automatic restarts: the user stopped or started serving, or the engine is taken for other work. */
    function forgetServed() {
        served = undefined;
        clearTimeout(restartTimer);
        restartTimer = undefined;
        restartPolicy.reset();
    }

    const binaries = new EngineBinaryManager({
        layout: options.nodeLlamaCpp,
        settings: store.settings,
        onChange: (binaryStatus) => events.emit("engine.binary", binaryStatus),
        activeBinary: () => (supervisor.running ? (status.model?.binary ?? null) : null),
        // A process keeps the binary it loaded first; end an idle one so the next load picks up the change.
        // A serving one keeps serving; its next model load starts a new process (see start).
        onBinaryChanged: () =>
            exclusive(async () => {
                if (supervisor.running && status.state !== "ready") {
                    await supervisor.stop();
                    await closeFront();
                    loadedKey = undefined;
                    update({state: "stopped", model: null, server: null, loadProgress: null, metrics: null});
                }
            })
    });

    /** Starts asked for and not yet ended, each cancelled by a stop. */
    const startsInFlight = new Set<AbortController>();
    const cancelStarts = (reason: string) => {
        for (const start of startsInFlight) start.abort(new EngineError("ENGINE_CANCELLED", reason));
    };

    // One engine operation at a time: a start, stop or ensure waits for the one before it.
    let queue: Promise<unknown> = Promise.resolve();
    const exclusive = <T>(operation: () => Promise<T>): Promise<T> => {
        const run = queue.then(operation, operation);
        queue = run.catch(() => {});
        return run;
    };

    /** `restart`: an automatic restart after a crash (the crash and restart count stay in the status). */
    async function start(request: EngineStartRequest, jobOptions: {signal?: AbortSignal; onProgress?: LoadProgress; restart?: boolean} = {}): Promise<EngineStatus> {
        if (disposed) throw new EngineError("ENGINE_START_FAILED", "The app is shutting down.");
        // A user's start replaces whatever served before: no restart of it is due any more.
        if (!jobOptions.restart) forgetServed();
        const cleared: Partial<EngineStatus> = jobOptions.restart ? {error: null} : {error: null, crash: null, restarts: noRestarts};
        const requestedServer = withoutUndefined(request.server);
        // The host never carries over from an earlier start: a start that names none binds loopback.
        const server: ServerSettings = {port: DEFAULT_SERVE_PORT, ...serverSettings, ...requestedServer, host: requestedServer.host ?? DEFAULT_SERVE_HOST};
        const settings = withoutUndefined(request.settings);
        const resolved = resolveModelReference(request.model, {registry: options.store.models, modelsDir: options.modelsDir});
        const key = JSON.stringify({path: resolved.path, settings});
        // A stop cancels this start wherever it is: waiting for its turn, reading the file's header, loading, serving.
        const stopped = new AbortController();
        startsInFlight.add(stopped);
        const signal = jobOptions.signal ? AbortSignal.any([jobOptions.signal, stopped.signal]) : stopped.signal;

        return exclusive(async () => {
            if (jobOptions.restart && served !== request) throw new EngineError("ENGINE_CANCELLED", "The restart was superseded by a stop or another start.");
            if (signal.aborted) throw new EngineError("ENGINE_CANCELLED", "The model load was cancelled.");
            progressListener = jobOptions.onProgress;
            try {
                const needsLoad = loadedKey !== key || !status.model;
                const binaryId = binaries.nextBinaryId();
                // A process keeps the binding it loaded first: a new load after the binary changed starts a new process.
                if (needsLoad && supervisor.running && processBinary?.pid === supervisor.pid && processBinary.id !== binaryId) {
                    await supervisor.stop();
                    loadedKey = undefined;
                    update({model: null, metrics: null});
                }
                if (!supervisor.running) {
                    jobOptions.onProgress?.({phase: "starting"});
                    update({state: "starting", ...cleared});
                }
                if (needsLoad) {
                    const startedAt = new Date().toISOString();
                    update({state: "loading", loadProgress: 0, model: null, ...cleared});
                    loadedKey = undefined;
                    let info: Omit<LoadedModel, "loadId" | "reference">;
                    try {
                        const {load, facts} = await prepareModelLoad(resolved.path, settings, {aliases: [request.model, ...resolved.aliases], signal}).catch(
                            async (error: unknown) => {
                                // A refused file ends what was served, as a failed load in the engine would.
                                if (supervisor.running) await supervisor.call("unload", {}).catch(() => {});
                                throw error;
                            }
                        );
                        info = withAgentFitEstimate(await supervisor.call("load", load, {signal}), facts);
                    } catch (error) {
                        if (signal.aborted || (error as {code?: unknown}).code === "ENGINE_CANCELLED") {
                            // A cancelled load is no failure of the model: nothing to record.
                            update({state: supervisor.running ? "failed" : "stopped", loadProgress: null, model: null, error: null});
                            throw new EngineError("ENGINE_CANCELLED", "The model load was cancelled.");
                        }
                        const failure = errorBody(error, "MODEL_LOAD_FAILED");
                        store.modelLoads.save({
                            loadedAt: startedAt,
                            modelPath: resolved.path,
                            fileBytes: fileSize(resolved.path),
                            settings: null,
                            outcome: "failed",
                            loadMs: null,
                            memory: null,
                            error: failure,
                            hardwareSnapshotId: store.hardware.latest()?.id ?? null
                        });
                        if (status.state !== "crashed") update({state: supervisor.running ? "failed" : "stopped", loadProgress: null, model: null, error: failure});
                        throw error;
                    }
                    const record = store.modelLoads.save({
                        loadedAt: startedAt,
                        modelPath: info.path,
                        fileBytes: info.fileBytes,
                        settings: info.settings,
                        outcome: "loaded",
                        loadMs: info.loadMs,
                        memory: info.memory,
                        error: null,
                        hardwareSnapshotId: store.hardware.latest()?.id ?? null
                    });
                    loadedKey = key;
                    processBinary = {pid: supervisor.pid, id: binaryId};
                    update({model: {...info, reference: request.model, loadId: record.id}, loadProgress: 1});
                }
                jobOptions.onProgress?.({phase: "serving"});
                let opened: NonNullable<typeof front>;
                try {
                    opened = await openFront(server);
                    // The engine checks the key, Host and Origin clients send through the front (the port is the front's).
                    enginePort = (await supervisor.call("serve", {...server, apiKey: opened.apiKey, frontSecret: opened.instance.secret}, {signal})).port;
                } catch (error) {
                    update({state: "failed", server: front ? status.server : null, error: errorBody(error, "ENGINE_SERVER_INVALID")});
                    throw error;
                }
                serverSettings = server;
                const {instance} = opened;
                update({
                    ...cleared,
                    state: "ready",
                    loadProgress: null,
                    server: {
                        baseUrl: instance.baseUrl,
                        host: instance.host,
                        port: instance.port,
                        apiKey: opened.apiKey ?? null,
                        apiKeyGenerated: opened.keyGenerated,
                        corsOrigins: server.corsOrigins ?? []
                    },
                    metrics: await supervisor.call("metrics", {}).catch(() => status.metrics)
                });
                served = request;
                return status;
            } finally {
                progressListener = undefined;
            }
        }).finally(() => startsInFlight.delete(stopped));
    }

    /**
     * The front for `server`: the open one when it was opened for the same settings (so a restart
     * keeps its port, even one picked by port 0, and its generated key), otherwise a new one.
     */
    async function openFront(server: ServerSettings): Promise<NonNullable<typeof front>> {
        const settings = JSON.stringify(server);
        if (front?.settings === settings) return front;
        await closeFront();
        // A model reachable from the network needs a key: one is made when none is given, and the status shows it.
        const keyGenerated = !isLoopbackAddress(server.host) && !server.apiKey;
        const instance = await createServingFront({
            host: server.host ?? DEFAULT_SERVE_HOST,
            port: server.port ?? DEFAULT_SERVE_PORT,
            upstreamPort: () => (supervisor.running ? enginePort : undefined),
            unavailableReason: () => {
                const restarting = status.restarts.pending ? ` AgentFit is restarting it (attempt ${status.restarts.pending.attempt} of ${status.restarts.pending.of}).` : "";
                if (status.crash) return `${status.crash.reason}${restarting}`;
                return status.state === "starting" || status.state === "loading" ? "The engine is starting." : "The engine process is not running.";
            }
        });
        front = {instance, settings, apiKey: keyGenerated ? `af-${crypto.randomBytes(24).toString("base64url")}` : server.apiKey, keyGenerated};
        return front;
    }

    async function closeFront() {
        const current = front;
        front = undefined;
        enginePort = undefined;
        await current?.instance.close();
    }

    async function stop(): Promise<EngineStatus> {
        // A stop by the user is never followed by a restart, and ends the starts asked for before it.
        forgetServed();
        cancelStarts("Serving was stopped.");
        // Stopping does not wait for a load in progress: ending the process cancels it.
        await supervisor.stop();
        return exclusive(async () => {
            await supervisor.stop();
            await closeFront();
            loadedKey = undefined;
            update({state: "stopped", model: null, server: null, loadProgress: null, metrics: null, error: null, crash: null, restarts: noRestarts});
            return status;
        });
    }

    async function ensure(
        request: {model: string; settings?: LocalModelSettings},
        jobOptions: {signal?: AbortSignal; onProgress?: LoadProgress} = {}
    ): Promise<LocalModelEndpoint> {
        // Keep a running server as it is; otherwise listen on any free loopback port.
        const result = await start({model: request.model, settings: request.settings, server: serverSettings ?? {host: DEFAULT_SERVE_HOST, port: 0}}, jobOptions);
        return {baseUrl: result.server!.baseUrl, ...(result.server!.apiKey ? {apiKey: result.server!.apiKey} : {}), model: result.model!.id};
    }

    const methods: MethodTable<EngineApi> = {
        "engine.status": {
            schema: emptyArgument,
            async handler() {
                if (supervisor.running && status.state === "ready") {
                    const metrics = await supervisor.call("metrics", {}).catch(() => null);
                    if (metrics) status = {...status, metrics};
                }
                return status;
            }
        },
        "engine.start": {
            schema: z.object({
                model: requiredText("must be a registered model id, a GGUF file path or the name of a model in the models folder"),
                settings: modelSettingsSchema.optional(),
                server: serverSettingsSchema.optional()
            }),
            invalidCode: codeByField({settings: "ENGINE_SETTINGS_INVALID", server: "ENGINE_SERVER_INVALID"}),
            handler: (request) => start(request)
        },
        "engine.stop": {schema: emptyArgument, handler: () => stop()},
        "engine.localModels": {schema: emptyArgument, handler: async () => listServableModels(options.modelsDir, options.store.models)},
        "engine.loads": {schema: listArgument, handler: async ({limit}) => store.modelLoads.list(limit ?? 20)},
        "engine.binary": {schema: emptyArgument, handler: () => binaries.status()},
        "engine.buildBinary": {schema: emptyArgument, handler: () => binaries.build()},
        "engine.dismissBuildOffer": {
            schema: z.object({surface: z.enum(["app", "cli"])}),
            handler: ({surface}) => binaries.dismissOffer(surface)
        },
        "engine.cancelBuild": {schema: emptyArgument, handler: () => binaries.cancel()},
        "engine.removeLocalBinary": {schema: emptyArgument, handler: () => binaries.removeLocal()}
    };

    let disposing: Promise<void> | undefined;
    async function exclusiveUse<T>(work: (engine: EngineCaller) => Promise<T>, useOptions: {onEvent?: EngineEventListener} = {}): Promise<T> {
        if (disposed) throw new EngineError("ENGINE_START_FAILED", "The app is shutting down.");
        forgetServed();
        return exclusive(async () => {
            if (supervisor.running || front) {
                await supervisor.stop();
                await closeFront();
                loadedKey = undefined;
                update({state: "stopped", model: null, server: null, loadProgress: null, metrics: null, error: null, restarts: noRestarts});
            }
            exclusiveListener = useOptions.onEvent ?? (() => {});
            try {
                return await work((command, arg, callOptions) => supervisor.call(command, arg, callOptions));
            } finally {
                exclusiveListener = undefined;
                await supervisor.stop();
                loadedKey = undefined;
                if (status.state !== "stopped") update({state: "stopped", model: null, server: null, loadProgress: null, metrics: null});
            }
        });
    }

    const service: EngineService = {
        methods,
        exclusiveUse,
        ensure,
        locate: (model) => resolveModelReference(model, {registry: options.store.models, modelsDir: options.modelsDir}).path,
        status: () => status,
        dispose() {
            disposing ??= (async () => {
                disposed = true;
                forgetServed();
                cancelStarts("The app is shutting down.");
                await binaries.dispose();
                await supervisor.dispose();
                await closeFront();
            })();
            return disposing;
        },
        [Symbol.asyncDispose]() {
            return service.dispose();
        }
    };
    return service;
}

function fileSize(file: string): number {
    try {
        return fs.statSync(file).size;
    } catch {
        return 0;
    }
}
