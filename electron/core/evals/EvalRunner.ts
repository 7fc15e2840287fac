import path from "node:path";
import type {EvalRunSpec} from "../../api/EvalApi.ts";
import {errorBody} from "../../shared/AppError.ts";
import {recoverOrphanedJobs, type JobOwner} from "../jobs/JobOwner.ts";
import {removeOrphanedTempFolders} from "../jobs/ownedTempFolder.ts";
import type {EvalRepository} from "../store/evalRepository.ts";
import {EvalError} from "./EvalError.ts";
import type {EvalSolver} from "./EvalSolver.ts";
import type {EndpointResolver} from "./prepareModelEndpoint.ts";
import {removeOrphanedAgentScratch} from "./agentSolver.ts";
import {EVAL_WORKSPACE_PREFIX, runSample} from "./runSample.ts";
import type {RefactorTask} from "./tasks/refactorTasks.ts";
import type {TaskLanguage, Toolchain} from "./toolchains.ts";

export interface EvalRunnerOptions {
    repository: EvalRepository;
    /** This process's owner of jobs, recorded with the runs it queues so other processes leave them alone. */
    owner: JobOwner;
    /** The task a run names (throws EVAL_TASK_NOT_FOUND). */
    task(name: string): RefactorTask;
    toolchains: Record<TaskLanguage, Toolchain>;
    /** The harness each sample of a run goes through, found when the run starts. */
    solverFor(spec: EvalRunSpec): EvalSolver | Promise<EvalSolver>;
    /** Folder under which harnesses keep each sample's process output (`run-<id>/sample-<epoch>`). Default: not kept. */
    outputDir?: string;
    /** A run changed (status, activity, progress); listener errors are the caller's. */
    onRunChanged(runId: number): void;
    /** A sample changed (status, turns, usage, score). */
    onSampleChanged(sampleId: number): void;
}

const INTERRUPTED = "interrupted";
const CANCELLED = "cancelled";
const interruptedWhileRunning = {code: "EVAL_INTERRUPTED", message: "AgentFit stopped while this run was in progress. Resume it to finish the remaining samples."} as const;

/**
 * Runs queued eval runs one at a time in this process: each run's samples go through the solver and
 * the scorer on `concurrency` workers, every message and result written as it happens, so a crash
 * loses at most the samples in flight (they restart on resume). At construction, runs left queued or
 * running by a process that is gone are marked interrupted and the workspaces its samples left in
 * the temp folder are removed; `dispose` interrupts this process's own.
 */
export class EvalRunner implements AsyncDisposable {
    private readonly activities = new Map<number, string>();
    private readonly endpoints = new Map<number, EndpointResolver>();
    private readonly controllers = new Map<number, AbortController>();
    private readonly running = new Set<Promise<void>>();
    private queue: Promise<void> = Promise.resolve();
    private disposed = false;

    constructor(private readonly options: EvalRunnerOptions) {
        const repo = options.repository;
        recoverOrphanedJobs(repo.runsWithStatus(["queued", "running"]), (run) => run.owner, (run) => {
            this.resetUnfinished(run.id);
            repo.setRunStatus(run.id, "interrupted", {owner: null, error: interruptedWhileRunning});
        });
        // Workspaces of samples, and agents' temporary homes, whose process was killed mid-sample.
        removeOrphanedTempFolders(EVAL_WORKSPACE_PREFIX);
        removeOrphanedAgentScratch();
    }

    /** Whether the runner still takes runs (false once disposing). */
    get open(): boolean {
        return !this.disposed;
    }

    /** What a queued or running run of this process is doing now, for people ("Loading the model"…). */
    activity(runId: number): string | null {
        return this.activities.get(runId) ?? null;
    }

    /** Marks a created or resumable run queued by this process and runs it after the runs before it. */
    enqueue(runId: number, endpoint: EndpointResolver): void {
        if (this.disposed) throw new EvalError("EVAL_RUN_CONFLICT", "AgentFit is shutting down.");
        this.resetUnfinished(runId);
        this.options.repository.setRunStatus(runId, "queued", {owner: this.options.owner.id, error: null, completedAt: null});
        this.endpoints.set(runId, endpoint);
        this.activities.set(runId, "Waiting for earlier runs");
        const job = this.queue.then(() => this.execute(runId));
        this.queue = job.catch(() => {});
        this.running.add(job);
        void job.finally(() => this.running.delete(job));
        this.options.onRunChanged(runId);
    }

    /** Cancels a queued run, or stops a running one of this process and waits until it is stored as cancelled. */
    async cancel(runId: number): Promise<void> {
        const run = this.options.repository.getRun(runId);
        if (run?.status === "queued") {
            this.endpoints.delete(runId);
            this.activities.delete(runId);
            this.options.repository.setRunStatus(runId, "cancelled", {owner: null, completedAt: new Date().toISOString()});
            this.options.onRunChanged(runId);
        } else if (run?.status === "running") {
            const controller = this.controllers.get(runId);
            if (!controller) throw new EvalError("EVAL_RUN_CONFLICT", `Run #${runId} is running in another AgentFit process; cancel it there.`);
            controller.abort(CANCELLED);
            await new Promise<void>((resolve) => {
                const check = () => (this.controllers.has(runId) ? setTimeout(check, 20) : resolve());
                check();
            });
        }
    }

