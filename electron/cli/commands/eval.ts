import fs from "node:fs";
import path from "node:path";
import {addEngineSettingsOptions, engineSettingsFrom, type EngineSettingsOptions} from "../utils/engineSettingsOptions.ts";
import {nonNegativeNumber, wholeNumber} from "../utils/optionParsers.ts";
import cliProgress from "cli-progress";
import {InvalidArgumentError, type Command} from "commander";
import type {EvalConfinePolicy, EvalHarnessId, EvalModelSpec, EvalRunDetail, EvalRunSpec, EvalRunSummary, EvalSampleSummary, EvalStartRequest} from "../../api/EvalApi.ts";
import {codingAgentIds} from "../../core/agents/codingAgents.ts";
import {InvalidArgumentError as AppInvalidArgumentError} from "../../shared/AppError.ts";
import type {AppService} from "../../core/AppService.ts";
import {parseModelArgument} from "../../core/evals/providers.ts";
import {DEFAULT_CONTEXT_SIZE} from "../../protocol/engineSettings.ts";
import {
    confinementText,
    formatCost,
    formatFailureModes,
    formatInterval,
    formatPercent,
    formatScore,
    formatTokens,
    outsideAccessText,
    scoreWord,
    strictScoreMeaning,
    unconfinedNotice
} from "../../shared/evalFormat.ts";
import {bold, dim, formatDuration, green, keyValues, red, table, yellow} from "../utils/format.ts";
import {formatModelFile} from "../../shared/format.ts";
import {withAppService} from "../utils/withAppService.ts";
import {onInterrupt} from "../utils/onInterrupt.ts";

const FLAGSHIP_TASK = "r-skill-frontmatter";
const TERMINAL = new Set(["completed", "failed", "cancelled", "interrupted"]);

const positiveInt = (name: string) => wholeNumber(name, 1);
const positiveNumber = nonNegativeNumber;
const collect = (value: string, previous: string[] = []) => [...previous, value];
const harnessName = (value: string): EvalHarnessId => {
    if (value === "builtin" || (codingAgentIds as string[]).includes(value)) return value as EvalHarnessId;
    throw new InvalidArgumentError(`--harness must be builtin or one of ${codingAgentIds.join(", ")}.`);
};
const confinePolicy = (value: string): EvalConfinePolicy => {
    if (value === "auto" || value === "required" || value === "off") return value;
    throw new InvalidArgumentError("--confine must be auto, required or off.");
};
/** "aider 0.86.2" or "builtin". */
const harnessLabel = (spec: EvalRunSpec) => (spec.harness && spec.harness.id !== "builtin" ? `${spec.harness.id}${spec.harness.version ? ` ${spec.harness.version}` : ""}` : "builtin");

interface RunOptions extends EngineSettingsOptions {
    model: string[];
    task?: string[];
    runs: number;
    concurrency?: number;
    maxTurns?: number;
    maxTokens?: number;
    maxOutputTokens?: number;
    timeout?: number;
    longPrompt?: boolean;
    baseUrl?: string;
    quantization?: string;
    temperature?: number;
    wattage?: number;
    logDir?: string;
    harness?: EvalHarnessId;
    confine?: EvalConfinePolicy;
    json?: boolean;
}

