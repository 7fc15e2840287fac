import fs from "node:fs";
import path from "node:path";
import type {AppApi} from "../../api/AppApi.ts";
import type {
    AnswerCandidate,
    AnswerEstimate,
    AnswerEvalAlternative,
    AnswerEvalPlan,
    AnswerPlan,
    AnswerPlanRequest,
    AnswerProfile,
    AnswerStep,
    EvalEstimate,
    EvalEstimateModel,
    EvalEstimateRequest,
    EvalProfileOption
} from "../../api/AnswerApi.ts";
import type {BenchStartRequest} from "../../api/BenchApi.ts";
import type {RegisteredModel} from "../../api/DownloadsApi.ts";
import type {EvalModelResult, EvalStartRequest, EvalTaskInfo} from "../../api/EvalApi.ts";
import type {ModelRecommendation, PredictedLevel, RecommendationReport, SpeedPrediction} from "../../api/ModelsApi.ts";
import {formatBytes, formatDuration, formatSpeed, plural} from "../../shared/format.ts";
import {agentSessionDepth} from "../../shared/agentTurn.ts";
import {levelLabels} from "../../shared/verdictLevels.ts";
import {trainedContextShortfall} from "../rules/judgeModel.ts";
import {errorMessage} from "../../shared/AppError.ts";
import {AnswerError} from "./AnswerError.ts";
import {EvalError} from "../evals/EvalError.ts";

/**
 * The eval each profile runs, before the request's overrides, and its benchmark's timed repetitions. Quick times
 * one run after the warm-up: a single sample has no spread, so the benchmark never re-runs it for noise, and each
 * re-run would fill the deep context again (the step's bulk); the full profile's 5 keep llama-bench's noise check.
 */
export const answerProfiles: Record<AnswerProfile, {runs: number; maxTurns: number; benchRepetitions: number; label: string}> = {
    quick: {runs: 3, maxTurns: 20, benchRepetitions: 1, label: "quick"},
    full: {runs: 10, maxTurns: 40, benchRepetitions: 5, label: "full helperbench"}
};
const DEFAULT_OUTPUT_TOKENS_PER_TURN = 1024;
/** Turns a laptop-class model usually takes per run when nothing was measured (many hit the turn limit). */
const ASSUMED_TURNS_PER_RUN = 10;
/** Download speed assumed before this machine has downloaded anything, bytes/s. */
const ASSUMED_DOWNLOAD_BYTES_PER_SECOND = 10 * 1024 * 1024;
const MAX_CANDIDATES = 3;
/** Assumed fixed costs the speed predictions leave out: starting the engine and loading a model (plus reading it at 1 GB/s), grading one eval run. */
const ASSUMED_LOAD_SECONDS = 5;
const ASSUMED_LOAD_BYTES_PER_SECOND = 1024 ** 3;
const ASSUMED_SCORING_SECONDS_PER_RUN = 10;
/** Quickest task first: Node's test runner starts fastest, then Python, then R. */
const QUICK_TASK_LANGUAGES: EvalTaskInfo["language"][] = ["javascript", "python", "r"];
const levelOrder: Record<PredictedLevel, number> = {usable: 0, almost: 1, no: 2, "no-fit": 3};

export interface AnswerPlannerDeps {
    api: AppApi;
    /** The models folder: downloads land there, so its free space is checked. */
    modelsFolder: string;
}

/** What the planner knows about a candidate besides what the plan shows. */
interface CandidateFacts {
    candidate: AnswerCandidate;
    speed: SpeedPrediction | null;
    /** File path on disk (for eval results lookup), null before download. */
    path: string | null;
}

/** A candidate's estimates in its plan: its benchmark and eval steps, and its share of the other profile's eval. */
interface CandidateEstimates {
    bench: AnswerEstimate;
    eval: AnswerEstimate;
    alternative: AnswerEstimate;
}

/** The settings every step of a plan runs with; kept in the plan so a replan and a resume use the same. */
interface PlanSettings {
    profile: AnswerProfile;
    offline: boolean;
    threads: number;
    runs: number;
    maxTurns: number;
    maxOutputTokensPerTurn: number;
}

