import type {GgufFacts} from "./GgufFacts.ts";
import type {LevelLegendEntry, VerdictCriterion, VerdictLevel, VerdictThresholds} from "./VerdictApi.ts";

/** How a model can call tools: a format it was trained on, only through prompting, or not at all. */
export type ToolCallingSupport = "native" | "prompted" | "none";

/** KV-cache element type (llama.cpp `--cache-type-k/v`). Quantized types need flash attention. */
export type KvCacheType = "f16" | "q8_0" | "q4_0";

/** The architecture facts a memory and speed estimate needs. */
export interface ModelArchitecture {
    /** `general.architecture` of the GGUF, e.g. "qwen2", "qwen3moe", "gemma3". */
    ggufArchitecture: string;
    parameters: number;
    /** Parameters used per token (mixture of experts); null for dense models. */
    activeParameters: number | null;
    /** Transformer blocks. */
    layers: number;
    embeddingLength: number;
    headCount: number;
    headCountKv: number;
    /** Per-head dimension of keys and values. */
    headDim: number;
    /** Trained context in tokens. */
    contextLength: number;
    contextNote?: string;
    /** Sliding-window attention size in tokens, or null. */
    slidingWindow: number | null;
    /** Layers that attend only within the sliding window (their KV cache is window-sized). */
    slidingWindowLayers: number;
    /** Layers that keep a KV cache (fewer than `layers` in hybrid recurrent models). */
    kvLayers: number;
    kvNote?: string;
    experts: number | null;
    expertsUsed: number | null;
    vocabularySize: number;
    /** Feed-forward width a token passes through: the dense intermediate size, or experts used × expert width. */
    feedForwardLength: number;
    /** Fields taken from secondary sources that `refresh` or a GGUF header should confirm. */
    unverified?: string[];
}

/** One quantization of a catalog model: the file(s) to download and their size. */
export interface CatalogQuantization {
    /** "Q4_K_M", "Q8_0", "BF16", "MXFP4"… */
    quantization: string;
    /** File names in the repository: one file, or every part of a split GGUF, in order. */
    files: string[];
    /** Total bytes of all files. */
    sizeBytes: number;
    /** Where the size comes from: a published listing, the Hugging Face API, or an estimate. */
    sizeSource: string;
    /** True when `sizeBytes` is an estimate (parameters × bits per weight), not a published size. */
    sizeEstimated: boolean;
    /** SHA-256 (hex) of a single-file model, when known (the Hugging Face API gives it). */
    sha256?: string;
    fileNote?: string;
    /** ISO time of the last successful refresh from the Hugging Face API, if any. */
    refreshedAt?: string;
}

/** A published result of the refactor evaluation (docs/FACTS.md §1). */
export interface PublishedEval {
    name: string;
    correct: number;
    runs: number;
    accuracy: number;
    /** "2025-12". */
    date: string;
    setup: string;
    source: string;
}

export interface CatalogModel {
    /** Stable id used by the CLI and downloads, e.g. "qwen2.5-coder-7b-instruct". */
    id: string;
    name: string;
    family: string;
    publisher: string;
    released: string;
    /** The original (unquantized) model repository. */
    baseRepo: string;
    /** The repository the GGUF files come from. */
    huggingFaceRepo: string;
    license: string;
    toolCalling: ToolCallingSupport;
    toolCallingNote: string;
    architecture: ModelArchitecture;
    /**
     * AgentFit's curated prior of how well the model drives a coding agent, 0–100, with its basis.
     * Published eval results dominate it; it ranks models before the user measures them.
     */
    capability: {score: number; basis: string};
    evals: PublishedEval[];
    /** Where each fact came from. */
    sources: Record<string, string>;
    defaultQuantization: string;
    quantizations: CatalogQuantization[];
}

