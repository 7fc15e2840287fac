/**
 * The answer AgentFit exists for: can this machine run a usable coding agent on a local model?
 * Every measurement (fit, speed, eval, cost) turned into a verdict per model and quantization, one
 * answer for the machine, comparisons, and reports. Types only.
 */
import type {EvalFailureMode, EvalHarnessId, EvalInterval, EvalModelLocation, EvalProviderId, ServedModelFacts} from "./EvalApi.ts";
import type {BandwidthMeasurement, FitEstimate} from "./ModelsApi.ts";

/**
 * The words AgentFit judges with, in the Verdict, on the Models screen, in `recommend` and reports:
 * "usable": every criterion passes; "almost": none fails but one is only near; "no": one fails;
 * "no-fit" (doesn't fit): the fit at the agent context fails (memory, or a trained context below it);
 * "untested": not evaluated yet and nothing rules it out (the Verdict only: predictions never judge success).
 */
export type VerdictLevel = "usable" | "almost" | "no" | "no-fit" | "untested";

/** What a word means under the thresholds in force (`electron/shared/verdictLevels.ts`). */
export interface LevelLegendEntry {
    level: VerdictLevel;
    label: string;
    meaning: string;
}

/** One criterion against its thresholds: "pass" (usable), "near" (almost), "fail", or "unknown" (not measured). */
export type CriterionStatus = "pass" | "near" | "fail" | "unknown";

/**
 * The rules of the verdict, stored in SQLite and editable. Defaults mirror helperbench and the
 * article it came from (see docs/verdict.md, "Why these defaults").
 */
export interface VerdictThresholds {
    /** Context the agent runs at, tokens; fit is judged at it. Default 32768. */
    contextSize: number;
    /** Eval success rate (share of runs scored C) for "usable", 0–1. Default 0.8 (8/10, GPT-4.1's helperbench score). */
    usableSuccessRate: number;
    /** Success rate for "almost", 0–1. Default 0.5. */
    almostSuccessRate: number;
    /** Eval runs needed before a model can be called usable. Default 10 (helperbench's epochs). */
    minRuns: number;
    /** Generation speed for "usable", tokens/s. Default 10. */
    usableGenerationTps: number;
    /** Generation speed for "almost", tokens/s. Default 5. */
    almostGenerationTps: number;
    /** Time per agent turn for "usable", seconds (see `describeAgentTurn` for how a predicted turn is defined). Default 30. */
    usableTurnSeconds: number;
    /** Time per agent turn for "almost", seconds. Default 90. */
    almostTurnSeconds: number;
}

export interface VerdictThresholdsState {
    thresholds: VerdictThresholds;
    defaults: VerdictThresholds;
    /** Names of thresholds changed from their defaults. */
    edited: (keyof VerdictThresholds)[];
    /** ISO 8601 of the last edit; null when all are defaults. */
    updatedAt: string | null;
}

export interface VerdictCriterion {
    id: "fit" | "success" | "generation" | "turn";
    label: string;
    status: CriterionStatus;
    /** The value as people read it: "fits (5.1 GB of 18.9 GB)", "0/10 (0%, 95% CI 0–28%)", "14.2 tok/s". */
    value: string;
    /** The rule applied, or what to do when unknown. */
    detail: string;
    /** Where the value comes from: measured here, estimated (fit arithmetic, or a turn from measured pp and tg), or predicted (never measured). */
    source: "measured" | "estimated" | "predicted" | null;
    /**
     * Why a failing fit fails: not enough memory, a trained context below the agent context, or a
     * local server running the model at a shorter context. Absent otherwise.
     */
    cause?: "memory" | "trained-context" | "served-context";
}

/** Eval results of one model on the verdict's task, pooled over its runs. */
export interface VerdictEvalEvidence {
    task: string;
    samples: number;
    successes: number;
    successRate: number;
    /** Wilson 95% interval. */
    interval: EvalInterval | null;
    strictRate: number | null;
    meanTurns: number | null;
    /** Agent loop wall time per run, ms. */
    meanWallMs: number | null;
    /** Dollars per run (0 for local models); null when no price is known. */
    costPerRun: number | null;
    energyWhPerRun: number | null;
    outputTokensPerSecond: number | null;
    failureModes: Partial<Record<EvalFailureMode, number>>;
    runIds: number[];
}

export interface VerdictSpeedEvidence {
    /** Prompt processing, tokens/s (bench pp), null when not measured. */
    promptTps: number | null;
    /** Generation, tokens/s: bench tg at the deepest context measured, else the eval's output rate. */
    generationTps: number | null;
    generationSource: "bench" | "eval" | null;
    /** Context depth of the bench tg figure, tokens. */
    generationDepth: number | null;
    timeToFirstTokenMs: number | null;
    /** Seconds per agent turn. */
    turnSeconds: number | null;
    /** "bench-agent": the benchmark's agent workload; "eval": eval wall time ÷ turns; "estimated": measured pp and tg over the predicted agent turn's shape. */
    turnSource: "bench-agent" | "eval" | "estimated" | null;
    /** The prediction before any measurement, for comparison. */
    predictedGenerationTps: number | null;
    /** The predicted time per agent turn (mean over a session, see `describeAgentTurn`), seconds. */
    predictedTurnSeconds: number | null;
    /** Settings of the bench results used, e.g. "2 threads, f16 KV". */
    settings: string | null;
    /**
     * The engine binary that measured the bench results used: node-llama-cpp's prebuilt one, the one
     * built for this CPU, "mixed" when runs of both are pooled; null without bench results or for runs
     * recorded before the binary was tracked.
     */
    binary: "prebuilt" | "local" | "mixed" | null;
    benchRunIds: number[];
    measuredAt: string | null;
}