/** Plans the guided path: candidates, steps with estimates, disk check, limitations. Nothing runs. */
export async function planAnswer(request: AnswerPlanRequest, deps: AnswerPlannerDeps): Promise<Omit<AnswerPlan, "id">> {
    const profile = request.profile ?? "quick";
    const settings: PlanSettings = {
        profile,
        offline: request.offline ?? false,
        threads: request.threads ?? (await physicalCores(deps.api)),
        runs: request.runs ?? answerProfiles[profile].runs,
        maxTurns: request.maxTurns ?? answerProfiles[profile].maxTurns,
        maxOutputTokensPerTurn: request.maxOutputTokensPerTurn ?? DEFAULT_OUTPUT_TOKENS_PER_TURN
    };
    const limitations: string[] = [];
    if (settings.offline) await scanOtherTools(deps.api, limitations);
    const recommendation = await deps.api["models.recommend"]({});
    const references = request.candidates ?? (settings.offline ? await onDiskPicks(deps.api, recommendation) : recommendedPicks(recommendation));
    if (settings.offline) {
        const downloaded = new Set((await deps.api["models.list"]({})).flatMap((m) => (m.source.kind === "huggingface" && m.source.catalogId ? [m.source.catalogId] : [])));
        const missing = recommendedPicks(recommendation).filter((key) => !downloaded.has(key));
        limitations.push(
            "Offline: the plan measures models already on disk and downloads nothing" +
                (missing.length ? `; the catalog's picks for this machine that are not on disk (${missing.join(", ")}) are left out.` : ".")
        );
    }
    return buildPlan(settings, references, recommendation, deps, limitations, []);
}

/** The settings a saved plan was made with. */
function settingsOf(plan: AnswerPlan): PlanSettings {
    return {
        profile: plan.profile,
        offline: plan.offline,
        threads: plan.settings.threads,
        runs: plan.eval.runs,
        maxTurns: plan.eval.maxTurns,
        maxOutputTokensPerTurn: plan.eval.maxOutputTokensPerTurn
    };
}

/** The same plan with other candidates: finished steps of candidates that stay are kept. */
export async function replanCandidates(plan: AnswerPlan, references: string[], deps: AnswerPlannerDeps): Promise<Omit<AnswerPlan, "id">> {
    const recommendation = await deps.api["models.recommend"]({});
    return {...(await buildPlan(settingsOf(plan), references, recommendation, deps, [], plan.steps)), createdAt: plan.createdAt};
}

/**
 * The change a finished download makes to its plan: the candidate as its file says (the context it
 * was trained for, from its GGUF header, where the catalog entry the plan was made from may say
 * more; its size and quantization; its predicted level at the agent context and its speeds where it
 * runs), the "trained for less" limitation when it applies, and its estimates re-made from those
 * facts by the estimators the plan was made with: its steps still to run, and its share of the other
 * profile's eval. Everything is read first; the returned change is applied to the saved plan with no
 * await between.
 */
export async function downloadedCandidateChange(plan: AnswerPlan, key: string, model: RegisteredModel, deps: AnswerPlannerDeps): Promise<(plan: AnswerPlan) => void> {
    const settings = settingsOf(plan);
    const facts = await onDiskCandidate(model, plan.settings.contextSize, deps.api, "Downloaded");
    // A plan saved before the alternative kept its task and shares has no share to re-estimate.
    const alternativeTask = plan.eval.alternative.task ?? plan.eval.task;
    const estimates = await estimateCandidate(deps.api, facts, settings, plan.eval.task, alternativeTask);
    return (p) => {
        const c = p.candidates.find((c) => c.key === key);
        if (!c) return;
        const before = trainedContextLimitation(c, p.settings.contextSize);
        const file = facts.candidate;
        Object.assign(c, {
            modelId: file.modelId,
            downloadBytes: 0,
            sizeBytes: file.sizeBytes,
            quantization: file.quantization ?? c.quantization,
            predicted: file.predicted,
            reason: file.reason,
            contextSize: file.contextSize
        });
        const after = trainedContextLimitation(c, p.settings.contextSize);
        p.limitations = p.limitations.filter((line) => line !== before);
        if (after) p.limitations.push(after);
        for (const step of p.steps.filter((s) => s.candidate === key)) {
            if (step.kind === "bench") step.title = benchStepTitle(c);
            if ((step.kind === "bench" || step.kind === "eval") && step.state === "pending") step.estimate = estimates[step.kind];
        }
        const alternative = p.eval.alternative;
        const share = (alternative.candidates as AnswerEvalAlternative["candidates"] | undefined)?.find((s) => s.candidate === key);
        if (share) {
            share.estimate = estimates.alternative;
            alternative.estimate = alternativeTotal(alternative.candidates);
        }
        p.estimate = sumEstimates(p.steps.filter((s) => s.state !== "skipped").map((s) => s.estimate));
    };
}

/**
 * The plan's line for a candidate trained for less than the agent context, in the Verdict's words
 * ("Doesn't fit: trained for 8,192 tokens; the agent context is 32,768"); null when it was trained for enough.
 */
function trainedContextLimitation(candidate: Pick<AnswerCandidate, "name" | "contextSize">, agentContext: number): string | null {
    const shortfall = trainedContextShortfall(candidate.contextSize, agentContext);
    if (!shortfall) return null;
    return `${candidate.name} — ${levelLabels["no-fit"]}: ${shortfall}. It is measured at the ${candidate.contextSize.toLocaleString("en-US")} tokens it was trained for.`;
}

