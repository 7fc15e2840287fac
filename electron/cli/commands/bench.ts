import cliProgress from "cli-progress";
import {InvalidArgumentError as CommanderArgumentError, Option, type Command} from "commander";
import {CONTEXT_SIZE_MAX, engineSettingSchemas} from "../../protocol/engineSettings.ts";
import {contextSizeFlag, contextSizeOption, gpuLayersOption, settingOption, wholeNumber} from "../utils/optionParsers.ts";
import type {BenchKvCacheType, BenchResult, BenchRun, BenchStartRequest} from "../../api/BenchApi.ts";
import type {SpeedCalibrationReport} from "../../api/ModelsApi.ts";
import type {AppService} from "../../core/AppService.ts";
import {benchConfigurationLabel, benchNoiseWarning, benchSpeedText, benchTestName as testName} from "../../shared/benchFormat.ts";
import {describeContextTerm, formatBytes, formatModelFile, formatParameterCount, plural} from "../../shared/format.ts";
import {bold, dim, red, table, yellow} from "../utils/format.ts";
import {withAppService} from "../utils/withAppService.ts";
import {offerEngineBuildOnce} from "../utils/offerEngineBuild.ts";
import {onInterrupt} from "../utils/onInterrupt.ts";
import {endpointRunsTable, printEndpointRun, runEndpointBench} from "./benchEndpoint.ts";

interface BenchOptions {
    model: string[];
    pp: number;
    tg: number;
    reps: number;
    depth: number[];
    kvType?: BenchKvCacheType[];
    threads?: number[];
    gpuLayers?: (number | "max")[];
    flashAttention?: boolean[];
    ttft: boolean;
    agent?: boolean;
    agentTurns?: number;
    context?: number;
    batch?: number;
    json?: boolean;
    baseUrl?: string;
    protocol?: "openai" | "anthropic";
    apiKeyEnv?: string;
    promptSizes?: number[];
    concurrency?: number[];
    serverGpu?: string;
}

/** "0,4096" → [0, 4096], each item checked by `item`. */
function commaList<T>(name: string, item: (value: string) => T) {
    return (value: string): T[] => {
        const parts = value.split(",").map((part) => part.trim());
        if (parts.some((part) => part === "")) throw new CommanderArgumentError(`${name} takes a comma-separated list, e.g. ${name} 0,4096.`);
        return parts.map(item);
    };
}

const onOff = (value: string): boolean => {
    if (value === "on" || value === "1" || value === "true") return true;
    if (value === "off" || value === "0" || value === "false") return false;
    throw new CommanderArgumentError("--flash-attention takes on and/or off (comma-separated).");
};

function speedCell(result: BenchResult): string {
    if (result.status === "skipped" || result.status === "failed") return yellow(`${result.status}: ${result.reason?.message ?? ""}`);
    const value = benchSpeedText(result, {unit: false});
    if (result.status === "cancelled") return `${value} ${dim(`(cancelled after ${result.samplesNs.length})`)}`;
    const noise = benchNoiseWarning(result);
    return noise ? `${value} ${yellow(`(${noise})`)}` : value;
}

/** The results as llama-bench's markdown table prints them, with the settings that vary. */
export function resultsTable(results: BenchResult[]): string {
    const rows = results.map((r) => [
        r.model.modelType,
        formatBytes(r.model.fileBytes),
        formatParameterCount(r.model.parameterCount),
        String(r.settings?.threads ?? r.requested.threads),
        String(r.settings?.gpuLayers ?? r.requested.gpuLayers),
        r.requested.kvCacheType,
        r.requested.flashAttention ? "1" : "0",
        testName(r),
        speedCell(r)
    ]);
    return table(["model", "size", "params", "threads", "ngl", "type_kv", "fa", "test", "t/s"], rows);
}