/** The catalog's fit estimate at the verdict's context, with the newest real load beside it. */
export interface VerdictMemoryEvidence
    extends Pick<FitEstimate, "fitClass" | "ramNeededBytes" | "vramNeededBytes" | "ramCapacityBytes" | "vramCapacityBytes" | "headroomBytes" | "tight" | "parts"> {
    /** The agent context the fit is judged at, tokens. */
    contextSize: number;
    /** The context the model was trained for (GGUF `context_length`), tokens; below `contextSize` the fit fails. Null when unknown. */
    trainedContextSize: number | null;
    /** The newest recorded load of this file: what it really took. */
    measured: {residentBytes: number; vramBytes: number; contextSize: number | null; loadedAt: string; loadId: number} | null;
}

/** A cloud model run through the same eval, for comparison. */
export interface VerdictCloudModel {
    key: string;
    provider: EvalProviderId;
    model: string;
    label: string;
    eval: VerdictEvalEvidence;
    /** Where its success rate stands against the thresholds. */
    level: "usable" | "almost" | "no";
}

/** One local model and quantization tried on this machine, with its verdict and evidence. */
export interface LocalModelVerdict {
    /** Stable key (the file path when known; "provider:model@host" for a model on a local server). */
    key: string;
    /**
     * The model's one name: the registry's name, else the file name without extension (a local
     * server's model id), with the quantization when the name lacks it: "SmolLM2-135M-Instruct.Q4_1",
     * "qwen3:8b · Q4_K_M".
     */
    label: string;
    /** Details that are not the name: the GGUF's `general.name`, the catalog model it matches. */
    detail: string | null;
    /** "engine": a GGUF file AgentFit loads; "local-server": a model another server on a loopback or private address serves (Ollama, LM Studio, llama-server…). */
    location: Exclude<EvalModelLocation, "cloud">;
    /** What the local server reported about the model, for "local-server" entries. */
    server: (ServedModelFacts & {baseUrl: string}) | null;
    /** The model without its quantization (groups the quantization ladder). */
    family: string;
    familyLabel: string;
    quantization: string | null;
    /** Bits per weight of the file (file bytes × 8 ÷ parameters), for ordering the ladder. */
    bitsPerWeight: number | null;
    path: string | null;
    fileBytes: number | null;
    parameterCount: number | null;
    catalogModelId: string | null;
    verdict: VerdictLevel;
    /** One sentence: why. */
    headline: string;
    criteria: VerdictCriterion[];
    memory: VerdictMemoryEvidence | null;
    speed: VerdictSpeedEvidence;
    eval: VerdictEvalEvidence | null;
    /** The best cloud model on the same task: what the local model is weighed against. */
    versusCloud: {key: string; label: string; successRate: number; costPerRun: number | null; meanWallMs: number | null} | null;
}

/**
 * What a user does to test a change: download a catalog quantization, benchmark a file (with a KV
 * cache type when the change is one), run the eval on a model, or look at a what-if machine.
 */
export type VerdictChangeAction =
    | {kind: "download"; reference: string}
    | {kind: "bench"; model: string; kvCacheType: "q8_0" | "q4_0" | null}
    | {kind: "eval"; model: string; task: string | null; runs: number}
    | {kind: "whatif"; ram: string | null; preset: string | null};

/**
 * What could change the answer: a measurement the answer still lacks (benchmark, eval), or a what-if
 * estimate (another model, more RAM, another laptop, other settings). `decisive` says whether it
 * could change the answer as it stands, judged from the current verdict's criteria.
 */
export interface VerdictChange {
    kind: "bench" | "eval" | "model" | "ram" | "gpu" | "settings";
    /** One sentence, e.g. "With 32 GB of RAM this machine would fit Qwen3-Coder-30B-A3B at Q4_K_M…". */
    text: string;
    /** The best level it could lead to: the prediction of a what-if, or the best a measurement could find. */
    expected: VerdictLevel;
    /** True when it could move the answer (its expected level beats the answer's); false: listed apart as another option. */
    decisive: boolean;
    /** Why it would or would not change the answer, one sentence. */
    why: string;
    action: VerdictChangeAction;
    modelId: string | null;
    quantization: string | null;
    /** The hardware it assumes ("32 GB RAM", a preset's label), when it is a hardware change. */
    hardware: string | null;
    predictedGenerationTps: number | null;
    /** Published refactor-eval result of the model, e.g. "9/10 (Apr 2026)". */
    published: string | null;
}