async function buildPlan(
    settings: PlanSettings,
    references: string[],
    recommendation: RecommendationReport,
    deps: AnswerPlannerDeps,
    limitations: string[],
    previousSteps: AnswerStep[]
): Promise<Omit<AnswerPlan, "id">> {
    const {api} = deps;
    const unique = [...new Set(references.map((r) => r.trim()).filter(Boolean))];
    if (unique.length === 0)
        throw new AnswerError(
            "ANSWER_NO_CANDIDATES",
            settings.offline
                ? "No model on disk fits this machine: import a folder of GGUF files (agentfit models import <folder>) or plan online to download the recommended ones."
                : "The catalog has no model that fits this machine at the agent context; name a model to measure anyway (a GGUF path, a registered id or a catalog id)."
        );
    if (unique.length > MAX_CANDIDATES) throw new AnswerError("ANSWER_NO_CANDIDATES", `A plan measures at most ${MAX_CANDIDATES} candidates; ${unique.length} were named.`);
    const agentContext = recommendation.settings.contextSize;
    const registered = await api["models.list"]({});
    const facts: CandidateFacts[] = [];
    for (const reference of unique) facts.push(await resolveCandidate(reference, recommendation, registered, deps, settings.offline));
    for (const f of facts) {
        const limitation = trainedContextLimitation(f.candidate, agentContext);
        if (limitation) limitations.push(limitation);
    }

    const task = await chooseTask(api, settings.profile);
    const alternativeTask = await alternativeTaskOf(api, settings, task);
    const estimates = new Map<CandidateFacts, CandidateEstimates>();
    for (const f of facts) estimates.set(f, await estimateCandidate(api, f, settings, task.name, alternativeTask.task.name));
    const estimatesOf = (f: CandidateFacts) => estimates.get(f)!;
    const evalPlan = describeEval(settings, task, alternativeTask, facts, estimatesOf);
    const downloadSpeed = await measuredDownloadSpeed(api);
    const steps: AnswerStep[] = [];
    const add = (step: Omit<AnswerStep, "index" | "state" | "progress" | "detail" | "elapsedSeconds" | "etaSeconds" | "job" | "error" | "note">) => {
        const kept = previousSteps.find((s) => s.kind !== "verdict" && s.kind === step.kind && s.candidate === step.candidate && ["done", "skipped"].includes(s.state));
        steps.push(
            kept
                ? {...kept, index: steps.length}
                : {...step, index: steps.length, state: "pending", progress: null, detail: null, elapsedSeconds: 0, etaSeconds: null, job: null, error: null, note: null}
        );
    };
    for (const f of facts.filter((f) => f.candidate.modelId === null))
        add({kind: "download", candidate: f.candidate.key, title: `Download ${f.candidate.name} (${formatBytes(f.candidate.downloadBytes)})`, estimate: downloadEstimate(f.candidate.downloadBytes, downloadSpeed)});
    for (const f of facts)
        add({kind: "bench", candidate: f.candidate.key, title: benchStepTitle(f.candidate), estimate: estimatesOf(f).bench});
    for (const f of facts)
        add({kind: "eval", candidate: f.candidate.key, title: `${plural(settings.runs, "run")} of ${task.title} with ${f.candidate.name}`, estimate: estimatesOf(f).eval});
    add({kind: "verdict", candidate: null, title: "The Verdict for this machine", estimate: {seconds: 1, basis: "predicted", text: "reads the stored results"}});

    const neededBytes = facts.reduce((sum, f) => sum + f.candidate.downloadBytes, 0);
    const freeBytes = freeSpace(deps.modelsFolder);
    const enough = freeBytes === null || neededBytes <= freeBytes;
    if (!enough) limitations.push(`Not enough disk space: the downloads need ${formatBytes(neededBytes)} and ${deps.modelsFolder} has ${formatBytes(freeBytes)} free. Free some space or change the candidates.`);
    const now = new Date().toISOString();
    return {
        createdAt: now,
        updatedAt: now,
        state: "ready",
        profile: settings.profile,
        offline: settings.offline,
        predicted: {summary: recommendation.summary, topPick: recommendation.topPick},
        candidates: facts.map((f) => f.candidate),
        steps,
        eval: evalPlan,
        settings: {contextSize: agentContext, threads: settings.threads},
        disk: {neededBytes, freeBytes, enough},
        estimate: sumEstimates(steps.filter((s) => s.state === "pending").map((s) => s.estimate)),
        limitations,
        verdict: null
    };
}

/** The recommendation's 1–3 picks: models predicted usable or almost, else the best that fit. */
function recommendedPicks(recommendation: RecommendationReport): string[] {
    const fitting = recommendation.models.filter((m) => m.best && m.verdict !== "no-fit");
    const good = fitting.filter((m) => m.verdict === "usable" || m.verdict === "almost");
    return (good.length > 0 ? good : fitting).slice(0, MAX_CANDIDATES).map((m) => `${m.model.id}:${m.bestQuantization}`);
}

