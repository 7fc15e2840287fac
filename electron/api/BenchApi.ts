import type {ResolvedModelFile} from "./DownloadsApi.ts";
import type {MachineLoad} from "./ModelsApi.ts";
/**
 * The speed benchmark: llama-bench-grade measurements (prompt processing, generation, time to
 * first token, context depth, an agent-shaped workload) of the user's models, run inside the engine
 * process and stored with everything needed to compare them later. Types only.
 */

export type BenchKvCacheType = "f16" | "q8_0" | "q4_0";

/** Settings one configuration of a run loads its model with (one cell of the settings matrix). */
export interface BenchSettings {
    /** CPU threads for evaluation. */
    threads: number;
    /** Layers offloaded to the GPU: a count, or "max" for all. 0 on machines without a GPU. */
    gpuLayers: number | "max";
    /** Element type of the KV cache (keys and values). */
    kvCacheType: BenchKvCacheType;
    /** Flash attention (llama.cpp needs it for a quantized KV cache). */
    flashAttention: boolean;
}

/** The matrix of settings one run measures: every model × every value of every list. */
export interface BenchMatrix {
    /** Default: [the machine's physical cores]. */
    threads?: number[];
    /** Default: [0] without a GPU, ["max"] with one. */
    gpuLayers?: (number | "max")[];
    /** Default ["f16"]. */
    kvCacheTypes?: BenchKvCacheType[];
    /** Default: [false] with an f16 KV cache, [true] with a quantized one. */
    flashAttention?: boolean[];
}

/** The agent-shaped workload: a long system prompt, tool schemas and a source file, then several turns. */
export interface BenchAgentWorkload {
    /** Agent turns (model calls) per repetition. Default 4. 1–20. */
    turns: number;
    /** Tokens the model may generate per turn. Default 64. */
    maxTokensPerTurn: number;
    /** "long": a real coding agent's prompt (about 18,000 characters); "concise": AgentFit's short one. Default "long". */
    systemPrompt: "long" | "concise";
}

/** `bench.start`: what to measure. Every field but `models` has a default. */
export interface BenchStartRequest {
    /** GGUF paths or registered model ids; several (e.g. quantizations of one model) are measured in one run. */
    models: string[];
    /** Prompt tokens of the pp test (llama-bench `-p`). Default 512; 0 skips the pp tests. */
    promptTokens?: number;
    /** Generated tokens of the tg test (llama-bench `-n`). Default 128; 0 skips the tg tests. */
    generatedTokens?: number;
    /** Timed repetitions per test (llama-bench `-r`). Default 5. 1–100. */
    repetitions?: number;
    /** Context depths: tokens already in the context before each pp/tg test (llama-bench `-d`). Default [0]. */
    depths?: number[];
    /** Settings to compare. Default: one configuration (see BenchMatrix). */
    matrix?: BenchMatrix;
    /** Measure time to first token: a prompt of `promptTokens` followed by one generated token. Default true. */
    timeToFirstToken?: boolean;
    /** Run the agent-shaped workload too (true = defaults). Default false. */
    agent?: boolean | Partial<BenchAgentWorkload>;
    /** Context size to load with, tokens. Default: the largest depth + prompt + generation needs, capped at the trained length. */
    contextSize?: number;
    /** Tokens per batch (llama-bench `-b`/`-ub`). Default 512. */
    batchSize?: number;
}

/** The request with every default filled in, as stored with the run. */
export interface BenchSpec {
    models: string[];
    promptTokens: number;
    generatedTokens: number;
    repetitions: number;
    depths: number[];
    matrix: Required<BenchMatrix>;
    timeToFirstToken: boolean;
    agent: BenchAgentWorkload | null;
    /** null: sized per model from the tests (see BenchStartRequest.contextSize). */
    contextSize: number | null;
    batchSize: number;
}

export type BenchRunStatus = "running" | "completed" | "failed" | "cancelled" | "interrupted";

