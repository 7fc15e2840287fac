/**
 * Serving: the supervised engine process that owns node-llama-cpp and the loaded model, and the
 * OpenAI-compatible HTTP server it runs. Types only.
 */

/** How a model is loaded. Every field is optional; defaults are shown per field. */
export interface LocalModelSettings {
    /** Context window in tokens, shared by all parallel sequences. Default: 32768 (what a coding agent needs), capped at the model's trained length. */
    contextSize?: number;
    /** Layers offloaded to the GPU: "auto" (as many as fit), "max" (all), or a count. Default "auto"; always 0 without a GPU. */
    gpuLayers?: "auto" | "max" | number;
    /** Flash attention. Default: off with an f16 KV cache, on with a quantized one (llama.cpp needs it there). */
    flashAttention?: boolean;
    /** Element type of the KV cache (keys and values). Default "f16"; q8_0 halves it, q4_0 quarters it. */
    kvCacheType?: "f16" | "q8_0" | "q4_0";
    /**
     * CPU threads for evaluation. Default: the machine's physical cores less those other processes
     * keep busy when the model loads (at least 1; see defaultThreadCount).
     */
    threads?: number;
    /** Tokens evaluated per batch. Default: node-llama-cpp's (512). */
    batchSize?: number;
    /** Requests served at once (context sequences); the rest wait in a queue. Default 1. */
    parallel?: number;
}

/** What `ensure` gives a caller that wants to reach a local model through the OpenAI-compatible API. */
export interface LocalModelEndpoint {
    /** e.g. "http://127.0.0.1:8723/v1" (always ends with /v1). */
    baseUrl: string;
    /** Bearer key to send, when the server requires one. */
    apiKey?: string;
    /** The id to send as `model`. */
    model: string;
}

/** The contract other domains (the eval harness) use to reach local models. */
export interface LocalModelEndpoints {
    /**
     * Loads the model (path or registered id) with these settings unless already loaded so, starts the
     * OpenAI-compatible server if needed, and returns how to reach it.
     */
    ensure(
        request: {model: string; settings?: LocalModelSettings},
        options?: {signal?: AbortSignal; onProgress?: (p: {phase: string; progress?: number}) => void}
    ): Promise<LocalModelEndpoint>;
    /**
     * Checks a model reference without loading it, so callers can refuse work before queueing it:
     * returns the file that would be loaded, or throws MODEL_NOT_FOUND / MODEL_INVALID naming what is
     * available. Optional: endpoints that cannot tell (remote ones) leave it out.
     */
    locate?(model: string): string;
}

/** Where and how the OpenAI-compatible server listens. */
export interface ServerSettings {
    /** Interface to bind. Default "127.0.0.1" (this machine only). */
    host?: string;
    /** TCP port; 0 picks a free one. Default 8723. */
    port?: number;
    /** When set, every /v1 request must send `Authorization: Bearer <apiKey>`. Default: none. */
    apiKey?: string;
    /** Origins allowed to call the API from a browser ("*" for any). Default: none (no CORS). */
    corsOrigins?: string[];
    /** Largest accepted request body, bytes. Default 32 MiB (agents send long conversations). */
    bodyLimitBytes?: number;
}

/** Memory the loaded model really takes, measured in the engine process after a warm-up evaluation. */
export interface MeasuredMemory {
    /**
     * Memory the load added to the engine process, bytes. On Linux with mmap'd weights on the CPU: the
     * anonymous memory it allocated and touched (KV cache, repacked weights, buffers, tokenizer) plus
     * the mapped weights every token reads; elsewhere the resident-set growth.
     */
    residentBytes: number;
    /** GPU memory the load took, bytes (0 on CPU). */
    vramBytes: number;
    /** The engine process's resident memory before and after, bytes. */
    rssBeforeBytes: number;
    rssAfterBytes: number;
    /** Size of the weights in memory as llama.cpp reports it, bytes. */
    modelBytes: number;
    /** The estimate of the same figure right after loading (AgentFit's for CPU loads, else node-llama-cpp's), bytes. */
    estimatedRamBytes: number;
    /** The estimate once prompts have filled the context (compute workspace at full depth), bytes; what the fit counts. */
    estimatedPeakRamBytes?: number;
    /** Whose estimate: AgentFit's arithmetic (CPU loads) or node-llama-cpp's (GPU offload). */
    estimatedBy?: "agentfit" | "node-llama-cpp";
    estimatedVramBytes: number;
}