/** Offline: the models on disk, best predicted first (those that do not fit are left out). */
async function onDiskPicks(api: AppApi, recommendation: RecommendationReport): Promise<string[]> {
    const ranked: {id: string; level: number; size: number}[] = [];
    for (const model of await api["models.list"]({})) {
        const contextSize = Math.min(recommendation.settings.contextSize, model.facts.contextLength ?? recommendation.settings.contextSize);
        const level = (await inspectQuietly(api, model.path, contextSize))?.verdict ?? "no";
        if (level !== "no-fit") ranked.push({id: model.id, level: levelOrder[level], size: model.sizeBytes});
    }
    return ranked.sort((a, b) => a.level - b.level || b.size - a.size).slice(0, MAX_CANDIDATES).map((r) => r.id);
}

/** Registers the models other tools keep on this machine (in place, nothing copied), so an offline plan can use them. */
async function scanOtherTools(api: AppApi, limitations: string[]) {
    for (const location of await api["models.importLocations"]({})) {
        if (!location.exists || location.ggufCount === 0) continue;
        try {
            await api["models.import"]({path: location.path});
        } catch (error) {
            limitations.push(`Could not import the models in ${location.label} (${location.path}): ${errorMessage(error)}`);
        }
    }
}

/** A candidate's facts from a registered model, a GGUF path (registered in place unless `register` is false) or a catalog reference. */
async function resolveCandidate(
    reference: string,
    recommendation: RecommendationReport,
    registered: RegisteredModel[],
    deps: AnswerPlannerDeps,
    offline: boolean,
    register = true
): Promise<CandidateFacts> {
    const agentContext = recommendation.settings.contextSize;
    const onDisk = registered.find((m) => m.id === reference || m.path === reference || m.name === reference) ?? (await getRegistered(deps.api, reference, register));
    if (!onDisk && !register && reference.toLowerCase().endsWith(".gguf") && fs.existsSync(reference)) {
        // An estimate of a file nobody registered: read its header, register nothing.
        const report = await inspectQuietly(deps.api, reference, agentContext);
        if (report) {
            const contextSize = Math.min(agentContext, report.facts.contextLength ?? agentContext);
            const runsAt = contextSize < agentContext ? await inspectQuietly(deps.api, reference, contextSize) : report;
            return {
                candidate: {
                    key: reference,
                    name: path.basename(reference),
                    catalogModelId: report.catalogMatch?.modelId ?? null,
                    quantization: report.facts.quantization,
                    modelId: null,
                    downloadBytes: 0,
                    sizeBytes: fs.statSync(reference).size,
                    predicted: report.verdict,
                    reason: `A GGUF file on disk; predicted "${levelLabels[report.verdict]}" here.`,
                    contextSize
                },
                speed: runsAt?.speed ?? null,
                path: reference
            };
        }
    }
    if (onDisk) return onDiskCandidate(onDisk, agentContext, deps.api);
    const [modelId, quant] = reference.split(":");
    const pick: ModelRecommendation | undefined = recommendation.models.find((m) => m.model.id === modelId);
    if (!pick)
        throw new AnswerError("ANSWER_CANDIDATE_UNKNOWN", `"${reference}" is neither a model on disk nor in the catalog. Name a registered id (agentfit models), a GGUF path, or a catalog id (agentfit catalog).`);
    const quantization = quant ?? pick.bestQuantization ?? pick.model.defaultQuantization;
    const option = pick.options.find((o) => o.quantization.toLowerCase() === quantization.toLowerCase());
    if (!option) throw new AnswerError("ANSWER_CANDIDATE_UNKNOWN", `${pick.model.name} has no ${quantization} in the catalog; it has ${pick.options.map((o) => o.quantization).join(", ")}.`);
    const key = `${pick.model.id}:${option.quantization}`;
    const downloaded = registered.find((m) => m.source.kind === "huggingface" && m.source.catalogId === key);
    if (downloaded) return resolveCandidate(downloaded.id, recommendation, registered, deps, offline);
    if (offline) throw new AnswerError("ANSWER_CANDIDATE_UNKNOWN", `${pick.model.name} ${option.quantization} is not on disk, and an offline plan downloads nothing: import its GGUF file or plan online.`);
    return {
        candidate: {
            key,
            name: `${pick.model.name} ${option.quantization}`,
            catalogModelId: pick.model.id,
            quantization: option.quantization,
            modelId: null,
            downloadBytes: option.sizeBytes,
            sizeBytes: option.sizeBytes,
            predicted: option.verdict,
            reason: `Recommendation #${pick.rank}: predicted "${levelLabels[option.verdict]}" here. ${pick.reasons[0] ?? ""}`.trim(),
            contextSize: Math.min(agentContext, pick.model.architecture.contextLength)
        },
        speed: option.speed,
        path: null
    };
}

/**
 * A registered model as a candidate, from its file's header (inspectModel): judged at the agent
 * context, as the Verdict judges it, and its speed where it will run (a model trained for less runs
 * at its own context). `origin` opens its reason.
 */