/**
 * Kinds of test: "pp" prompt processing, "tg" generation (llama-bench's), "ttft" a prompt then one
 * generated token, timed to the first token; "agent" one agent turn through the real chat path.
 */
export type BenchTestKind = "pp" | "tg" | "ttft" | "agent";

export type BenchResultStatus = "completed" | "skipped" | "failed" | "cancelled";

/** The engine that measured: what llama.cpp build and binding ran the tests. */
export interface BenchEngineInfo {
    /** node-llama-cpp version, e.g. "3.22.1". */
    nodeLlamaCpp: string;
    /** llama.cpp release node-llama-cpp was built from, e.g. "b6923". */
    llamaCppRelease: string;
    /** llama-bench's `build_number` (the release's number), 0 when unknown. */
    buildNumber: number;
    /** Backend used: "CPU", "CUDA", "Metal", "Vulkan". */
    backend: string;
    /**
     * node-llama-cpp's portable prebuilt binary, or the engine compiled on this machine
     * (`engine.buildBinary`). Absent in runs recorded before it was tracked.
     */
    binary?: "prebuilt" | "local";
    /** CPU brand string (llama-bench `cpu_info`). */
    cpuInfo: string;
    /** GPU names, comma-separated (llama-bench `gpu_info`); "" without a GPU. */
    gpuInfo: string;
}

/** What the benchmark knows about a measured model file. */
export interface BenchModelFacts {
    /** What the run was asked for (a path or a registered id). */
    reference: string;
    path: string;
    fileName: string;
    /** All parts together, bytes. */
    fileBytes: number;
    /** Registered model id, when the file is in the registry. */
    registryId: string | null;
    /** Catalog model id and quantization, when known (they calibrate the recommendations). */
    catalogModelId: string | null;
    quantization: string | null;
    architecture: string;
    /** llama.cpp's description (llama-bench `model_type`), e.g. "llama 1B Q8_0". */
    modelType: string;
    parameterCount: number;
    /** Weight bytes read per generated token (active weights of a mixture of experts). */
    activeBytesPerToken: number;
    trainedContextSize: number;
    /** KV-cache bytes per token of context in f16, and attention FLOPs per prompt token per token of context (they calibrate predictions at a depth). */
    kvBytesPerContextToken?: number;
    attentionFlopsPerContextToken?: number;
}

/** Settings in effect for a result (the matrix cell, resolved by the loaded model). */
export interface BenchResolvedSettings {
    threads: number;
    gpuLayers: number;
    kvCacheType: BenchKvCacheType;
    flashAttention: boolean;
    contextSize: number;
    batchSize: number;
}

/** One agent turn of one repetition. */
export interface BenchAgentTurn {
    repetition: number;
    turn: number;
    /** Prompt tokens of the request; `cachedTokens` of them were reused from the previous turn. */
    promptTokens: number;
    cachedTokens: number;
    generatedTokens: number;
    promptMs: number;
    generationMs: number;
    /** Wall time of the turn (request in, last token out), ms. */
    totalMs: number;
    /** The turn ended in tool calls (else text). */
    toolCalls: number;
}

/**
 * One test of one model and settings: a pp/tg/ttft test at one depth, or the agent workload. Its
 * speed fields follow llama-bench (`avg_ns`, `stddev_ns`, `avg_ts`, `stddev_ts`, `samples_ns`,
 * `samples_ts`); warm-up repetitions are never in the samples.
 */