/** The machine an estimate is for: this one (from the latest probe), a preset, or overrides. */
export interface HardwareProfile {
    /** "this machine (probe #12)", "MacBook Air M2 16 GB", "custom". */
    label: string;
    /** Identifies this machine for calibration from measured speeds; null for what-if profiles. */
    hardwareKey: string | null;
    backend: "metal" | "cuda" | "vulkan" | "cpu";
    ramBytes: number;
    /** RAM kept free for the OS and other apps; the rest is what models may use. */
    ramReserveBytes: number;
    gpuName: string | null;
    /** VRAM a model may use: dedicated VRAM, or the GPU's share of unified memory. 0 without a GPU. */
    vramBytes: number;
    unifiedMemory: boolean;
    /** Memory bandwidth of system RAM (the CPU's path), bytes per second. */
    cpuBandwidthBytesPerSecond: number;
    /** Memory bandwidth of the GPU, bytes per second (0 without a GPU). */
    gpuBandwidthBytesPerSecond: number;
    /** Where each bandwidth came from ("table: Apple M2", "measured 2026-11-26", "override"). */
    bandwidthSource: string;
    /** Whether the bandwidth is a measured (achievable) figure or a theoretical peak from a table. */
    bandwidthKind: "measured" | "peak";
    /**
     * True when the bandwidth used was measured while other processes kept the machine busy (no quiet
     * measurement exists yet for this machine): predictions may be too low, and say so.
     */
    bandwidthUnderLoad: boolean;
    /** The measurement behind a measured bandwidth (rounds, spread, load), or null. */
    bandwidthMeasurement: BandwidthMeasurement | null;
    cpuThreads: number;
    /** Peak dense compute of the CPU path, FLOP/s (for prompt processing). */
    cpuFlops: number;
    gpuFlops: number;
}

/** What a caller may override to ask "what if" about another machine. Sizes accept "16GB" strings. */
export interface HardwareOverrides {
    /** A preset id from `models.presets`, applied first. */
    preset?: string;
    /** Total RAM: bytes or a size string such as "16GB". */
    ram?: number | string;
    /** Usable VRAM: bytes or a size string; 0 means no GPU; "auto" takes it from the GPU table (or the unified-memory share). */
    vram?: number | string;
    /** A GPU or Apple chip name from the bandwidth table, e.g. "RTX 4060 Laptop", "Apple M2". */
    gpu?: string;
    /** Memory bandwidth in GB/s (10⁹ bytes per second) for the path that holds the model. */
    bandwidthGBps?: number;
    /** RAM to keep free for the OS: bytes or a size string. Default max(2 GiB, 12.5 % of RAM). */
    ramReserve?: number | string;
}

export interface WhatIfPreset {
    id: string;
    label: string;
    description: string;
    overrides: Required<Pick<HardwareOverrides, "ram" | "vram">> & HardwareOverrides;
}

/** A data-center GPU as its vendor's spec sheet states it. */
export interface ServerGpu {
    id: string;
    name: string;
    vramGB: number;
    /** Peak memory bandwidth, GB/s (10⁹ bytes per second). */
    bandwidthGBps: number;
    /** Dense FP16 tensor throughput, TFLOP/s. */
    fp16Tflops: number;
    /** Where the figures come from. */
    source: string;
}

/** A server (one or several GPUs of one type) for the "which server would I need" what-if. */
export interface ServerPreset {
    /** e.g. "1x-l4", "8x-h100-80gb". */
    id: string;
    label: string;
    gpuId: string;
    gpuCount: number;
    /** All GPUs together, GB. */
    vramGB: number;
    /** One GPU's bandwidth (layers split across GPUs run one after another), GB/s. */
    bandwidthGBps: number;
    hostRamGiB: number;
    description: string;
}

/** One preset weighed for one model and quantization at the agent context. */
export interface ServerCandidate {
    preset: ServerPreset;
    option: QuantizationOption;
    /** Fits entirely in VRAM and the prediction passes the Verdict's thresholds (generation at the agent's depth, time per turn). */
    usable: boolean;
    /** Why not, when it is not. */
    reason: string | null;
}

/** `models.smallestServer`: the presets, smallest first, and the first one on which the model is usable. */
export interface SmallestServerReport {
    model: CatalogModel;
    quantization: string;
    contextSize: number;
    /** The Verdict's generation threshold the presets were judged against, tok/s. */
    usableGenerationTps: number;
    candidates: ServerCandidate[];
    /** Id of the smallest usable preset; null when none is. */
    smallest: string | null;
    /** Server benchmarks (endpoint runs labelled with a GPU type) that calibrated the predictions, per GPU id. */
    calibratedBy: Record<string, number[]>;
}

/** Settings of a fit estimate: what the agent will run with. */
export interface FitSettings {
    /** Context in tokens. Default 32768 (what a coding agent needs). */
    contextSize?: number;
    /** KV-cache type. Default "f16". */
    kvCacheType?: KvCacheType;
    /** Flash attention. Default true where the backend supports it (it always does in the bundled llama.cpp). */
    flashAttention?: boolean;
}

