import cliProgress from "cli-progress";
import type {Command} from "commander";
import type {DownloadJob, RegisteredModel} from "../../api/DownloadsApi.ts";
import {AppError} from "../../shared/AppError.ts";
import {knownErrorCode} from "../../shared/errorCodes.ts";
import type {AppService} from "../../core/AppService.ts";
import {formatParameterCount, formatTransfer} from "../../shared/format.ts";
import {bold, dim, formatBytes, green, yellow} from "../utils/format.ts";
import {withAppService} from "../utils/withAppService.ts";
import {onInterrupt} from "../utils/onInterrupt.ts";

const WAITING = new Set(["queued", "downloading", "retrying", "verifying"]);

export function registerPullCommand(program: Command) {
    program
        .command("pull")
        .argument("[model]", "catalog id[:QUANT], hf:user/repo[:QUANT], hf:user/repo/file.gguf, or an http(s) URL")
        .description("Download a model (resumable, SHA-256 verified) and register it; without a model, resume every unfinished download")
        .option("--json", "print the registered model(s) as JSON when done")
        .action(async (reference: string | undefined, options: {json?: boolean}) => {
            await withAppService(async (app) => {
                // With --json, stdout holds only JSON: what is said besides goes to stderr.
                const say = options.json ? console.error : console.log;
                const jobs = reference ? await startOne(app, reference, say) : await resumeAll(app, say);
                if (jobs.length === 0) {
                    if (options.json) console.log(JSON.stringify(reference ? await app["models.get"]({reference}).catch(() => null) : [], null, 2));
                    return;
                }
                const stop = installInterruptHandler(app, jobs);
                try {
                    const models: RegisteredModel[] = [];
                    for (const job of jobs) {
                        const final = await follow(app, job);
                        if (final.state === "paused") return;
                        if (final.state !== "completed" || !final.modelId)
                            throw new AppError(knownErrorCode(final.error?.code, "DOWNLOAD_FAILED"), `${final.error?.message ?? `Download ${final.state}.`}${final.canRedownload ? " (Downloads screen → Re-download, or cancel it and pull again.)" : ""}`);
                        const model = await app["models.get"]({reference: final.modelId});
                        models.push(model);
                        if (!options.json) console.log(describeModel(model));
                    }
                    if (options.json) console.log(JSON.stringify(reference ? models[0] : models, null, 2));
                } finally {
                    stop();
                }
            });
        });
}

async function startOne(app: AppService, reference: string, say: (line: string) => void): Promise<DownloadJob[]> {
    try {
        return [await app["downloads.start"]({reference})];
    } catch (error) {
        if ((error as AppError).code !== "DOWNLOAD_ALREADY_REGISTERED") throw error;
        say(green("✓ ") + (error as Error).message);
        return [];
    }
}

async function resumeAll(app: AppService, say: (line: string) => void): Promise<DownloadJob[]> {
    const unfinished = (await app["downloads.list"]({})).filter((job) => job.canResume || job.state === "queued");
    if (unfinished.length === 0) {
        say("No unfinished downloads. Give a model to download: agentfit pull <model>");
        return [];
    }
    return Promise.all(unfinished.map((job) => app["downloads.resume"]({id: job.id})));
}

/** Ctrl-C pauses (the partial file stays) so the next `agentfit pull` continues where it stopped. */
function installInterruptHandler(app: AppService, jobs: DownloadJob[]): () => void {
    const onSignal = () => {
        process.exitCode = 130;
        void Promise.all(jobs.map((job) => app["downloads.pause"]({id: job.id}).catch(() => undefined))).then(() => {
            console.error(yellow("\nPaused.") + ` Run ${bold(`agentfit pull ${jobs.length === 1 ? jobs[0]!.reference : ""}`.trim())} again to resume.`);
        });
    };
    return onInterrupt(onSignal);
}

/** Shows a download's progress on stderr until it stops: a progress bar on a terminal, a line per 10% otherwise. */
function follow(app: AppService, job: DownloadJob): Promise<DownloadJob> {
    const tty = Boolean(process.stderr.isTTY);
    const bar = tty
        ? new cliProgress.SingleBar(
              {format: `{name} ${dim("|")}{bar}${dim("|")} {percentage}% ${dim("·")} {transfer}`, hideCursor: true, barsize: 30, stream: process.stderr, clearOnComplete: true},
              cliProgress.Presets.shades_classic
          )
        : undefined;
    const size = job.totalBytes != null ? formatBytes(job.totalBytes) : "size unknown";
    console.error(`Downloading ${bold(job.name)} (${size}, ${job.files.length} file${job.files.length > 1 ? "s" : ""}) to ${dim(job.destination)}`);
    bar?.start(job.totalBytes ?? 1, job.downloadedBytes, {name: job.name, transfer: ""});
    let lastDecile = -1;
    let lastState = job.state;
    return new Promise((resolve) => {
        const render = (current: DownloadJob) => {
            if (bar) {
                bar.setTotal(current.totalBytes ?? Math.max(1, current.downloadedBytes));
                bar.update(current.downloadedBytes, {transfer: current.state === "retrying" ? yellow(`retrying: ${current.error?.message ?? ""}`) : formatTransfer(current)});
            } else {
                const decile = current.totalBytes ? Math.floor((current.downloadedBytes / current.totalBytes) * 10) : -1;
                if (decile > lastDecile) {
                    lastDecile = decile;
                    console.error(`  ${decile * 10}%  ${formatTransfer(current)}`);
                }
            }
            if (current.state !== lastState) {
                lastState = current.state;
                if (current.state === "retrying") console.error(yellow(`  retrying: ${current.error?.message ?? ""}`));
                if (current.state === "verifying" && !bar) console.error("  verifying size, SHA-256 and GGUF header…");
            }
        };
        const check = (current: DownloadJob) => {
            render(current);
            if (WAITING.has(current.state)) return;
            unsubscribe();
            bar?.stop();
            resolve(current);
        };
        const unsubscribe = app.events.subscribe((event, payload) => {
            if ((event === "downloads.progress" || event === "downloads.updated") && (payload as DownloadJob).id === job.id) check(payload as DownloadJob);
        });
        void app["downloads.list"]({}).then((jobs) => check(jobs.find((j) => j.id === job.id) ?? job));
    });
}

export function describeModel(model: RegisteredModel): string {
    const verified = model.files.every((f) => f.sha256) ? "SHA-256 verified" : "size and GGUF header verified";
    return [
        `${green("✓")} Registered ${bold(model.id)}  ${model.facts.architecture} · ${formatParameterCount(model.facts.parameterCount)} parameters · ${model.facts.quantization ?? "?"} · ${formatBytes(model.sizeBytes)} · ${verified}`,
        `  ${dim(model.path)}${model.files.length > 1 ? dim(` (+${model.files.length - 1} more parts)`) : ""}`
    ].join("\n");
}
