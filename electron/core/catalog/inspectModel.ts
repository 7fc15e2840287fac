import fs from "node:fs";
import type {GgufFacts} from "../../api/GgufFacts.ts";
import type {CatalogModel, FitEstimate, FitSettings, HardwareProfile, InspectReport} from "../../api/ModelsApi.ts";
import type {VerdictThresholds} from "../../api/VerdictApi.ts";
import {errorMessage} from "../../shared/AppError.ts";
import {modelDisplayName} from "../gguf/ggufFileNames.ts";
import {GgufError} from "../gguf/GgufError.ts";
import {readGgufFacts, type ReadGgufFactsOptions} from "../gguf/readGgufFacts.ts";
import {judgePrediction} from "../rules/judgeModel.ts";
import {defaultThresholds} from "../rules/defaultThresholds.ts";
import {estimateFit, resolveFitSettings, type ModelShape} from "./estimateFit.ts";
import {predictSpeed, type SpeedCalibration} from "./predictSpeed.ts";
import {memoryEvidenceOf} from "./recommendModels.ts";

/**
 * Layers that use sliding-window attention, by architecture, where llama.cpp fixes the pattern in
 * code rather than in the GGUF: Gemma 2 alternates, Gemma 3 has one global layer in six, gpt-oss
 * alternates banded and full attention, Cohere2 one global in four.
 */
const slidingWindowPattern: Record<string, (layers: number) => number> = {
    gemma2: (n) => Math.floor(n / 2),
    gemma3: (n) => n - Math.floor(n / 6),
    "gpt-oss": (n) => Math.floor(n / 2),
    cohere2: (n) => n - Math.floor(n / 4)
};

/** The shape a fit estimate needs, from a GGUF header; missing keys are an error naming them. */
export function shapeFromFacts(facts: GgufFacts): ModelShape {
    const missing = (["blockCount", "embeddingLength", "headCount"] as const).filter((key) => facts[key] == null);
    if (missing.length > 0)
        throw new GgufError(
            "GGUF_METADATA_INVALID",
            facts.source,
            `${facts.source} lacks the metadata a memory estimate needs (${missing.map((k) => `${facts.architecture}.${metadataKey[k]}`).join(", ")}).`
        );
    const layers = facts.blockCount!;
    const headCount = facts.headCount!;
    const headDim = facts.keyLength != null && facts.valueLength != null ? (facts.keyLength + facts.valueLength) / 2 : facts.embeddingLength! / headCount;
    const kvLayers = Math.min(layers, facts.attentionLayerCount || layers);
    const swaLayers = facts.slidingWindow ? Math.min(kvLayers, (slidingWindowPattern[facts.architecture] ?? ((n: number) => n))(kvLayers)) : 0;
    const isMoe = facts.expertCount != null && facts.expertCount > 1;
    return {
        weightsBytes: facts.tensorBytes,
        bpeTokenizer: facts.tokenizerModel == null ? undefined : facts.tokenizerModel === "gpt2",
        architecture: {
            parameters: facts.parameterCount,
            activeParameters: isMoe ? (facts.activeParameterCount ?? null) : null,
            layers,
            embeddingLength: facts.embeddingLength!,
            headCount,
            headCountKv: facts.headCountKv ?? headCount,
            headDim,
            contextLength: facts.contextLength ?? 4096,
            slidingWindow: facts.slidingWindow,
            slidingWindowLayers: swaLayers,
            kvLayers,
            vocabularySize: facts.vocabularySize ?? 32000,
            feedForwardLength: (isMoe && facts.feedForwardLength && facts.expertUsedCount ? facts.feedForwardLength * facts.expertUsedCount : facts.feedForwardLength) ?? facts.embeddingLength! * 4
        }
    };
}

const metadataKey = {blockCount: "block_count", embeddingLength: "embedding_length", headCount: "attention.head_count"} as const;

export interface InspectModelOptions extends FitSettings, Pick<ReadGgufFactsOptions, "headers" | "huggingFaceEndpoint" | "signal"> {
    hardware: HardwareProfile;
    catalog?: readonly CatalogModel[];
    calibration?: SpeedCalibration | null;
    /** The Verdict's thresholds the prediction is judged with. Default: the defaults. */
    thresholds?: VerdictThresholds;
    /** Ask node-llama-cpp's configuration resolver too (local files, CPU-only estimates). Default true. */
    useResolver?: boolean;
}

/**
 * Any GGUF outside the catalog — a local file, a URL, an hf: URI — read from its header alone (remote
 * sources with range requests), then estimated like a catalog model. For local files node-llama-cpp's
 * configuration resolver, which simulates llama.cpp's allocations on the real tensors, gives a
 * second opinion.
 */
