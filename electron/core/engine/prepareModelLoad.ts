import fs from "node:fs";
import path from "node:path";
import type {LocalModelSettings} from "../../api/EngineApi.ts";
import type {EngineLoadArg} from "../../protocol/engineProtocol.ts";
import {readGgufFacts} from "../gguf/readGgufFacts.ts";
import {EngineError} from "./EngineError.ts";

/**
 * The engine's `load` command for a model file, after checking the file's header here in the app: a
 * missing, foreign or truncated file, or an architecture the bundled llama.cpp does not support, is a
 * clear error instead of a native failure in the engine process.
 */
export async function prepareModelLoad(
    modelPath: string,
    settings: LocalModelSettings,
    options: {aliases?: string[]; signal?: AbortSignal} = {}
): Promise<EngineLoadArg> {
    const facts = await readGgufFacts(modelPath, {signal: options.signal});
    if (!facts.supportedByLlamaCpp)
        throw new EngineError("MODEL_UNSUPPORTED", `${path.basename(modelPath)} uses the "${facts.architecture}" architecture, which the bundled llama.cpp does not support.`);
    const fileBytes = fs.statSync(modelPath).size;
    if (fileBytes < facts.expectedFileBytes)
        throw new EngineError("GGUF_TRUNCATED", `${modelPath} is truncated: ${fileBytes} bytes of the ${facts.expectedFileBytes} its header describes. Download it again.`);
    return {path: modelPath, ...(options.aliases ? {aliases: options.aliases} : {}), settings, trainedContextSize: facts.contextLength};
}