export function registerEvalCommand(program: Command) {
    const evalCommand = program
        .command("eval")
        .description("Run the refactor eval (helperbench-style) against local and cloud models, graded by each task's tests");

    const runCommand = evalCommand
        .command("run", {isDefault: true})
        .description("Evaluate models on tasks: agentfit eval --model <path | id | provider:model> [--task NAME] [--runs 10]")
        .requiredOption("-m, --model <model>", "GGUF path, local model id, or provider:model (openai, anthropic, openrouter, gemini, openai-compatible); repeat for several", collect)
        .option("-t, --task <name>", "task to run (repeat for several; default: the R flagship, or the first task whose runtime is installed)", collect)
        .option("-n, --runs <n>", "independent runs (epochs) per model and task", positiveInt("--runs"), 10)
        .option("-c, --concurrency <n>", "runs of one model in flight at once (default 1 local, 4 cloud)", positiveInt("--concurrency"))
        .option("--max-turns <n>", "model calls per run (default 40)", positiveInt("--max-turns"))
        .option("--max-tokens <n>", "input + output tokens per run (default 2,000,000)", positiveInt("--max-tokens"))
        .option("--max-output-tokens <n>", "output tokens per model call (default: the provider's; for local models the rest of the context)", positiveInt("--max-output-tokens"))
        .option("--timeout <minutes>", "wall time per run, minutes (default 30)", positiveNumber("--timeout"))
        .option("--long-prompt", "use the long (thousands of tokens) coding-agent system prompt")
        .option("--base-url <url>", "OpenAI-compatible base URL (required for openai-compatible; overrides a provider's)")
        .option("--quantization <label>", "quantization label to record, e.g. Q4_K_M (local models: read from the file name)")
        .option("--temperature <t>", "sampling temperature (default: the provider's)", positiveNumber("--temperature"))
        .option("--wattage <watts>", "machine power while running a local model, for an energy estimate", positiveNumber("--wattage"))
        .option("--log-dir <dir>", "also write each run as an Inspect AI log (JSON) into this folder")
        .option("--harness <name>", `who drives the model: builtin (AgentFit's tool loop, default) or a coding agent run headless: ${codingAgentIds.join(", ")}`, harnessName)
        .option("--confine <policy>", "coding agents: auto (confine them with bubblewrap when this machine can, default), required (refuse to start when it cannot) or off", confinePolicy)
        .option("--json", "print the runs with their samples and statistics as JSON");
    addEngineSettingsOptions(runCommand, {contextHelp: `local models: context window in tokens (32768, 32k, 1M; default ${DEFAULT_CONTEXT_SIZE}, what an agent needs, capped at the model's trained context)`})
        .addHelpText(
            "after",
            "\nAPI keys come from OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENROUTER_API_KEY, GEMINI_API_KEY (or GOOGLE_API_KEY),\n" +
                "AGENTFIT_OPENAI_COMPATIBLE_API_KEY. Tasks need their runtime: Rscript with testthat, python3, or node."
        )
        .action(async (options: RunOptions) => {
            const models = options.model.map((value): EvalModelSpec => {
                const spec = parseModelArgument(value);
                if (options.baseUrl) spec.baseUrl = options.baseUrl;
                if (options.quantization) spec.quantization = options.quantization;
                const settings = engineSettingsFrom(options);
                if (spec.provider === "local" && Object.keys(settings).length > 0) spec.settings = settings;
                return spec;
            });
            await withAppService(async (app) => {
                const tasks = options.task ?? [await defaultTask(app, options.json)];
                const request: EvalStartRequest = {
                    tasks,
                    models,
                    epochs: options.runs,
                    ...(options.concurrency ? {concurrency: options.concurrency} : {}),
                    limits: {
                        ...(options.maxTurns ? {maxTurns: options.maxTurns} : {}),
                        ...(options.maxTokens ? {maxTokens: options.maxTokens} : {}),
                        ...(options.maxOutputTokens ? {maxOutputTokensPerTurn: options.maxOutputTokens} : {}),
                        ...(options.timeout ? {maxWallTimeMs: Math.round(options.timeout * 60_000)} : {})
                    },
                    systemPrompt: options.longPrompt ? "long" : "concise",
                    ...(options.temperature !== undefined ? {temperature: options.temperature} : {}),
                    ...(options.wattage !== undefined ? {wattage: options.wattage} : {}),
                    ...(options.harness ? {harness: options.harness} : {}),
                    ...(options.confine ? {confine: options.confine} : {})
                };
                await follow(app, () => app["eval.start"](request), options);
            });
        });

    evalCommand
        .command("resume <runId>")
        .description("Resume an interrupted, failed or cancelled run (its finished samples are kept)")
        .option("--log-dir <dir>", "also write the run as an Inspect AI log into this folder")
        .option("--json", "print the run as JSON")
        .action(async (runId: string, options: {json?: boolean; logDir?: string}) => {
            await withAppService((app) => follow(app, async () => [await app["eval.resume"]({runId: runIdOf(runId)})], options));
        });

    evalCommand
        .command("tasks")
        .description("List the tasks and whether their runtime is installed")
        .option("--json", "print JSON")
        .action(async (options: {json?: boolean}) => {
            const tasks = await withAppService((app) => app["eval.tasks"]({}));
            if (options.json) return console.log(JSON.stringify(tasks, null, 2));
            console.log(
                table(
                    ["Task", "Language", "Target", "Runtime"],
                    tasks.map((t) => [t.name, t.language, `${t.targetFile} (${t.functionName})`, t.runtime.available ? green(t.runtime.version ?? "ok") : red("missing")])
                )
            );
            for (const t of tasks.filter((t) => !t.runtime.available)) console.log(yellow(`\n${t.name}: ${t.runtime.message}`));
        });

    evalCommand
        .command("runs")
        .description("List eval runs, newest first")
        .option("--limit <n>", "how many", positiveInt("--limit"), 20)
        .option("--json", "print JSON")
        .action(async (options: {limit: number; json?: boolean}) => {
            const runs = await withAppService((app) => app["eval.runs"]({limit: options.limit}));
            if (options.json) return console.log(JSON.stringify(runs, null, 2));
            if (runs.length === 0) return console.log("No eval runs yet. Start one with: agentfit eval --model <path | provider:model>");
            console.log(summaryTable(runs));
        });

    evalCommand
        .command("results")
        .description("Results per model, quantization and task over every stored run")
        .option("-t, --task <name>", "only this task")
        .option("--json", "print JSON")
        .action(async (options: {task?: string; json?: boolean}) => {
            const results = await withAppService((app) => app["eval.results"](options.task ? {task: options.task} : {}));
            if (options.json) return console.log(JSON.stringify(results, null, 2));
            if (results.length === 0) return console.log("No scored samples yet.");
            console.log(
                table(
                    ["Harness", "Model", "Where", "Quant", "Task", "Prompt", "Runs", "Passed", "Strict passed", "Cost/run", "Time/run", "Out tok/s", "Failures"],
                    results.map((r) => [
                        r.harness,
                        `${r.provider}:${r.model}`,
                        locationText(r.location, r.baseUrl),
                        r.quantization ?? "–",
                        r.task,
                        r.systemPrompt,
                        r.runIds.map((id) => `#${id}`).join(" "),
                        formatScore(r.stats.successes, r.stats.samples, r.stats.interval),
                        `${r.stats.strictSuccesses}/${r.stats.samples}`,
                        formatCost(r.stats.costPerRun),
                        formatDuration(r.stats.meanWallMs),
                        r.stats.outputTokensPerSecond === null ? "–" : r.stats.outputTokensPerSecond.toFixed(1),
                        formatFailureModes(r.stats.failureModes)
                    ])
                )
            );
            console.log(dim(scoreLegend));
        });

    evalCommand
        .command("show <runId>")
        .description("Show a run's samples: scores, failure modes, turns, tokens and time")
        .option("--json", "print JSON")
        .action(async (runId: string, options: {json?: boolean}) => {
            const run = await withAppService((app) => app["eval.run"]({runId: runIdOf(runId)}));
            if (options.json) return console.log(JSON.stringify(run, null, 2));
            console.log(runReport(run));
        });

    evalCommand
        .command("export <runId>")
        .description("Write a run as an Inspect AI log (JSON) that `inspect view` opens")
        .option("-o, --out <file>", "file to write (default: logs/<time>_<task>_<run>.json)")
        .action(async (runId: string, options: {out?: string}) => {
            const file = await withAppService((app) => exportRun(app, runIdOf(runId), options.out));
            console.log(file);
        });

    evalCommand
        .command("cancel <runId>")
        .description("Cancel a queued or running run")
        .action(async (runId: string) => {
            const run = await withAppService((app) => app["eval.cancel"]({runId: runIdOf(runId)}));
            console.log(`Run #${run.id} is ${run.status}.`);
        });
}