function printRun(run: BenchRun, results: BenchResult[]) {
    // llama-bench's table comes first, as llama-bench prints it, so scripts that read it keep working.
    console.log(resultsTable(results));
    for (const file of run.modelFiles) console.log(`${bold("Model file")} ${formatModelFile(file)}`);
    for (const score of run.scores)
        console.log(
            `${bold("LocalScore-style score")} ${score.score.toFixed(0)} ${dim(`(${benchConfigurationLabel(score.modelFile, score.settings)}: pp ${score.promptTokensPerSecond.toFixed(1)} t/s, tg ${score.generationTokensPerSecond.toFixed(1)} t/s, TTFT ${score.timeToFirstTokenMs.toFixed(0)} ms)`)}`
        );
    // Runs recorded before the binary was tracked do not say which one measured them.
    const binary = run.engine?.binary === "local" ? ", built for this CPU" : run.engine?.binary === "prebuilt" ? ", prebuilt binary" : "";
    const engine = run.engine ? `node-llama-cpp ${run.engine.nodeLlamaCpp}, llama.cpp ${run.engine.llamaCppRelease}, ${run.engine.backend}${binary}` : "engine not started";
    console.log(dim(`Run ${run.id} · ${run.status} · ${engine} · 'agentfit bench show ${run.id} --json' exports llama-bench JSON`));
    if (run.engine?.binary === "prebuilt")
        console.log(dim("Measured with node-llama-cpp's portable prebuilt binary; 'agentfit engine build' compiles the engine for this CPU (docs/benchmark.md)."));
}

function benchRequest(options: BenchOptions): BenchStartRequest {
    return {
        models: options.model,
        promptTokens: options.pp,
        generatedTokens: options.tg,
        repetitions: options.reps,
        depths: options.depth,
        matrix: {threads: options.threads, gpuLayers: options.gpuLayers, kvCacheTypes: options.kvType, flashAttention: options.flashAttention},
        timeToFirstToken: options.ttft,
        agent: options.agent ? (options.agentTurns !== undefined ? {turns: options.agentTurns} : true) : false,
        contextSize: options.context,
        batchSize: options.batch
    };
}

/**
 * Starts a benchmark run with `start` and follows it to its end (a progress bar on a terminal, a line
 * per phase otherwise; Ctrl-C cancels), then prints its results unless `quiet`. Returns the exit code.
 */
async function followBenchRun(app: AppService, start: () => Promise<BenchRun>, output: {json?: boolean; quiet?: boolean}): Promise<number> {
    const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar(
              {format: `{bar} {value}/{total} tests ${dim("·")} {test}`, hideCursor: true, barsize: 30, stream: process.stderr, clearOnComplete: true},
              cliProgress.Presets.shades_classic
          )
        : undefined;
    let finished: (run: BenchRun) => void = () => {};
    const ended = new Promise<BenchRun>((resolve) => (finished = resolve));
    // Events may arrive before bench.start returns; they are matched once the run's id is known.
    const mine: {runId?: number} = {};
    let lastLine = "";
    const unsubscribe = app.events.subscribe((event, payload) => {
        if (event === "bench.result") {
            const result = payload as BenchResult;
            if (result.runId !== mine.runId) return;
            const line = `${result.model.fileName} ${testName(result)}: ${speedCell(result)}`;
            if (!bar) console.error(dim(line));
        }
        if (event !== "bench.progress") return;
        const run = payload as BenchRun;
        if (run.id !== mine.runId) return;
        const current = run.progress.current;
        const test = current
            ? `${current.modelFile} ${current.kind}${current.depth ? ` @ d${current.depth}` : ""} ${current.phase === "measuring" ? `rep ${current.repetition}/${current.repetitions}${current.lastTokensPerSecond !== undefined ? ` (${current.lastTokensPerSecond.toFixed(1)} t/s)` : ""}` : current.phase}`
            : "";
        if (bar) {
            if (!bar.getTotal() || bar.getTotal() !== run.progress.testsTotal) bar.start(Math.max(1, run.progress.testsTotal), run.progress.testsDone, {test});
            bar.update(run.progress.testsDone, {test});
        } else if (current) {
            // Without a terminal: one line per phase of each test (loading, warm-up, first repetition).
            const key = `${current.configuration}:${current.kind}:${current.depth}:${current.phase}`;
            if (key !== lastLine) {
                lastLine = key;
                console.error(dim(test));
            }
        }
        if (run.status !== "running") finished(run);
    });
    const started = await start().catch((error: unknown) => {
        unsubscribe();
        throw error;
    });
    mine.runId = started.id;
    console.error(`Benchmark run ${started.id}: ${plural(started.spec.models.length, "model")}, ${started.spec.repetitions} repetitions per test; Ctrl-C cancels (results so far are kept).`);
    const cancel = () => void app["bench.cancel"]({runId: started.id}).catch(() => {});
    const stopListening = onInterrupt(cancel);
    const run = await ended;
    bar?.stop();
    unsubscribe();
    stopListening();
    const detail = await app["bench.run"]({runId: run.id});
    if (output.quiet) {
        // The caller prints its own summary.
    } else if (output.json) console.log(JSON.stringify(await app["bench.exportJson"]({runId: run.id}), null, 2));
    else printRun(run, detail.results);
    if (run.status === "failed") {
        console.error(red(`error [${run.error?.code}]: ${run.error?.message}`));
        return 1;
    }
    return run.status === "cancelled" ? 130 : 0;
}

