import {z} from "zod";
import type {FitEstimate, FitSettings, HardwareProfile, KvCacheType, MemoryPart, ModelArchitecture} from "../../api/ModelsApi.ts";
import {DEFAULT_CONTEXT_SIZE, engineSettingSchemas, kvCacheBytesPerElement} from "../../protocol/engineSettings.ts";
import {parseArgument} from "../../shared/parseArgument.ts";
import {trainedContextShortfall} from "../rules/judgeModel.ts";

const MiB = 1024 ** 2;

/** The settings a fit is estimated at, as the engine would load with them; other fields of a request pass. */
export const fitSettingsSchema = z.object({
    contextSize: engineSettingSchemas.contextSize.optional(),
    kvCacheType: engineSettingSchemas.kvCacheType.optional(),
    flashAttention: engineSettingSchemas.flashAttention.optional()
}) satisfies z.ZodType<FitSettings>;

/** Everything a fit estimate needs to know about a model file. */
export interface ModelShape {
    architecture: Pick<
        ModelArchitecture,
        | "parameters"
        | "activeParameters"
        | "layers"
        | "embeddingLength"
        | "headCount"
        | "headCountKv"
        | "headDim"
        | "contextLength"
        | "slidingWindow"
        | "slidingWindowLayers"
        | "kvLayers"
        | "vocabularySize"
        | "feedForwardLength"
    >;
    /** Bytes of the weights (the file's tensor data). */
    weightsBytes: number;
    /** Whether the tokenizer is BPE with a merge table (held in memory too). Default true, as most current models. */
    bpeTokenizer?: boolean;
}

/** llama.cpp's physical batch (n_ubatch), which sizes the compute buffers; node-llama-cpp's default. */
const ubatch = 512;
/**
 * RAM beyond llama.cpp's named buffers: the engine process itself (Node.js with the llama.cpp addon
 * loaded, ≈ 96 MiB measured), and what a loaded model adds besides its buffers: llama.cpp's runtime
 * state and the tokenizer (llama.cpp's token tables and merge ranks, node-llama-cpp's copy of the
 * GGUF metadata). Fitted to loads in the engine process here: ≈ 12 MiB + ≈ 180 bytes per vocabulary
 * token, plus ≈ 325 bytes per BPE merge (a BPE vocabulary has about as many merges as tokens): 13 MiB
 * for a 4k-token generated model, 36 MiB for SmolLM2 (49k BPE), 57 MiB for Gemma 3 (262k
 * SentencePiece). Single loads vary by up to ±10 % around that (docs/FACTS.md §9).
 */
export const engineProcessBytes = 96 * MiB;
export function llamaRuntimeBytes(shape: Pick<ModelShape, "architecture" | "bpeTokenizer">): number {
    const vocabulary = shape.architecture.vocabularySize;
    return 12 * MiB + 180 * vocabulary + (shape.bpeTokenizer === false ? 0 : 325 * vocabulary);
}
/** A discrete GPU's driver context and display surfaces take VRAM before any model does. */
const discreteVramReserveBytes = 512 * MiB;
/** Recurrent state of a hybrid model's non-attention layer (Mamba-2 / Gated DeltaNet), per sequence; small. */
const recurrentStateBytesPerLayer = 2 * MiB;

/** The settings with their defaults; FIT_SETTINGS_INVALID names a setting out of range. */
export function resolveFitSettings(request: FitSettings = {}): {settings: Required<FitSettings>; notes: string[]} {
    const notes: string[] = [];
    const settings = parseArgument(fitSettingsSchema, request, "FIT_SETTINGS_INVALID");
    const contextSize = settings.contextSize ?? DEFAULT_CONTEXT_SIZE;
    const kvCacheType: KvCacheType = settings.kvCacheType ?? "f16";
    let flashAttention = settings.flashAttention ?? true;
    if (kvCacheType !== "f16" && !flashAttention) {
        flashAttention = true;
        notes.push(`A ${kvCacheType} KV cache needs flash attention in llama.cpp, so it is on.`);
    }
    return {settings: {contextSize, kvCacheType, flashAttention}, notes};
}

const pad256 = (n: number) => Math.ceil(n / 256) * 256;

/** KV-cache bytes of one layer at a context (window-sized for sliding-window layers), keys plus values. */
function kvLayerBytes(shape: ModelShape, cells: number, kvCacheType: KvCacheType): number {
    const a = shape.architecture;
    return 2 * cells * a.headCountKv * a.headDim * kvCacheBytesPerElement[kvCacheType];
}

/** KV cache of the whole model, split into full-attention and sliding-window layers. */
export function kvCacheBytes(shape: ModelShape, contextSize: number, kvCacheType: KvCacheType): {perFullLayer: number; perSwaLayer: number; total: number} {
    const a = shape.architecture;
    const fullCells = pad256(contextSize);
    // llama.cpp sizes a sliding-window layer's cache to the window plus one batch, padded to 256.
    const swaCells = a.slidingWindow ? Math.min(fullCells, pad256(a.slidingWindow + ubatch + 1)) : fullCells;
    const swaLayers = Math.min(a.slidingWindowLayers, a.kvLayers);
    const fullLayers = a.kvLayers - swaLayers;
    const perFullLayer = kvLayerBytes(shape, fullCells, kvCacheType);
    const perSwaLayer = kvLayerBytes(shape, swaCells, kvCacheType);
    return {perFullLayer, perSwaLayer, total: fullLayers * perFullLayer + swaLayers * perSwaLayer};
}

