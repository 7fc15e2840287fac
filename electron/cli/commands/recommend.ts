import {InvalidArgumentError, Option, type Command} from "commander";
import {bandwidthUnderLoadWarning, formatBandwidth} from "../../shared/bandwidthFormat.ts";
import type {FitEstimate, HardwareOverrides, HardwareProfile, KvCacheType, QuantizationOption, RecommendationReport, SpeedPrediction} from "../../api/ModelsApi.ts";
import type {VerdictCriterion} from "../../api/VerdictApi.ts";
import {CatalogError} from "../../core/catalog/CatalogError.ts";
import {formatKTokens} from "../../shared/format.ts";
import {formatSeconds} from "../../shared/verdictFormat.ts";
import {bold, dim, formatBytes, green, keyValues, red, table, yellow} from "../utils/format.ts";
import {DEFAULT_CONTEXT_SIZE, engineSettingSchemas} from "../../protocol/engineSettings.ts";
import {contextSizeFlag, contextSizeOption, settingOption} from "../utils/optionParsers.ts";
import {withAppService} from "../utils/withAppService.ts";
import {legendLines, paintLevel} from "../utils/levelFormat.ts";

/** Options every estimating command shares: context, KV cache and what-if hardware. */
export interface EstimateOptions {
    context?: number;
    kvType?: KvCacheType;
    flashAttention?: boolean;
    ram?: string;
    vram?: string;
    gpu?: string;
    bandwidth?: number;
    preset?: string;
    json?: boolean;
}

