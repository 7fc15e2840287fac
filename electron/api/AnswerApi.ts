import type {EvalProviderId} from "./EvalApi.ts";
import type {PredictedLevel} from "./ModelsApi.ts";
import type {VerdictLevel} from "./VerdictApi.ts";

/**
 * The guided path from first launch to an answer: a plan (candidates, then download → speed
 * benchmark at the agent context → quick eval → Verdict) that the app runs step by step, persisted
 * in SQLite so it can be paused, skipped and resumed after a restart. Types only.
 */

/** "quick": a stated number of runs of the quickest task; "full": helperbench's 10 runs of its R task. */
export type AnswerProfile = "quick" | "full";

export type AnswerStepKind = "download" | "bench" | "eval" | "verdict";

export type AnswerStepState = "pending" | "running" | "paused" | "done" | "skipped" | "failed";

/** "ready": planned, not started; "paused": stopped by the user or by a restart; "done": every step ended. */
export type AnswerPlanState = "ready" | "running" | "paused" | "done";

/** A duration and where it comes from: this machine's measurements, a prediction, or a stated assumption. */
export interface AnswerEstimate {
    /** Null when nothing is known (e.g. a model the engine cannot predict). */
    seconds: number | null;
    basis: "measured" | "predicted" | "assumed";
    /** How it was reached, in words, e.g. "predicted: 3 runs × about 10 turns × 12 s per agent turn". */
    text: string;
}

/** One model the plan measures. */
export interface AnswerCandidate {
    /** What identifies it in the plan: a registered model id, else the catalog reference "id:QUANT". */
    key: string;
    /** The model's one name (the registry's file name, else the catalog's name with the quantization). */
    name: string;
    catalogModelId: string | null;
    quantization: string | null;
    /** Registered model id once the files are on disk (null until its download ends). */
    modelId: string | null;
    /** Bytes still to download (0 when on disk). */
    downloadBytes: number;
    /** Size of the model's files, bytes. */
    sizeBytes: number;
    /** The prediction judged with the Verdict's rules, when one could be made. */
    predicted: PredictedLevel | null;
    /** Why it is in the plan, one sentence. */
    reason: string;
    /** The context it is measured at: the agent context, capped at the context it was trained for. */
    contextSize: number;
}

/** A job a step drives (the existing download, benchmark and eval jobs: the plan never re-implements them). */
export interface AnswerStepJob {
    kind: "download" | "bench" | "eval";
    id: number;
}

export interface AnswerStep {
    /** Position in the plan, from 0. */
    index: number;
    kind: AnswerStepKind;
    /** The candidate's key; null for the Verdict step. */
    candidate: string | null;
    title: string;
    state: AnswerStepState;
    /** 0–1 while running or paused; null when unknown. */
    progress: number | null;
    /** What is done so far in words, e.g. "2 of 3 runs, 1 passed (success 50%, 95% interval 9–91%)". */
    detail: string | null;
    /** Before it runs: how long it should take. */
    estimate: AnswerEstimate;
    /** Seconds this step has run, over every resume. */
    elapsedSeconds: number;
    /** Seconds left while it runs: the job's own ETA, else extrapolated from progress, else the estimate. */
    etaSeconds: number | null;
    /** The job it drives, once started. */
    job: AnswerStepJob | null;
    error: {code: string; message: string} | null;
    /** Anything the user should know (a benchmark restarted after a pause, a step skipped because its model is missing). */
    note: string | null;
}

/** What the eval step runs, stated before it starts. */
export interface AnswerEvalPlan {
    task: string;
    taskTitle: string;
    runs: number;
    maxTurns: number;
    maxOutputTokensPerTurn: number;
    /** "2 models × 1 task × 3 runs, at most 20 turns and 1,024 output tokens per turn". */
    description: string;
    /** The other profile, one click away, with its estimated time. */
    alternative: AnswerEvalAlternative;
}

/** The eval of the plan's other profile (full for a quick plan, quick for a full one), offered with its estimate. */
export interface AnswerEvalAlternative {
    profile: AnswerProfile;
    /** The task it runs. */
    task: string;
    /** "full helperbench: 1 model × R: … × 10 runs, at most 40 turns"; when it cannot run here, the reason. */
    description: string;
    /**
     * Why the profile cannot run here (its task's runtime is missing), else null: the plan then says so
     * instead of offering a switch. Missing (taken as null) in plans saved before it existed.
     */
    unavailable?: string | null;
    /** The sum of the candidates' shares. */
    estimate: AnswerEstimate;
    /**
     * Each candidate's share, by the estimator of its eval step: from the catalog entry while the model is
     * to be downloaded, from the file's own header once it is (as its steps are re-estimated).
     */
    candidates: {candidate: string; estimate: AnswerEstimate}[];
}