function runIdOf(text: string): number {
    const id = Number(text);
    if (!Number.isInteger(id) || id < 1) throw new AppInvalidArgumentError(`"${text}" is not a run id (a whole number, see agentfit eval runs).`);
    return id;
}

async function defaultTask(app: AppService, quiet?: boolean): Promise<string> {
    const tasks = await app["eval.tasks"]({});
    const flagship = tasks.find((t) => t.name === FLAGSHIP_TASK)!;
    if (flagship.runtime.available) return flagship.name;
    const fallback = tasks.find((t) => t.runtime.available);
    if (!fallback) return flagship.name; // eval.start explains what is missing
    if (!quiet) console.error(yellow(`The R flagship task cannot run here (${flagship.runtime.message}) Running ${fallback.name} instead.`));
    return fallback.name;
}

async function exportRun(app: AppService, runId: number, out?: string): Promise<string> {
    const log = await app["eval.exportInspect"]({runId});
    const stamp = String(log.eval.created).replace(/[:.]/g, "-");
    const file = path.resolve(out ?? path.join("logs", `${stamp}_${String(log.eval.task_id)}_${runId}.json`));
    fs.mkdirSync(path.dirname(file), {recursive: true});
    fs.writeFileSync(file, JSON.stringify(log, null, 2));
    return file;
}

