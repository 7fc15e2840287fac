import type {ResolvedModelFile} from "./DownloadsApi.ts";
import type {CodingAgentId} from "./AgentsApi.ts";
import type {LocalModelSettings} from "./EngineApi.ts";
/**
 * The refactor eval: helperbench-style agent runs against local and cloud models through one
 * harness, graded by each task's own test suite.
 */

/** Where a model is served. "local" goes through AgentFit's engine; the rest are OpenAI-compatible HTTP APIs. */
export type EvalProviderId = "local" | "openai" | "anthropic" | "openrouter" | "gemini" | "openai-compatible";

/**
 * Where the model runs: "engine" (a GGUF file in AgentFit's engine), "local-server" (an
 * OpenAI-compatible server at a loopback or private address: Ollama, LM Studio, llama-server, another
 * `agentfit serve`), or "cloud" (a remote service: the named cloud providers, and OpenAI-compatible
 * servers at public addresses).
 */
export type EvalModelLocation = "engine" | "local-server" | "cloud";

/** What a local server reported about the model it serves (each field null when it did not say). */
export interface ServedModelFacts {
    /** The server it identified as. */
    server: "ollama" | "lm-studio" | "llama-server" | "agentfit" | "openai-compatible";
    /** "Q4_K_M": the server's own metadata, else read from the model's file name. */
    quantization: string | null;
    /** The context the model was trained for, tokens. */
    trainedContextSize: number | null;
    /** The context the server runs it with, tokens. */
    contextSize: number | null;
    /** The endpoints that answered, e.g. ["GET /v1/models", "POST /api/show"]. */
    sources: string[];
}

/** One model to evaluate. */
export interface EvalModelSpec {
    provider: EvalProviderId;
    /** Model id at the provider (e.g. "gpt-4.1", "anthropic/claude-sonnet-4.5"); for "local" a GGUF path or an id the engine knows. */
    model: string;
    /** Overrides the provider's base URL (required for "openai-compatible"), e.g. "http://127.0.0.1:11434/v1". */
    baseUrl?: string;
    /** Quantization label, e.g. "Q4_K_M". For local GGUF files it is read from the file name when left out. */
    quantization?: string;
    /** Engine settings, local models only. */
    settings?: LocalModelSettings;
}

/** Per-sample limits; each one hit is recorded on the sample. */
export interface EvalLimits {
    /** Model calls per sample. Default 40. */
    maxTurns: number;
    /** Input plus output tokens summed over all turns of a sample. Default 2,000,000. */
    maxTokens: number;
    /** Wall time of one sample's agent loop, ms. Default 1,800,000 (30 min). */
    maxWallTimeMs: number;
    /**
     * Output tokens one model call may generate (sent as `max_completion_tokens` to OpenAI,
     * `max_tokens` elsewhere). Undefined: the provider's default, which for a local model is the
     * rest of the context, so a model that repeats itself fills the context on every turn.
     */
    maxOutputTokensPerTurn?: number;
}

export type EvalSystemPromptKind = "concise" | "long";

/** The harness that drives the model: AgentFit's own tool loop, or a real coding agent run headless. */
export type EvalHarnessId = "builtin" | CodingAgentId;

/** The harness of a run as it ran: which agent, its version and the flags it was started with. */
export interface EvalHarnessSpec {
    id: EvalHarnessId;
    /** The agent's version ("x.y.z"); AgentFit's version for "builtin". */
    version: string | null;
    /** The agent's executable; null for "builtin". */
    executable: string | null;
    /** The arguments it runs with, the prompt shown as <prompt> and temporary paths as <config>. */
    flags: string[];
    /** How the agent's process was confined; absent for "builtin" (its tools confine paths themselves) and in runs made before confinement existed. */
    confinement?: EvalConfinement;
}

/** `eval.start`'s `confine`: "auto" (default) confines agents when the machine can, "required" refuses to start when it cannot, "off" never confines. */
export type EvalConfinePolicy = "required" | "auto" | "off";

