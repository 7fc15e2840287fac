import {describeOwner, isOwnerAlive, recoverOrphanedJobs, type JobOwner} from "../jobs/JobOwner.ts";
import {z} from "zod";
import type {AnswerApi, AnswerPlan, AnswerStep} from "../../api/AnswerApi.ts";
import type {BenchRunDetail} from "../../api/BenchApi.ts";
import type {AppApi, AppEvents} from "../../api/AppApi.ts";
import {AppError, errorBody} from "../../shared/AppError.ts";
import {knownErrorCode} from "../../shared/errorCodes.ts";
import type {EventBus} from "../../shared/EventBus.ts";
import {formatInterval, formatPercent} from "../../shared/evalFormat.ts";
import {formatBytes, formatTransfer, plural, remainingSeconds} from "../../shared/format.ts";
import {formatSeconds, formatTps} from "../../shared/verdictFormat.ts";
import {emptyArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {recordId, requiredText, wholeNumber} from "../../shared/parseArgument.ts";
import type {Store} from "../store/Store.ts";
import {AnswerError} from "./AnswerError.ts";
import type {EvalProviderId} from "../../api/EvalApi.ts";
import {providerIds} from "../evals/providers.ts";
import {answerBenchRequest, answerEvalRequest, candidateContextSize, downloadedCandidateChange, estimateEval, evalProfiles, planAnswer, replanCandidates} from "./planAnswer.ts";

export interface AnswerApiOptions {
    store: Store;
    events: EventBus<AppEvents>;
    /** The models folder: downloads land there, so the plan checks its free space. */
    modelsDir: string;
    /** The app's own API: the plan drives the download, benchmark and eval jobs through it, as the screens do. */
    app(): AppApi;
    /** Registers cleanup for app disposal (a running plan is paused). */
    onDispose(cleanup: () => Promise<void> | void): void;
    /** How often a running step reads its job's progress, ms. Default 500. */
    pollMs?: number;
    /** This process's job owner: a plan running in another live process is left alone. */
    owner: JobOwner;
}

const candidateList = z.array(requiredText("must be a model reference")).min(1).max(3);
const planRequestSchema = z.strictObject({
    profile: z.enum(["quick", "full"]).optional(),
    candidates: candidateList.optional(),
    offline: z.boolean().optional(),
    threads: wholeNumber(1, 1024).optional(),
    runs: wholeNumber(1, 100).optional(),
    maxTurns: wholeNumber(1, 1000).optional(),
    maxOutputTokensPerTurn: wholeNumber(16, 1_000_000).optional()
});
const planIdSchema = z.strictObject({planId: recordId});
const evalModels = z
    .array(z.strictObject({provider: z.enum(providerIds as [EvalProviderId, ...EvalProviderId[]], {error: `must be one of ${providerIds.join(", ")}`}), model: requiredText("must be a model reference")}))
    .max(20);
const estimateEvalSchema = z.strictObject({
    models: evalModels.min(1),
    tasks: z.array(requiredText("must be a task name")).max(20).optional(),
    runs: wholeNumber(1, 100),
    maxTurns: wholeNumber(1, 1000),
    maxOutputTokensPerTurn: wholeNumber(16, 1_000_000).optional()
});

/** Why a running step was interrupted by the user. */
type Interruption = "pause" | "skip";

class StepInterrupted extends Error {
    constructor(readonly reason: Interruption) {
        super(reason);
    }
}

/**
 * The guided path's plan and its runner: plans from the probe and the recommendation, then drives the
 * existing download, benchmark and eval jobs one step at a time. Every change is written to SQLite
 * (read, change and write with no await between, so the runner and the API never overwrite each
 * other), so a restart finds the plan paused where it stopped.
 */
export function createAnswerApi(options: AnswerApiOptions): MethodTable<AnswerApi> {
    const {app, events} = options;
    const plans = options.store.answerPlans;
    const pollMs = options.pollMs ?? 500;
    const planner = () => ({api: app(), modelsFolder: options.modelsDir});
    let active: {planId: number; controller: AbortController; interruption: Interruption | null; finished: Promise<void>} | undefined;

    const load = (planId: number): AnswerPlan => {
        const plan = plans.get(planId);
        if (!plan) throw new AnswerError("ANSWER_PLAN_NOT_FOUND", `There is no plan #${planId}; make one with answer.plan (agentfit answer).`);
        return plan;
    };
    const mutate = (planId: number, change: (plan: AnswerPlan) => void): AnswerPlan => {
        const plan = load(planId);
        change(plan);
        plan.updatedAt = new Date().toISOString();
        plans.save(plan);
        events.emit("answer.updated", plan);
        return plan;
    };
    const mutateStep = (planId: number, index: number, change: (step: AnswerStep, plan: AnswerPlan) => void) => mutate(planId, (plan) => change(plan.steps[index]!, plan));

    // A plan left running by a process that ended is paused: its jobs ended with that process. One
    // that another live process runs (the desktop app while a CLI command starts) is left alone.
    const latest = plans.latest();
    recoverOrphanedJobs(latest?.state === "running" ? [latest] : [], (plan) => plan.owner ?? null, (orphan) =>
        mutate(orphan.id, (plan) => {
            plan.state = "paused";
            plan.owner = null;
            for (const step of plan.steps.filter((s) => s.state === "running")) {
                step.state = "paused";
                step.etaSeconds = null;
                step.note = "AgentFit stopped while this step ran; resume the plan to continue it.";
            }
        })
    );
    options.onDispose(async () => {
        if (!active) return;
        active.interruption = "pause";
        active.controller.abort();
        await active.finished;
    });

    const sleep = (signal: AbortSignal) =>
        new Promise<void>((resolve) => {
            const done = () => {
                clearTimeout(timer);
                signal.removeEventListener("abort", done);
                resolve();
            };
            const timer = setTimeout(done, pollMs);
            signal.addEventListener("abort", done, {once: true});
        });

    /** Polls until `check` returns true, updating the step; throws StepInterrupted on pause or skip. */
    async function follow(planId: number, index: number, signal: AbortSignal, check: (step: AnswerStep) => Promise<boolean>) {
        let since = Date.now();
        for (;;) {
            if (signal.aborted) throw new StepInterrupted(active?.interruption ?? "pause");
            const progress: Partial<AnswerStep> = {};
            const ended = await check(progress as AnswerStep);
            mutateStep(planId, index, (step) => {
                Object.assign(step, progress);
                step.elapsedSeconds += (Date.now() - since) / 1000;
                since = Date.now();
                if (progress.etaSeconds == null) step.etaSeconds = extrapolatedEta(step);
            });
            if (ended) return;
            await sleep(signal);
        }
    }

    async function runDownload(plan: AnswerPlan, step: AnswerStep, signal: AbortSignal) {
        const api = app();
        const candidate = plan.candidates.find((c) => c.key === step.candidate)!;
        let jobId = step.job?.id;
        const existing = jobId ? (await api["downloads.list"]({})).find((j) => j.id === jobId) : undefined;
        if (existing && ["paused", "failed", "cancelled"].includes(existing.state) && existing.canResume) await api["downloads.resume"]({id: existing.id});
        else if (!existing || existing.state === "cancelled") {
            try {
                jobId = (await api["downloads.start"]({reference: candidate.key})).id;
            } catch (error) {
                if ((error as AppError).code !== "DOWNLOAD_ALREADY_REGISTERED") throw error;
                const model = (await api["models.list"]({})).find((m) => m.source.kind === "huggingface" && m.source.catalogId === candidate.key);
                await adoptDownloadedModel(plan.id, candidate.key, model?.id ?? null);
                return;
            }
            mutateStep(plan.id, step.index, (s) => void (s.job = {kind: "download", id: jobId!}));
        }
        await follow(plan.id, step.index, signal, async (progress) => {
            const job = (await api["downloads.list"]({})).find((j) => j.id === jobId);
            if (!job) throw new AppError("DOWNLOAD_JOB_NOT_FOUND", `Download #${jobId} is gone (dismissed elsewhere).`);
            progress.progress = job.totalBytes ? job.downloadedBytes / job.totalBytes : null;
            // Bytes and speed; the ETA is the step's own, shown once beside its elapsed time.
            progress.detail = formatTransfer({downloadedBytes: job.downloadedBytes, totalBytes: job.totalBytes, bytesPerSecond: job.bytesPerSecond});
            progress.etaSeconds = job.etaSeconds;
            if (job.state === "failed" || job.state === "cancelled") throw new AppError(knownErrorCode(job.error?.code, "DOWNLOAD_FAILED"), job.error?.message ?? `The download was ${job.state}.`);
            if (job.state !== "completed") return false;
            // What the download checked: a completed download matched the published SHA-256 when the source has one.
            const checked = job.files.every((f) => f.expectedSha256 !== null);
            progress.detail = `${formatBytes(job.downloadedBytes)} downloaded · ${checked ? "SHA-256 verified against the published checksum" : "no published SHA-256: size and GGUF header checked"}`;
            progress.etaSeconds = 0;
            await adoptDownloadedModel(plan.id, candidate.key, job.modelId);
            return true;
        });
    }

    /**
     * A candidate's download ended (here, or before in another process): the candidate is now that
     * registered file, and the plan follows what the file's own header says (the catalog may have said
     * more): its trained context, the limitation that follows from it, its next steps' estimates.
     */
    async function adoptDownloadedModel(planId: number, key: string, modelId: string | null) {
        const model = modelId ? await app()["models.get"]({reference: modelId}).catch(() => null) : null;
        const change = model ? await downloadedCandidateChange(load(planId), key, model, planner()) : null;
        mutate(planId, (p) => {
            const c = p.candidates.find((c) => c.key === key)!;
            c.modelId = modelId;
            if (modelId) c.downloadBytes = 0;
            change?.(p);
        });
    }

    async function registeredModelOf(plan: AnswerPlan, step: AnswerStep) {
        const candidate = plan.candidates.find((c) => c.key === step.candidate)!;
        if (!candidate.modelId) return null;
        try {
            return await app()["models.get"]({reference: candidate.modelId});
        } catch {
            return null;
        }
    }

    async function runBench(plan: AnswerPlan, step: AnswerStep, signal: AbortSignal) {
        const api = app();
        const model = await registeredModelOf(plan, step);
        if (!model) return skipForMissingModel(plan, step);
        let runId = step.job?.id;
        const previous = runId ? await api["bench.run"]({runId}) : undefined;
        if (previous?.status !== "running" && previous?.status !== "completed") {
            runId = (await api["bench.start"](answerBenchRequest(model.id, candidateContextSize(plan, model), plan.settings.threads, plan.profile))).id;
            mutateStep(plan.id, step.index, (s) => {
                s.job = {kind: "bench", id: runId!};
                if (previous) s.note = "A benchmark cannot continue halfway: it started again.";
            });
        }
        await follow(plan.id, step.index, signal, async (progress) => {
            const run = await api["bench.run"]({runId: runId!});
            const {testsDone, testsTotal, current} = run.progress;
            progress.progress = testsTotal > 0 ? testsDone / testsTotal : null;
            progress.detail = `${testsDone} of ${plural(testsTotal, "test")} done` + (current ? ` · ${current.kind} at depth ${current.depth}: ${current.phase}` : "");
            if (run.status === "running") return false;
            if (run.status !== "completed") throw new AppError(knownErrorCode(run.error?.code, "BENCH_FAILED"), run.error?.message ?? `The benchmark was ${run.status}.`);
            progress.detail = benchOutcome(run);
            return true;
        });
    }

    async function runEval(plan: AnswerPlan, step: AnswerStep, signal: AbortSignal) {
        const api = app();
        const model = await registeredModelOf(plan, step);
        if (!model) return skipForMissingModel(plan, step);
        let runId = step.job?.id;
        const previous = runId ? await api["eval.run"]({runId}) : undefined;
        if (previous && ["interrupted", "cancelled", "failed"].includes(previous.status)) await api["eval.resume"]({runId: previous.id});
        else if (!previous) {
            const [run] = await api["eval.start"](answerEvalRequest(plan, model.id, candidateContextSize(plan, model)));
            runId = run!.id;
            mutateStep(plan.id, step.index, (s) => void (s.job = {kind: "eval", id: runId!}));
        }
        await follow(plan.id, step.index, signal, async (progress) => {
            const run = await api["eval.run"]({runId: runId!});
            const {total, completed} = run.progress;
            const stats = run.stats;
            progress.progress = total > 0 ? completed / total : null;
            progress.detail =
                `${completed} of ${plural(total, "run")} done` +
                (stats.samples > 0 ? `, ${stats.successes} passed (success ${formatPercent(stats.successRate)}, 95% interval ${formatInterval(stats.interval)})` : "") +
                (run.activity ? ` · ${run.activity}` : "");
            if (run.status === "queued" || run.status === "running") return false;
            if (run.status !== "completed") throw new AppError(knownErrorCode(run.error?.code, "EVAL_FAILED"), run.error?.message ?? `The eval run was ${run.status}.`);
            return true;
        });
    }

    async function runVerdict(plan: AnswerPlan, step: AnswerStep) {
        const api = app();
        let verdict;
        try {
            verdict = await api["verdict.get"]({task: plan.eval.task});
        } catch {
            verdict = await api["verdict.get"]({}); // no eval finished on the plan's task: the Verdict from what there is
        }
        mutate(plan.id, (p) => {
            p.verdict = {level: verdict.answer.verdict, headline: verdict.answer.headline, task: verdict.task};
            p.steps[step.index]!.detail = verdict.answer.headline;
        });
    }

    function skipForMissingModel(plan: AnswerPlan, step: AnswerStep) {
        mutateStep(plan.id, step.index, (s) => {
            s.state = "skipped";
            s.note = "Skipped: its model is not on disk (its download was skipped or failed).";
        });
    }

    async function pauseJob(step: AnswerStep) {
        const api = app();
        if (!step.job) return;
        try {
            if (step.job.kind === "download") await api["downloads.pause"]({id: step.job.id});
            else if (step.job.kind === "bench") await api["bench.cancel"]({runId: step.job.id});
            else await api["eval.cancel"]({runId: step.job.id});
        } catch {
            // The job already ended on its own; the step's state says what is left.
        }
    }

    async function drive(planId: number, controller: AbortController) {
        for (;;) {
            const plan = load(planId);
            const step = plan.steps.find((s) => s.state === "pending" || s.state === "paused" || s.state === "running");
            if (!step) {
                mutate(planId, (p) => void (p.state = "done"));
                return;
            }
            mutateStep(planId, step.index, (s) => {
                s.state = "running";
                s.error = null;
                s.etaSeconds = s.estimate.seconds;
            });
            try {
                const current = load(planId);
                const runner = {download: runDownload, bench: runBench, eval: runEval, verdict: runVerdict}[step.kind];
                await runner(current, current.steps[step.index]!, controller.signal);
                mutateStep(planId, step.index, (s) => {
                    if (s.state !== "running") return;
                    s.state = "done";
                    s.progress = 1;
                    s.etaSeconds = 0;
                });
            } catch (error) {
                if (error instanceof StepInterrupted || controller.signal.aborted) {
                    const reason = error instanceof StepInterrupted ? error.reason : (active?.interruption ?? "pause");
                    await pauseJob(load(planId).steps[step.index]!);
                    mutate(planId, (p) => {
                        const s = p.steps[step.index]!;
                        s.state = reason === "skip" ? "skipped" : "paused";
                        s.etaSeconds = null;
                        if (reason === "pause") p.state = "paused";
                    });
                    if (reason === "pause") return;
                    controller = new AbortController();
                    if (active) {
                        active.controller = controller;
                        active.interruption = null;
                    }
                    continue;
                }
                mutateStep(planId, step.index, (s) => {
                    s.state = "failed";
                    s.etaSeconds = null;
                    s.error = errorBody(error, "ANSWER_STEP_FAILED");
                });
            }
        }
    }

    function start(planId: number) {
        const controller = new AbortController();
        const entry = {planId, controller, interruption: null as Interruption | null, finished: Promise.resolve()};
        active = entry;
        entry.finished = drive(planId, controller)
            .catch((error: unknown) => console.error("[agentfit] the answer plan stopped:", error))
            .finally(() => {
                if (active === entry) active = undefined;
            });
    }

    return {
        "answer.estimateEval": {
            schema: estimateEvalSchema,
            handler: (request) => estimateEval(request, planner())
        },

        "answer.evalProfiles": {
            schema: z.strictObject({models: evalModels}),
            handler: ({models}) => evalProfiles(models, planner())
        },

        "answer.plan": {
            schema: planRequestSchema,
            async handler(request) {
                if (active) throw new AnswerError("ANSWER_PLAN_RUNNING", `Plan #${active.planId} is running; pause it (answer.pause) before planning again.`);
                return plans.create(await planAnswer(request, planner()));
            }
        },

        "answer.current": {
            schema: emptyArgument,
            handler: async () => plans.latest() ?? null
        },

        "answer.run": {
            schema: planIdSchema,
            async handler({planId}) {
                const plan = load(planId);
                if (active?.planId === planId) return plan;
                if (active) throw new AnswerError("ANSWER_PLAN_RUNNING", `Plan #${active.planId} is running; pause it before running another.`);
                if (plan.state === "done") throw new AnswerError("ANSWER_PLAN_DONE", `Plan #${planId} is done; make a new plan to measure again.`);
                if (plan.state === "running" && plan.owner && !options.owner.owns(plan.owner) && isOwnerAlive(plan.owner))
                    throw new AnswerError("ANSWER_PLAN_RUNNING", `Plan #${planId} is running in another AgentFit process (${describeOwner(plan.owner)}); pause it there or wait for it.`);
                const running = mutate(planId, (p) => {
                    p.state = "running";
                    p.owner = options.owner.id;
                });
                start(planId);
                return running;
            }
        },

        "answer.pause": {
            schema: planIdSchema,
            async handler({planId}) {
                const plan = load(planId);
                if (active?.planId !== planId) return plan;
                const run = active;
                run.interruption = "pause";
                run.controller.abort();
                await run.finished;
                return load(planId);
            }
        },

        "answer.skip": {
            schema: z.strictObject({planId: recordId, step: wholeNumber(0, 1000)}),
            async handler({planId, step: index}) {
                const plan = load(planId);
                const step = plan.steps[index];
                if (!step) throw new AnswerError("ANSWER_STEP_NOT_FOUND", `Plan #${planId} has ${plural(plan.steps.length, "step")} (0–${plan.steps.length - 1}); there is no step ${index}.`);
                if (["done", "skipped", "failed"].includes(step.state)) throw new AnswerError("ANSWER_STEP_FINISHED", `Step ${index} (${step.title}) has already ended (${step.state}).`);
                if (active?.planId === planId && step.state === "running") {
                    const run = active;
                    const skipped = new Promise<void>((resolve) => {
                        const unsubscribe = events.subscribe((event, payload) => {
                            if (event === "answer.updated" && (payload as AnswerPlan).id === planId && (payload as AnswerPlan).steps[index]!.state !== "running") {
                                unsubscribe();
                                resolve();
                            }
                        });
                        void run.finished.then(() => (unsubscribe(), resolve()));
                    });
                    run.interruption = "skip";
                    run.controller.abort();
                    await skipped;
                    return load(planId);
                }
                if (step.state === "paused") await pauseJob(step);
                return mutateStep(planId, index, (s) => {
                    s.state = "skipped";
                    s.etaSeconds = null;
                });
            }
        },

        "answer.setCandidates": {
            schema: z.strictObject({planId: recordId, candidates: candidateList}),
            async handler({planId, candidates}) {
                const plan = load(planId);
                if (active?.planId === planId) throw new AnswerError("ANSWER_PLAN_RUNNING", `Plan #${planId} is running; pause it before changing its candidates.`);
                const replanned = await replanCandidates(plan, candidates, planner());
                return mutate(planId, (p) => Object.assign(p, replanned, {id: planId, state: plan.state === "ready" ? "ready" : "paused"}));
            }
        }
    };
}

/** What a finished bench step measured, in the Verdict's terms: generation speed at its depth and the time per agent turn. */
function benchOutcome(run: BenchRunDetail): string {
    const completed = run.results.filter((r) => r.status === "completed");
    const tg = completed.filter((r) => r.kind === "tg" && r.avgTs !== null).sort((a, b) => b.depth - a.depth)[0];
    const turns = completed.find((r) => r.kind === "agent")?.agentTurns ?? [];
    const parts = [`${plural(completed.length, "test")} done`];
    if (tg) parts.push(`generation ${formatTps(tg.avgTs)} at ${tg.depth.toLocaleString("en-US")} tokens of context`);
    if (turns.length) parts.push(`${formatSeconds(turns.reduce((sum, t) => sum + t.totalMs, 0) / turns.length / 1000)} per agent turn`);
    const unmeasured = run.results.filter((r) => r.status !== "completed");
    if (unmeasured.length > 0) parts.push(`${plural(unmeasured.length, "test")} not measured: ${unmeasured.map((r) => r.reason?.message ?? r.status).join("; ")}`);
    return parts.join(" · ");
}

/** Seconds left from the progress so far, else what is left of the estimate. */
function extrapolatedEta(step: AnswerStep): number | null {
    return remainingSeconds(step.elapsedSeconds, step.progress, step.estimate.seconds);
}