/** Starts runs, shows progress until every one ends, prints the summary. Ctrl-C interrupts them (resumable). */
async function follow(app: AppService, start: () => Promise<EvalRunSummary[]>, options: {json?: boolean; logDir?: string}) {
    const progress = createProgress(Boolean(options.json));
    const pending = new Set<number>();
    let resolveAll!: () => void;
    const allDone = new Promise<void>((resolve) => (resolveAll = resolve));
    const unsubscribe = app.events.subscribe((event, payload) => {
        if (event === "eval.run.updated") {
            const run = payload as EvalRunSummary;
            if (!pending.has(run.id)) return;
            progress.run(run);
            if (TERMINAL.has(run.status)) {
                pending.delete(run.id);
                if (pending.size === 0) resolveAll();
            }
        } else if (event === "eval.sample.updated") progress.sample(payload as EvalSampleSummary);
    });
    let interrupted = false;
    const onSignal = () => {
        if (interrupted) return;
        interrupted = true;
        progress.stop();
        console.error(yellow("\nStopping: runs in progress are kept as interrupted."));
        resolveAll();
    };
    const stopListening = onInterrupt(onSignal);
    try {
        const runs = await start();
        for (const run of runs) {
            pending.add(run.id);
            progress.run(run);
        }
        const current = await Promise.all(runs.map((r) => app["eval.run"]({runId: r.id})));
        for (const run of current) if (TERMINAL.has(run.status)) pending.delete(run.id);
        if (pending.size > 0) await allDone;
        progress.stop();
        if (interrupted) {
            await app.dispose();
            for (const run of runs) console.error(`Resume run #${run.id} with: agentfit eval resume ${run.id}`);
            process.exit(130);
        }
        const details = await Promise.all(runs.map((r) => app["eval.run"]({runId: r.id})));
        const logs = options.logDir ? await Promise.all(details.map((r) => exportRun(app, r.id, path.join(options.logDir!, `agentfit-run-${r.id}.json`)))) : [];
        if (options.json) console.log(JSON.stringify(details, null, 2));
        else {
            console.log(`\n${summaryTable(details)}`);
            for (const run of details) {
                const notice = unconfinedNotice(run.spec.harness);
                if (notice) console.log(yellow(`Run #${run.id}: ${notice}`));
            }
            for (const run of details.filter((r) => r.status !== "completed"))
                console.log(red(`\nRun #${run.id} ${run.status}${run.error ? `: [${run.error.code}] ${run.error.message}` : ""}`));
            for (const file of logs) console.log(dim(`Inspect log: ${file}`));
            console.log(dim(`\nDetails: agentfit eval show <run>   Inspect log: agentfit eval export <run>`));
        }
        if (details.some((r) => r.status === "failed")) process.exitCode = 1;
    } finally {
        unsubscribe();
        stopListening();
        progress.stop();
    }
}

