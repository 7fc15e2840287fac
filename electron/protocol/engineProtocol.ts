import type {ChatCompletionFunctionTool} from "openai/resources/chat/completions";
import type {BenchAgentTurn} from "../api/BenchApi.ts";
import type {EngineMetrics, LoadedModel, LocalModelSettings, ServerSettings} from "../api/EngineApi.ts";
import type {ErrorCode} from "../shared/errorCodes.ts";

/**
 * The typed protocol between the app (parent) and the engine process (electron/engine/). Adding a
 * command is one entry here plus one handler in `createEngineRuntime` (the compiler insists on both).
 * Types only: both processes load it, and errors cross it as `{code, message}`.
 */
export interface EngineCommands {
    /** Loads a model (unloading the current one first) and warms it up. Progress arrives as "loadProgress" events. */
    load: {arg: EngineLoadArg; result: Omit<LoadedModel, "loadId" | "reference">};
    /** Unloads the model; the server keeps running and answers 503 until the next load. */
    unload: {arg: Record<string, never>; result: null};
    /**
     * Starts the OpenAI-compatible server behind the app's serving front, or restarts it when the
     * settings differ. It listens on a free loopback port (the result) and answers only requests
     * carrying `frontSecret`; the front owns the port clients use (see EngineServeArg).
     */
    serve: {arg: EngineServeArg; result: {port: number}};
    /** Stops the server. */
    stopServing: {arg: Record<string, never>; result: null};
    /** Current server counters. */
    metrics: {arg: Record<string, never>; result: EngineMetrics};
    /** Speed benchmark: one llama-bench-style test on the loaded model; each repetition arrives as a "benchRepetition" event. */
    speedTest: {arg: SpeedTestArg; result: SpeedTestResult};
    /** Speed benchmark: the agent-shaped workload through the serving path on the loaded model. */
    agentWorkload: {arg: AgentWorkloadArg; result: BenchAgentTurn[]};
    /** Speed benchmark: the loaded model's and the engine's facts for the record. */
    benchInfo: {arg: Record<string, never>; result: BenchInfo};
    /** Releases everything; the process exits after answering. */
    shutdown: {arg: Record<string, never>; result: null};
}

/**
 * The server settings clients asked for (the host to accept in Host headers, key, CORS, body limit),
 * checked in the engine, plus the secret of the internal hop from the app's serving front. The
 * front sends it as FRONT_SECRET_HEADER with every request and the client's address as
 * FRONT_CLIENT_ADDRESS_HEADER (electron/protocol/frontHop.ts).
 */
export interface EngineServeArg extends ServerSettings {
    frontSecret: string;
}

export interface EngineLoadArg {
    /** A GGUF file whose header the app has checked (see prepareModelLoad). */
    path: string;
    /** Other names clients may send as `model` (e.g. the registered id it was loaded by). */
    aliases?: string[];
    settings: LocalModelSettings;
    /** The context the model was trained for, from its header (null when it does not say); caps the default context. */
    trainedContextSize: number | null;
    /** The file's quantization from its header ("Q4_K_M"), null when unknown; reported with the loaded model. */
    quantization: string | null;
    /**
     * Tensor bytes every token reads from the mapped file: the file's tensors less those llama.cpp
     * repacks into memory of its own (from the header). Part of a CPU load's measured memory.
     */
    mappedWeightBytes: number;
    /**
     * Cores other processes kept busy just before the load (watchMachineLoad), when the settings ask
     * for no thread count: the engine then leaves them free (defaultThreadCount). Null or absent: unknown.
     */
    otherBusyCores?: number | null;
}

/** One llama-bench test: optional context already filled (`depth`), then a prompt and/or a generation. */
export interface SpeedTestShape {
    /** Prompt tokens evaluated in batches (pp). 0 for a pure generation test. */
    promptTokens: number;
    /** Tokens generated one at a time (tg). 0 for a pure prompt test. */
    generatedTokens: number;
    /** Tokens already in the context before the timed part starts (llama-bench `-d`). */
    depth: number;
}

export interface SpeedTestResult extends SpeedTestShape {
    /** Wall time of each timed repetition, nanoseconds (llama-bench `samples_ns`). */
    samplesNs: number[];
    /** Tokens per second of each repetition ((prompt + generated) / time). */
    samplesTokensPerSecond: number[];
    averageNs: number;
    stdDevNs: number;
    averageTokensPerSecond: number;
    stdDevTokensPerSecond: number;
    /**
     * For tests with both a prompt and a generation: time from the start of the prompt until the
     * first token can be sampled (the prompt's last logits are computed), per repetition, ms.
     */
    timeToFirstTokenMs: number[];
    /**
     * CPU time the engine process used (all its threads) from the test's start, warm-up included, to its
     * end, µs: what the app subtracts to tell the machine's other load during the test (watchMachineLoad).
     */
    engineCpuMicros: number;
}

export interface SpeedTestArg {
    test: SpeedTestShape;
    repetitions: number;
    /** One untimed run first. */
    warmup: boolean;
}

export interface AgentWorkloadArg {
    script: AgentWorkloadScript;
    turns: number;
    maxTokensPerTurn: number;
    repetitions: number;
    warmup: boolean;
}

/** The conversation the agent workload replays; the app builds it from the eval's prompt, task and tools. */
export interface AgentWorkloadScript {
    systemPrompt: string;
    /** The task with its source file attached. */
    userPrompt: string;
    /** Tool schemas offered on every turn. */
    tools: ChatCompletionFunctionTool[];
    /** What a tool call of each name gets back; other names get `defaultToolResult`. */
    toolResults: Record<string, string>;
    defaultToolResult: string;
    /** The user's answer when the model replies without calling a tool. */
    continuePrompt: string;
}

export interface BenchInfo {
    llamaCppRelease: string;
    /** "CPU", "CUDA", "Metal", "Vulkan". */
    backend: string;
    binary: "prebuilt" | "local";
    gpuNames: string[];
    /** llama.cpp's model description, e.g. "llama 1B Q8_0". */
    modelType: string;
    parameterCount: number;
}

export interface EngineEventMap {
    loadProgress: {progress: number};
    /** A benchmark warm-up started, or a timed repetition (an agent turn for the workload) ended. */
    benchRepetition: {phase: "warmup" | "measuring"; repetition: number; ns?: number; tokensPerSecond?: number};
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
    | {type: "response"; id: number; ok: false; error: {code: ErrorCode; message: string}}
    | {[E in keyof EngineEventMap]: {type: "event"; event: E; payload: EngineEventMap[E]}}[keyof EngineEventMap];

export interface EngineHandlerContext {
    signal: AbortSignal;
    emit<E extends keyof EngineEventMap>(event: E, payload: EngineEventMap[E]): void;
}

export type EngineCommandHandlers = {
    [C in EngineCommand]: (arg: EngineCommands[C]["arg"], context: EngineHandlerContext) => Promise<EngineCommands[C]["result"]>;
};