export interface BenchResult {
    id: number;
    runId: number;
    /** Order within the run. */
    seq: number;
    /** Index of the configuration (model × settings) within the run. */
    configuration: number;
    model: BenchModelFacts;
    /** The matrix cell asked for. */
    requested: BenchSettings;
    /** Settings in effect; null when the model was never loaded (skipped, failed load). */
    settings: BenchResolvedSettings | null;
    kind: BenchTestKind;
    /** Prompt tokens per repetition (llama-bench `n_prompt`); for "agent", mean prompt tokens per turn. */
    promptTokens: number;
    /** Generated tokens per repetition (llama-bench `n_gen`); for "agent", the per-turn limit. */
    generatedTokens: number;
    /** Tokens in the context before the timed part (llama-bench `n_depth`). */
    depth: number;
    status: BenchResultStatus;
    /** Why the test was skipped or failed (e.g. MODEL_DOES_NOT_FIT, DEPTH_EXCEEDS_CONTEXT, MODEL_LOAD_FAILED). */
    reason: {code: string; message: string} | null;
    /**
     * Wall time of each timed repetition, ns. For "agent", one sample per agent turn (all
     * repetitions' turns in order).
     */
    samplesNs: number[];
    /** Tokens/s of each sample: (prompt + generated) / time; for "agent", generated tokens / generation time of the turn. */
    samplesTs: number[];
    avgNs: number | null;
    stddevNs: number | null;
    avgTs: number | null;
    stddevTs: number | null;
    /** "ttft": time to first token per repetition, ms. Empty otherwise. */
    timeToFirstTokenMs: number[];
    /** "agent": every turn. Empty otherwise. */
    agentTurns: BenchAgentTurn[];
    /** ISO 8601 when the test ended. */
    measuredAt: string;
    /** How busy other processes kept the CPU during the test (pp, tg and TTFT tests; absent in older results). */
    load?: MachineLoad;
    /** How steady the repetitions were, and whether the test was re-run for it (pp, tg and TTFT tests; absent in older results). */
    noise?: BenchNoise;
}

/**
 * A test's repetition spread against the bound it is held to. A test above the bound is re-run (a
 * bounded number of times) and the steadiest attempt kept; one still above it is "noisy": shown with
 * a warning and kept out of the speed calibration.
 */
export interface BenchNoise {
    /** Sample standard deviation ÷ mean of the kept attempt's repetitions (0.04 = 4 %). */
    spread: number;
    /** The spread above which a test counts as noisy. */
    bound: number;
    /** Attempts made (1 when the first was steady enough). */
    attempts: number;
    noisy: boolean;
}

/** Live progress of a run. */
export interface BenchProgress {
    /** Tests finished (completed, skipped or failed) and planned in total. */
    testsDone: number;
    testsTotal: number;
    /** The test being measured, if any. */
    current: {
        configuration: number;
        modelFile: string;
        settings: BenchSettings;
        kind: BenchTestKind;
        depth: number;
        /** "loading" the model, "warmup", or "measuring" repetition `repetition` of `repetitions`. */
        phase: "loading" | "warmup" | "measuring";
        repetition: number;
        repetitions: number;
        /** Tokens/s of the repetition that just ended (generated tokens/s of the last turn for "agent"). */
        lastTokensPerSecond?: number;
    } | null;
}

/** A benchmark run: its spec, status, machine, engine and results. */
export interface BenchRun {
    id: number;
    /** ISO 8601. */
    createdAt: string;
    completedAt: string | null;
    status: BenchRunStatus;
    spec: BenchSpec;
    /** The file each of `spec.models` resolved to, in the same order (runs before this was recorded: none). */
    modelFiles: ResolvedModelFile[];
    /** The hardware snapshot taken at the start of the run. */
    hardwareSnapshotId: number | null;
    /** Identifies the machine (see HardwareProfile.hardwareKey). */
    hardwareKey: string | null;
    appVersion: string;
    engine: BenchEngineInfo | null;
    /** Why the run failed, when it did. */
    error: {code: string; message: string} | null;
    progress: BenchProgress;
    /** A LocalScore-style summary per configuration with pp, tg and ttft results; null until measured. */
    scores: BenchScore[];
}

/** LocalScore-style score of one configuration: 10 × cbrt(pp tok/s × tg tok/s × 1000 / TTFT ms). */
export interface BenchScore {
    configuration: number;
    modelFile: string;
    settings: BenchSettings;
    promptTokensPerSecond: number;
    generationTokensPerSecond: number;
    timeToFirstTokenMs: number;
    score: number;
}

/** A run with its results, for the results table and exports. */
export interface BenchRunDetail extends BenchRun {
    results: BenchResult[];
}