/** A progress bar per run on a terminal; one line per finished sample otherwise (logs, CI). */
function createProgress(quiet: boolean) {
    const tty = process.stderr.isTTY && !quiet;
    const multi = tty
        ? new cliProgress.MultiBar(
              {
                  stream: process.stderr,
                  format: " {label} |{bar}| {value}/{total} samples | {scores} | {activity}",
                  barsize: 24,
                  hideCursor: true,
                  clearOnComplete: false,
                  autopadding: true
              },
              cliProgress.Presets.shades_classic
          )
        : undefined;
    const bars = new Map<number, cliProgress.SingleBar>();
    const scores = new Map<number, Map<number, EvalSampleSummary>>();
    const scoreText = (runId: number) => {
        const samples = [...(scores.get(runId)?.values() ?? [])].filter((s) => s.status === "completed");
        return `passed ${samples.filter((s) => s.score === "C").length} · failed ${samples.filter((s) => s.score === "I").length}`;
    };
    return {
        run(run: EvalRunSummary) {
            if (!multi) {
                if (TERMINAL.has(run.status) && !quiet) console.error(`run #${run.id} ${run.modelLabel} × ${run.spec.task}: ${run.status}`);
                return;
            }
            const label = `#${run.id} ${run.modelLabel} × ${run.spec.task}`;
            const payload = {label, scores: scoreText(run.id), activity: run.activity ?? run.status};
            const bar = bars.get(run.id) ?? multi.create(run.progress.total, 0, payload);
            bars.set(run.id, bar);
            bar.update(run.progress.completed, payload);
        },
        sample(sample: EvalSampleSummary) {
            const byEpoch = scores.get(sample.runId) ?? new Map<number, EvalSampleSummary>();
            byEpoch.set(sample.epoch, sample);
            scores.set(sample.runId, byEpoch);
            if (multi) {
                const running = [...byEpoch.values()].filter((s) => s.status === "running" || s.status === "scoring");
                bars.get(sample.runId)?.update({
                    scores: scoreText(sample.runId),
                    activity: running.length ? running.map((s) => `#${s.epoch} ${s.status === "scoring" ? "scoring" : `turn ${s.turns + 1}`}`).join(", ") : ""
                });
            } else if (sample.status === "completed" && !quiet)
                console.error(
                    `run #${sample.runId} sample ${sample.epoch}: ${scoreWord(sample.score)} (strict ${scoreWord(sample.strictScore)})${sample.failureMode ? ` ${sample.failureMode}` : ""}, ${sample.turns} turns, ${formatDuration(sample.wallMs)}`
                );
        },
        stop() {
            multi?.stop();
        }
    };
}

const paintScore = (score: EvalSampleSummary["score"]) => (score === "C" ? green : score === "I" ? red : dim)(scoreWord(score));

/** "AgentFit engine", "local server 127.0.0.1:11434", "cloud". */
function locationText(location: EvalRunSummary["location"], baseUrl: string | null): string {
    if (location === "engine") return "AgentFit engine";
    if (location === "cloud") return "cloud";
    let host = baseUrl ?? "?";
    try {
        host = new URL(host).host;
    } catch {
        // Keep the text as it is.
    }
    return `local server ${host}`;
}

