import readline from "node:readline/promises";
import {InvalidArgumentError, type Command} from "commander";
import type {AnswerPlan, AnswerPlanRequest, AnswerStep} from "../../api/AnswerApi.ts";
import type {AppService} from "../../core/AppService.ts";
import {formatDuration, formatEta, plural} from "../../shared/format.ts";
import {levelLabels} from "../../shared/verdictLevels.ts";
import {bold, dim, formatBytes, green, red, table, yellow} from "../utils/format.ts";
import {paintLevel} from "../utils/levelFormat.ts";
import {wholeNumber} from "../utils/optionParsers.ts";
import {withAppService} from "../utils/withAppService.ts";
import {offerEngineBuildOnce} from "../utils/offerEngineBuild.ts";
import {onInterrupt} from "../utils/onInterrupt.ts";
import {AnswerError} from "../../core/answer/AnswerError.ts";
import {describeVerdict} from "./verdict.ts";

interface AnswerOptions {
    quick?: boolean;
    full?: boolean;
    yes?: boolean;
    json?: boolean;
    plan?: boolean;
    offline?: boolean;
    new?: boolean;
    model?: string[];
    runs?: number;
    maxTurns?: number;
    maxOutputTokens?: number;
    threads?: number;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerAnswerCommand(program: Command) {
    program
        .command("answer")
        .description("The guided path: plan the measurements this machine needs (download, speed at the agent context, a quick eval), run them, print the Verdict. Run it again to continue a saved plan")
        .option("--quick", "a few runs of the quickest eval task (default)")
        .option("--full", "helperbench's 10 runs of its R task (takes much longer)")
        .option("-y, --yes", "run the plan without asking")
        .option("--json", "print the finished plan (with the verdict) as JSON; progress goes to stderr")
        .option("--plan", "print the plan (saved, so a later agentfit answer runs it) and stop without running it; with --json, as JSON")
        .option("--offline", "plan with models already on disk (other tools' folders are scanned first); download nothing")
        .option("--new", "plan afresh even when a saved plan is unfinished")
        .option("-m, --model <model>", "measure this model instead of the recommendation's picks: a registered id, a GGUF path or a catalog id[:QUANT] (repeat, at most 3)", collect)
        .option("-n, --runs <n>", "eval runs per model (default 3 quick, 10 full)", wholeNumber("--runs", 1, 100))
        .option("--max-turns <n>", "model calls per eval run (default 20 quick, 40 full)", wholeNumber("--max-turns", 1, 1000))
        .option("--max-output-tokens <n>", "output tokens per model call (default 1024)", wholeNumber("--max-output-tokens", 16))
        .option("--threads <n>", "CPU threads for the engine (default: the physical cores)", wholeNumber("--threads", 1, 1024))
        .action(async (options: AnswerOptions) => {
            if (options.quick && options.full) throw new InvalidArgumentError("--quick and --full exclude each other.");
            await withAppService(async (app) => {
                await offerEngineBuildOnce(app);
                const plan = await savedOrNewPlan(app, options);
                if (options.plan) return console.log(options.json ? JSON.stringify(plan, null, 2) : describePlan(plan));
                if (plan.state !== "ready" && !options.json) console.error(yellow(`Continuing the saved plan #${plan.id} (${plan.state}); --new plans afresh.`));
                console.error(describePlan(plan));
                if (!options.yes && !(await confirm("Run this plan?"))) {
                    console.error(dim(`Not run. It is saved as plan #${plan.id}: run ${bold("agentfit answer")} again to start it.`));
                    return;
                }
                const finished = await runWithProgress(app, plan);
                if (finished.state === "paused") {
                    process.exitCode = 130;
                    console.error(yellow("\nPaused.") + ` Run ${bold("agentfit answer")} again to continue where it stopped.`);
                }
                if (options.json) return console.log(JSON.stringify(finished, null, 2));
                if (finished.state === "done") console.log(describeVerdict(await app["verdict.get"](finished.verdict?.task ? {task: finished.verdict.task} : {})));
            });
        });
}

/** The saved plan when it is unfinished (and no other plan was asked for), else a new one. */
async function savedOrNewPlan(app: AppService, options: AnswerOptions): Promise<AnswerPlan> {
    const saved = await app["answer.current"]({});
    const asksForOther =
        options.model || options.offline || options.runs || options.maxTurns || options.maxOutputTokens || options.threads || (options.full && saved?.profile !== "full") || (options.quick && saved?.profile !== "quick");
    if (saved && saved.state !== "done" && !options.new && !(asksForOther && saved.state === "ready")) {
        // A restart leaves a running plan paused; this process is the only runner now.
        return saved;
    }
    const request: AnswerPlanRequest = {
        profile: options.full ? "full" : "quick",
        ...(options.model ? {candidates: options.model} : {}),
        ...(options.offline ? {offline: true} : {}),
        ...(options.runs ? {runs: options.runs} : {}),
        ...(options.maxTurns ? {maxTurns: options.maxTurns} : {}),
        ...(options.maxOutputTokens ? {maxOutputTokensPerTurn: options.maxOutputTokens} : {}),
        ...(options.threads ? {threads: options.threads} : {})
    };
    return app["answer.plan"](request);
}

async function confirm(question: string): Promise<boolean> {
    if (!process.stdin.isTTY) throw new AnswerError("ANSWER_CONFIRMATION_NEEDED", "Not a terminal to ask in: the plan is saved; run agentfit answer --yes to run it.");
    const rl = readline.createInterface({input: process.stdin, output: process.stderr});
    try {
        return /^(y|yes|)$/i.test((await rl.question(`${question} [Y/n] `)).trim());
    } finally {
        rl.close();
    }
}

const stepMarks: Record<AnswerStep["state"], string> = {pending: "·", running: "▶", paused: "‖", done: "✓", skipped: "–", failed: "✗"};

export function describePlan(plan: AnswerPlan): string {
    const out: string[] = [bold(`Plan #${plan.id}: the answer for this machine`), dim(`Predicted from the catalog: ${plan.predicted.summary}`), ""];
    out.push(
        table(
            ["CANDIDATE", "QUANT", "SIZE", "TO DOWNLOAD", "PREDICTED", "WHY"],
            plan.candidates.map((c) => [
                c.name,
                c.quantization ?? "?",
                formatBytes(c.sizeBytes),
                c.downloadBytes > 0 ? formatBytes(c.downloadBytes) : "on disk",
                c.predicted ? paintLevel(c.predicted, levelLabels[c.predicted]) : "unknown",
                c.reason
            ])
        ),
        ""
    );
    out.push(`Eval: ${plan.eval.description}.`);
    const {alternative} = plan.eval;
    out.push(dim(alternative.unavailable ? `  ${alternative.unavailable}` : `  Or ${alternative.description} (${alternative.estimate.text}).`));
    out.push(`Engine: ${plural(plan.settings.threads, "thread")}, agent context ${plan.settings.contextSize.toLocaleString("en-US")} tokens.`);
    if (plan.disk.neededBytes > 0)
        out.push(`Disk: the downloads need ${formatBytes(plan.disk.neededBytes)}; ${formatBytes(plan.disk.freeBytes)} free ${plan.disk.enough ? green("✓") : red("— not enough")}.`);
    out.push("", table(["#", "STEP", "STATE", "ESTIMATE"], plan.steps.map((s) => [String(s.index), s.title, `${stepMarks[s.state]} ${s.state}`, estimateText(s)])));
    out.push("", `Total: ${plan.estimate.text}.`);
    for (const line of plan.limitations) out.push(yellow(`! ${line}`));
    return out.join("\n");
}

function estimateText(step: AnswerStep): string {
    return step.estimate.seconds === null ? step.estimate.text : `${formatDuration(step.estimate.seconds * 1000)} (${step.estimate.basis})`;
}

/** Runs the plan, printing a progress line per step change and at most every 5 s per step; Ctrl-C pauses it. */
async function runWithProgress(app: AppService, plan: AnswerPlan): Promise<AnswerPlan> {
    const printed = new Map<number, {state: string; at: number}>();
    const saidLimitations = new Set(plan.limitations);
    const print = (current: AnswerPlan) => {
        // What a step learns on the way (a downloaded file trained for less than the agent context) is said as it is learnt.
        for (const line of current.limitations.filter((l) => !saidLimitations.has(l))) {
            saidLimitations.add(line);
            console.error(yellow(`! ${line}`));
        }
        for (const step of current.steps) {
            const last = printed.get(step.index);
            const changed = last?.state !== step.state;
            if (!changed && (step.state !== "running" || Date.now() - last.at < 5000)) continue;
            if (!last && step.state === "pending") continue;
            printed.set(step.index, {state: step.state, at: Date.now()});
            console.error(progressLine(step));
        }
    };
    const ended = new Promise<AnswerPlan>((resolve) => {
        const unsubscribe = app.events.subscribe((event, payload) => {
            if (event !== "answer.updated" || (payload as AnswerPlan).id !== plan.id) return;
            const current = payload as AnswerPlan;
            print(current);
            if (current.state === "done" || current.state === "paused") {
                unsubscribe();
                resolve(current);
            }
        });
    });
    const stopListening = onInterrupt(() => void app["answer.pause"]({planId: plan.id}));
    try {
        await app["answer.run"]({planId: plan.id});
        return await ended;
    } finally {
        stopListening();
    }
}

function progressLine(step: AnswerStep): string {
    const parts = [`${stepMarks[step.state]} [${step.index}] ${step.title}: ${step.state}`];
    if (step.progress !== null && step.state === "running") parts.push(`${Math.round(step.progress * 100)}%`);
    if (step.detail) parts.push(step.detail);
    if (step.state === "running") parts.push(`elapsed ${formatDuration(step.elapsedSeconds * 1000)}`, formatEta(step.etaSeconds));
    if (step.error) parts.push(red(`[${step.error.code}] ${step.error.message}`));
    if (step.note) parts.push(dim(step.note));
    return parts.join(" · ");
}
