import type {Command} from "commander";
import type {LocalModelSettings} from "../../api/EngineApi.ts";
import {engineSettingSchemas} from "../../protocol/engineSettings.ts";
import {contextSizeFlag, contextSizeOption, gpuLayersOption, settingOption} from "./optionParsers.ts";

/** What the engine-settings options parse to (commander's camel-cased names; `--ctx` lands in `context`). */
export interface EngineSettingsOptions {
    context?: number;
    parallel?: number;
    gpuLayers?: LocalModelSettings["gpuLayers"];
    kvType?: LocalModelSettings["kvCacheType"];
    threads?: number;
    batch?: number;
    flashAttention?: boolean;
}

/**
 * The options every command that loads a local model shares (serve, eval, bench), checked against the
 * engine settings' schema so they read and validate the same way everywhere.
 */
export function addEngineSettingsOptions(command: Command, defaults: {contextHelp: string}): Command {
    const s = engineSettingSchemas;
    return command
        .option(contextSizeFlag, defaults.contextHelp, contextSizeOption)
        .option("--parallel <n>", "requests served at once; the rest queue (default 1)", settingOption("--parallel", s.parallel))
        .option("--gpu-layers <n|auto|max>", "layers offloaded to the GPU (default auto)", gpuLayersOption(s.gpuLayers))
        .option("--kv-type <type>", "KV-cache type: f16, q8_0 or q4_0 (default f16)", settingOption("--kv-type", s.kvCacheType, (text) => text))
        .option("--threads <n>", "CPU threads (default: physical cores)", settingOption("--threads", s.threads))
        .option("--batch <n>", "batch size in tokens (default 512)", settingOption("--batch", s.batchSize))
        .option("--flash-attention", "use flash attention (on by default with a quantized KV cache)");
}

/** The engine settings the options ask for; unset options are left out (the engine's defaults apply). */
export function engineSettingsFrom(options: EngineSettingsOptions): LocalModelSettings {
    const settings: LocalModelSettings = {
        contextSize: options.context,
        gpuLayers: options.gpuLayers,
        kvCacheType: options.kvType,
        threads: options.threads,
        batchSize: options.batch,
        parallel: options.parallel,
        flashAttention: options.flashAttention
    };
    return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as LocalModelSettings;
}