function summaryTable(runs: readonly EvalRunSummary[]): string {
    return table(
        ["Run", "Harness", "Model", "Where", "Task", "Status", "Passed", "Strict passed", "Turns", "Input (cached)", "Output", "Cost/run", "Time/run", "Out tok/s", "Failures"],
        runs.map((r) => [
            `#${r.id}`,
            harnessLabel(r.spec),
            r.modelLabel,
            locationText(r.location, r.spec.model.baseUrl ?? null),
            r.spec.task,
            r.status === "completed" ? r.status : r.status === "failed" ? red(r.status) : yellow(r.status),
            formatScore(r.stats.successes, r.stats.samples, r.stats.interval),
            r.stats.samples ? `${r.stats.strictSuccesses}/${r.stats.samples}` : "–",
            r.stats.meanTurns === null ? "–" : r.stats.meanTurns.toFixed(1),
            `${formatTokens(r.stats.meanInputTokens)} (${formatTokens(r.stats.meanCachedInputTokens)})`,
            formatTokens(r.stats.meanOutputTokens),
            formatCost(r.stats.costPerRun) + (r.stats.energyWhPerRun ? ` ${r.stats.energyWhPerRun.toFixed(1)} Wh` : ""),
            formatDuration(r.stats.meanWallMs),
            r.stats.outputTokensPerSecond === null ? "–" : r.stats.outputTokensPerSecond.toFixed(1),
            formatFailureModes(r.stats.failureModes)
        ])
    ) + `\n${dim(scoreLegend)}`;
}

/** What "passed" and "strict passed" mean, under every table that shows them. */
const scoreLegend = `Passed: the target file changed, parses and the whole test suite passes. ${strictScoreMeaning}`;

function runReport(run: EvalRunDetail): string {
    const s = run.stats;
    const lines = [
        bold(`Run #${run.id}: ${run.modelLabel} × ${run.taskTitle}`) + dim(`  ${run.status}, created ${run.createdAt}`),
        "",
        keyValues([
            ["Where", locationText(run.location, run.spec.model.baseUrl ?? null)],
            ["Passed", formatScore(s.successes, s.samples, s.interval)],
            ["Strict passed", `${formatScore(s.strictSuccesses, s.samples, s.strictInterval)}  ${dim(strictScoreMeaning)}`],
            ["Success rate", `${formatPercent(s.successRate)} (95% CI ${formatInterval(s.interval)})`],
            ["Per run", `${s.meanTurns?.toFixed(1) ?? "–"} turns, ${formatTokens(s.meanInputTokens)} input (+${formatTokens(s.meanCachedInputTokens)} cached), ${formatTokens(s.meanOutputTokens)} output, ${formatCost(s.costPerRun)}, ${formatDuration(s.meanWallMs)}`],
            ["Failures", formatFailureModes(s.failureModes)],
            ["Harness", run.spec.harness && run.spec.harness.id !== "builtin" ? `${harnessLabel(run.spec)} (${run.spec.harness.executable}) ${run.spec.harness.flags.join(" ")}` : "builtin (AgentFit's tool loop)"],
            ...(run.spec.harness?.confinement ? [["Confinement", confinementText(run.spec.harness.confinement)] as [string, string]] : []),
            ["Settings", `${run.spec.epochs} runs, concurrency ${run.spec.concurrency}, ${run.spec.systemPrompt} prompt, ≤${run.spec.limits.maxTurns} turns`],
            ...(run.spec.modelFile ? [["Model file", formatModelFile(run.spec.modelFile)] as [string, string]] : [])
        ]),
        ""
    ];
    lines.push(
        table(
            ["#", "Sample", "Status", "Score", "Strict score", "Turns", "Tools (errors)", "Input", "Output", "Time", "Why"],
            run.samples.map((x) => [
                String(x.id),
                String(x.epoch),
                x.status,
                paintScore(x.score),
                paintScore(x.strictScore),
                String(x.turns),
                `${x.toolCalls} (${x.toolErrors.unknownTool + x.toolErrors.badArguments + x.toolErrors.failed})`,
                formatTokens(x.usage.inputTokens + x.usage.cachedInputTokens),
                formatTokens(x.usage.outputTokens),
                formatDuration(x.wallMs),
                x.failureMode ? `${x.failureMode}: ${x.failureDetail ?? ""}` : (x.failureDetail ?? "")
            ])
        )
    );
    for (const x of run.samples) {
        const outside = outsideAccessText(x.outsideAccess);
        if (outside) lines.push(yellow(`Sample ${x.epoch} outside its workspace: ${outside}`));
    }
    if (run.error) lines.push("", red(`[${run.error.code}] ${run.error.message}`));
    return lines.join("\n");
}