export type FitClass = "gpu-full" | "gpu-partial" | "cpu-only" | "no-fit";

export interface MemoryPart {
    /** "weights", "kv-cache", "compute", "overhead". */
    kind: "weights" | "kv-cache" | "compute" | "overhead";
    label: string;
    ramBytes: number;
    vramBytes: number;
}

export interface FitEstimate {
    fitClass: FitClass;
    /** Layers (of `totalLayers`, output layer included) offloaded to the GPU. */
    gpuLayers: number;
    totalLayers: number;
    parts: MemoryPart[];
    ramNeededBytes: number;
    vramNeededBytes: number;
    /** RAM models may use (total minus the reserve). */
    ramCapacityBytes: number;
    vramCapacityBytes: number;
    /** Capacity left after the model, on the tighter of RAM and VRAM (negative when it does not fit). */
    headroomBytes: number;
    /** Fits, but with less than 10 % of capacity to spare. */
    tight: boolean;
    /** Settings after adjustment (a quantized KV cache forces flash attention on). */
    settings: Required<FitSettings>;
    notes: string[];
    /** "AgentFit arithmetic" or "node-llama-cpp configuration resolver". */
    method: string;
}

export interface SpeedPrediction {
    /** Always true: these numbers are predictions until a benchmark measures them. */
    predicted: true;
    /** Generation tokens/s at an empty context. */
    generationTokensPerSecond: number;
    /** Generation tokens/s at `depth` tokens of context (half the agent context). */
    generationAtDepthTokensPerSecond: number;
    depth: number;
    promptTokensPerSecond: number;
    /** Seconds to read an 8k-token agent prompt (system prompt, tools, files) before the first token. */
    agentPromptSeconds: number;
    /**
     * Predicted time per agent turn, seconds: the mean over a session whose first turn reads the whole
     * agent prompt cold and whose later turns read only new tokens (`describeAgentTurn` in
     * electron/shared/agentTurn.ts); what "time per agent turn" is judged on.
     */
    agentTurnSeconds: number;
    /** The first turn of that session alone (agent prompt read cold, then the reply), seconds. */
    firstTurnSeconds: number;
    /** Each later turn of that session (new tokens, then the reply), seconds. */
    laterTurnSeconds: number;
    bytesPerToken: number;
    /** One line: how the number was derived. */
    basis: string;
    /** "calibrated on this machine (2026-12-05, Q4_K_M measured)" or "uncalibrated estimate". */
    calibrationLabel: string;
    /** Calibration from measured benchmarks on this machine, when there are any: the factors applied (the weight type's own when it was measured). */
    calibration: {samples: number; generationFactor: number; promptFactor: number; weightType: string | null; measuredAt: string} | null;
    /** A benchmark of this very file on this machine, shown side by side with the prediction. */
    measured: {generationTokensPerSecond: number | null; promptTokensPerSecond: number | null; measuredAt: string} | null;
}

/** A prediction judged with the Verdict's rules: usable, almost, no, or doesn't fit ("untested" never applies: success is not predicted). */
export type PredictedLevel = Exclude<VerdictLevel, "untested">;

export interface QuantizationOption {
    quantization: string;
    sizeBytes: number;
    sizeEstimated: boolean;
    fit: FitEstimate;
    speed: SpeedPrediction;
    /** The prediction judged with the Verdict's thresholds: fit at the agent context, generation at the agent's depth, time per agent turn. */
    verdict: PredictedLevel;
    /** Those three criteria, each with its predicted value, status and rule (source "estimated" for the fit, "predicted" for speeds). */
    criteria: VerdictCriterion[];
    /** Relative quality of the quantization (1 = unquantized), a guide for picking. */
    quality: number;
}

export interface ModelRecommendation {
    rank: number;
    model: CatalogModel;
    /** The best quantization's level ("no-fit" when none fits). */
    verdict: PredictedLevel;
    /** The best quantization for this machine (null when none fits). */
    bestQuantization: string | null;
    best: QuantizationOption | null;
    options: QuantizationOption[];
    /** Plain-language reasons, most important first. */
    reasons: string[];
    /**
     * Set when the pick sits so close to a threshold that a measured bandwidth's run-to-run variation
     * would change it: the pick with the bandwidth `bandwidthChange` lower and higher (only the sides
     * that differ). Null when the pick holds, or the bandwidth is not a measurement.
     */
    closeCall: CloseCall | null;
}