/** The per-weight-type calibration as a table. */
export function formatCalibration(report: SpeedCalibrationReport): string {
    const c = report.calibration;
    if (!c) return "Uncalibrated: no benchmark of a model of 256 MB or more with the default thread count on this machine yet. Run: agentfit calibrate";
    const f = (v: number) => `×${v.toFixed(2)}`;
    return [
        `Calibrated on this machine (newest measurement ${c.measuredAt.slice(0, 10)}; measured ÷ uncalibrated prediction, applied to predictions):`,
        table(
            ["weight type", "benchmarks", "generation", "prompt"],
            [...Object.entries(c.byWeightType).map(([type, t]) => [type, String(t.samples), f(t.generationFactor), f(t.promptFactor)]), ["any other", String(c.samples), f(c.generationFactor), f(c.promptFactor)]]
        ),
        `What the context adds at 4k (measured ÷ modelled; on a CPU, generation's per query head per KV head): generation ${describeContextTerm(c.generationContext)}; prompts ${describeContextTerm(c.promptContext)}` +
            (c.generationContext.samples + c.promptContext.samples === 0 ? dim(" (no benchmark at a depth yet)") : "")
    ].join("\n");
}

export function registerBenchCommand(program: Command) {
    const bench = program
        .command("bench")
        .description("Measure a model's speed like llama-bench: prompt processing, generation, time to first token, context depth, agent turns")
        .option("--model <path|id...>", "GGUF files or registered model ids (several: e.g. quantizations of one model)")
        .option("--pp <n>", "prompt tokens of the pp test (0 skips it)", wholeNumber("--pp", 0, 1 << 20), 512)
        .option("--tg <n>", "generated tokens of the tg test (0 skips it)", wholeNumber("--tg", 0, 1 << 16), 128)
        .option("--reps <n>", "timed repetitions per test (a warm-up run is never counted)", wholeNumber("--reps", 1, 100), 5)
        .option("--depth <list>", "context depths, comma-separated, e.g. 0,4096,16384", commaList("--depth", wholeNumber("--depth", 0, CONTEXT_SIZE_MAX)), [0])
        .option("--kv-type <list>", "KV-cache types to compare: f16,q8_0,q4_0 (default f16)", commaList("--kv-type", settingOption("--kv-type", engineSettingSchemas.kvCacheType, (text) => text)))
        .option("--threads <list>", "thread counts to compare (default: physical cores)", commaList("--threads", settingOption("--threads", engineSettingSchemas.threads)))
        .option("--gpu-layers <list>", "GPU layer counts to compare, or max (default: 0 without a GPU, max with one)", commaList("--gpu-layers", gpuLayersOption(engineSettingSchemas.fixedGpuLayers)))
        .option("--flash-attention <list>", "flash attention settings to compare: on,off (default: on for a quantized KV cache)", commaList("--flash-attention", onOff))
        .option("--no-ttft", "skip the time-to-first-token test")
        .option("--agent", "also run the agent-shaped workload (long system prompt, tools, a source file, several turns)")
        .option("--agent-turns <n>", "turns of the agent workload (default 4)", wholeNumber("--agent-turns", 0, 20))
        .option(contextSizeFlag, "context size in tokens (32768, 32k, 1M; default: what the tests need, capped at the model's)", contextSizeOption)
        .option("--batch <n>", "batch size in tokens (default 512)", settingOption("--batch", engineSettingSchemas.batchSize))
        .option("--json", "print llama-bench-compatible JSON (llama-bench -o json fields plus agentfit_ fields); with --base-url the endpoint run")
        .option("--base-url <url>", "benchmark an OpenAI- or Anthropic-compatible endpoint instead (llama-server, vLLM, Ollama, another agentfit serve); --model is then its model id")
        .addOption(new Option("--protocol <protocol>", "with --base-url: the API to measure through: openai (/chat/completions) or anthropic (/messages); detected when left out (OpenAI's model list, then Anthropic's)").choices(["openai", "anthropic"]))
        .option("--api-key-env <var>", "with --base-url: the environment variable holding the endpoint's API key (never stored)")
        .option("--prompt-sizes <list>", "with --base-url: prompt sizes of the time-to-first-token test, tokens (default 128,512,2048)", commaList("--prompt-sizes", wholeNumber("--prompt-sizes", 16, 131_072)))
        .option("--concurrency <list>", "with --base-url: simultaneous streams to try (default 1,2,4,8)", commaList("--concurrency", wholeNumber("--concurrency", 1, 64)))
        .option("--server-gpu <id>", "with --base-url: the server's GPU type (see 'agentfit servers'), so the run calibrates that GPU's predictions")
        .action(async (options: BenchOptions, command: Command) => {
            if (options.baseUrl !== undefined) {
                if (options.model?.length !== 1) {
                    console.error(red("error: ") + "--base-url needs one --model: the model id the server lists (GET /v1/models).");
                    process.exit(2);
                }
                const given = (name: string) => command.getOptionValueSource(name) !== "default";
                const code = await withAppService((app) =>
                    runEndpointBench(
                        app,
                        {
                            baseUrl: options.baseUrl!,
                            model: options.model[0]!,
                            protocol: options.protocol,
                            apiKeyEnv: options.apiKeyEnv,
                            promptSizes: options.promptSizes,
                            generatedTokens: given("tg") ? options.tg : undefined,
                            repetitions: given("reps") ? options.reps : undefined,
                            agentTurns: options.agentTurns,
                            concurrency: options.concurrency,
                            serverGpu: options.serverGpu
                        },
                        {json: options.json}
                    )
                );
                process.exit(code);
            }
            if (!options.model?.length) {
                console.error(red("error: ") + "--model is required: a GGUF path or a registered model id (see 'agentfit models').");
                process.exit(2);
            }
            const code = await withAppService(async (app) => {
                await offerEngineBuildOnce(app);
                return followBenchRun(app, () => app["bench.start"](benchRequest(options)), options);
            });
            process.exit(code);
        });

    program
        .command("calibrate")
        .description("Calibrate speed predictions for this machine: short benchmarks (about a minute per model) of one registered model per weight type, at an empty context, 2k and 4k")
        .option("--model <path|id...>", "GGUF files or registered model ids to measure (default: the largest registered model of each weight type, 256 MB or more)")
        .option("--json", "print the calibration as JSON")
        .action(async (options: {model?: string[]; json?: boolean}) => {
            const code = await withAppService(async (app) => {
                let code: number;
                try {
                    // The API picks the models when none are named (one per weight type) and sets the short run's shape.
                    code = await followBenchRun(app, () => app["bench.calibrate"]({models: options.model}), {quiet: true});
                } catch (error) {
                    if ((error as {code?: unknown}).code !== "BENCH_CALIBRATION_MODEL_MISSING") throw error;
                    console.error(red("error: ") + "no registered model of 256 MB or more to measure: pull or import one (agentfit pull, agentfit import), or name files with --model.");
                    return 2;
                }
                const report = await app["models.calibration"]({});
                if (options.json) console.log(JSON.stringify(report, null, 2));
                else console.log(`\n${formatCalibration(report)}`);
                return code;
            });
            process.exit(code);
        });

    bench
        .command("runs")
        .description("List benchmark runs, newest first")
        .option("--json", "print JSON")
        .action(async (options: {json?: boolean}) => {
            const json = options.json === true;
            await withAppService(async (app) => {
                const runs = await app["bench.runs"]({limit: 50});
                if (json) return console.log(JSON.stringify(runs, null, 2));
                const endpointRuns = await app["endpoints.runs"]({limit: 50});
                if (endpointRuns.length > 0) console.log(`${endpointRunsTable(endpointRuns)}\n`);
                if (runs.length === 0) return console.log("No benchmark runs of this machine yet. Try: agentfit bench --model <path|id>");
                console.log(
                    table(
                        ["run", "started", "status", "models", "tests", "score"],
                        runs.map((run) => [
                            String(run.id),
                            run.createdAt.replace("T", " ").slice(0, 19),
                            run.status,
                            run.spec.models.join(", "),
                            `${run.progress.testsDone}/${run.progress.testsTotal}`,
                            run.scores.map((s) => s.score.toFixed(0)).join(", ") || "–"
                        ])
                    )
                );
            });
        });

    bench
        .command("endpoints")
        .description("List endpoint benchmark runs (--base-url), newest first; --json prints them with every measurement")
        .option("--json", "print JSON")
        .action(async (options: {json?: boolean}) => {
            const json = options.json === true;
            await withAppService(async (app) => {
                const runs = await app["endpoints.runs"]({limit: 50});
                if (json) return console.log(JSON.stringify(runs, null, 2));
                if (runs.length === 0) return console.log("No endpoint benchmark runs yet. Try: agentfit bench --base-url http://host:8080/v1 --model <id>");
                console.log(endpointRunsTable(runs));
            });
        });

    bench
        .command("show <runId>")
        .description("Show one run's results (--json: llama-bench-compatible JSON); e<id> shows an endpoint run")
        .option("--json", "print llama-bench-compatible JSON")
        .option("--all", "with --json, include skipped, failed and cancelled tests")
        .action(async (runId: string, options: {json?: boolean; all?: boolean}) => {
            if (/^e\d+$/i.test(runId)) {
                const endpointRunId = wholeNumber("runId", 1, Number.MAX_SAFE_INTEGER)(runId.slice(1));
                return withAppService(async (app) => {
                    const run = await app["endpoints.run"]({runId: endpointRunId});
                    if (options.json === true) console.log(JSON.stringify(run, null, 2));
                    else printEndpointRun(run);
                });
            }
            const id = wholeNumber("runId", 1, Number.MAX_SAFE_INTEGER)(runId);
            const json = options.json === true;
            await withAppService(async (app) => {
                if (json) return console.log(JSON.stringify(await app["bench.exportJson"]({runId: id, includeSkipped: options.all === true}), null, 2));
                const detail = await app["bench.run"]({runId: id});
                printRun(detail, detail.results);
            });
        });
}