async function onDiskCandidate(onDisk: RegisteredModel, agentContext: number, api: AppApi, origin: "On disk" | "Downloaded" = "On disk"): Promise<CandidateFacts> {
    const report = await inspectQuietly(api, onDisk.path, agentContext);
    const trained = report?.facts.contextLength ?? onDisk.facts.contextLength;
    const contextSize = Math.min(agentContext, trained ?? agentContext);
    const runsAt = contextSize < agentContext ? await inspectQuietly(api, onDisk.path, contextSize) : report;
    const catalogId = onDisk.source.kind === "huggingface" ? onDisk.source.catalogId : null;
    return {
        candidate: {
            key: onDisk.id,
            name: onDisk.name,
            catalogModelId: catalogId?.split(":")[0] ?? report?.catalogMatch?.modelId ?? null,
            quantization: onDisk.facts.quantization,
            modelId: onDisk.id,
            downloadBytes: 0,
            sizeBytes: onDisk.sizeBytes,
            predicted: report?.verdict ?? null,
            reason: report ? `${origin}; predicted "${levelLabels[report.verdict]}" here.` : `${origin}; no prediction could be made for it.`,
            contextSize
        },
        speed: runsAt?.speed ?? null,
        path: onDisk.path
    };
}

async function getRegistered(api: AppApi, reference: string, register: boolean): Promise<RegisteredModel | undefined> {
    try {
        return await api["models.get"]({reference});
    } catch {
        if (!register || !reference.toLowerCase().endsWith(".gguf") || !fs.existsSync(reference)) return undefined;
        // A GGUF path not yet registered: register it in place, as `models.import` does.
        const result = await api["models.import"]({path: reference});
        return result.imported[0] ?? result.alreadyRegistered[0];
    }
}

async function inspectQuietly(api: AppApi, file: string, contextSize: number) {
    try {
        return await api["models.inspect"]({source: file, contextSize});
    } catch {
        return null;
    }
}

async function physicalCores(api: AppApi): Promise<number> {
    const [snapshot] = await api["hardware.snapshots"]({limit: 1});
    return Math.max(1, (snapshot ?? (await api["hardware.probe"]({}))).cpu.physicalCores);
}

async function chooseTask(api: AppApi, profile: AnswerProfile): Promise<EvalTaskInfo> {
    const tasks = await api["eval.tasks"]({});
    if (profile === "full") {
        const rTask = tasks.find((t) => t.language === "r");
        if (!rTask) throw new AnswerError("ANSWER_TASK_UNAVAILABLE", "The full profile runs helperbench's R task, which this build does not have.");
        if (!rTask.runtime.available) {
            // The runtime's message is a sentence of its own, ending with its full stop.
            const missing = (rTask.runtime.message ?? `${rTask.runtime.command} is missing`).replace(/\.$/, "");
            throw new AnswerError("ANSWER_TASK_UNAVAILABLE", `The full profile runs helperbench's R task: ${missing}. Or run the quick profile.`);
        }
        return rTask;
    }
    for (const language of QUICK_TASK_LANGUAGES) {
        const task = tasks.find((t) => t.language === language && t.runtime.available);
        if (task) return task;
    }
    throw new AnswerError("ANSWER_TASK_UNAVAILABLE", `No eval task can run here: ${tasks.map((t) => t.runtime.message ?? t.runtime.command).join("; ")}.`);
}

/** The settings of the plan's other profile: the full one for a quick plan, the quick one for a full plan. */
function alternativeSettings(settings: PlanSettings): PlanSettings {
    const other: AnswerProfile = settings.profile === "quick" ? "full" : "quick";
    return {...settings, profile: other, runs: answerProfiles[other].runs, maxTurns: answerProfiles[other].maxTurns};
}

/**
 * The task the other profile runs, or, when it cannot run here, why (chooseTask's reason) with the
 * plan's own task standing in for its estimates: the plan then says what the profile needs instead of
 * offering a switch that would be refused.
 */
async function alternativeTaskOf(api: AppApi, settings: PlanSettings, task: EvalTaskInfo): Promise<{task: EvalTaskInfo; unavailable: string | null}> {
    try {
        return {task: await chooseTask(api, alternativeSettings(settings).profile), unavailable: null};
    } catch (error) {
        if (!(error instanceof AnswerError)) throw error;
        return {task, unavailable: error.message};
    }
}

/**
 * A candidate's estimates, from what is known of it (the catalog entry, or its file's header once on disk): its
 * benchmark and eval steps, and its share of the other profile's eval. The plan is made with them, and a
 * finished download re-makes them from the downloaded file (downloadedCandidateChange).
 */
async function estimateCandidate(api: AppApi, f: CandidateFacts, settings: PlanSettings, task: string, alternativeTask: string): Promise<CandidateEstimates> {
    return {
        bench: benchEstimate(f, settings),
        eval: await evalEstimate(api, f, settings, task),
        alternative: await evalEstimate(api, f, alternativeSettings(settings), alternativeTask)
    };
}