/**
 * The confinement a coding agent ran under: "bwrap" (bubblewrap: the filesystem read-only but the
 * sample's workspace and scratch folder, no network but the model's address), or "none" with why.
 * `forwarder`: what carries the agent's requests out of the sandbox — AgentFit's native forwarder,
 * or the Node one (a Node start-up slower per sample); absent in runs recorded before there was a
 * choice (they used the Node one).
 */
export type EvalConfinement = {mode: "bwrap"; version: string | null; executable: string; forwarder?: EvalSandboxForwarder} | {mode: "none"; reason: string};

export type EvalSandboxForwarder = "native" | "node";

/**
 * What a coding agent did or tried outside its sample's workspace. Writes: "written" (found changed
 * afterwards in the user's agent folders), "discarded" (landed in the sandbox's private /tmp, removed
 * with it), "blocked" (refused: the agent's tools or its own output reported a read-only file system
 * or a permission error on that path). Network: addresses other than the model's that the commands
 * it ran tried to reach (their errors name them).
 */
export interface EvalOutsideAccess {
    writes: {path: string; outcome: "written" | "discarded" | "blocked"}[];
    network: string[];
}

/** What one run evaluates: one model on one task, `epochs` times. Stored with the run. */
export interface EvalRunSpec {
    task: string;
    model: EvalModelSpec;
    /** A local model: the file its reference resolved to when the run was created. */
    modelFile?: ResolvedModelFile;
    /** Independent samples (the original ran 10). */
    epochs: number;
    /** Samples of this run that may be in flight at once. */
    concurrency: number;
    limits: EvalLimits;
    /** "concise": AgentFit's short coding-agent prompt; "long": thousands of tokens, like real agents'. */
    systemPrompt: EvalSystemPromptKind;
    /** Sampling temperature sent to the model; provider default when absent. */
    temperature?: number;
    /** Power the machine draws while a local model runs, watts: gives an energy estimate. */
    wattage?: number;
    /** For a model on a local server: what the server reported when the run was queued. Set by AgentFit, not by the request. */
    server?: ServedModelFacts;
    /** Absent in runs made before harnesses existed: the builtin tool loop. */
    harness?: EvalHarnessSpec;
}

/** `eval.start`: every model × every task becomes one queued run. */
export interface EvalStartRequest {
    tasks: string[];
    models: EvalModelSpec[];
    /** Default 10. 1–100. */
    epochs?: number;
    /** Default 1 for local models and OpenAI-compatible servers (usually one machine), 4 for cloud providers. 1–16. */
    concurrency?: number;
    limits?: Partial<EvalLimits>;
    /** Default "concise". */
    systemPrompt?: EvalSystemPromptKind;
    temperature?: number;
    wattage?: number;
    /** Default "builtin". A coding agent must be installed (see agents.list). */
    harness?: EvalHarnessId;
    /** Coding agents only. Default "auto". */
    confine?: EvalConfinePolicy;
}

export type EvalRunStatus = "queued" | "running" | "completed" | "failed" | "cancelled" | "interrupted";
export type EvalSampleStatus = "pending" | "running" | "scoring" | "completed";
/** "C" (correct: the run passed) or "I" (incorrect: it failed), as Inspect AI logs store scores; shown as "passed" / "failed". */
export type EvalScoreValue = "C" | "I";

/** Why a sample scored I on the original score. */
export type EvalFailureMode =
    | "no_tool_calls"
    | "tool_calls_as_text"
    | "bad_tool_calls"
    | "never_edited_target"
    | "edited_other_files_only"
    | "target_broken"
    | "tests_fail"
    | "limit_reached"
    | "context_overflow"
    | "provider_error"
    | "tool_error_loop"
    | "agent_crashed"
    | "wrote_outside_workspace"
    | "tried_network";

/** "output": one answer was cut off at `maxOutputTokensPerTurn`. */
export type EvalLimitKind = "turns" | "tokens" | "time" | "output";

export interface EvalUsage {
    /** Prompt tokens not served from the provider's cache, summed over turns. */
    inputTokens: number;
    /** Prompt tokens served from the provider's cache (billed lower by most providers). */
    cachedInputTokens: number;
    outputTokens: number;
}

