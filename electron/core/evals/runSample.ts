import type {EvalMessage, EvalRunSpec} from "../../api/EvalApi.ts";
import type {JobOwner} from "../jobs/JobOwner.ts";
import {createOwnedTempFolder} from "../jobs/ownedTempFolder.ts";
import type {EvalSampleOutcome} from "../store/evalRepository.ts";
import {classifyFailure} from "./classifyFailure.ts";
import {EvalError} from "./EvalError.ts";
import type {EvalSolver, ModelEndpoint, SolverTrace} from "./EvalSolver.ts";
import {scoreSample} from "./scoreSample.ts";
import {systemPrompts} from "./systemPrompts.ts";
import type {RefactorTask} from "./tasks/refactorTasks.ts";
import type {Toolchain} from "./toolchains.ts";
import {copyProject, diffProjects} from "./workspace.ts";

export interface RunSampleOptions {
    task: RefactorTask;
    toolchain: Toolchain;
    /** The harness that tries the task. */
    solver: EvalSolver;
    endpoint: ModelEndpoint;
    spec: EvalRunSpec;
    /** Marks the sample's workspace, so a later process removes it if this one is killed. */
    owner: JobOwner;
    signal?: AbortSignal;
    /** Where the harness keeps this sample's process output, if anywhere. */
    outputDir?: string;
    onMessage?: (message: EvalMessage) => void;
    onTurn?: (trace: SolverTrace) => void;
    /** Called when the agent is done and grading starts. */
    onScoring?: () => void;
}

/** What every sample's workspace folder (in the temp folder) is named after. */
export const EVAL_WORKSPACE_PREFIX = "agentfit-eval-";

/** One sample: a fresh copy of the task's project, the solver in it, the diffs, both scores and the failure mode. */
export async function runSample(options: RunSampleOptions): Promise<EvalSampleOutcome> {
    const {task, toolchain, spec} = options;
    const folder = createOwnedTempFolder(`${EVAL_WORKSPACE_PREFIX}${task.name}-`, options.owner);
    const workspace = folder.path;
    try {
        copyProject(task.projectDir, workspace);
        const trace = await options.solver.solve({
            workspace,
            prompt: task.prompt,
            targetFile: task.targetFile,
            outputDir: options.outputDir,
            systemPrompt: systemPrompts[spec.systemPrompt],
            toolchain,
            endpoint: options.endpoint,
            limits: spec.limits,
            temperature: spec.temperature,
            signal: options.signal,
            onMessage: options.onMessage,
            onTurn: options.onTurn
        });
        // A provider that refuses the very first request (bad key, unknown model, no access) says
        // nothing about the model: stop the run instead of recording a failed sample.
        const refused = trace.providerError;
        if (refused && trace.turns === 0 && refused.status !== null && [401, 403, 404].includes(refused.status))
            throw new EvalError("EVAL_PROVIDER_REJECTED", `The provider refused the request: ${refused.message}`);
        const diffs = diffProjects(task.projectDir, workspace, task.sourceDir);
        options.onScoring?.();
        const scoringStarted = performance.now();
        const {subprocessMs: scoringSubprocessMs, ...scoring} = await scoreSample({task, toolchain, workspace, signal: options.signal});
        const scoringMs = performance.now() - scoringStarted;
        // A test run killed by cancellation says nothing about the model: do not record it as a score.
        options.signal?.throwIfAborted();
        const failure = classifyFailure(task, trace, scoring);
        return {
            score: scoring.original.value,
            strictScore: scoring.strict.value,
            failureMode: failure?.mode ?? null,
            failureDetail: failure?.detail ?? (scoring.strict.value === "I" ? scoring.strict.explanation : null),
            turns: trace.turns,
            usage: trace.usage,
            toolCalls: trace.toolCalls,
            toolErrors: trace.toolErrors,
            limitHit: trace.limitHit,
            wallMs: trace.wallMs,
            modelMs: trace.modelMs,
            toolMs: trace.toolMs,
            subprocessMs: trace.subprocessMs + scoringSubprocessMs,
            scoringMs,
            error: trace.providerError?.message ?? null,
            scoring,
            diffs,
            ...(trace.agent ? {outsideAccess: trace.agent.outsideAccess} : {})
        };
    } finally {
        folder.remove();
    }
}
