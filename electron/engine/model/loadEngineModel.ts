import fs from "node:fs";
import path from "node:path";
import {
    GeneralChatWrapper,
    getLlama,
    GgmlType,
    LlamaLogLevel,
    readGgufFileInfo,
    resolveChatWrapper,
    type ChatWrapper,
    type Llama,
    type LlamaContext,
    type LlamaGrammar,
    type LlamaModel
} from "node-llama-cpp";
import si from "systeminformation";
import type {LoadedModel, LocalModelSettings} from "../../api/EngineApi.ts";
import {contextSizeFor, DEFAULT_CONTEXT_SIZE, defaultThreadCount} from "../../protocol/engineSettings.ts";
import {AppError} from "../../shared/AppError.ts";
import {contextLimit} from "./contextLimit.ts";
import {SequencePool} from "./SequencePool.ts";
import {ToolCallMemory} from "./ToolCallMemory.ts";
import {notifyListener} from "../../shared/notifyListener.ts";

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
async function defaultThreads(otherBusyCores: number | null): Promise<number> {
    physicalCores ??= Math.max(1, (await si.cpu()).physicalCores || 1);
    return defaultThreadCount(physicalCores, otherBusyCores);
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
 * file's tensor bytes less the repacked ones, which the app read from the header). Elsewhere it is
 * the RSS growth.
 */
function residentGrowth(m: {rssBefore: number; rssAfter: number; anonymousBefore: number | null; anonymousAfter: number | null; mmap: boolean; mappedWeightBytes: number}): number {
    if (m.mmap && m.anonymousBefore != null && m.anonymousAfter != null) return Math.max(0, m.anonymousAfter - m.anonymousBefore) + m.mappedWeightBytes;
    return Math.max(0, m.rssAfter - m.rssBefore);
}
/**
 * Loads a GGUF model with the given settings, creates its context with one sequence per parallel
 * request, warms it up with one evaluation (so weights are paged in and buffers allocated) and
 * measures the memory the load really added to this process. The app has checked the file's header
 * and the settings before asking (see prepareModelLoad); what llama.cpp refuses is MODEL_LOAD_FAILED.
 */
export async function loadEngineModel(
    modelPath: string,
    settings: LocalModelSettings,
    options: {
        trainedContextSize: number | null;
        quantization: string | null;
        mappedWeightBytes: number;
        otherBusyCores?: number | null;
        signal?: AbortSignal;
        onProgress?: (progress: number) => void;
    }
): Promise<LoadedEngineModel> {
    const fileBytes = fs.statSync(modelPath).size;

    const threads = settings.threads ?? (await defaultThreads(options.otherBusyCores ?? null));
    const wantsGpu = settings.gpuLayers !== 0;
    const llama = await llamaFor(wantsGpu, threads);
    const hasGpu = llama.gpu !== false;
    const contextSize = contextSizeFor(settings, options.trainedContextSize);
    const trained = options.trainedContextSize ?? DEFAULT_CONTEXT_SIZE;
    const parallel = settings.parallel ?? 1;
    const kvCacheType = settings.kvCacheType ?? "f16";
    // llama.cpp quantizes the V cache only with flash attention, so a quantized cache turns it on.
    const flashAttention = settings.flashAttention ?? kvCacheType !== "f16";
    const gpuLayers = hasGpu ? (settings.gpuLayers ?? "auto") : 0;

    // node-llama-cpp parses the file's metadata (the tokenizer's arrays too) on the JS heap while it
    // loads; parsing it once beforehand grows the heap before the baseline, so what is measured is
    // what the loaded model keeps (the estimate was fitted to loads measured this way).
    await readGgufFileInfo(modelPath, {signal: options.signal, logWarnings: false});
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
                notifyListener(options.onProgress, progress);
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
                architecture: loadedModel.fileInfo.metadata.general.architecture,
                trainedContextSize: trained,
                contextLimit: contextLimit(settings.contextSize, DEFAULT_CONTEXT_SIZE, trained, loadedContext.contextSize),
                quantization: options.quantization,
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
                    residentBytes: residentGrowth({rssBefore, rssAfter, anonymousBefore, anonymousAfter, mmap: loadedModel.useMmap && loadedModel.gpuLayers === 0, mappedWeightBytes: options.mappedWeightBytes}),
                    vramBytes: Math.max(0, vramAfter - vramBefore),
                    rssBeforeBytes: rssBefore,
                    rssAfterBytes: rssAfter,
                    modelBytes: loadedModel.size,
                    // node-llama-cpp's; the app puts AgentFit's own in its place for CPU loads (withAgentFitEstimate).
                    estimatedRamBytes: modelEstimate.cpuRam + contextEstimate.cpuRam,
                    estimatedPeakRamBytes: modelEstimate.cpuRam + contextEstimate.cpuRam,
                    estimatedBy: "node-llama-cpp",
                    estimatedVramBytes: modelEstimate.gpuVram + contextEstimate.gpuVram
                }
            },
            async dispose() {
                if (disposed) return;
                disposed = true;
                pool.rejectWaiting(new AppError("MODEL_UNLOADED", "The model was unloaded."));
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
        if (options.signal?.aborted) throw new AppError("ENGINE_CANCELLED", "The model load was cancelled.");
        if (error instanceof AppError) throw error;
        const hint =
            model && !context && kvCacheType !== "f16"
                ? ` A ${kvCacheType} KV cache needs flash attention, which llama.cpp supports only for some head sizes; try an f16 KV cache.`
                : model && !context
                  ? " The context may not fit in memory; try a smaller context size or fewer parallel sequences."
                  : "";
        throw new AppError("MODEL_LOAD_FAILED", `llama.cpp could not load ${path.basename(modelPath)}: ${(error as Error).message}.${hint}`, {cause: error});
    }
}