    /** Interrupts this process's queued and running runs (resumable later) and waits for them to be stored. Idempotent. */
    async dispose(): Promise<void> {
        this.disposed = true;
        const repo = this.options.repository;
        for (const run of repo.runsWithStatus(["queued"]))
            if (this.options.owner.owns(run.owner)) {
                this.endpoints.delete(run.id);
                repo.setRunStatus(run.id, "interrupted", {owner: null, error: {code: "EVAL_INTERRUPTED", message: "AgentFit stopped before this run started. Resume it to run it."}});
            }
        for (const controller of this.controllers.values()) controller.abort(INTERRUPTED);
        await Promise.allSettled([...this.running]);
    }

    [Symbol.asyncDispose]() {
        return this.dispose();
    }

    /** Samples left running or scoring start over on the next attempt; finished ones are kept. */
    private resetUnfinished(runId: number) {
        const repo = this.options.repository;
        for (const sample of repo.samples(runId)) if (sample.status !== "completed" && sample.status !== "pending") repo.resetSample(sample.id);
    }

    private setActivity(runId: number, text: string) {
        this.activities.set(runId, text);
        this.options.onRunChanged(runId);
    }

    private async execute(runId: number): Promise<void> {
        const {repository: repo, onRunChanged, onSampleChanged} = this.options;
        const resolveEndpoint = this.endpoints.get(runId);
        this.endpoints.delete(runId);
        const run = repo.getRun(runId);
        if (!run || run.status !== "queued" || !resolveEndpoint || this.disposed) {
            this.activities.delete(runId);
            return;
        }
        const controller = new AbortController();
        this.controllers.set(runId, controller);
        repo.setRunStatus(runId, "running", {owner: this.options.owner.id, startedAt: new Date().toISOString(), completedAt: null, error: null});
        this.setActivity(runId, run.spec.model.provider === "local" ? "Loading the model" : "Connecting");
        try {
            const task = this.options.task(run.spec.task);
            const endpoint = await resolveEndpoint(controller.signal, (text) => this.setActivity(runId, text));
            const solver = await this.options.solverFor(run.spec);
            this.setActivity(runId, "Running samples");
            const pending = repo.samples(runId).filter((s) => s.status !== "completed");
            // The first sample that fails stops the others: a run either completes or is resumed later.
            const failure = new AbortController();
            const signal = AbortSignal.any([controller.signal, failure.signal]);
            let next = 0;
            const worker = async () => {
                while (next < pending.length) {
                    signal.throwIfAborted();
                    const sample = pending[next++]!;
                    try {
                        repo.startSample(sample.id, new Date().toISOString());
                        onSampleChanged(sample.id);
                        const outcome = await runSample({
                            task,
                            toolchain: this.options.toolchains[task.language],
                            solver,
                            endpoint,
                            spec: run.spec,
                            owner: this.options.owner,
                            signal,
                            outputDir: this.options.outputDir ? sampleOutputDir(this.options.outputDir, runId, sample.epoch) : undefined,
                            onMessage: (message) => repo.appendMessage(sample.id, message),
                            onTurn: (trace) => {
                                repo.updateProgress(sample.id, trace);
                                onSampleChanged(sample.id);
                            },
                            onScoring: () => {
                                repo.setSampleStatus(sample.id, "scoring");
                                onSampleChanged(sample.id);
                            }
                        });
                        repo.finishSample(sample.id, outcome, new Date().toISOString());
                        onSampleChanged(sample.id);
                        onRunChanged(runId);
                    } catch (error) {
                        failure.abort(error);
                        throw error;
                    }
                }
            };
            const results = await Promise.allSettled(Array.from({length: Math.min(run.spec.concurrency, pending.length)}, worker));
            controller.signal.throwIfAborted();
            const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
            if (rejected) throw rejected.reason;
            this.activities.delete(runId);
            repo.setRunStatus(runId, "completed", {owner: null, completedAt: new Date().toISOString()});
        } catch (error) {
            this.activities.delete(runId);
            this.resetUnfinished(runId);
            const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
            if (reason === CANCELLED) repo.setRunStatus(runId, "cancelled", {owner: null, completedAt: new Date().toISOString()});
            else if (reason === INTERRUPTED) repo.setRunStatus(runId, "interrupted", {owner: null, error: interruptedWhileRunning});
            else repo.setRunStatus(runId, "failed", {owner: null, completedAt: new Date().toISOString(), error: errorBody(error, "EVAL_FAILED")});
        } finally {
            this.controllers.delete(runId);
            if (!this.disposed || repo.getRun(runId)) onRunChanged(runId);
        }
    }
}

/** Where a sample's harness output is kept. */
export function sampleOutputDir(root: string, runId: number, epoch: number): string {
    return path.join(root, `run-${runId}`, `sample-${epoch}`);
}