export interface CloseCall {
    /** Relative change of the memory bandwidth tried, e.g. 0.05 for ±5 %. */
    bandwidthChange: number;
    lower: {quantization: string | null; verdict: PredictedLevel} | null;
    higher: {quantization: string | null; verdict: PredictedLevel} | null;
}

/** Context defaults to the Verdict's agent context (`contextSize` threshold); the rules are the Verdict's thresholds. */
export interface RecommendRequest extends FitSettings {
    hardware?: HardwareOverrides;
}

export interface RecommendationReport {
    hardware: HardwareProfile;
    settings: Required<FitSettings>;
    /** The Verdict's thresholds the predictions were judged with (stored in SQLite, editable there). */
    thresholds: VerdictThresholds;
    /** What each level means under those thresholds. */
    legend: LevelLegendEntry[];
    /** How the predicted agent turn is defined (one sentence). */
    agentTurn: string;
    /** The answer in one sentence. */
    summary: string;
    /** The top pick's id: the best-ranked model predicted usable, else almost; null when neither. */
    topPick: string | null;
    models: ModelRecommendation[];
    generatedAt: string;
}

export interface FitRequest extends FitSettings {
    /** "qwen2.5-coder-7b-instruct" or "qwen2.5-coder-7b-instruct:Q4_K_M". */
    model: string;
    hardware?: HardwareOverrides;
}

export interface FitReport {
    hardware: HardwareProfile;
    model: CatalogModel;
    option: QuantizationOption;
}

export interface InspectRequest extends FitSettings {
    /** A local .gguf path, an http(s) URL, or `hf:user/repo:quant` / `hf:user/repo/file.gguf`. */
    source: string;
    hardware?: HardwareOverrides;
}

export interface InspectReport {
    facts: GgufFacts;
    /** The file's one name: the file name without extension (`facts.name`, the GGUF's `general.name`, is a detail). */
    name: string;
    hardware: HardwareProfile;
    fit: FitEstimate;
    speed: SpeedPrediction;
    /** The prediction judged with the Verdict's thresholds, as `recommend` judges a quantization. */
    verdict: PredictedLevel;
    criteria: VerdictCriterion[];
    /** node-llama-cpp's own resolver on the same file (local files only), as a second opinion. */
    resolver: FitEstimate | null;
    /** The catalog entry with the same architecture and size, if any. */
    catalogMatch: {modelId: string; quantization: string} | null;
}

/** How busy other processes kept the CPU during a measurement. */
export interface MachineLoad {
    /** Average number of cores other processes kept busy (all cores' busy time minus AgentFit's own). */
    otherBusyCores: number;
    cores: number;
    /** The 1-minute load average at the end (null where the OS has none). */
    loadAverage1m: number | null;
    /** Whether that load makes the measurement "under load" (other processes used ≥ 15 % of the cores, at least ¼ core). */
    busy: boolean;
}

export interface BandwidthMeasurement {
    hardwareKey: string;
    /** The figure: median of the rounds, bytes read plus written per second over all threads. */
    bytesPerSecond: number;
    threads: number;
    method: string;
    measuredAt: string;
    /** Each round's figure (absent in measurements from before rounds were kept). */
    roundsBytesPerSecond?: number[];
    /** Half the range of the rounds relative to the median (0.05 = ±5 %). */
    spread?: number;
    /** The machine's load meanwhile; absent in old measurements, which count as taken under unknown load. */
    load?: MachineLoad;
}

/** Measured ÷ predicted speed on this machine, overall and per weight type (see `agentfit calibrate`). */
export interface SpeedCalibrationReport {
    hardwareKey: string | null;
    calibration: {
        samples: number;
        generationFactor: number;
        promptFactor: number;
        byWeightType: Record<string, {samples: number; generationFactor: number; promptFactor: number}>;
        /**
         * Measured ÷ modelled time of each context term from `samples` benchmarks at a depth: `factor` at
         * 4,096 tokens (generation's on a CPU per attention FLOP per KV byte), growing as (depth ÷ 4,096)^`exponent`.
         */
        generationContext: {factor: number; exponent: number; samples: number};
        promptContext: {factor: number; exponent: number; samples: number};
        measuredAt: string;
    } | null;
}