/** One entry of a llama-bench `-o json` array, plus AgentFit's extra fields (prefixed `agentfit_`). */
export interface LlamaBenchJsonEntry {
    build_commit: string;
    build_number: number;
    cpu_info: string;
    gpu_info: string;
    backends: string;
    model_filename: string;
    model_type: string;
    model_size: number;
    model_n_params: number;
    n_batch: number;
    n_ubatch: number;
    n_threads: number;
    cpu_mask: string;
    cpu_strict: boolean;
    poll: number;
    type_k: string;
    type_v: string;
    n_gpu_layers: number;
    n_cpu_moe: number;
    split_mode: string;
    main_gpu: number;
    no_kv_offload: boolean;
    flash_attn: number;
    devices: string;
    tensor_split: string;
    tensor_buft_overrides: string;
    load_mode: string;
    lazy_mode: string;
    embeddings: boolean;
    no_op_offload: number;
    no_host: boolean;
    fit_target: number;
    fit_min_ctx: number;
    n_prompt: number;
    n_gen: number;
    n_depth: number;
    test_time: string;
    avg_ns: number;
    stddev_ns: number;
    avg_ts: number;
    stddev_ts: number;
    samples_ns: number[];
    samples_ts: number[];
    agentfit_run_id: number;
    agentfit_result_id: number;
    agentfit_test: BenchTestKind;
    agentfit_status: BenchResultStatus;
    agentfit_reason: string | null;
    agentfit_model_reference: string;
    agentfit_quantization: string | null;
    agentfit_catalog_model_id: string | null;
    agentfit_context_size: number | null;
    agentfit_ttft_ms: number[];
    agentfit_agent_turns: BenchAgentTurn[];
    agentfit_hardware_snapshot_id: number | null;
    agentfit_hardware_key: string | null;
    agentfit_engine: string;
    agentfit_app_version: string;
}

/**
 * The latest measurement of one model file with one settings combination and test shape on one
 * machine: what a verdict or a recommendation reads.
 */
export interface BenchLatestResult {
    result: BenchResult;
    runId: number;
    hardwareSnapshotId: number | null;
    hardwareKey: string | null;
    engine: BenchEngineInfo | null;
}

export interface BenchLatestQuery {
    /** Only this model file (path) or registered id. */
    model?: string;
    /** Only results of this machine. */
    hardwareKey?: string;
    /** Only these kinds. Default all. */
    kinds?: BenchTestKind[];
}

export interface BenchApi {
    /** Starts a run in the background and returns it (status "running"); progress arrives as events. Refuses bad input before starting. */
    "bench.start": (arg: BenchStartRequest) => Promise<BenchRun>;
    /**
     * Starts the short benchmark that calibrates speed predictions per weight type (`agentfit calibrate`):
     * the given models, or the largest registered model of each weight type (256 MB or more).
     */
    "bench.calibrate": (arg: {models?: string[]}) => Promise<BenchRun>;
    /** Cancels a running run; the test in flight is recorded as cancelled and the run is marked cancelled. */
    "bench.cancel": (arg: {runId: number}) => Promise<BenchRun>;
    /** Runs, newest first. */
    "bench.runs": (arg: {limit?: number}) => Promise<BenchRun[]>;
    /** One run with all its results. */
    "bench.run": (arg: {runId: number}) => Promise<BenchRunDetail>;
    /** The newest completed result per model file × settings × test shape (optionally filtered). */
    "bench.latest": (arg: BenchLatestQuery) => Promise<BenchLatestResult[]>;
    /** A run as a llama-bench `-o json` array (completed results), plus `agentfit_` fields. */
    "bench.exportJson": (arg: {runId: number; includeSkipped?: boolean}) => Promise<LlamaBenchJsonEntry[]>;
}

export interface BenchEvents {
    /** A run's status or progress changed (also after each repetition). */
    "bench.progress": BenchRun;
    /** A test finished (completed, skipped, failed or cancelled). */
    "bench.result": BenchResult;
}
