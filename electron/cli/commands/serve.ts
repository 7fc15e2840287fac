import type {Command} from "commander";
import cliProgress from "cli-progress";
import type {EngineStatus} from "../../api/EngineApi.ts";
import type {AppService} from "../../core/AppService.ts";
import {DEFAULT_CONTEXT_SIZE, DEFAULT_SERVE_HOST, DEFAULT_SERVE_PORT} from "../../protocol/engineSettings.ts";
import {plural} from "../../shared/format.ts";
import {addEngineSettingsOptions, engineSettingsFrom, type EngineSettingsOptions} from "../utils/engineSettingsOptions.ts";
import {onInterrupt} from "../utils/onInterrupt.ts";
import {wholeNumber} from "../utils/optionParsers.ts";
import {bold, dim, formatBytes, formatDuration, keyValues, red, yellow} from "../utils/format.ts";
import {followRequestLog, formatServedRequest} from "../utils/requestLog.ts";
import {createCliAppService} from "../utils/withAppService.ts";
import {offerEngineBuildOnce} from "../utils/offerEngineBuild.ts";

interface ServeOptions extends EngineSettingsOptions {
    model: string;
    port: number;
    host: string;
    apiKey?: string;
    cors?: string[];
    requestLog?: string;
    quiet?: boolean;
}

export function registerServeCommand(program: Command) {
    const command = program
        .command("serve")
        .description("Serve a local GGUF model through an OpenAI-compatible API (prints the base URL once ready; Ctrl-C stops)")
        .requiredOption("--model <path|id>", "a registered model id, a GGUF file, or the name of a model in the models folder");
    addEngineSettingsOptions(command, {contextHelp: `context size in tokens (32768, 32k, 1M), shared by the parallel sequences (default ${DEFAULT_CONTEXT_SIZE}, what an agent needs, capped at the model's trained context)`})
        .option("--port <n>", "TCP port (0 picks a free one)", wholeNumber("--port", 0, 65535), DEFAULT_SERVE_PORT)
        .option("--host <host>", "interface to bind", DEFAULT_SERVE_HOST)
        .option("--api-key <key>", "require this Bearer key (default: AGENTFIT_API_KEY, else none)")
        .option("--cors <origin...>", "allow browser requests from these origins (\"*\" for any)")
        .option("--request-log <file>", "also append every request, as one JSON line, to this file")
        .option("--quiet", "do not print a line per request")
        .action(async (options: ServeOptions) => {
            const app = await createCliAppService();
            followRequestLog(app, {file: options.requestLog, onRequest: options.quiet ? undefined : (entry) => console.error(dim(formatServedRequest(entry)))});
            const request = {
                model: options.model,
                settings: engineSettingsFrom(options),
                server: {host: options.host, port: options.port, apiKey: options.apiKey ?? process.env.AGENTFIT_API_KEY, corsOrigins: options.cors}
            };
            let stopping = false;
            const stop = async (code: number) => {
                if (stopping) return;
                stopping = true;
                await app.dispose();
                process.exit(code);
            };
            onInterrupt(() => void stop(0));

            // The app restarts an engine that dies while serving (EngineRestarts); this says what happens and ends when it gives up.
            let reported = {crash: null as string | null, restarts: 0};
            app.events.subscribe((event, payload) => {
                if (event !== "engine.status" || stopping) return;
                const status = payload as EngineStatus;
                if (status.crash && status.crash.at !== reported.crash) {
                    reported = {...reported, crash: status.crash.at};
                    console.error(red("The engine stopped: ") + status.crash.reason);
                }
                const {pending, gaveUp, count} = status.restarts;
                if (gaveUp) {
                    console.error(red(gaveUp));
                    void stop(1);
                } else if (status.state === "restarting" && pending) {
                    const seconds = Math.max(0, Math.round((Date.parse(pending.at) - Date.now()) / 1000));
                    console.error(yellow(`Restarting it (attempt ${pending.attempt} of ${pending.of}) in ${seconds} s…`));
                } else if (status.state === "ready" && count > reported.restarts) {
                    reported = {...reported, restarts: count};
                    console.error(`${bold("Serving")} ${status.model!.id} again at ${bold(status.server!.baseUrl)}  (restart ${count} after a crash)`);
                }
            });

            try {
                await offerEngineBuildOnce(app);
                await start(app, request);
            } catch (error) {
                stopping = true;
                await app.dispose();
                throw error;
            }
            console.error(dim("Press Ctrl-C to stop."));
        });
}

async function start(app: AppService, request: Parameters<AppService["engine.start"]>[0]) {
    const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({format: "Loading {bar} {percentage}%", hideCursor: true, stream: process.stderr, clearOnComplete: true}, cliProgress.Presets.shades_classic)
        : undefined;
    bar?.start(100, 0);
    const unsubscribe = app.events.subscribe((event, payload) => {
        if (event === "engine.status" && (payload as EngineStatus).loadProgress != null) bar?.update(Math.round((payload as EngineStatus).loadProgress! * 100));
    });
    try {
        const status = await app["engine.start"](request);
        bar?.stop();
        printReady(status);
    } finally {
        unsubscribe();
        bar?.stop();
    }
}

function printReady(status: EngineStatus) {
    const model = status.model!;
    const s = model.settings;
    console.error(
        keyValues([
            ["Model", `${model.id}  ${dim(model.path)}`],
            ["Context", `${s.contextSize} tokens × ${s.parallel} parallel  (trained ${model.trainedContextSize})`],
            ["Settings", `${plural(s.threads, "thread")}, batch ${s.batchSize}, KV ${s.kvCacheType}, flash attention ${s.flashAttention ? "on" : "off"}, GPU layers ${s.gpuLayers}`],
            ["Memory", `${formatBytes(model.memory.residentBytes)} RAM${model.memory.vramBytes > 0 ? `, ${formatBytes(model.memory.vramBytes)} VRAM` : ""} (estimate was ${formatBytes(model.memory.estimatedRamBytes + model.memory.estimatedVramBytes)}${model.memory.estimatedPeakRamBytes && model.memory.estimatedPeakRamBytes > model.memory.estimatedRamBytes ? `; up to ${formatBytes(model.memory.estimatedPeakRamBytes + model.memory.estimatedVramBytes)} once prompts fill the context` : ""}${model.memory.estimatedBy === "node-llama-cpp" ? ", node-llama-cpp's" : ""})`],
            ["Loaded in", formatDuration(model.loadMs)],
            ["Engine", model.binary === "local" ? "llama.cpp built for this CPU (agentfit engine build)" : "node-llama-cpp's prebuilt llama.cpp"],
            [
                "API key",
                status.server!.apiKeyGenerated
                    ? `${status.server!.apiKey}  (generated: ${status.server!.host} is reachable from the network, so clients must send it as Authorization: Bearer or x-api-key)`
                    : status.server!.apiKey
                      ? "required (Authorization: Bearer … or x-api-key)"
                      : "none"
            ]
        ])
    );
    if (model.contextLimit) console.error(yellow(`${model.contextLimit.action === "capped" ? "Capped" : "Warning"}: ${model.contextLimit.message}`));
    console.error(`${bold("Serving")} ${model.id} at ${bold(status.server!.baseUrl)}  (model id "${model.id}")`);
    // The base URL alone on stdout, so scripts can read it: `agentfit serve … | head -1`.
    console.log(status.server!.baseUrl);
}
