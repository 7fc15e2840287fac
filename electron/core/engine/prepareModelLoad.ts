import fs from "node:fs";
import path from "node:path";
import type {LoadedModel, LocalModelSettings} from "../../api/EngineApi.ts";
import type {GgufFacts} from "../../api/GgufFacts.ts";
import type {EngineLoadArg} from "../../protocol/engineProtocol.ts";
import {estimateEngineMemory} from "../catalog/estimateEngineMemory.ts";
import {sampleMachineLoad} from "../catalog/watchMachineLoad.ts";
import {readGgufFacts} from "../gguf/readGgufFacts.ts";
import {EngineError} from "./EngineError.ts";

/** The engine's `load` command and the header facts it was prepared from. */
export interface PreparedModelLoad {
    load: EngineLoadArg;
    facts: GgufFacts;
}

/**
 * The engine's `load` command for a model file, after checking the file's header here in the app: a
 * missing, foreign or truncated file, or an architecture the bundled llama.cpp does not support, is a
 * clear error instead of a native failure in the engine process.
 */
export async function prepareModelLoad(
    modelPath: string,
    settings: LocalModelSettings,
    options: {aliases?: string[]; signal?: AbortSignal} = {}
): Promise<PreparedModelLoad> {
    const facts = await readGgufFacts(modelPath, {signal: options.signal});
    if (!facts.supportedByLlamaCpp)
        throw new EngineError("MODEL_UNSUPPORTED", `${path.basename(modelPath)} uses the "${facts.architecture}" architecture, which the bundled llama.cpp does not support.`);
    const fileBytes = fs.statSync(modelPath).size;
    if (fileBytes < facts.expectedFileBytes)
        throw new EngineError("GGUF_TRUNCATED", `${modelPath} is truncated: ${fileBytes} bytes of the ${facts.expectedFileBytes} its header describes. Download it again.`);
    return {
        load: {
            path: modelPath,
            ...(options.aliases ? {aliases: options.aliases} : {}),
            settings,
            trainedContextSize: facts.contextLength,
            quantization: facts.quantization,
            mappedWeightBytes: Math.max(0, facts.tensorBytes - (facts.repackedTensorBytes ?? 0)),
            // Without a thread count asked for, the engine leaves the cores other processes keep busy free.
            ...(settings.threads === undefined ? {otherBusyCores: (await sampleMachineLoad()).otherBusyCores} : {})
        },
        facts
    };
}

/**
 * A loaded model with AgentFit's own memory estimate (fitted to real loads, docs/FACTS.md) in place
 * of node-llama-cpp's, for a load that runs on the CPU; GPU offloads keep node-llama-cpp's. The
 * estimate is computed here because it needs the catalog's arithmetic, which the engine never loads.
 */
export function withAgentFitEstimate<T extends Pick<LoadedModel, "settings" | "memory">>(loaded: T, facts: GgufFacts): T {
    if (loaded.settings.gpuLayers !== 0) return loaded;
    const {contextSize, kvCacheType, flashAttention} = loaded.settings;
    const estimate = estimateEngineMemory(facts, {contextSize, kvCacheType, flashAttention});
    return {...loaded, memory: {...loaded.memory, estimatedRamBytes: estimate.atLoadBytes, estimatedPeakRamBytes: estimate.peakBytes, estimatedBy: "agentfit"}};
}