/** The other profile's estimate: its candidates' shares added up (they run one after another). */
function alternativeTotal(shares: AnswerEvalAlternative["candidates"]): AnswerEstimate {
    return sumEstimates(shares.map((s) => s.estimate), "model");
}

function describeEval(
    settings: PlanSettings,
    task: EvalTaskInfo,
    alternativeTask: {task: EvalTaskInfo; unavailable: string | null},
    facts: CandidateFacts[],
    estimatesOf: (f: CandidateFacts) => CandidateEstimates
): AnswerEvalPlan {
    const other = alternativeSettings(settings);
    const shares = facts.map((f) => ({candidate: f.candidate.key, estimate: estimatesOf(f).alternative}));
    return {
        task: task.name,
        taskTitle: task.title,
        runs: settings.runs,
        maxTurns: settings.maxTurns,
        maxOutputTokensPerTurn: settings.maxOutputTokensPerTurn,
        description: describeEvalRuns(facts.length, [task], settings.runs, settings.maxTurns, settings.maxOutputTokensPerTurn),
        alternative: {
            profile: other.profile,
            task: alternativeTask.task.name,
            description:
                alternativeTask.unavailable ??
                `${answerProfiles[other.profile].label}: ${plural(facts.length, "model")} × ${alternativeTask.task.title} × ${plural(other.runs, "run")}, at most ${other.maxTurns} turns`,
            unavailable: alternativeTask.unavailable,
            estimate: alternativeTotal(shares),
            candidates: shares
        }
    };
}

/** An eval's plan in words: "2 models × 1 task (…) × 3 runs, at most 20 turns and 1,024 output tokens per turn". */
function describeEvalRuns(models: number, tasks: Pick<EvalTaskInfo, "title">[], runs: number, maxTurns: number, maxOutputTokensPerTurn: number): string {
    return `${plural(models, "model")} × ${plural(tasks.length, "task")} (${tasks.map((t) => t.title).join(", ")}) × ${plural(runs, "run")}, at most ${maxTurns} turns and ${maxOutputTokensPerTurn.toLocaleString("en-US")} output tokens per turn`;
}

/**
 * The plan in words and the estimated duration of an eval as the Evaluate form starts it, by the
 * estimator of the guided plan's eval step: this machine's earlier runs of the model on the task
 * (measured), else its measured or predicted speed per agent turn × assumed turns (predicted).
 * Models of other providers are estimated from their earlier runs only. Nothing is registered.
 */
export async function estimateEval(request: EvalEstimateRequest, deps: AnswerPlannerDeps): Promise<EvalEstimate> {
    const {api} = deps;
    const known = await api["eval.tasks"]({});
    const tasks = request.tasks?.length
        ? request.tasks.map((name) => {
              const task = known.find((t) => t.name === name);
              if (!task) throw new EvalError("EVAL_TASK_NOT_FOUND", `There is no eval task "${name}"; tasks: ${known.map((t) => t.name).join(", ")}.`);
              return task;
          })
        : [await chooseTask(api, "quick")];
    const maxOutputTokensPerTurn = request.maxOutputTokensPerTurn ?? DEFAULT_OUTPUT_TOKENS_PER_TURN;
    const settings = {runs: request.runs, maxTurns: request.maxTurns};
    const local = request.models.some((m) => m.provider === "local");
    const recommendation = local ? await api["models.recommend"]({}) : null;
    const registered = local ? await api["models.list"]({}) : [];
    const results = new Map<string, EvalModelResult[]>();
    const resultsOf = async (task: string) => results.get(task) ?? results.set(task, await api["eval.results"]({task})).get(task)!;
    const models: EvalEstimateModel[] = [];
    for (const spec of request.models) {
        const perTask: AnswerEstimate[] = [];
        let facts: CandidateFacts | null = null;
        let problem: string | null = null;
        if (spec.provider === "local") {
            try {
                facts = await resolveCandidate(spec.model, recommendation!, registered, deps, false, false);
            } catch (error) {
                problem = errorMessage(error);
            }
        }
        for (const task of tasks) {
            if (facts) perTask.push(await evalEstimate(api, facts, settings, task.name));
            else if (problem) perTask.push({seconds: null, basis: "predicted", text: `unknown: ${problem}`});
            else perTask.push(earlierRunsEstimate((await resultsOf(task.name)).find((r) => r.provider === spec.provider && r.model === spec.model && r.stats.meanWallMs !== null), settings.runs));
        }
        models.push({provider: spec.provider, model: spec.model, estimate: perTask.length === 1 ? perTask[0]! : sumEstimates(perTask, "task")});
    }
    return {
        description: describeEvalRuns(request.models.length, tasks, request.runs, request.maxTurns, maxOutputTokensPerTurn),
        samples: request.models.length * tasks.length * request.runs,
        estimate: sumEstimates(
            models.map((m) => m.estimate),
            "model"
        ),
        models
    };
}

