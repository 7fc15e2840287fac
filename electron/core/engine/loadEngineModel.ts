import {defaultAgentContext} from "../catalog/estimateFit.ts";
import fs from "node:fs";
import path from "node:path";
import {
    GeneralChatWrapper,
    getLlama,
    GgmlType,
    LlamaLogLevel,
    resolveChatWrapper,
    type ChatWrapper,
    type Llama,
    type LlamaContext,
    type LlamaGrammar,
    type LlamaModel
} from "node-llama-cpp";
import si from "systeminformation";
import type {LoadedModel, LocalModelSettings} from "../../api/EngineApi.ts";
import type {GgufFacts} from "../../api/GgufFacts.ts";
import {estimateEngineMemory} from "../catalog/estimateEngineMemory.ts";
import {readGgufFacts} from "../gguf/readGgufFacts.ts";
import {EngineError} from "./EngineError.ts";
import {contextLimit} from "./contextLimit.ts";
import {ToolCallMemory} from "./runChatCompletion.ts";
import {SequencePool} from "./SequencePool.ts";

/** Context size when none is asked for: enough for a coding agent's tool prompt, capped at the trained length. */
export const DEFAULT_CONTEXT_SIZE = defaultAgentContext;

/** A model loaded in the engine process, with its context, sequences and what serving it needs. */
export interface LoadedEngineModel extends AsyncDisposable {
    readonly llama: Llama;
    readonly model: LlamaModel;
    readonly context: LlamaContext;
    readonly pool: SequencePool;
    readonly chatWrapper: ChatWrapper;
    readonly grammars: Map<string, LlamaGrammar>;
    readonly toolCalls: ToolCallMemory;
    readonly info: Omit<LoadedModel, "loadId" | "reference">;
    dispose(): Promise<void>;
}

const kvTypes = {f16: GgmlType.F16, q8_0: GgmlType.Q8_0, q4_0: GgmlType.Q4_0} as const;

let llamaInstance: {llama: Llama; key: string} | undefined;

/** One llama.cpp binding per process, recreated only when GPU use or thread count changes. */
async function llamaFor(useGpu: boolean, threads: number): Promise<Llama> {
    const key = `${useGpu}:${threads}`;
    if (llamaInstance?.key === key) return llamaInstance.llama;
    await llamaInstance?.llama.dispose();
    llamaInstance = undefined;
    const llama = await getLlama({
        gpu: useGpu ? "auto" : false,
        build: "never",
        usePrebuiltBinaries: true,
        progressLogs: false,
        logLevel: LlamaLogLevel.error,
        maxThreads: threads
    });
    llamaInstance = {llama, key};
    return llama;
}

export async function disposeLlama() {
    await llamaInstance?.llama.dispose();
    llamaInstance = undefined;
}

let physicalCores: number | undefined;
async function defaultThreads(): Promise<number> {
    physicalCores ??= Math.max(1, (await si.cpu()).physicalCores || 1);
    return physicalCores;
}

/** Throws ENGINE_SETTINGS_INVALID naming the first setting out of range. */
export function checkModelSettings(settings: LocalModelSettings) {
    const wholeInRange = (name: keyof LocalModelSettings, value: unknown, min: number, max: number) => {
        if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max))
            throw new EngineError("ENGINE_SETTINGS_INVALID", `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`);
    };
    wholeInRange("contextSize", settings.contextSize, 64, 1 << 21);
    wholeInRange("threads", settings.threads, 1, 1024);
    wholeInRange("batchSize", settings.batchSize, 1, 1 << 16);
    wholeInRange("parallel", settings.parallel, 1, 64);
    if (settings.gpuLayers !== undefined && settings.gpuLayers !== "auto" && settings.gpuLayers !== "max")
        wholeInRange("gpuLayers", settings.gpuLayers, 0, 100_000);
    if (settings.kvCacheType !== undefined && !(settings.kvCacheType in kvTypes))
        throw new EngineError("ENGINE_SETTINGS_INVALID", `kvCacheType must be f16, q8_0 or q4_0, got ${JSON.stringify(settings.kvCacheType)}.`);
    if (settings.flashAttention !== undefined && typeof settings.flashAttention !== "boolean")
        throw new EngineError("ENGINE_SETTINGS_INVALID", `flashAttention must be true or false, got ${JSON.stringify(settings.flashAttention)}.`);
    if (settings.flashAttention === false && settings.kvCacheType !== undefined && settings.kvCacheType !== "f16")
        throw new EngineError("ENGINE_SETTINGS_INVALID", `A ${settings.kvCacheType} KV cache needs flash attention in llama.cpp: turn flash attention on, or use an f16 KV cache.`);
}

