import type {EngineMetrics, LoadedModel, LocalModelSettings, ServerSettings} from "../../api/EngineApi.ts";

/**
 * The typed protocol between the app (parent) and the engine process. Adding a command is one
 * entry here plus one handler in `engineCommandHandlers` (the compiler insists on both).
 */
export interface EngineCommands {
    /** Loads a model (unloading the current one first) and warms it up. Progress arrives as "loadProgress" events. */
    load: {arg: EngineLoadArg; result: Omit<LoadedModel, "loadId" | "reference">};
    /** Unloads the model; the server keeps running and answers 503 until the next load. */
    unload: {arg: Record<string, never>; result: null};
    /** Starts the OpenAI-compatible server, or restarts it when the settings differ. */
    serve: {arg: ServerSettings; result: {host: string; port: number; baseUrl: string}};
    /** Stops the server. */
    stopServing: {arg: Record<string, never>; result: null};
    /** Current server counters. */
    metrics: {arg: Record<string, never>; result: EngineMetrics};
    /** Releases everything; the process exits after answering. */
    shutdown: {arg: Record<string, never>; result: null};
}

export interface EngineLoadArg {
    path: string;
    /** Other names clients may send as `model` (e.g. the registered id it was loaded by). */
    aliases?: string[];
    settings: LocalModelSettings;
}

export interface EngineEventMap {
    loadProgress: {progress: number};
    metrics: EngineMetrics;
}

export type EngineCommand = keyof EngineCommands;

/** Parent → engine. `cancel` aborts the request with that id (its handler's signal fires). */
export type ParentMessage =
    | {type: "request"; id: number; command: EngineCommand; arg: unknown}
    | {type: "cancel"; id: number};

/** Engine → parent. */
export type EngineMessage =
    | {type: "ready"; pid: number}
    | {type: "response"; id: number; ok: true; result: unknown}
    | {type: "response"; id: number; ok: false; error: {code: string; message: string}}
    | {[E in keyof EngineEventMap]: {type: "event"; event: E; payload: EngineEventMap[E]}}[keyof EngineEventMap];

export interface EngineHandlerContext {
    signal: AbortSignal;
    emit<E extends keyof EngineEventMap>(event: E, payload: EngineEventMap[E]): void;
}

export type EngineCommandHandlers = {
    [C in EngineCommand]: (arg: EngineCommands[C]["arg"], context: EngineHandlerContext) => Promise<EngineCommands[C]["result"]>;
};
