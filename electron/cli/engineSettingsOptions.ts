import {InvalidArgumentError as CommanderArgumentError, type Command} from "commander";
import type {LocalModelSettings} from "../api/EngineApi.ts";
import {wholeNumber} from "./optionParsers.ts";

/** What the engine-settings options parse to (commander's camel-cased names). */
export interface EngineSettingsOptions {
    ctx?: number;
    parallel?: number;
    gpuLayers?: LocalModelSettings["gpuLayers"];
    kvType?: LocalModelSettings["kvCacheType"];
    threads?: number;
    batch?: number;
    flashAttention?: boolean;
}

/**
 * The options every command that loads a local model shares (serve, eval, bench), so they read and
 * validate the same way everywhere.
 */
export function addEngineSettingsOptions(command: Command, defaults: {contextHelp: string}): Command {
    return command
        .option("--ctx <n>", defaults.contextHelp, wholeNumber("--ctx", 64, 1 << 21))
        .option("--parallel <n>", "requests served at once; the rest queue (default 1)", wholeNumber("--parallel", 1, 64))
        .option("--gpu-layers <n|auto|max>", "layers offloaded to the GPU (default auto)", (value: string) =>
            value === "auto" || value === "max" ? value : wholeNumber("--gpu-layers", 0, 100_000)(value)
        )
        .option("--kv-type <type>", "KV-cache type: f16, q8_0 or q4_0 (default f16)", (value: string) => {
            if (value !== "f16" && value !== "q8_0" && value !== "q4_0") throw new CommanderArgumentError("--kv-type must be f16, q8_0 or q4_0.");
            return value;
        })
        .option("--threads <n>", "CPU threads (default: physical cores)", wholeNumber("--threads", 1, 1024))
        .option("--batch <n>", "batch size in tokens (default 512)", wholeNumber("--batch", 1, 1 << 16))
        .option("--flash-attention", "use flash attention (on by default with a quantized KV cache)");
}

/** The engine settings the options ask for; unset options are left out (the engine's defaults apply). */
export function engineSettingsFrom(options: EngineSettingsOptions): LocalModelSettings {
    const settings: LocalModelSettings = {
        contextSize: options.ctx,
        gpuLayers: options.gpuLayers,
        kvCacheType: options.kvType,
        threads: options.threads,
        batchSize: options.batch,
        parallel: options.parallel,
        flashAttention: options.flashAttention
    };
    return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as LocalModelSettings;
}