function parsePositive(value: string): number {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number.`);
    return n;
}

export function addEstimateOptions(command: Command): Command {
    return command
        .option(contextSizeFlag, `context the agent runs with, tokens (32768, 32k, 1M; default ${DEFAULT_CONTEXT_SIZE})`, contextSizeOption)
        .option("--kv-type <type>", "KV-cache type: f16, q8_0 or q4_0", settingOption("--kv-type", engineSettingSchemas.kvCacheType, (text) => text))
        .option("--no-flash-attention", "estimate without flash attention")
        .option("--ram <size>", "what-if: total RAM, e.g. 16GB")
        .option("--vram <size>", "what-if: usable VRAM, e.g. 8GB (0 = no GPU)")
        .option("--gpu <name>", 'what-if: GPU or Apple chip, e.g. "RTX 4060 Laptop", "Apple M2"')
        .option("--bandwidth <GB/s>", "what-if: memory bandwidth in GB/s", parsePositive)
        .option("--preset <id>", "what-if: a laptop preset (agentfit recommend --presets lists them)")
        .option("--json", "print JSON");
}

export function estimateArgs(options: EstimateOptions): {contextSize?: number; kvCacheType?: KvCacheType; flashAttention?: boolean; hardware?: HardwareOverrides} {
    const hardware: HardwareOverrides = {preset: options.preset, ram: options.ram, vram: options.vram, gpu: options.gpu, bandwidthGBps: options.bandwidth};
    const anyOverride = Object.values(hardware).some((v) => v !== undefined);
    return {contextSize: options.context, kvCacheType: options.kvType, flashAttention: options.flashAttention, ...(anyOverride ? {hardware} : {})};
}

export function registerRecommendCommand(program: Command) {
    addEstimateOptions(
        program
            .command("recommend")
            .description("Which models and quantizations fit this machine (or a what-if machine), and how fast they will run")
            .addOption(new Option("--min-tps <tokens/s>").hideHelp())
            .option("--model <id>", "show every quantization of one model")
            .option("--all", "list every model, including those that do not fit")
            .option("--presets", "list the what-if laptop presets and exit")
    ).action(async (options: EstimateOptions & {minTps?: string; model?: string; all?: boolean; presets?: boolean}) => {
        if (options.minTps !== undefined)
            throw new CatalogError(
                "FIT_SETTINGS_INVALID",
                "--min-tps is gone: recommend judges with the Verdict's thresholds. Change them with `agentfit verdict thresholds usableGenerationTps=N almostGenerationTps=M`."
            );
        if (options.presets) {
            const presets = await withAppService((app) => app["models.presets"]({}));
            if (options.json) return console.log(JSON.stringify(presets, null, 2));
            return console.log(table(["preset", "machine"], presets.map((p) => [p.id, `${p.label}  ${dim(p.description)}`])));
        }
        const report = await withAppService((app) => app["models.recommend"](estimateArgs(options)));
        if (options.json) return console.log(JSON.stringify(report, null, 2));
        console.log(formatReport(report, {all: options.all ?? false, model: options.model}));
    });
}

export function describeHardware(h: HardwareProfile): string {
    const usable = formatBytes(h.ramBytes - h.ramReserveBytes);
    const gpu = h.vramBytes > 0 ? `${h.gpuName ?? "GPU"} (${h.unifiedMemory ? `${formatBytes(h.vramBytes)} of unified memory for the GPU` : `${formatBytes(h.vramBytes)} VRAM`})` : "no GPU offload";
    const bw = h.vramBytes > 0 && h.gpuBandwidthBytesPerSecond > 0 ? `${(h.gpuBandwidthBytesPerSecond / 1e9).toFixed(0)} GB/s GPU, ` : "";
    const warning = bandwidthUnderLoadWarning({underLoad: h.bandwidthUnderLoad, chosen: h.bandwidthMeasurement});
    return `${formatBytes(h.ramBytes)} RAM (${usable} usable), ${gpu}, ${bw}${formatBandwidth(h.cpuBandwidthBytesPerSecond)} RAM ${dim(`(${h.bandwidthSource})`)}${warning ? `\n${yellow(`  ! ${warning}`)}` : ""}`;
}

/** Where the model goes in memory; with the judged criteria, a trained context below the agent's shows instead. */
export function fitLabel(fit: FitEstimate, criteria?: readonly VerdictCriterion[]): string {
    const contextFails = criteria?.find((c) => c.cause === "trained-context");
    if (contextFails && fit.fitClass !== "no-fit") return red(contextFails.value);
    switch (fit.fitClass) {
        case "gpu-full":
            return green("full GPU");
        case "gpu-partial":
            return yellow(`GPU ${fit.gpuLayers}/${fit.totalLayers} layers`);
        case "cpu-only":
            return "CPU only";
        default:
            return red("will not fit");
    }
}

const tps = (n: number | null | undefined) => (n == null ? "-" : n >= 10 ? n.toFixed(0) : n.toFixed(1));

export function speedCell(s: SpeedPrediction): string {
    const measured = s.measured?.generationTokensPerSecond;
    return `${tps(s.generationAtDepthTokensPerSecond)} (${tps(s.generationTokensPerSecond)} empty)${measured ? ` · measured ${tps(measured)}` : ""}`;
}

/** "~45 s (first 9.5 min)": the judged mean turn and the cold first one. */
export function turnCell(s: SpeedPrediction): string {
    return `~${formatSeconds(s.agentTurnSeconds)} ${dim(`(first ${formatSeconds(s.firstTurnSeconds)})`)}`;
}

export function quantizationTable(options: QuantizationOption[]): string {
    return table(
        ["quant", "file", "verdict", "fit", "RAM", "VRAM", "gen tok/s*", "per turn*"],
        options.map((o) => [
            o.quantization,
            `${formatBytes(o.sizeBytes)}${o.sizeEstimated ? dim(" est.") : ""}`,
            paintLevel(o.verdict),
            fitLabel(o.fit, o.criteria),
            formatBytes(o.fit.ramNeededBytes),
            o.fit.vramNeededBytes > 0 ? formatBytes(o.fit.vramNeededBytes) : "-",
            speedCell(o.speed),
            turnCell(o.speed)
        ])
    );
}

function formatReport(report: RecommendationReport, options: {all: boolean; model?: string}): string {
    const lines: string[] = [];
    const s = report.settings;
    lines.push(bold("AgentFit recommendations") + dim(`  ${report.hardware.label}`));
    lines.push(keyValues([
        ["Machine", describeHardware(report.hardware)],
        ["Agent settings", `context ${s.contextSize.toLocaleString("en-US")} tokens · KV cache ${s.kvCacheType} · flash attention ${s.flashAttention ? "on" : "off"}`],
        ["Rules", `the Verdict's thresholds: usable ≥ ${report.thresholds.usableGenerationTps} tok/s and ≤ ${report.thresholds.usableTurnSeconds} s per agent turn, almost ≥ ${report.thresholds.almostGenerationTps} tok/s and ≤ ${report.thresholds.almostTurnSeconds} s ${dim("(agentfit verdict thresholds)")}`]
    ]));
    lines.push("");
    lines.push(bold(report.summary));
    lines.push("");
    if (options.model) {
        const m = report.models.find((x) => x.model.id === options.model);
        if (!m) throw new Error(`No model "${options.model}" in the catalog; agentfit recommend --all lists them.`);
        lines.push(bold(`${m.model.name}`) + dim(`  ${m.model.huggingFaceRepo} · ${m.model.license}`));
        lines.push(quantizationTable(m.options));
        lines.push("");
        for (const reason of m.reasons) lines.push(`  - ${reason}`);
    } else {
        const shown = options.all ? report.models : report.models.filter((m) => m.verdict !== "no-fit");
        lines.push(
            table(
                ["#", "model", "verdict", "quant", "fit", "RAM", "VRAM", "gen tok/s*", "per turn*", "helperbench"],
                shown.map((m) => [
                    String(m.rank),
                    m.model.name,
                    paintLevel(m.verdict),
                    m.bestQuantization ?? "-",
                    m.best ? fitLabel(m.best.fit, m.best.criteria) : red(m.model.architecture.contextLength < report.settings.contextSize ? `trained ${formatKTokens(m.model.architecture.contextLength)}` : "will not fit"),
                    m.best ? formatBytes(m.best.fit.ramNeededBytes) : "-",
                    m.best && m.best.fit.vramNeededBytes > 0 ? formatBytes(m.best.fit.vramNeededBytes) : "-",
                    m.best ? speedCell(m.best.speed) : "-",
                    m.best ? turnCell(m.best.speed) : "-",
                    m.model.evals.map((e) => `${e.correct}/${e.runs}`).join(" ") || "-"
                ])
            )
        );
        const hidden = report.models.length - shown.length;
        if (hidden > 0) lines.push(dim(`  + ${hidden} model${hidden === 1 ? " that doesn't" : "s that don't"} fit (--all shows them)`));
        lines.push("");
        for (const m of report.models.filter((x) => x.verdict !== "no-fit").slice(0, 3)) {
            lines.push(bold(`${m.rank}. ${m.model.name}`) + dim(`  agentfit pull ${m.model.id}${m.bestQuantization ? `:${m.bestQuantization}` : ""}`));
            // The close call (always the last reason) is shown even when other reasons are cut.
            const reasons = m.closeCall && m.reasons.length > 4 ? [...m.reasons.slice(0, 3), m.reasons.at(-1)!] : m.reasons.slice(0, 4);
            for (const reason of reasons) lines.push(`   - ${reason}`);
        }
    }
    lines.push("");
    lines.push(...legendLines(report.legend));
    lines.push(
        dim(
            `* Predictions, not measurements: generation at ${formatKTokens(report.settings.contextSize / 2)} tokens of context (and when empty). ${report.agentTurn} "est." sizes are estimated from parameters × bits per weight.`
        )
    );
    return lines.join("\n");
}