export interface EvalToolErrorCounts {
    /** Calls to a tool that does not exist. */
    unknownTool: number;
    /** Arguments that are not JSON, miss a field, or name a field the tool does not have. */
    badArguments: number;
    /** Well-formed calls the tool refused or could not do (missing file, path outside the workspace…). */
    failed: number;
}

export interface EvalTestRun {
    /** False when the suite could not run at all (e.g. the package does not load). */
    ran: boolean;
    tests: number;
    failed: number;
    errors: number;
    skipped: number;
    exitCode: number | null;
    /** Tail of the output. */
    output: string;
}

export interface EvalScore {
    value: EvalScoreValue;
    explanation: string;
}

/** How a sample was graded, check by check. */
export interface EvalScoring {
    /** helperbench's score: target exists, parses, differs, and the whole suite passes in a clean copy. */
    original: EvalScore;
    /** Also: a new top-level helper exists, the original function uses it, and the block is no longer inline. */
    strict: EvalScore;
    checks: {
        targetExists: boolean;
        parses: boolean | null;
        parseError: string | null;
        changed: boolean | null;
        tests: EvalTestRun | null;
        /** Top-level functions in the agent's source folder that the original project did not have. */
        newFunctions: string[];
        /** The new function the original function uses, if any. */
        helperUsed: string | null;
        /** Whether the original function still exists at top level in the target file. */
        functionFound: boolean | null;
        /** Whether the block's code still stands inside the original function (comments and string contents ignored). */
        blockInline: boolean | null;
    };
    /** Every check in the order it ran, explained in plain words. Absent in samples scored before it was recorded. */
    steps?: EvalScoreStep[];
}

/** One check of the scorer. */
export interface EvalScoreStep {
    check: "targetExists" | "parses" | "changed" | "tests" | "newHelper" | "helperUsed" | "blockMoved";
    /** The score that needs it: helperbench's original one, or the strict one. */
    score: "original" | "strict";
    /** Null when it was not checked because an earlier check failed. */
    passed: boolean | null;
    /** What was checked and what was found, for people, e.g. "R/fetch.R differs from the original, compared line by line as helperbench does…". */
    detail: string;
}

export interface EvalSampleSummary {
    id: number;
    runId: number;
    /** 1-based. */
    epoch: number;
    status: EvalSampleStatus;
    score: EvalScoreValue | null;
    strictScore: EvalScoreValue | null;
    failureMode: EvalFailureMode | null;
    /** One line on why it failed (or why the strict score is I). */
    failureDetail: string | null;
    turns: number;
    usage: EvalUsage;
    toolCalls: number;
    toolErrors: EvalToolErrorCounts;
    limitHit: EvalLimitKind | null;
    /** Agent loop wall time, ms (scoring excluded). */
    wallMs: number | null;
    /** Time waiting for the model, ms. */
    modelMs: number | null;
    /** Time running tools, ms (test runs included). */
    toolMs: number | null;
    /** Time in child processes, ms: test runs by the agent's tools and the scorer's parse, test and analysis commands. */
    subprocessMs: number | null;
    /** Grading time, ms (a clean copy, the parse check, the test suite, the helper analysis). */
    scoringMs: number | null;
    startedAt: string | null;
    completedAt: string | null;
    /** Provider or harness error that ended the sample, if any. */
    error: string | null;
    /** Coding agents: what the agent wrote or tried to reach outside its workspace (empty lists: nothing); null for the builtin harness and older samples. */
    outsideAccess: EvalOutsideAccess | null;
}

export interface EvalToolCall {
    id: string;
    name: string;
    /** Exactly as the model produced them (sent back unchanged). */
    arguments: string;
}