/**
 * The attention step of llama.cpp's compute graph for a full batch (n_ubatch 512) at a full context:
 * with flash attention the f16 mask (ubatch × context) and the FFN activations; without it, the f32
 * attention scores of every query head (ubatch × context × heads).
 */
function attentionStepBytes(shape: ModelShape, contextSize: number, flashAttention: boolean): number {
    const a = shape.architecture;
    const cells = pad256(contextSize);
    return flashAttention ? ubatch * cells * 2 + 16 * ubatch * a.feedForwardLength : ubatch * cells * (4 * a.headCount + 4) + 24 * ubatch * a.embeddingLength;
}

/**
 * llama.cpp's compute buffer for one device, as its graph allocator reserves it for a full batch:
 * the peak of the attention step and the output step, which holds the logits of the whole batch
 * (ubatch × vocabulary, f32). Reproduces llama.cpp's reported buffer sizes.
 */
export function computeBufferBytes(shape: ModelShape, contextSize: number, flashAttention: boolean): number {
    const a = shape.architecture;
    const outputStep = ubatch * (4 * a.vocabularySize + 8 * a.embeddingLength);
    return Math.max(attentionStepBytes(shape, contextSize, flashAttention), outputStep);
}

/**
 * The part of the CPU compute buffer that ever holds data: llama.cpp reserves room for a whole
 * batch's logits, but AgentFit's engine (node-llama-cpp) asks for the last token's only, so those
 * pages are never touched and take no RAM (on a 262k vocabulary they are 512 MiB of the 516 MiB
 * reserved). What fills is the attention step at a full context plus one token's logits.
 */
export function computeResidentBytes(shape: ModelShape, contextSize: number, flashAttention: boolean): number {
    return attentionStepBytes(shape, contextSize, flashAttention) + 4 * shape.architecture.vocabularySize;
}

/**
 * What llama.cpp itself reserves on the CPU for a model at a context, as its log reports it: model,
 * KV, compute (room for a whole batch's logits) and output (one token's logits) buffers. Differs
 * from the fit's RAM need by the compute pages never touched, the runtime and the engine process.
 */
export function llamaCppReservedBytes(shape: ModelShape, settings: Required<FitSettings>): number {
    return shape.weightsBytes + kvCacheBytes(shape, settings.contextSize, settings.kvCacheType).total + computeBufferBytes(shape, settings.contextSize, settings.flashAttention) + 4 * shape.architecture.vocabularySize;
}

/**
 * Memory breakdown and fit class of a model at the given settings on a (real or what-if) machine:
 * AgentFit's own arithmetic, modelled on how llama.cpp allocates (weights per layer, KV cache per
 * layer on the device holding the layer, compute buffers, token embeddings in RAM). Picks the
 * most GPU layers that fit in VRAM, as node-llama-cpp's "auto" GPU layers do.
 */
