import type {EvalFailureMode, EvalScoring} from "../../api/EvalApi.ts";
import type {SolverTrace} from "./EvalSolver.ts";
import type {RefactorTask} from "./tasks/refactorTasks.ts";

/** Consecutive failed tool calls that count as an agent looping on tool errors. */
const TOOL_ERROR_LOOP = 3;

/**
 * Why a sample scored I, in the terms people use for agent failures (how local models failed
 * helperbench): a run that ended on a provider error, a context overflow, an agent crash or a limit
 * is that; a coding agent that wrote or tried to write outside its workspace, or tried to reach an
 * address other than the model's, failed on that (its work went where the scorer does not look, or
 * needed what the sandbox refused); otherwise the agent's actions and the scorer's checks decide.
 */
export function classifyFailure(task: RefactorTask, trace: SolverTrace, scoring: EvalScoring): {mode: EvalFailureMode; detail: string} | null {
    if (scoring.original.value === "C") return null;
    if (trace.providerError?.contextOverflow)
        return {mode: "context_overflow", detail: `The conversation outgrew the model's context: ${trace.providerError.message}`};
    if (trace.endReason === "length")
        return {mode: "context_overflow", detail: "The model's answer was cut off at its length limit (the context window is full)."};
    if (trace.providerError) return {mode: "provider_error", detail: trace.providerError.message};
    const agent = trace.agent;
    if (agent && !trace.limitHit && agent.exitCode !== 0)
        return {
            mode: "agent_crashed",
            detail: `The agent ${agent.exitCode === null ? "could not start or was killed" : `exited with code ${agent.exitCode}`}${agent.outputTail ? `: ${agent.outputTail.trim().split("\n").slice(-3).join(" | ")}` : "."}`
        };
    if (trace.limitHit) {
        const what = {turns: "turn", tokens: "token", time: "wall-time", output: "per-turn output"}[trace.limitHit];
        return {mode: "limit_reached", detail: `The run stopped at the ${what} limit. ${scoring.original.explanation}`};
    }
    const outside = agent?.outsideAccess;
    // The paths and addresses themselves are on the sample (outsideAccess), shown beside this.
    if (outside?.writes.length) {
        const outcomes = (["blocked", "discarded", "written"] as const).map((o) => [o, outside.writes.filter((w) => w.outcome === o).length] as const).filter(([, n]) => n > 0);
        return {
            mode: "wrote_outside_workspace",
            detail: `The agent wrote outside its workspace (${outcomes.map(([o, n]) => `${n} ${o}`).join(", ")}). ${scoring.original.explanation}`
        };
    }
    if (outside?.network.length)
        return {
            mode: "tried_network",
            detail: `The agent tried to reach ${outside.network.length === 1 ? "an address" : `${outside.network.length} addresses`} other than the model's. ${scoring.original.explanation}`
        };
    if (agent && agent.longestToolErrorStreak >= TOOL_ERROR_LOOP && scoring.checks.changed !== true)
        return {mode: "tool_error_loop", detail: `${agent.longestToolErrorStreak} tool calls in a row failed and the target was never changed.`};
    if (trace.toolCalls === 0 && (agent?.editsWithTools ?? true))
        return trace.toolCallsAsText
            ? {mode: "tool_calls_as_text", detail: "The model wrote its tool calls as text in its answer instead of calling the tools."}
            : {mode: "no_tool_calls", detail: "The model answered without calling any tool."};
    const badCalls = trace.toolErrors.unknownTool + trace.toolErrors.badArguments;
    if (!scoring.checks.targetExists || scoring.checks.parses === false) return {mode: "target_broken", detail: scoring.original.explanation};
    if (scoring.checks.changed === false) {
        const others = trace.edited.filter((file) => file !== task.targetFile);
        if (others.length > 0) return {mode: "edited_other_files_only", detail: `The model edited ${others.join(", ")} but never ${task.targetFile}.`};
        if (trace.edited.includes(task.targetFile))
            return {
                mode: "never_edited_target",
                detail: `The model wrote ${task.targetFile} back without changing any line (line endings and a final newline do not count, as in helperbench).`
            };
        if (badCalls > 0)
            return {
                mode: "bad_tool_calls",
                detail: `${trace.toolErrors.unknownTool} calls to tools that do not exist and ${trace.toolErrors.badArguments} with bad arguments; nothing was edited.`
            };
        return {mode: "never_edited_target", detail: `The model stopped without editing ${task.targetFile}.`};
    }
    return {mode: "tests_fail", detail: scoring.original.explanation};
}
