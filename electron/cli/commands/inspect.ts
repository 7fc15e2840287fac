import type {Command} from "commander";
import type {FitEstimate, InspectReport} from "../../api/ModelsApi.ts";
import {formatParameterCount} from "../../shared/format.ts";
import {formatSeconds} from "../../shared/verdictFormat.ts";
import {levelLegend} from "../../shared/verdictLevels.ts";
import {bold, dim, formatBytes, keyValues} from "../utils/format.ts";
import {criteriaLines, legendLines, paintLevel} from "../utils/levelFormat.ts";
import {withAppService} from "../utils/withAppService.ts";
import {addEstimateOptions, describeHardware, estimateArgs, fitLabel, speedCell, type EstimateOptions} from "./recommend.ts";

export function registerInspectCommand(program: Command) {
    addEstimateOptions(
        program
            .command("inspect")
            .description("Read any GGUF's header (local file, URL or hf:user/repo:quant) and estimate its fit and speed here")
            .argument("<source>", "a .gguf path, an http(s) URL, hf:user/repo:quant or hf:user/repo/file.gguf")
    ).action(async (source: string, options: EstimateOptions) => {
        const {report, thresholds} = await withAppService(async (app) => ({
            report: await app["models.inspect"]({source, ...estimateArgs(options)}),
            thresholds: (await app["verdict.thresholds"]({})).thresholds
        }));
        if (options.json) console.log(JSON.stringify(report, null, 2));
        else console.log([formatInspect(report), "", ...legendLines(levelLegend(thresholds, "predicted", report.fit.settings.contextSize))].join("\n"));
    });
}

function fitLines(fit: FitEstimate, criteria?: InspectReport["criteria"]): [string, string][] {
    return [
        [fit.method, `${fitLabel(fit, criteria)} · RAM ${formatBytes(fit.ramNeededBytes)} of ${formatBytes(fit.ramCapacityBytes)} usable${fit.vramNeededBytes > 0 ? ` · VRAM ${formatBytes(fit.vramNeededBytes)} of ${formatBytes(fit.vramCapacityBytes)}` : ""} · headroom ${formatBytes(fit.headroomBytes)}`],
        ...fit.parts.map((p): [string, string] => [`  ${p.label}`, `${formatBytes(p.ramBytes)} RAM${p.vramBytes > 0 ? ` + ${formatBytes(p.vramBytes)} VRAM` : ""}`])
    ];
}

function formatInspect(r: InspectReport): string {
    const f = r.facts;
    const lines: string[] = [bold(r.name) + dim(`  ${f.source}`), ""];
    lines.push(
        keyValues([
            ...(f.name && f.name !== r.name ? [["GGUF name", f.name] as [string, string]] : []),
            ["Architecture", `${f.architecture}${f.supportedByLlamaCpp ? "" : " (not supported by the bundled llama.cpp)"}`],
            ["Quantization", f.quantization ?? "unknown"],
            ["Parameters", `${formatParameterCount(f.parameterCount)}${f.activeParameterCount ? `, ${formatParameterCount(f.activeParameterCount)} active (${f.expertUsedCount} of ${f.expertCount} experts)` : ""}`],
            ["Weights", `${formatBytes(f.tensorBytes)}${f.splitParts > 1 ? ` in ${f.splitParts} parts` : ""}`],
            ["Layers", `${f.blockCount ?? "?"}${f.attentionLayerCount != null && f.attentionLayerCount !== f.blockCount ? ` (${f.attentionLayerCount} with attention)` : ""}, embedding ${f.embeddingLength ?? "?"}, heads ${f.headCount ?? "?"}/${f.headCountKv ?? "?"} KV, head dim ${f.keyLength ?? "?"}`],
            ["Trained context", f.contextLength ? `${f.contextLength.toLocaleString("en-US")} tokens${f.slidingWindow ? `, sliding window ${f.slidingWindow}` : ""}` : "unknown"],
            ["Chat template", f.hasChatTemplate ? "yes" : "no"],
            ...(r.catalogMatch ? [["Catalog", `${r.catalogMatch.modelId}:${r.catalogMatch.quantization}`] as [string, string]] : [])
        ])
    );
    lines.push("");
    lines.push(keyValues([["Machine", describeHardware(r.hardware)], ["Settings", `context ${r.fit.settings.contextSize.toLocaleString("en-US")} · KV ${r.fit.settings.kvCacheType} · flash attention ${r.fit.settings.flashAttention ? "on" : "off"}`]]));
    lines.push("");
    lines.push(keyValues([...fitLines(r.fit, r.criteria), ...(r.resolver ? fitLines(r.resolver) : [])]));
    lines.push("");
    lines.push(
        keyValues([
            ["Predicted speed", `${speedCell(r.speed)} tok/s generation, ~${formatSeconds(r.speed.agentTurnSeconds)} per agent turn (the first, with the 8k-token agent prompt read cold, ${formatSeconds(r.speed.firstTurnSeconds)})`],
            ["Basis", r.speed.basis]
        ])
    );
    for (const note of r.fit.notes) lines.push(dim(`  note: ${note}`));
    lines.push("", `${bold("Verdict (predicted)")} ${paintLevel(r.verdict)}`, ...criteriaLines(r.criteria, "  "));
    return lines.join("\n");
}