/** The bandwidth figure predictions use on this machine, and why. */
export interface BandwidthStatus {
    hardwareKey: string | null;
    bytesPerSecond: number;
    kind: HardwareProfile["bandwidthKind"];
    source: string;
    underLoad: boolean;
    /** The measurement chosen: the best quiet one, else the best one taken under load. */
    chosen: BandwidthMeasurement | null;
    /** Measurements kept for this machine, newest first. */
    measurements: BandwidthMeasurement[];
}

export interface CatalogRefreshResult {
    modelId: string;
    repo: string;
    /** "updated" (sizes or names changed), "unchanged", or "failed" with a message. */
    status: "updated" | "unchanged" | "failed";
    message: string;
    quantizations: {quantization: string; files: string[]; sizeBytes: number; sha256?: string}[];
}

export interface CatalogRefreshReport {
    endpoint: string;
    refreshedAt: string;
    results: CatalogRefreshResult[];
}

/**
 * A measured speed sample the speed benchmark stores; predictions for the same machine are
 * calibrated from these, and a sample of the same file is shown next to its prediction.
 */
export interface MeasuredSpeed {
    /** Matches `HardwareProfile.hardwareKey` of the machine that measured it. */
    hardwareKey: string;
    hardwareSnapshotId: number | null;
    /** Catalog id and quantization, when the file came from the catalog. */
    modelId: string | null;
    quantization: string | null;
    modelFileBytes: number;
    /** Bytes of weights read per generated token (active weights for MoE; file size for dense). */
    activeBytesPerToken: number;
    threads: number | null;
    gpuLayers: number;
    /** Tokens already in context when generation was timed. */
    contextDepth: number;
    promptTokensPerSecond: number | null;
    generationTokensPerSecond: number | null;
    measuredAt: string;
    /** Parameters used per token, when the benchmark stored them. */
    parameterCount?: number;
    /** KV-cache bytes per token of context at the run's KV type, and attention FLOPs per prompt token per token of context: calibrate the depth terms. */
    kvBytesPerContextToken?: number;
    attentionFlopsPerContextToken?: number;
    /** Length of the prompt-processing test, tokens. */
    promptTokens?: number;
}

export interface ModelsApi {
    /** The curated catalog, with refreshed sizes applied. */
    "models.catalog": (arg: Record<string, never>) => Promise<CatalogModel[]>;
    /** Ranked recommendation for this machine or a what-if machine. */
    "models.recommend": (arg: RecommendRequest) => Promise<RecommendationReport>;
    /** Fit and predicted speed of one catalog model and quantization. */
    "models.fit": (arg: FitRequest) => Promise<FitReport>;
    /** Reads any GGUF's header (local, URL, hf:) and estimates fit and speed. */
    "models.inspect": (arg: InspectRequest) => Promise<InspectReport>;
    /** Server presets (data-center GPUs, multi-GPU boxes) with their spec-sheet figures. */
    "models.serverPresets": (arg: Record<string, never>) => Promise<{gpus: ServerGpu[]; presets: ServerPreset[]}>;
    /** The smallest server preset on which a model (and quantization) is usable at the agent context, calibrated by server benchmarks. */
    "models.smallestServer": (arg: FitSettings & {model: string}) => Promise<SmallestServerReport>;
    /** Laptop presets for the what-if mode. */
    "models.presets": (arg: Record<string, never>) => Promise<WhatIfPreset[]>;
    /** Refreshes file names, sizes and SHA-256 from the Hugging Face API (needs internet). */
    "models.refreshCatalog": (arg: {models?: string[]}) => Promise<CatalogRefreshReport>;
    /** Measures this machine's memory bandwidth (a few seconds) and keeps it; a quiet figure is never replaced by one taken under load. */
    "models.measureBandwidth": (arg: Record<string, never>) => Promise<BandwidthMeasurement>;
    /** The per-weight-type speed calibration of this machine from its benchmarks (null before any). */
    "models.calibration": (arg: Record<string, never>) => Promise<SpeedCalibrationReport>;
    /** The bandwidth predictions use on this machine and every measurement kept (measures nothing). */
    "models.bandwidth": (arg: Record<string, never>) => Promise<BandwidthStatus>;
}

export interface ModelsEvents {
    "models.catalogRefreshed": CatalogRefreshReport;
    "models.bandwidthMeasured": BandwidthMeasurement;
}