/** The quantization ladder of one model: its quantizations side by side, fewest bits first. */
export interface QuantizationLadder {
    family: string;
    label: string;
    /** Keys of LocalModelVerdict entries. */
    entries: string[];
}

/**
 * A model on a server benchmarked through its endpoint (`agentfit bench --base-url`): judged on what
 * was measured there, apart from this machine's models (a server's speed says nothing about this machine).
 */
export interface ServerVerdict {
    /** The endpoint and model: `endpoint:<base URL>|<model id>`. */
    key: string;
    /** "Qwen3-8B-Q4_K_M.gguf · llama-server · http://gpu-box:8080/v1". */
    label: string;
    baseUrl: string;
    model: string;
    quantization: string | null;
    verdict: VerdictLevel;
    headline: string;
    /** Eval success (evals of provider "openai-compatible" with the same model id), generation speed, time per agent turn. */
    criteria: VerdictCriterion[];
    /** The newest completed endpoint run it was judged on. */
    runId: number;
    measuredAt: string;
}

export interface VerdictMachine {
    label: string;
    hardwareKey: string | null;
    ramBytes: number;
    vramBytes: number;
    gpuName: string | null;
    backend: string;
    cpuThreads: number;
    /** The memory bandwidth predictions used, and whether it was measured while the machine was busy. */
    bandwidth: {bytesPerSecond: number; source: string; underLoad: boolean; chosen: BandwidthMeasurement | null};
}

export interface Verdict {
    generatedAt: string;
    machine: VerdictMachine;
    /** The eval task the verdict reads (null before any eval). */
    task: string | null;
    /** Tasks with results, most samples first. */
    tasks: string[];
    thresholds: VerdictThresholds;
    /** What each level means under these thresholds. */
    legend: LevelLegendEntry[];
    /** One answer for the machine. */
    answer: {
        /** The machine's answer: "usable", "almost", "no" (also when the closest model does not fit) or "untested". */
        verdict: VerdictLevel;
        headline: string;
        /** Evidence lines, most important first. */
        evidence: string[];
        /** Key of the best local model, if any. */
        best: string | null;
    };
    /** Best first (usable, almost, untested, no, doesn't fit; then success rate, then speed). */
    local: LocalModelVerdict[];
    /** Highest success first, then cheapest. */
    cloud: VerdictCloudModel[];
    ladders: QuantizationLadder[];
    changes: VerdictChange[];
    /** Models on servers benchmarked through their endpoints, judged apart from this machine ("on this server: usable"). */
    servers: ServerVerdict[];
    /** Per coding agent run as the eval's harness (Aider, OpenCode…), closest to usable first; the main answer reads the builtin harness. */
    harnesses: VerdictHarnessAnswer[];
}

/** The answer with one coding agent: its best local model on the task, judged on eval success. */
export interface VerdictHarnessAnswer {
    harness: EvalHarnessId;
    /** "Aider". */
    label: string;
    verdict: "usable" | "almost" | "no";
    /** Its best local model, "SmolLM2-135M-Instruct.Q4_1.gguf (Q4_1)". */
    model: string;
    successes: number;
    samples: number;
    /** "With Aider: almost — best local model … refactors 6/10 (60%)." */
    sentence: string;
}

export interface VerdictStatus {
    /** True once any eval sample or benchmark result is stored: the Verdict screen becomes home. */
    hasResults: boolean;
    evalRuns: number;
    benchResults: number;
}

export type ReportFormat = "md" | "html" | "csv" | "json" | "llama-bench" | "inspect";

export interface ReportFile {
    /** Suggested file name, e.g. "agentfit-report-2026-11-26.html". */
    name: string;
    mimeType: string;
    content: string;
}

export interface ReportExport {
    format: ReportFormat;
    generatedAt: string;
    /** One file, except "inspect": one Inspect AI log per eval run. */
    files: ReportFile[];
}

export interface VerdictApi {
    /** The verdict for this machine on one task (default: the task with the most results). */
    "verdict.get": (arg: {task?: string}) => Promise<Verdict>;
    /** Whether there is anything to judge yet (cheap; decides the home screen). */
    "verdict.status": (arg: Record<string, never>) => Promise<VerdictStatus>;
    "verdict.thresholds": (arg: Record<string, never>) => Promise<VerdictThresholdsState>;
    /** Changes some thresholds (the rest stay); `reset: true` restores every default. */
    "verdict.setThresholds": (arg: Partial<VerdictThresholds> & {reset?: boolean}) => Promise<VerdictThresholdsState>;
    /** A report of this machine's results in one format. */
    "reports.export": (arg: {format: ReportFormat; task?: string}) => Promise<ReportExport>;
}

export interface VerdictEvents {
    /** Thresholds were edited or reset. */
    "verdict.thresholdsChanged": VerdictThresholdsState;
    /** A report was exported: format and file names. */
    "reports.exported": {format: ReportFormat; files: string[]};
}