export function estimateFit(shape: ModelShape, hardware: HardwareProfile, fitSettings: FitSettings = {}): FitEstimate {
    const {settings, notes} = resolveFitSettings(fitSettings);
    const a = shape.architecture;
    const {contextSize, kvCacheType, flashAttention} = settings;
    const tooShort = trainedContextShortfall(a.contextLength, contextSize);
    if (tooShort) notes.push(`The model was ${tooShort}: quality may drop beyond the trained length.`);

    const bytesPerParameter = shape.weightsBytes / a.parameters;
    const embeddingBytes = Math.min(shape.weightsBytes * 0.45, a.vocabularySize * a.embeddingLength * bytesPerParameter);
    const outputBytes = embeddingBytes;
    const layerWeights = Math.max(0, (shape.weightsBytes - embeddingBytes - outputBytes) / a.layers);
    const kv = kvCacheBytes(shape, contextSize, kvCacheType);
    const kvPerLayer = kv.total / a.layers;
    const recurrent = (a.layers - a.kvLayers) * recurrentStateBytesPerLayer;
    // VRAM is committed when allocated, RAM only when touched (see computeResidentBytes).
    const compute = computeBufferBytes(shape, contextSize, flashAttention);
    const computeInRam = computeResidentBytes(shape, contextSize, flashAttention);
    const runtimeOverheadBytes = engineProcessBytes + llamaRuntimeBytes(shape);
    const totalLayers = a.layers + 1;

    const hasGpu = hardware.vramBytes > 0 && hardware.backend !== "cpu";
    const vramCapacity = hasGpu ? Math.max(0, hardware.vramBytes - (hardware.unifiedMemory ? 0 : discreteVramReserveBytes)) : 0;
    const ramCapacity = Math.max(0, hardware.ramBytes - hardware.ramReserveBytes);

    const vramFor = (gpuLayers: number) => {
        if (gpuLayers === 0) return 0;
        const repeating = Math.min(gpuLayers, a.layers);
        return repeating * (layerWeights + kvPerLayer) + (gpuLayers === totalLayers ? outputBytes : 0) + compute + (repeating === a.layers ? recurrent : 0);
    };
    let gpuLayers = 0;
    if (hasGpu) for (let n = totalLayers; n > 0; n--) if (vramFor(n) <= vramCapacity) {
        gpuLayers = n;
        break;
    }

    const cpuRepeating = a.layers - Math.min(gpuLayers, a.layers);
    const vramParts = {
        weights: Math.min(gpuLayers, a.layers) * layerWeights + (gpuLayers === totalLayers ? outputBytes : 0),
        kv: Math.min(gpuLayers, a.layers) * kvPerLayer + (gpuLayers >= a.layers ? recurrent : 0),
        compute: gpuLayers > 0 ? compute : 0
    };
    const ramParts = {
        weights: cpuRepeating * layerWeights + embeddingBytes + (gpuLayers === totalLayers ? 0 : outputBytes),
        kv: cpuRepeating * kvPerLayer + (gpuLayers >= a.layers ? 0 : recurrent),
        // With every layer on the GPU, the host keeps only a small staging buffer for inputs.
        compute: gpuLayers === totalLayers ? Math.min(computeInRam, ubatch * a.embeddingLength * 4 * 4) : computeInRam,
        overhead: runtimeOverheadBytes
    };
    // Unified memory: what the GPU holds comes out of the same RAM.
    if (hardware.unifiedMemory) {
        ramParts.weights += vramParts.weights;
        ramParts.kv += vramParts.kv;
        ramParts.compute += vramParts.compute;
    }

    const parts: MemoryPart[] = [
        {kind: "weights", label: "Weights", ramBytes: ramParts.weights, vramBytes: hardware.unifiedMemory ? 0 : vramParts.weights},
        {kind: "kv-cache", label: `KV cache (${contextSize.toLocaleString("en-US")} tokens, ${kvCacheType})`, ramBytes: ramParts.kv, vramBytes: hardware.unifiedMemory ? 0 : vramParts.kv},
        {kind: "compute", label: `Compute buffers${flashAttention ? "" : " (no flash attention)"}`, ramBytes: ramParts.compute, vramBytes: hardware.unifiedMemory ? 0 : vramParts.compute},
        {kind: "overhead", label: "Engine process and runtime", ramBytes: ramParts.overhead, vramBytes: 0}
    ];
    const ramNeeded = parts.reduce((sum, p) => sum + p.ramBytes, 0);
    const vramNeeded = hardware.unifiedMemory ? vramFor(gpuLayers) : parts.reduce((sum, p) => sum + p.vramBytes, 0);

    const ramFits = ramNeeded <= ramCapacity;
    const fitClass: FitEstimate["fitClass"] = !ramFits ? "no-fit" : gpuLayers === totalLayers ? "gpu-full" : gpuLayers > 0 ? "gpu-partial" : "cpu-only";
    const ramHeadroom = ramCapacity - ramNeeded;
    const vramHeadroom = vramCapacity - vramNeeded;
    const headroom = fitClass === "gpu-full" && !hardware.unifiedMemory ? Math.min(ramHeadroom, vramHeadroom) : ramHeadroom;
    const capacityForTightness = fitClass === "gpu-full" && !hardware.unifiedMemory && vramHeadroom < ramHeadroom ? vramCapacity : ramCapacity;
    if (hasGpu && gpuLayers === 0) notes.push("Not even one layer fits in VRAM next to the compute buffers: it runs on the CPU.");
    if (a.kvLayers < a.layers) notes.push(`Only ${a.kvLayers} of ${a.layers} layers keep a KV cache (hybrid recurrent model).`);
    return {
        fitClass,
        gpuLayers,
        totalLayers,
        parts,
        ramNeededBytes: ramNeeded,
        vramNeededBytes: vramNeeded,
        ramCapacityBytes: ramCapacity,
        vramCapacityBytes: vramCapacity,
        headroomBytes: headroom,
        tight: fitClass !== "no-fit" && headroom < capacityForTightness * 0.1,
        settings,
        notes,
        method: "AgentFit arithmetic"
    };
}

/** Bytes of weights read to generate one token: all of them for dense models, the active share for MoE (embeddings are looked up, not streamed). */
export function activeWeightBytes(shape: ModelShape): number {
    const a = shape.architecture;
    const bytesPerParameter = shape.weightsBytes / a.parameters;
    const embedding = Math.min(shape.weightsBytes * 0.45, a.vocabularySize * a.embeddingLength * bytesPerParameter);
    if (a.activeParameters != null) return Math.min(shape.weightsBytes - embedding, a.activeParameters * bytesPerParameter);
    return shape.weightsBytes - embedding;
}