export async function inspectModel(source: string, options: InspectModelOptions): Promise<InspectReport> {
    const {settings} = resolveFitSettings(options);
    const facts = await readGgufFacts(source, {headers: options.headers, huggingFaceEndpoint: options.huggingFaceEndpoint, signal: options.signal});
    if (!facts.supportedByLlamaCpp)
        throw new GgufError(
            "GGUF_ARCHITECTURE_UNSUPPORTED",
            source,
            `${source} is a "${facts.architecture}" model, an architecture the llama.cpp bundled with AgentFit cannot run; no estimate is possible.`
        );
    const shape = shapeFromFacts(facts);
    const fit = estimateFit(shape, options.hardware, settings);
    const speed = predictSpeed(shape, fit, options.hardware, {calibration: options.calibration, weightType: facts.quantization});
    const local = !/^(https?:|hf:|huggingface:)/i.test(source) && fs.existsSync(source);
    let resolver: FitEstimate | null = null;
    // node-llama-cpp simulates allocations with the llama.cpp backend loaded in this process (the CPU
    // build without a GPU driver), so its answer is right for CPU-only estimates only.
    if (local && (options.useResolver ?? true) && options.hardware.vramBytes > 0)
        fit.notes.push("node-llama-cpp's resolver is shown for CPU-only estimates only: it simulates with the llama.cpp backend loaded here.");
    else if (local && (options.useResolver ?? true)) {
        try {
            resolver = await resolveWithNodeLlamaCpp(source, options.hardware, settings);
        } catch (error) {
            fit.notes.push(`node-llama-cpp's resolver could not estimate this file: ${errorMessage(error)}`);
        }
    }
    const catalogMatch = matchCatalog(facts, options.catalog ?? []);
    const {verdict, criteria} = judgePrediction(memoryEvidenceOf(fit, facts.contextLength), speed, options.thresholds ?? defaultThresholds);
    return {facts, name: sourceName(source), hardware: options.hardware, fit, speed, verdict, criteria, resolver, catalogMatch};
}

/** A GGUF's one name: its file name without extension (split suffix dropped), for paths, URLs and hf: URIs alike. */
export function sourceName(source: string): string {
    const withoutQuery = source.replace(/^hf:|^huggingface:/i, "").replace(/[?#].*$/, "");
    const last = withoutQuery.split(/[\\/]/).filter(Boolean).pop() ?? withoutQuery;
    try {
        return modelDisplayName(decodeURIComponent(last));
    } catch {
        return modelDisplayName(last);
    }
}

/** The catalog model with the same architecture and size as a GGUF header, and its quantization. */
export function matchCatalog(facts: GgufFacts, catalog: readonly CatalogModel[]): InspectReport["catalogMatch"] {
    const model = catalog.find(
        (m) =>
            m.architecture.ggufArchitecture === facts.architecture &&
            m.architecture.layers === facts.blockCount &&
            m.architecture.embeddingLength === facts.embeddingLength &&
            m.architecture.headCount === facts.headCount
    );
    if (!model) return null;
    const quantization = model.quantizations.find((q) => q.quantization === facts.quantization)?.quantization ?? facts.quantization ?? model.defaultQuantization;
    return {modelId: model.id, quantization};
}

/** node-llama-cpp's `resolveAndScoreConfig` at the target context, with the profile's RAM and VRAM as its hardware. */
export async function resolveWithNodeLlamaCpp(file: string, hardware: HardwareProfile, settings: Required<FitSettings>): Promise<FitEstimate> {
    const {readGgufFileInfo, GgufInsights} = await import("node-llama-cpp");
    const info = await readGgufFileInfo(file, {logWarnings: false});
    const insights = await GgufInsights.from(info);
    const ramCapacity = Math.max(0, hardware.ramBytes - hardware.ramReserveBytes);
    const kvType = ({f16: "F16", q8_0: "Q8_0", q4_0: "Q4_0"} as const)[settings.kvCacheType];
    const {GgmlType} = await import("node-llama-cpp");
    const result = await insights.configurationResolver.resolveAndScoreConfig(
        {targetContextSize: settings.contextSize, flashAttention: settings.flashAttention, kvCacheKeyType: GgmlType[kvType], kvCacheValueType: GgmlType[kvType]},
        {
            getRamState: async () => ({total: hardware.ramBytes, free: ramCapacity}),
            getSwapState: async () => ({total: 0, free: 0}),
            getVramState: async () => ({total: hardware.vramBytes, free: hardware.vramBytes, unifiedSize: hardware.unifiedMemory ? hardware.vramBytes : 0}),
            llamaGpu: hardware.vramBytes > 0 ? (hardware.backend === "cpu" ? false : hardware.backend) : false,
            llamaSupportsGpuOffloading: hardware.vramBytes > 0
        }
    );
    const v = result.resolvedValues;
    const totalLayers = insights.totalLayers;
    const fitClass: FitEstimate["fitClass"] =
        v.totalRamUsage > ramCapacity || (hardware.vramBytes > 0 && v.totalVramUsage > hardware.vramBytes) ? "no-fit" : v.gpuLayers >= totalLayers ? "gpu-full" : v.gpuLayers > 0 ? "gpu-partial" : "cpu-only";
    const headroom = ramCapacity - v.totalRamUsage;
    return {
        fitClass,
        gpuLayers: v.gpuLayers,
        totalLayers,
        parts: [
            {kind: "weights", label: "Weights", ramBytes: v.modelRamUsage, vramBytes: v.modelVramUsage},
            {kind: "kv-cache", label: "Context (KV cache and compute buffers)", ramBytes: v.contextRamUsage, vramBytes: v.contextVramUsage}
        ],
        ramNeededBytes: v.totalRamUsage,
        vramNeededBytes: v.totalVramUsage,
        ramCapacityBytes: ramCapacity,
        vramCapacityBytes: hardware.vramBytes,
        headroomBytes: headroom,
        tight: fitClass !== "no-fit" && headroom < ramCapacity * 0.1,
        settings,
        notes: [`compatibility score ${result.compatibilityScore.toFixed(2)}; resolved context ${v.contextSize}`],
        method: "node-llama-cpp configuration resolver"
    };
}