export interface AnswerPlan {
    id: number;
    createdAt: string;
    updatedAt: string;
    state: AnswerPlanState;
    profile: AnswerProfile;
    /** Planned from models already on disk only (nothing is downloaded). */
    offline: boolean;
    /** The answer the catalog predicts for this machine before anything is measured. */
    predicted: {summary: string; topPick: string | null};
    candidates: AnswerCandidate[];
    steps: AnswerStep[];
    eval: AnswerEvalPlan;
    /** What the engine runs with: the agent context (capped per model at its trained context) and an explicit thread count. */
    settings: {contextSize: number; threads: number};
    /** Space the downloads need against what the models folder has free. */
    disk: {neededBytes: number; freeBytes: number | null; enough: boolean};
    /** Sum of the steps' estimates (measured where the machine has measurements, else predicted). */
    estimate: AnswerEstimate;
    /** What this plan cannot do, in words (offline: no downloads; a missing runtime…). */
    limitations: string[];
    /** The Verdict once its step ran. */
    verdict: {level: VerdictLevel; headline: string; task: string | null} | null;
    /** The process running the plan (a JobOwner id) while its state is "running"; another process sharing the data folder leaves it alone while that process lives. */
    owner?: string | null;
}

/** `answer.plan`: every field has a default. */
export interface AnswerPlanRequest {
    /** Default "quick". */
    profile?: AnswerProfile;
    /** Registered model ids (or names, paths) and catalog ids ("id" or "id:QUANT"); default: the recommendation's 1–3 picks. */
    candidates?: string[];
    /** Plan from models already on disk (scanning other tools' folders first); nothing is downloaded. Default false. */
    offline?: boolean;
    /** CPU threads the engine uses. Default: the machine's physical cores. */
    threads?: number;
    /** Eval runs per candidate. Default 3 (quick) or 10 (full). */
    runs?: number;
    /** Model calls per eval run. Default 20 (quick) or 40 (full). */
    maxTurns?: number;
    /** Output tokens per model call. Default 1,024. */
    maxOutputTokensPerTurn?: number;
}

/** `answer.estimateEval`: an eval as the Evaluate form would start it, for its plan in words and its estimated duration. */
export interface EvalEstimateRequest {
    /** Local references (paths, registered ids, catalog "id:QUANT") or "provider:model" for other providers. */
    models: {provider: EvalProviderId; model: string}[];
    /** Task names; default: the quick profile's task. */
    tasks?: string[];
    runs: number;
    maxTurns: number;
    /** Default 1,024 (what the profiles use). */
    maxOutputTokensPerTurn?: number;
}

/** One model's share of an eval estimate. */
export interface EvalEstimateModel {
    provider: EvalProviderId;
    model: string;
    estimate: AnswerEstimate;
}

/** An eval's plan in words and how long it should take, by the guided plan's estimator. */
export interface EvalEstimate {
    /** "2 models × 1 task (…) × 3 runs, at most 20 turns and 1,024 output tokens per turn". */
    description: string;
    samples: number;
    /** Runs one after another (a local model runs one sample at a time), so the models' estimates add up. */
    estimate: AnswerEstimate;
    models: EvalEstimateModel[];
}

/** `answer.evalProfiles`: the quick and full profiles as an Evaluate form would fill them in, each with its estimate for the given models. */
export interface EvalProfileOption {
    profile: AnswerProfile;
    /** "Quick" / "Full helperbench". */
    label: string;
    tasks: string[];
    runs: number;
    maxTurns: number;
    maxOutputTokensPerTurn: number;
    /** Null when the profile's task cannot run here, with the reason in `unavailable`. */
    estimate: EvalEstimate | null;
    unavailable: string | null;
}

export interface AnswerApi {
    /** The plan in words and the estimated duration of an eval, from this machine's measured speeds (or predicted ones, labelled so). */
    "answer.estimateEval": (arg: EvalEstimateRequest) => Promise<EvalEstimate>;
    /** The quick and the full (10-run helperbench) eval profiles, each with its estimate for these models. */
    "answer.evalProfiles": (arg: {models: {provider: EvalProviderId; model: string}[]}) => Promise<EvalProfileOption[]>;
    /** Plans the guided path for this machine and saves it (replacing a plan that is not running). Nothing runs yet. */
    "answer.plan": (arg: AnswerPlanRequest) => Promise<AnswerPlan>;
    /** The newest plan, or null before the first. */
    "answer.current": (arg: Record<string, never>) => Promise<AnswerPlan | null>;
    /** Runs a ready plan, or resumes a paused one from its first unfinished step (a paused download or eval continues where it stopped). */
    "answer.run": (arg: {planId: number}) => Promise<AnswerPlan>;
    /** Pauses the running step (a download keeps its bytes, an eval its finished runs; a benchmark restarts on resume). */
    "answer.pause": (arg: {planId: number}) => Promise<AnswerPlan>;
    /** Skips a pending, paused or running step (a running job is cancelled) and goes on with the next. */
    "answer.skip": (arg: {planId: number; step: number}) => Promise<AnswerPlan>;
    /** Replaces the candidates of a plan that is not running; finished steps of candidates that stay are kept. */
    "answer.setCandidates": (arg: {planId: number; candidates: string[]}) => Promise<AnswerPlan>;
}

export interface AnswerEvents {
    /** A plan's state, a step's state or its progress changed. */
    "answer.updated": AnswerPlan;
}