/** The quick and full profiles as the Evaluate form fills them in, each estimated for these models. */
export async function evalProfiles(models: EvalEstimateRequest["models"], deps: AnswerPlannerDeps): Promise<EvalProfileOption[]> {
    const options: EvalProfileOption[] = [];
    for (const profile of ["quick", "full"] as const) {
        const {runs, maxTurns} = answerProfiles[profile];
        const base = {profile, label: profile === "quick" ? "Quick" : "Full helperbench", runs, maxTurns, maxOutputTokensPerTurn: DEFAULT_OUTPUT_TOKENS_PER_TURN};
        let task: EvalTaskInfo;
        try {
            task = await chooseTask(deps.api, profile);
        } catch (error) {
            options.push({...base, tasks: [], estimate: null, unavailable: errorMessage(error)});
            continue;
        }
        const estimate = models.length ? await estimateEval({models, tasks: [task.name], runs, maxTurns}, deps) : null;
        options.push({...base, tasks: [task.name], estimate, unavailable: null});
    }
    return options;
}

/** A model of another provider: its earlier runs on the task, or nothing to go on. */
function earlierRunsEstimate(earlier: EvalModelResult | undefined, runs: number): AnswerEstimate {
    if (!earlier?.stats.meanWallMs) return {seconds: null, basis: "predicted", text: "unknown: no earlier run of this model on this task; the ETA shows once runs finish"};
    return {
        seconds: Math.round((runs * earlier.stats.meanWallMs) / 1000),
        basis: "measured",
        text: `measured: ${plural(runs, "run")} × ${formatDuration(earlier.stats.meanWallMs)} per run (its ${plural(earlier.stats.samples, "earlier run")})`
    };
}

/** The system prompt the guided path's eval runs with, and so the one its benchmark's agent workload replays. */
const GUIDED_SYSTEM_PROMPT = "concise";

/**
 * The benchmark a candidate's bench step runs: what the Verdict judges and nothing it does not. Generation
 * (and prompt) speed at half the agent context, the depth an agent session works at, which is the Verdict's
 * generation speed; and the agent workload (the eval's own opening, 3 turns), which is its time per agent
 * turn. No depth-0 pair and no time to first token (the Benchmark screen has them): each extra deep test
 * costs a prefill of the depth, the bulk of the step on a CPU.
 */
export function answerBenchRequest(modelId: string, contextSize: number, threads: number, profile: AnswerProfile): BenchStartRequest {
    return {
        models: [modelId],
        promptTokens: 512,
        generatedTokens: 64,
        repetitions: answerProfiles[profile].benchRepetitions,
        depths: [agentSessionDepth(contextSize)],
        matrix: {threads: [threads]},
        timeToFirstToken: false,
        agent: {turns: 3, maxTokensPerTurn: 64, systemPrompt: GUIDED_SYSTEM_PROMPT},
        contextSize
    };
}

/** The eval a candidate's eval step runs. */
export function answerEvalRequest(plan: AnswerPlan, modelId: string, contextSize: number): EvalStartRequest {
    return {
        tasks: [plan.eval.task],
        models: [{provider: "local", model: modelId, settings: {contextSize, threads: plan.settings.threads}}],
        epochs: plan.eval.runs,
        limits: {maxTurns: plan.eval.maxTurns, maxOutputTokensPerTurn: plan.eval.maxOutputTokensPerTurn},
        systemPrompt: GUIDED_SYSTEM_PROMPT
    };
}

/** "4,096-token context": how the plan names the context a candidate runs at, in titles and estimates. */
const contextWords = (tokens: number) => `${tokens.toLocaleString("en-US")}-token context`;

/** The benchmark step's title: the candidate and the context it is measured at. */
function benchStepTitle(candidate: AnswerCandidate): string {
    return `Measure the speed of ${candidate.name} at a ${contextWords(candidate.contextSize)}`;
}

/** The context a candidate runs with: the agent context, capped at what the model was trained for. */
export function candidateContextSize(plan: AnswerPlan, model: RegisteredModel): number {
    return Math.min(plan.settings.contextSize, model.facts.contextLength ?? plan.settings.contextSize);
}

