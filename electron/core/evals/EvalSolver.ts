import type {EvalLimitKind, EvalLimits, EvalMessage, EvalOutsideAccess, EvalProviderId, EvalToolErrorCounts, EvalUsage} from "../../api/EvalApi.ts";
import type {Toolchain} from "./toolchains.ts";

/**
 * The eval follows Inspect AI's separation: a task (the data: a project, a prompt, its toolchain),
 * a solver (the harness that tries the task, this contract) and a scorer (scoreSample, which grades
 * the workspace the solver leaves). The runner gives every sample a fresh copy of the task's project,
 * calls the solver in it, then scores what it left. The builtin solver is toolLoopSolver; a new
 * harness (a coding agent such as Claude Code, Codex, OpenCode or Aider) is one module implementing
 * EvalSolver, handed to the EvalRunner.
 */

/** The model a solver talks to: an OpenAI-compatible endpoint (the local engine, a cloud provider or any server). */
export interface ModelEndpoint {
    provider: EvalProviderId;
    /** OpenAI-compatible base URL, e.g. "http://127.0.0.1:8723/v1". */
    baseUrl: string;
    /** Bearer key, when the endpoint needs one. */
    apiKey: string | undefined;
    /** The id to send as `model`. */
    model: string;
}

export interface SolverInput {
    /** The sample's own copy of the task's project: the solver works in it and leaves its edits there. */
    workspace: string;
    /** The task's prompt (what to refactor, quoting the block). */
    prompt: string;
    systemPrompt: string;
    /** Relative path of the file the task names (agents that take files on their command line get it). */
    targetFile?: string;
    /** The task language's commands (tests, parse check), for harnesses that run them. */
    toolchain: Toolchain;
    endpoint: ModelEndpoint;
    /** Turns, tokens, wall time and per-turn output the solver must stay within; reaching one ends it (recorded, not an error). */
    limits: EvalLimits;
    /** Sampling temperature; the provider's default when undefined. */
    temperature?: number;
    /** Aborting stops the solver at once; it rejects with the signal's reason. */
    signal?: AbortSignal;
    /** A folder of this sample's own where a harness keeps what its process printed (agents' stdout and stderr); absent: not kept. */
    outputDir?: string;
    /** Every message of the transcript as it happens, in order (the runner stores each at once). Listener errors are ignored. */
    onMessage?: (message: EvalMessage) => void;
    /** After each turn, with the trace so far (live progress). Listener errors are ignored. */
    onTurn?: (trace: SolverTrace) => void;
}

export type SolverEndReason = "answered" | "length" | "limit" | "provider_error";

/**
 * What a solver did with a sample, whatever the harness: the inputs of failure classification,
 * statistics and live progress (the transcript itself goes out message by message through `onMessage`).
 */
export interface SolverTrace {
    turns: number;
    usage: EvalUsage;
    /** Wall time of the loop, ms. */
    wallMs: number;
    /** Waiting for the model, ms. */
    modelMs: number;
    /** Running tools, ms (includes `subprocessMs`). */
    toolMs: number;
    /** Test commands run by tools, ms. */
    subprocessMs: number;
    toolCalls: number;
    toolErrors: EvalToolErrorCounts;
    /** Files written or replaced successfully (relative paths), in first-edit order. */
    edited: string[];
    endReason: SolverEndReason;
    limitHit: EvalLimitKind | null;
    providerError: {message: string; status: number | null; contextOverflow: boolean} | null;
    /** The model's last text answer. */
    finalText: string | null;
    /** The last answer carried no tool call but looks like one written as text. */
    toolCallsAsText: boolean;
    /** Harnesses that run a coding agent's process: how it ended. */
    agent?: AgentProcessReport;
}

/** How a coding agent's process ended, for failure classification. */
export interface AgentProcessReport {
    /** Null when it was killed (a limit, cancellation) or could not start. */
    exitCode: number | null;
    /** Killed at the wall-time limit. */
    timedOut: boolean;
    /** Killed by AgentFit at a turn or token limit. */
    stoppedAtLimit: boolean;
    /** The last lines of its stderr (and stdout when stderr is empty). */
    outputTail: string;
    /** Whether the agent edits through tool calls (false: Aider writes its edits into its answers). */
    editsWithTools: boolean;
    /** Longest run of consecutive tool results that were errors. */
    longestToolErrorStreak: number;
    /** What it wrote or tried to reach outside its workspace and temporary home (see EvalOutsideAccess); empty lists when nothing. */
    outsideAccess: EvalOutsideAccess;
}


/** A harness that tries one sample of a task. */
export interface EvalSolver {
    /** Stable id, e.g. "agentfit-tool-loop". */
    id: string;
    /** Works on `input.workspace` until done or a limit; a provider error ends it with `providerError` set, never a throw. */
    solve(input: SolverInput): Promise<SolverTrace>;
}

/** The trace of a solver that has not started: no turns, no usage, nothing edited. */
export function emptyTrace(): SolverTrace {
    return {
        turns: 0,
        usage: {inputTokens: 0, cachedInputTokens: 0, outputTokens: 0},
        wallMs: 0,
        modelMs: 0,
        toolMs: 0,
        subprocessMs: 0,
        toolCalls: 0,
        toolErrors: {unknownTool: 0, badArguments: 0, failed: 0},
        edited: [],
        endReason: "answered",
        limitHit: null,
        providerError: null,
        finalText: null,
        toolCallsAsText: false
    };
}