/** Anonymous resident memory of this process (Linux's RssAnon), or null where the OS does not split RSS. */
function anonymousResidentBytes(): number | null {
    try {
        const kib = /RssAnon:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1];
        return kib ? Number(kib) * 1024 : null;
    } catch {
        return null;
    }
}

/**
 * RAM the load added. With mmap on the CPU, the weights are file pages the kernel may count or drop
 * (and the originals of weights llama.cpp repacked stay mapped but are never read again), so RSS
 * misstates them either way: the measurement is the anonymous memory the load allocated and touched
 * (KV cache, repacked weights, buffers, tokenizer) plus the mapped weights every token reads (the
 * file's tensor bytes less the repacked ones). Elsewhere it is the RSS growth.
 */
function residentGrowth(m: {rssBefore: number; rssAfter: number; anonymousBefore: number | null; anonymousAfter: number | null; mmap: boolean; facts: GgufFacts}): number {
    if (m.mmap && m.anonymousBefore != null && m.anonymousAfter != null)
        return Math.max(0, m.anonymousAfter - m.anonymousBefore) + Math.max(0, m.facts.tensorBytes - (m.facts.repackedTensorBytes ?? 0));
    return Math.max(0, m.rssAfter - m.rssBefore);
}

/**
 * Loads a GGUF model with the given settings, creates its context with one sequence per parallel
 * request, warms it up with one evaluation (so weights are paged in and buffers allocated) and
 * measures the memory the load really added to this process.
 */