function benchEstimate(f: CandidateFacts, settings: PlanSettings): AnswerEstimate {
    if (!f.speed) return {seconds: null, basis: "predicted", text: "unknown: no speed prediction for this model"};
    const measured = f.speed.measured;
    const pp = measured?.promptTokensPerSecond ?? f.speed.promptTokensPerSecond;
    const tg = measured?.generationTokensPerSecond ?? f.speed.generationTokensPerSecond;
    const tgDeep = f.speed.generationAtDepthTokensPerSecond * (measured?.generationTokensPerSecond ? measured.generationTokensPerSecond / f.speed.generationTokensPerSecond : 1);
    const request = answerBenchRequest("", f.candidate.contextSize, settings.threads, settings.profile);
    const reps = request.repetitions! + 1; // one warm-up
    const prompt = request.promptTokens!;
    const generated = request.generatedTokens!;
    let seconds = 0;
    for (const depth of request.depths!) {
        seconds += (depth + reps * prompt) / pp; // pp test: the depth prefilled once, the prompt every repetition
        seconds += depth / pp + (reps * generated) / (depth > 0 ? tgDeep : tg); // tg test
    }
    if (request.timeToFirstToken) seconds += reps * (prompt / pp + 1 / tg);
    seconds += request.repetitions! * (f.speed.agentPromptSeconds + 3 * (64 / tg)); // agent workload
    seconds += 2 * (ASSUMED_LOAD_SECONDS + f.candidate.sizeBytes / ASSUMED_LOAD_BYTES_PER_SECOND); // the tests' model load and the agent workload's
    const basis = measured ? "measured" : "predicted";
    return {
        seconds: Math.round(seconds),
        basis,
        text: `${basis}: from ${basis === "measured" ? "this file's measured" : "its predicted"} speeds at a ${contextWords(f.candidate.contextSize)} (${Math.round(pp)} tok/s prompt, ${tg.toFixed(1)} tok/s generation)`
    };
}

async function evalEstimate(api: AppApi, f: CandidateFacts, settings: Pick<PlanSettings, "runs" | "maxTurns">, task: string): Promise<AnswerEstimate> {
    if (f.path) {
        const results = await api["eval.results"]({task});
        const mine = results.find((r) => r.location === "engine" && (r.model === f.path || r.model === f.candidate.modelId) && r.stats.meanWallMs !== null);
        if (mine?.stats.meanWallMs)
            return {
                seconds: Math.round((settings.runs * mine.stats.meanWallMs) / 1000),
                basis: "measured",
                text: `measured: ${plural(settings.runs, "run")} × ${formatDuration(mine.stats.meanWallMs)} per run (its ${plural(mine.stats.samples, "earlier run")})`
            };
    }
    if (!f.speed) return {seconds: null, basis: "predicted", text: "unknown: no speed prediction for this model"};
    const turns = Math.min(settings.maxTurns, ASSUMED_TURNS_PER_RUN);
    const basis = f.speed.measured ? "measured" : "predicted";
    return {
        seconds: Math.round(ASSUMED_LOAD_SECONDS + f.candidate.sizeBytes / ASSUMED_LOAD_BYTES_PER_SECOND + settings.runs * (turns * f.speed.agentTurnSeconds + ASSUMED_SCORING_SECONDS_PER_RUN)),
        basis: "predicted",
        text: `predicted: ${plural(settings.runs, "run")} × about ${turns} turns × ${f.speed.agentTurnSeconds.toFixed(1)} s per agent turn at a ${contextWords(f.candidate.contextSize)} (${basis === "measured" ? "from measured speeds" : "predicted speeds"}), plus loading and grading; at most ${settings.maxTurns} turns per run`
    };
}

function downloadEstimate(bytes: number, measured: number | null): AnswerEstimate {
    const speed = measured ?? ASSUMED_DOWNLOAD_BYTES_PER_SECOND;
    return {
        seconds: Math.round(bytes / speed),
        basis: measured ? "measured" : "assumed",
        text: measured ? `measured: at the speed of this machine's last download (${formatSpeed(measured)})` : `assumed: ${formatSpeed(speed)}; the real ETA shows once it starts`
    };
}

/** Bytes per second of the newest completed download of at least 50 MB, null when there is none. */
async function measuredDownloadSpeed(api: AppApi): Promise<number | null> {
    const done = (await api["downloads.list"]({})).find((job) => job.state === "completed" && job.downloadedBytes >= 50 * 1024 * 1024);
    if (!done) return null;
    const seconds = (Date.parse(done.updatedAt) - Date.parse(done.createdAt)) / 1000;
    return seconds > 0 ? done.downloadedBytes / seconds : null;
}

/** Sums estimates; the basis is the weakest of them (assumed < predicted < measured). */
export function sumEstimates(estimates: AnswerEstimate[], noun = "step"): AnswerEstimate {
    const unknown = estimates.filter((e) => e.seconds === null).length;
    const seconds = estimates.reduce((sum, e) => sum + (e.seconds ?? 0), 0);
    const basis = estimates.some((e) => e.basis === "assumed") ? "assumed" : estimates.some((e) => e.basis === "predicted") ? "predicted" : "measured";
    const parts = [`${basis === "measured" ? "measured" : basis === "assumed" ? "partly assumed" : "predicted"}: about ${formatDuration(seconds * 1000)}`];
    if (unknown > 0) parts.push(`plus ${plural(unknown, noun)} that cannot be estimated`);
    return {seconds: unknown === estimates.length && estimates.length > 0 ? null : seconds, basis, text: parts.join(", ")};
}

function freeSpace(folder: string): number | null {
    try {
        const stats = fs.statfsSync(folder);
        return stats.bavail * stats.bsize;
    } catch {
        return null;
    }
}