export interface EvalMessage {
    seq: number;
    role: "system" | "user" | "assistant" | "tool";
    content: string | null;
    toolCalls?: EvalToolCall[];
    /** Tool messages: the call they answer and the tool's name. */
    toolCallId?: string;
    toolName?: string;
    /** Tool messages: why the call failed, if it did. */
    toolError?: {kind: keyof EvalToolErrorCounts; message: string} | null;
    /** Assistant messages: usage and time of the model call that produced it. */
    usage?: EvalUsage;
    durationMs?: number;
    finishReason?: string | null;
    createdAt: string;
}

export interface EvalFileDiff {
    /** Relative to the project root, with "/" separators. */
    path: string;
    status: "added" | "modified" | "deleted";
    /** Unified diff against the original project. */
    diff: string;
    /** Inside the task's source folder (the only edits the scorer keeps). */
    insideSource: boolean;
}

/** What a coding agent's process printed during a sample (kept under the data folder). */
export interface EvalAgentOutput {
    /** "Claude Code". */
    agent: string;
    /** The version recorded with the run ("2.1.328"), when known. */
    version: string | null;
    args: string[];
    exitCode: number | null;
    timedOut: boolean;
    stdout: string;
    stderr: string;
}

export interface EvalSampleDetail extends EvalSampleSummary {
    /** Samples run by a coding agent: its own output; null for the builtin harness. */
    agentOutput: EvalAgentOutput | null;
    messages: EvalMessage[];
    diffs: EvalFileDiff[];
    scoring: EvalScoring | null;
}

export interface EvalInterval {
    low: number;
    high: number;
}

/** Statistics over the scored samples of one model on one task. */
export interface EvalStats {
    samples: number;
    successes: number;
    successRate: number | null;
    /** Wilson score interval, 95%. */
    interval: EvalInterval | null;
    strictSuccesses: number;
    strictRate: number | null;
    strictInterval: EvalInterval | null;
    meanTurns: number | null;
    meanInputTokens: number | null;
    meanCachedInputTokens: number | null;
    meanOutputTokens: number | null;
    /** Dollars per run from the price table; 0 for local models; null when no price is known. */
    costPerRun: number | null;
    /** Watt-hours per run for local models when a wattage was given. */
    energyWhPerRun: number | null;
    /** Agent loop wall time per run, ms. */
    meanWallMs: number | null;
    /** Output tokens per second of model time. */
    outputTokensPerSecond: number | null;
    failureModes: Partial<Record<EvalFailureMode, number>>;
}

export interface EvalRunSummary {
    id: number;
    createdAt: string;
    status: EvalRunStatus;
    spec: EvalRunSpec;
    taskTitle: string;
    /** e.g. "openai:gpt-4.1" or "local:Qwen3-8B-Q4_K_M" (the model's one name: the registry's, else the file name). */
    modelLabel: string;
    /** Where the model runs: AgentFit's engine, a local server, or the cloud. */
    location: EvalModelLocation;
    startedAt: string | null;
    completedAt: string | null;
    error: {code: string; message: string} | null;
    hardwareSnapshotId: number | null;
    appVersion: string;
    progress: {total: number; completed: number; running: number};
    /** What a queued or running run is doing now, e.g. "Loading the model (40%)"; null otherwise. */
    activity: string | null;
    stats: EvalStats;
}

export interface EvalRunDetail extends EvalRunSummary {
    samples: EvalSampleSummary[];
}

/** Results of one model (and quantization) on one task over every run stored: what a verdict reads. */
export interface EvalModelResult {
    harness: EvalHarnessId;
    provider: EvalProviderId;
    model: string;
    /** The base URL runs reached it at (null for AgentFit's engine and default provider URLs). */
    baseUrl: string | null;
    location: EvalModelLocation;
    /** What a local server reported about the model (newest run). */
    server: ServedModelFacts | null;
    quantization: string | null;
    task: string;
    systemPrompt: EvalSystemPromptKind;
    runIds: number[];
    stats: EvalStats;
}

export interface EvalPrice {
    provider: EvalProviderId;
    model: string;
    /** Dollars per million tokens. */
    inputPerMillion: number;
    /** Dollars per million cached input tokens; null: charged at the input price. */
    cachedInputPerMillion: number | null;
    outputPerMillion: number;
    /** "default": AgentFit's table (published list prices); "user": edited here. */
    source: "default" | "user";
}