/** The served context against the model's trained one, when they differ in a way the user should know. */
export interface ContextLimit {
    /**
     * "capped": no context was asked for and the agent default (32768) is beyond the trained length,
     * so the engine serves the trained length; "beyond-trained": a context beyond the trained length
     * was asked for and is served as asked (llama.cpp allows it; quality past the trained length may drop).
     */
    action: "capped" | "beyond-trained";
    /** The context asked for, or the default when none was, tokens. */
    requested: number;
    trained: number;
    /** The context served, tokens. */
    applied: number;
    /** One sentence saying which and what it means. */
    message: string;
}

/** The model as loaded, with its resolved settings. */
export interface LoadedModel {
    /** The id clients send as `model`: the file name without ".gguf". */
    id: string;
    /** What the caller asked for (a path or a registered id). */
    reference: string;
    path: string;
    fileBytes: number;
    architecture: string;
    /** Trained context length of the model, tokens. */
    trainedContextSize: number;
    /** Set when the served context was capped at the trained length, or goes beyond it; null otherwise. */
    contextLimit: ContextLimit | null;
    /** Quantization of the file from its header ("Q4_K_M"), null when unknown. */
    quantization: string | null;
    /** Settings actually in effect (defaults filled in, "auto" resolved). */
    settings: Required<Omit<LocalModelSettings, "gpuLayers">> & {gpuLayers: number};
    loadMs: number;
    memory: MeasuredMemory;
    /** Store id of the recorded load. */
    loadId: number;
    /** The llama.cpp binary serving it: node-llama-cpp's portable prebuilt one, or the one built on this machine. */
    binary: EngineBinaryKind;
}

/** Live counters of the OpenAI-compatible server since the model was loaded. */
export interface EngineMetrics {
    requestsTotal: number;
    requestsFailed: number;
    /** Requests whose client went away before the end (their generation was stopped). */
    requestsCancelled: number;
    /** Requests generating now. */
    active: number;
    /** Requests waiting for a free sequence. */
    queued: number;
    promptTokensTotal: number;
    /** Prompt tokens served from a sequence's cache instead of being evaluated. */
    cachedTokensTotal: number;
    completionTokensTotal: number;
    /** Generation speed of the most recent request, tokens/s (null before the first). */
    lastTokensPerSecond: number | null;
    /** Prompt evaluation speed of the most recent request, tokens/s. */
    lastPromptTokensPerSecond: number | null;
}

/** One request the model server answered: the server's request log (`engine.request` events, `agentfit serve`'s output, `--request-log`). */
export interface ServedRequest {
    /** When it arrived, ISO 8601. */
    at: string;
    method: string;
    /** Without the query string, e.g. "/v1/messages". */
    path: string;
    /** The HTTP status sent (200 for a stream, even when it later ended with an error event); 499 when the client left first. */
    status: number;
    durationMs: number;
    /** Answered as a Server-Sent Events stream. */
    stream: boolean;
    /** What the generation read and wrote (cached is part of prompt); null when nothing was generated. */
    usage: {promptTokens: number; cachedTokens: number; completionTokens: number} | null;
    /** Parts of the request accepted but not acted on, e.g. hosted tools a local model is not offered. */
    notes: string[];
}

/** "restarting": the engine died while serving and the app starts it again after a pause (EngineStatus.restarts). */
export type EngineState = "stopped" | "starting" | "loading" | "ready" | "failed" | "crashed" | "restarting";

/** Why the engine process ended when nobody asked it to. */
export interface EngineCrash {
    /** ISO 8601. */
    at: string;
    exitCode: number | null;
    signal: string | null;
    /** The kernel's evidence says memory ran out (its log names the process, or its OOM-kill count rose meanwhile). */
    outOfMemory: boolean;
    /** One line for people, e.g. "The engine process was killed (SIGKILL)" or "…exited with code 134: GGML_ASSERT…". */
    reason: string;
    /** The last lines the engine wrote to stderr. */
    stderrTail: string[];
}