export async function loadEngineModel(
    modelPath: string,
    settings: LocalModelSettings,
    options: {signal?: AbortSignal; onProgress?: (progress: number) => void} = {}
): Promise<LoadedEngineModel> {
    checkModelSettings(settings);
    // The header check turns a missing, foreign or truncated file into a clear error instead of a native failure.
    const facts = await readGgufFacts(modelPath, {signal: options.signal});
    if (!facts.supportedByLlamaCpp)
        throw new EngineError("MODEL_UNSUPPORTED", `${path.basename(modelPath)} uses the "${facts.architecture}" architecture, which the bundled llama.cpp does not support.`);
    const fileBytes = fs.statSync(modelPath).size;
    if (fileBytes < facts.expectedFileBytes)
        throw new EngineError("GGUF_TRUNCATED", `${modelPath} is truncated: ${fileBytes} bytes of the ${facts.expectedFileBytes} its header describes. Download it again.`);

    const threads = settings.threads ?? (await defaultThreads());
    const wantsGpu = settings.gpuLayers !== 0;
    const llama = await llamaFor(wantsGpu, threads);
    const hasGpu = llama.gpu !== false;
    const trained = facts.contextLength ?? DEFAULT_CONTEXT_SIZE;
    const contextSize = settings.contextSize ?? Math.min(DEFAULT_CONTEXT_SIZE, trained);
    const parallel = settings.parallel ?? 1;
    const kvCacheType = settings.kvCacheType ?? "f16";
    // llama.cpp quantizes the V cache only with flash attention, so a quantized cache turns it on.
    const flashAttention = settings.flashAttention ?? kvCacheType !== "f16";
    const gpuLayers = hasGpu ? (settings.gpuLayers ?? "auto") : 0;

    const rssBefore = process.memoryUsage().rss;
    const anonymousBefore = anonymousResidentBytes();
    const vramBefore = hasGpu ? (await llama.getVramState()).used : 0;
    const started = performance.now();
    let model: LlamaModel | undefined;
    let context: LlamaContext | undefined;
    try {
        model = await llama.loadModel({
            modelPath,
            gpuLayers: gpuLayers === "auto" ? {fitContext: {contextSize: contextSize * parallel}} : gpuLayers,
            defaultContextFlashAttention: flashAttention,
            loadSignal: options.signal,
            onLoadProgress: (progress) => {
                try {
                    options.onProgress?.(progress);
                } catch {}
            }
        });
        context = await model.createContext({
            contextSize,
            sequences: parallel,
            threads,
            flashAttention,
            ...(settings.batchSize ? {batchSize: settings.batchSize} : {}),
            experimentalKvCacheKeyType: kvTypes[kvCacheType],
            experimentalKvCacheValueType: kvTypes[kvCacheType],
            createSignal: options.signal
        });
        const sequences = Array.from({length: parallel}, () => context!.getSequence());
        // Warm-up: one evaluation touches every weight and allocates the compute buffers, so the
        // memory measured below is what serving really uses.
        const warmupToken = model.tokens.bos ?? model.tokenize("Hello")[0];
        if (warmupToken !== undefined) {
            await sequences[0]!.evaluateWithoutGeneratingNewTokens([warmupToken]);
            await sequences[0]!.clearHistory();
        }
        const loadMs = performance.now() - started;
        const rssAfter = process.memoryUsage().rss;
        const anonymousAfter = anonymousResidentBytes();
        const vramAfter = hasGpu ? (await llama.getVramState()).used : 0;
        const ours = model.gpuLayers === 0 ? estimateEngineMemory(facts, {contextSize: context.contextSize, kvCacheType, flashAttention}) : null;
        const modelEstimate = await model.fileInsights.estimateModelResourceRequirementsV2({gpuLayers: model.gpuLayers, useMmap: model.useMmap});
        const contextEstimate = await model.fileInsights.estimateContextResourceRequirementsV2({
            contextSize: context.contextSize,
            modelGpuLayers: model.gpuLayers,
            batchSize: context.batchSize,
            sequences: parallel,
            flashAttention,
            kvCacheKeyType: kvTypes[kvCacheType],
            kvCacheValueType: kvTypes[kvCacheType]
        });

        const chatWrapper = resolveChatWrapper(model) ?? new GeneralChatWrapper();
        const loadedModel = model;
        const loadedContext = context;
        const pool = new SequencePool(sequences);
        let disposed = false;
        const loaded: LoadedEngineModel = {
            llama,
            model: loadedModel,
            context: loadedContext,
            pool,
            chatWrapper,
            grammars: new Map(),
            toolCalls: new ToolCallMemory(),
            info: {
                id: path.basename(modelPath).replace(/\.gguf$/i, ""),
                path: modelPath,
                fileBytes,
                architecture: facts.architecture,
                trainedContextSize: trained,
                contextLimit: contextLimit(settings.contextSize, DEFAULT_CONTEXT_SIZE, trained, loadedContext.contextSize),
                quantization: facts.quantization,
                binary: llama.buildType === "localBuild" ? "local" : "prebuilt",
                settings: {
                    contextSize: loadedContext.contextSize,
                    gpuLayers: loadedModel.gpuLayers,
                    flashAttention,
                    kvCacheType,
                    threads,
                    batchSize: loadedContext.batchSize,
                    parallel
                },
                loadMs,
                memory: {
                    residentBytes: residentGrowth({rssBefore, rssAfter, anonymousBefore, anonymousAfter, mmap: loadedModel.useMmap && loadedModel.gpuLayers === 0, facts}),
                    vramBytes: Math.max(0, vramAfter - vramBefore),
                    rssBeforeBytes: rssBefore,
                    rssAfterBytes: rssAfter,
                    modelBytes: loadedModel.size,
                    estimatedRamBytes: ours?.atLoadBytes ?? modelEstimate.cpuRam + contextEstimate.cpuRam,
                    estimatedPeakRamBytes: ours?.peakBytes ?? modelEstimate.cpuRam + contextEstimate.cpuRam,
                    estimatedBy: ours ? "agentfit" : "node-llama-cpp",
                    estimatedVramBytes: modelEstimate.gpuVram + contextEstimate.gpuVram
                }
            },
            async dispose() {
                if (disposed) return;
                disposed = true;
                pool.rejectWaiting(new EngineError("MODEL_UNLOADED", "The model was unloaded."));
                await loadedContext.dispose();
                await loadedModel.dispose();
            },
            [Symbol.asyncDispose]() {
                return loaded.dispose();
            }
        };
        return loaded;
    } catch (error) {
        await context?.dispose().catch(() => {});
        await model?.dispose().catch(() => {});
        if (options.signal?.aborted) throw new EngineError("ENGINE_CANCELLED", "The model load was cancelled.");
        if (error instanceof EngineError) throw error;
        const hint =
            model && !context && kvCacheType !== "f16"
                ? ` A ${kvCacheType} KV cache needs flash attention, which llama.cpp supports only for some head sizes; try an f16 KV cache.`
                : model && !context
                  ? " The context may not fit in memory; try a smaller context size or fewer parallel sequences."
                  : "";
        throw new EngineError("MODEL_LOAD_FAILED", `llama.cpp could not load ${path.basename(modelPath)}: ${(error as Error).message}.${hint}`, {cause: error});
    }
}