export interface EvalProviderInfo {
    id: EvalProviderId;
    label: string;
    defaultBaseUrl: string | null;
    /** Environment variables read for the API key, in order. */
    keyEnvVars: string[];
    keyConfigured: boolean;
    /** Where keys are kept in this shell: the OS keychain (desktop) or environment variables (CLI, browser mode). */
    keyStorage: "keychain" | "environment";
    /** False when this provider cannot run here (e.g. local without the engine); `note` says why. */
    available: boolean;
    note: string | null;
}

export interface EvalRuntimeStatus {
    /** e.g. "Rscript". */
    command: string;
    available: boolean;
    /** e.g. "R version 4.2.2, testthat 3.1.6". */
    version: string | null;
    /** What is missing and how to install it, when not available. */
    message: string | null;
}

export interface EvalTaskInfo {
    name: string;
    title: string;
    language: "r" | "javascript" | "python";
    description: string;
    /** Relative path of the file holding the function to refactor. */
    targetFile: string;
    /** The folder the scorer takes from the agent's copy. */
    sourceDir: string;
    functionName: string;
    /** The exact prompt the agent receives. */
    prompt: string;
    testCommand: string;
    runtime: EvalRuntimeStatus;
}

/** An Inspect AI eval log (format version 2), as `inspect view` reads it. */
export interface InspectEvalLog {
    version: 2;
    status: "started" | "success" | "cancelled" | "error";
    eval: Record<string, unknown>;
    plan: Record<string, unknown>;
    results: Record<string, unknown> | null;
    stats: Record<string, unknown>;
    error?: Record<string, unknown>;
    samples: Record<string, unknown>[];
}

export interface EvalApi {
    /** The tasks, with whether their runtime (Rscript, python3, node) is installed. */
    "eval.tasks": (arg: Record<string, never>) => Promise<EvalTaskInfo[]>;
    "eval.providers": (arg: Record<string, never>) => Promise<EvalProviderInfo[]>;
    /** Saves (or with null, removes) a provider's API key in the OS keychain. Keys never reach SQLite, logs or exports. */
    "eval.setApiKey": (arg: {provider: EvalProviderId; apiKey: string | null}) => Promise<EvalProviderInfo>;
    /** Queues one run per model × task and returns them; runs execute one after another. */
    "eval.start": (arg: EvalStartRequest) => Promise<EvalRunSummary[]>;
    /** Queues an interrupted, failed or cancelled run again; its finished samples are kept. */
    "eval.resume": (arg: {runId: number}) => Promise<EvalRunSummary>;
    "eval.cancel": (arg: {runId: number}) => Promise<EvalRunSummary>;
    /** Runs, newest first. */
    "eval.runs": (arg: {limit?: number}) => Promise<EvalRunSummary[]>;
    "eval.run": (arg: {runId: number}) => Promise<EvalRunDetail>;
    /** One sample with its transcript and diffs. */
    "eval.sample": (arg: {sampleId: number}) => Promise<EvalSampleDetail>;
    /** Per model, quantization and task over every stored run. */
    "eval.results": (arg: {task?: string}) => Promise<EvalModelResult[]>;
    "eval.prices": (arg: Record<string, never>) => Promise<EvalPrice[]>;
    /** Sets a price (dollars per million tokens); `reset: true` goes back to the default. */
    "eval.setPrice": (arg: {
        provider: EvalProviderId;
        model: string;
        inputPerMillion?: number;
        cachedInputPerMillion?: number | null;
        outputPerMillion?: number;
        reset?: boolean;
    }) => Promise<EvalPrice[]>;
    /** The run as an Inspect AI log (JSON, version 2). */
    "eval.exportInspect": (arg: {runId: number}) => Promise<InspectEvalLog>;
}

export interface EvalEvents {
    "eval.run.updated": EvalRunSummary;
    /** Sent when a sample starts, after each of its turns, and when it is scored. */
    "eval.sample.updated": EvalSampleSummary;
}