export interface EngineStatus {
    state: EngineState;
    /** Engine process id while it runs. */
    pid: number | null;
    /** Load progress 0–1 while state is "loading". */
    loadProgress: number | null;
    model: LoadedModel | null;
    /**
     * The model server, while it listens. `apiKeyGenerated`: bound beyond loopback without a key, so
     * the engine made `apiKey` (clients must send it).
     */
    server: {baseUrl: string; host: string; port: number; apiKey: string | null; apiKeyGenerated: boolean; corsOrigins: string[]} | null;
    metrics: EngineMetrics | null;
    /** The last failure (a load that failed, a bad setting), cleared by the next success. */
    error: {code: string; message: string} | null;
    /** The last unexpected death of the engine process; kept through automatic restarts, cleared by a start or stop. */
    crash: EngineCrash | null;
    /** The app's automatic restarts of an engine that died while serving. */
    restarts: EngineRestarts;
}

/**
 * After the engine dies while serving, the app starts it again with the same model and settings
 * behind the same port, after a growing pause (1 s, 5 s, 30 s), up to 3 times in 5 minutes. It does
 * not when the user stopped it, or when the kernel's evidence says it ran out of memory (it would again).
 */
export interface EngineRestarts {
    /** Automatic restarts that brought the engine back since the user last started serving. */
    count: number;
    /** While a restart is due or loading: attempt `attempt` of at most `of`, due at `at` (ISO 8601). */
    pending: {attempt: number; of: number; at: string} | null;
    /** Why the app stopped restarting the engine (too many crashes, out of memory, a restart that failed); cleared by a start or stop. */
    gaveUp: string | null;
}

/** A GGUF file under the models folder, offered by the Serve screen's picker. */
export interface LocalModelFile {
    path: string;
    /** The registered model's id, or the path relative to the models folder for an unregistered file. */
    name: string;
    /** All files of the model together. */
    bytes: number;
    /** Set when the model is in the registry (downloaded or imported). */
    modelId?: string;
}

/** One recorded model load (also failed ones), for the recommendations' accuracy check. */
export interface ModelLoadRecord {
    id: number;
    /** ISO 8601. */
    loadedAt: string;
    modelPath: string;
    fileBytes: number;
    settings: LoadedModel["settings"] | null;
    outcome: "loaded" | "failed";
    loadMs: number | null;
    memory: MeasuredMemory | null;
    error: {code: string; message: string} | null;
    /** The hardware snapshot current at load time, if any. */
    hardwareSnapshotId: number | null;
}

export type EngineBinaryKind = "prebuilt" | "local";

/** The engine compiled on this machine (node-llama-cpp's `source download`, CPU only). */
export interface LocalEngineBuild {
    /** Folder of the build inside node-llama-cpp's package. */
    folder: string;
    /** ISO 8601. */
    builtAt: string;
    /** llama.cpp release it was compiled from, e.g. "v0.5.0" (node-llama-cpp's tag of its bundle). */
    llamaCppRelease: string;
    /** Compiled for this CPU (`-march=native`). */
    native: boolean;
    /** Uses OpenMP's thread pool (the prebuilt binaries do not). */
    openmp: boolean;
    /** The C++ compiler, e.g. "c++". */
    compiler: string | null;
    /** Size of the binaries, bytes. */
    bytes: number;
}

export interface EngineBuildRequirement {
    name: string;
    ok: boolean;
    /** A required one that is missing makes building impossible; the others only need internet. */
    required: boolean;
    /** The version found, or what to do about it. */
    detail: string;
}

export interface EngineBuildJob {
    state: "running" | "completed" | "failed" | "cancelled";
    /** Verifying: the finished build loads in a throwaway process before it is put in place. */
    phase: "preparing" | "compiling" | "verifying" | "done";
    /** 0–1 while compiling (the build tool's step count), null before. */
    progress: number | null;
    /** ISO 8601. */
    startedAt: string;
    finishedAt: string | null;
    /** The build's last output lines. */
    logTail: string[];
    error: {code: string; message: string} | null;
    /** What the verified build reported about itself (llama.cpp's system info: CPU features, OpenMP), once verified. */
    systemInfo: string | null;
}

/** Where the offer to build the engine is shown; each place remembers its own dismissal. */
export type EngineBuildOfferSurface = "app" | "cli";

