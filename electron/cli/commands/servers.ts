import type {Command} from "commander";
import type {SmallestServerReport} from "../../api/ModelsApi.ts";
import {formatBytes} from "../../shared/format.ts";
import {formatTps} from "../../shared/verdictFormat.ts";
import {bold, dim, green, table} from "../utils/format.ts";
import {contextSizeFlag, contextSizeOption} from "../utils/optionParsers.ts";
import {withAppService} from "../utils/withAppService.ts";

function describeSmallest(report: SmallestServerReport): string {
    const smallest = report.candidates.find((c) => c.preset.id === report.smallest);
    const head = smallest
        ? `${bold(`Smallest server for ${report.model.name} ${report.quantization}:`)} ${green(smallest.preset.label)} — ${formatTps(smallest.option.speed.generationAtDepthTokensPerSecond)} predicted at a ${Math.round(report.contextSize / 1024)}k context`
        : bold(`No server preset runs ${report.model.name} ${report.quantization} usably (the Verdict's thresholds, ≥ ${formatTps(report.usableGenerationTps)}) with a ${Math.round(report.contextSize / 1024)}k context.`);
    const rows = report.candidates.map((c) => [
        c.preset.id === report.smallest ? green(c.preset.label) : c.preset.label,
        `${c.preset.vramGB} GB`,
        `${c.preset.bandwidthGBps} GB/s`,
        formatBytes(c.option.fit.vramNeededBytes + c.option.fit.ramNeededBytes),
        formatTps(c.option.speed.generationAtDepthTokensPerSecond) + (c.option.speed.calibration ? dim(" (calibrated)") : ""),
        c.usable ? "usable" : dim(c.reason ?? "")
    ]);
    const calibrated = Object.entries(report.calibratedBy).map(([gpu, runs]) => `${gpu} by endpoint run${runs.length === 1 ? "" : "s"} ${runs.map((r) => `e${r}`).join(", ")}`);
    return [
        head,
        "",
        table(["SERVER", "VRAM", "BANDWIDTH", "NEEDS", "GEN (PREDICTED)", ""], rows),
        dim(
            `Predictions from vendor spec-sheet figures (docs/FACTS.md); several GPUs split layers, so speed is one GPU's. ${calibrated.length ? `Calibrated: ${calibrated.join("; ")}.` : "Calibrate with a server benchmark: agentfit bench --base-url URL --model ID --server-gpu GPU."}`
        )
    ].join("\n");
}

export function registerServersCommand(program: Command) {
    program
        .command("servers")
        .description("Server presets (data-center GPUs, multi-GPU boxes); with --model, the smallest on which it is usable at the agent context")
        .option("--model <id[:quant]>", "a catalog model, e.g. qwen3-coder-30b-a3b-instruct:Q4_K_M")
        .option(contextSizeFlag, "agent context in tokens (32768, 32k; default 32768)", contextSizeOption)
        .option("--json", "print JSON")
        .action(async (options: {model?: string; context?: number; json?: boolean}) => {
            await withAppService(async (app) => {
                if (!options.model) {
                    const presets = await app["models.serverPresets"]({});
                    if (options.json) return console.log(JSON.stringify(presets, null, 2));
                    console.log(table(["ID", "SERVER", "VRAM", "BANDWIDTH (PER GPU)"], presets.presets.map((p) => [p.id, p.label, `${p.vramGB} GB`, `${p.bandwidthGBps} GB/s`])));
                    console.log(dim(presets.gpus.map((g) => `${g.name}: ${g.source}`).join("\n")));
                    return;
                }
                const report = await app["models.smallestServer"]({model: options.model, contextSize: options.context});
                console.log(options.json ? JSON.stringify(report, null, 2) : describeSmallest(report));
            });
        });
}
