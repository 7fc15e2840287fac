import type {Command} from "commander";
import type {RegisteredModel} from "../../api/DownloadsApi.ts";
import {formatParameterCount} from "../../shared/format.ts";
import {bold, dim, formatBytes, green, table, yellow} from "../utils/format.ts";
import {withAppService} from "../utils/withAppService.ts";
import {describeModel} from "./pull.ts";

export function registerModelCommands(program: Command) {
    program
        .command("models")
        .description("List registered models (downloaded and imported)")
        .option("--json", "print the models as JSON")
        .action(async (options: {json?: boolean}) => {
            const models = await withAppService((app) => app["models.list"]({}));
            if (options.json) return console.log(JSON.stringify(models, null, 2));
            if (models.length === 0) return console.log("No models yet. Download one (agentfit pull <model>) or register files you have (agentfit import <path>).");
            console.log(
                table(
                    ["ID", "QUANT", "PARAMS", "SIZE", "SOURCE", "PATH"],
                    models.map((m) => [bold(m.id), m.facts.quantization ?? "?", formatParameterCount(m.facts.parameterCount), formatBytes(m.sizeBytes), sourceLabel(m), dim(m.path)])
                )
            );
        });

    program
        .command("import")
        .argument("<path>", "a GGUF file, or a folder to scan (e.g. ~/.lmstudio/models or ~/.cache/huggingface/hub)")
        .description("Register GGUF files where they are, without copying them")
        .option("--json", "print the result as JSON")
        .action(async (target: string, options: {json?: boolean}) => {
            const result = await withAppService((app) => app["models.import"]({path: target}));
            if (options.json) return console.log(JSON.stringify(result, null, 2));
            for (const model of result.imported) console.log(describeModel(model));
            for (const model of result.alreadyRegistered) console.log(`${dim("=")} ${model.id} is already registered ${dim(model.path)}`);
            for (const skipped of result.skipped) console.log(`${yellow("skipped")} ${skipped.path}: ${skipped.reason}`);
            console.log(dim(`${result.imported.length} imported, ${result.alreadyRegistered.length} already registered, ${result.skipped.length} skipped`));
            if (result.imported.length + result.alreadyRegistered.length === 0 && result.skipped.length > 0) process.exitCode = 1;
        });

    program
        .command("rm")
        .argument("<model>", "model id, unique id prefix, name, or file path")
        .description("Unregister a model; files AgentFit downloaded are deleted, imported files are left in place")
        .option("--keep-files", "keep downloaded files on disk")
        .action(async (reference: string, options: {keepFiles?: boolean}) => {
            const {removed, deletedFiles} = await withAppService((app) => app["models.remove"]({reference, keepFiles: options.keepFiles}));
            if (deletedFiles.length) console.log(`${green("✓")} Removed ${bold(removed.id)} and deleted ${deletedFiles.length} file${deletedFiles.length > 1 ? "s" : ""} (${formatBytes(removed.sizeBytes)}).`);
            else console.log(`${green("✓")} Unregistered ${bold(removed.id)}; its files were left in place ${dim(removed.path)}`);
        });
}

function sourceLabel(model: RegisteredModel): string {
    if (model.source.kind === "huggingface") return model.source.catalogId ?? `hf:${model.source.repo}`;
    if (model.source.kind === "url") return new URL(model.source.urls[0]!).host;
    return "imported";
}
