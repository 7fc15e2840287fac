import type {Command} from "commander";
import {engineBuildPhaseLabels} from "../../shared/engineBuildPhase.ts";
import cliProgress from "cli-progress";
import type {EngineBinaryStatus} from "../../api/EngineApi.ts";
import type {AppService} from "../../core/AppService.ts";
import {bold, dim, formatBytes, formatDuration, green, keyValues, red, yellow} from "../utils/format.ts";
import {withAppService} from "../utils/withAppService.ts";
import {onInterrupt} from "../utils/onInterrupt.ts";

function describeBinary(status: EngineBinaryStatus): string {
    const local = status.local;
    const lines: [string, string][] = [
        [
            "Engine binary",
            status.next === "local"
                ? `${green("built on this machine")}${local ? dim(` (${[local.native ? "-march=native" : "portable", local.openmp ? "OpenMP" : "no OpenMP", local.compiler].filter(Boolean).join(", ")})`) : ""}`
                : `node-llama-cpp's prebuilt binary ${dim("(portable: every CPU variant, no OpenMP)")}`
        ]
    ];
    if (local) lines.push(["Local build", `${local.folder} ${dim(`· llama.cpp ${local.llamaCppRelease} · ${formatBytes(local.bytes)} · built ${new Date(local.builtAt).toLocaleString()}`)}`]);
    for (const requirement of status.requirements)
        lines.push([requirement.name, requirement.ok ? requirement.detail : (requirement.required ? red : yellow)(requirement.detail)]);
    return keyValues(lines);
}


/** Follows a build on stderr until it ends: phase, share compiled and elapsed time. Ctrl-C cancels it. */
async function followBuild(app: AppService): Promise<EngineBinaryStatus> {
    const tty = Boolean(process.stderr.isTTY);
    const bar = tty
        ? new cliProgress.SingleBar(
              {format: `{phase} ${dim("|")}{bar}${dim("|")} {percentage}% ${dim("·")} {elapsed} ${dim("·")} {step}`, hideCursor: true, barsize: 30, stream: process.stderr, clearOnComplete: true},
              cliProgress.Presets.shades_classic
          )
        : undefined;
    let lastLine = "";
    const onSignal = () => {
        process.exitCode = 130;
        console.error(yellow("\nCancelling the build…"));
        void app["engine.cancelBuild"]({});
    };
    const stopListening = onInterrupt(onSignal);
    // The bar redraws each second so the elapsed time moves between the build's own progress lines.
    let latest: EngineBinaryStatus | undefined;
    let render: (status: EngineBinaryStatus) => void = () => {};
    const ticker = setInterval(() => latest && render(latest), 1000);
    try {
        return await new Promise<EngineBinaryStatus>((resolve) => {
            let barStarted = false;
            render = (status: EngineBinaryStatus) => {
                latest = status;
                const job = status.build;
                if (!job) return;
                if (job.state !== "running") {
                    unsubscribe();
                    bar?.stop();
                    resolve(status);
                    return;
                }
                const percent = Math.round((job.progress ?? 0) * 100);
                const elapsed = formatDuration(Date.now() - Date.parse(job.startedAt));
                if (bar) {
                    if (!barStarted) {
                        bar.start(100, 0, {phase: "", elapsed: "", step: ""});
                        barStarted = true;
                    }
                    bar.update(percent, {phase: engineBuildPhaseLabels[job.phase], elapsed, step: (job.logTail.at(-1) ?? "").replace(/^\[\d+\/\d+\]\s*/, "").slice(0, 50)});
                } else {
                    // Without a terminal: a line per phase and per tenth compiled.
                    const line = job.phase === "compiling" ? `  ${engineBuildPhaseLabels[job.phase]} ${Math.floor(percent / 10) * 10}%` : `  ${engineBuildPhaseLabels[job.phase]}`;
                    if (line !== lastLine) {
                        lastLine = line;
                        console.error(`${line} ${dim(`· ${elapsed}`)}`);
                    }
                }
            };
            const unsubscribe = app.events.subscribe((event, payload) => {
                if (event === "engine.binary") render(payload as EngineBinaryStatus);
            });
            void app["engine.binary"]({}).then(render);
        });
    } finally {
        clearInterval(ticker);
        stopListening();
    }
}

export function registerEngineCommand(program: Command) {
    const engine = program.command("engine").description("The llama.cpp engine binary: which one runs, and building one for this machine's CPU");

    engine
        .command("info", {isDefault: true})
        .description("Show which engine binary the next model load uses and what building one needs")
        .option("--json", "print as JSON")
        .action(async (options: {json?: boolean}) => {
            await withAppService(async (app) => {
                const status = await app["engine.binary"]({});
                if (options.json) console.log(JSON.stringify(status, null, 2));
                else {
                    console.log(describeBinary(status));
                    if (status.offer?.kind === "build")
                        console.log(
                            `\n${dim(`Build one for this CPU (steadier and faster prompt processing; about ${status.offer.estimate.lowMinutes}–${status.offer.estimate.highMinutes} min, an estimate; models keep loading meanwhile):`)} ${bold("agentfit engine build")}`
                        );
                }
            });
        });

    engine
        .command("build")
        .description("Compile the engine from the llama.cpp source node-llama-cpp ships, for this CPU (-march=native, OpenMP); Ctrl-C cancels")
        .option("--json", "print the result as JSON")
        .action(async (options: {json?: boolean}) => {
            await withAppService(async (app) => {
                const started = performance.now();
                console.error(
                    `Building the engine for this machine ${dim("(node-llama-cpp source download --gpu false, in a folder of its own: models keep loading with the binary in use until it is done)")}…`
                );
                await app["engine.buildBinary"]({});
                const status = await followBuild(app);
                const job = status.build!;
                if (options.json) console.log(JSON.stringify(status, null, 2));
                if (job.state === "completed") {
                    if (!options.json) {
                        console.log(`${green("Built")} in ${formatDuration(performance.now() - started)}. The new engine is used from the next model load.`);
                        if (job.systemInfo) console.log(dim(`It reports: ${job.systemInfo}`));
                        console.log(describeBinary(status));
                    }
                } else if (job.state === "cancelled") {
                    console.error(yellow("Cancelled.") + " The binary in use stays.");
                    process.exitCode = 130;
                } else {
                    console.error(red(job.error?.message ?? "The build failed."));
                    console.error(dim(job.logTail.slice(-15).join("\n")));
                    process.exitCode = 1;
                }
            });
        });

    engine
        .command("remove-build")
        .description("Delete the engine built on this machine (and its source); models load with the prebuilt binary again")
        .action(async () => {
            await withAppService(async (app) => {
                const before = await app["engine.binary"]({});
                const status = await app["engine.removeLocalBinary"]({});
                console.log(before.local ? `Removed ${before.local.folder}. The prebuilt engine is used again.` : "There was no local build; the prebuilt engine is in use.");
                if (status.next !== "prebuilt") process.exitCode = 1;
            });
        });
}