/**
 * The offer to compile the engine for this CPU, made while models load with the prebuilt binary
 * and no build runs: to build ("build"), or what to install first ("install").
 */
export interface EngineBuildOffer {
    kind: "build" | "install";
    /** Why, from measurements (docs/benchmark.md). */
    reason: string;
    /** Why in one line with the measured figures, lower-case so it can follow a title: "steadier, faster measurements: …". */
    summary: string;
    /** How long it should take here: an estimate from measured builds, scaled by this machine's cores. */
    estimate: {lowMinutes: number; highMinutes: number; basis: string};
    /** Disk space the source and the build take, bytes (measured; the finished binaries are smaller). */
    diskBytes: number;
    /** Required tools that are missing, each saying what to install ("install" offers). */
    missing: EngineBuildRequirement[];
    /** When each place dismissed it (the CLI after showing it once); ISO 8601 or null. */
    dismissedAt: Record<EngineBuildOfferSurface, string | null>;
}

/** Which llama.cpp binary the engine uses, and building one for this machine. */
export interface EngineBinaryStatus {
    /** What the next engine process loads: the local build when a complete one exists. */
    next: EngineBinaryKind;
    /** What the running engine process loaded; null when none runs or it loaded nothing yet. */
    running: EngineBinaryKind | null;
    local: LocalEngineBuild | null;
    requirements: EngineBuildRequirement[];
    /** Every required requirement is met. */
    canBuild: boolean;
    /** The running or last build of this session. */
    build: EngineBuildJob | null;
    /** Null once a local build exists or while one runs. */
    offer: EngineBuildOffer | null;
}

export interface EngineStartRequest {
    /** A GGUF path, or a registered model id. */
    model: string;
    settings?: LocalModelSettings;
    server?: ServerSettings;
}

export interface EngineApi {
    "engine.status": (arg: Record<string, never>) => Promise<EngineStatus>;
    /** Starts the engine process if needed, loads the model (unless loaded with the same settings) and starts the server. */
    "engine.start": (arg: EngineStartRequest) => Promise<EngineStatus>;
    /** Stops the server, unloads the model and ends the engine process. */
    "engine.stop": (arg: Record<string, never>) => Promise<EngineStatus>;
    /** GGUF files under the models folder. */
    "engine.localModels": (arg: Record<string, never>) => Promise<LocalModelFile[]>;
    /** Recorded loads, newest first. */
    "engine.loads": (arg: {limit?: number}) => Promise<ModelLoadRecord[]>;
    /** Which binary the engine uses and whether one can be built here. */
    "engine.binary": (arg: Record<string, never>) => Promise<EngineBinaryStatus>;
    /**
     * Starts compiling the engine for this machine's CPU (minutes) in a folder of its own; follow it
     * with `engine.binary` events. Everything keeps working meanwhile on the binary in use. When the
     * build completes it is loaded once in a throwaway process, then put in place: an idle engine
     * process is ended, and a busy one (serving, benchmarking) switches at its next model load.
     * ENGINE_BUILD_BUSY while a build runs (here or in another AgentFit process),
     * ENGINE_BUILD_UNAVAILABLE when a requirement is missing.
     */
    "engine.buildBinary": (arg: Record<string, never>) => Promise<EngineBinaryStatus>;
    /** Remembers (in SQLite) that the offer to build was dismissed in the app, or shown once in the CLI. */
    "engine.dismissBuildOffer": (arg: {surface: EngineBuildOfferSurface}) => Promise<EngineBinaryStatus>;
    /** Stops a running build; nothing half-built is left and the binary in use stays. */
    "engine.cancelBuild": (arg: Record<string, never>) => Promise<EngineBinaryStatus>;
    /** Deletes the local build (and its source); the engine goes back to the prebuilt binaries. */
    "engine.removeLocalBinary": (arg: Record<string, never>) => Promise<EngineBinaryStatus>;
}

export interface EngineEvents {
    /** Any change of state, model, server, error or crash; also load progress. */
    "engine.status": EngineStatus;
    /** Server counters, about once a second while requests run. */
    "engine.metrics": EngineMetrics;
    /** Each request the model server answered, as it ends. */
    "engine.request": ServedRequest;
    /** A build's progress and end, a removal. */
    "engine.binary": EngineBinaryStatus;
}
