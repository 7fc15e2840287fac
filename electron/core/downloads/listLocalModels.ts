import fs from "node:fs";
import path from "node:path";
import type {LocalModelFile} from "../../api/EngineApi.ts";
import type {ModelRepository} from "../store/Store.ts";
import {findGgufModels} from "./importLocalModels.ts";

/**
 * What can be served: registered models first (by id), then GGUF files under the models folder that
 * are not registered. Later parts of split models are left out.
 */
export function listServableModels(modelsDir: string, registry: ModelRepository): LocalModelFile[] {
    const registered: LocalModelFile[] = registry.list().map((model) => ({path: model.path, name: model.id, bytes: model.sizeBytes, modelId: model.id}));
    const known = new Set(registered.map((model) => model.path));
    return [...registered, ...listLocalModels(modelsDir).filter((file) => !known.has(file.path))];
}

/** GGUF files under a folder (recursively, as an import scan finds them), largest first; later parts of split models are left out. */
export function listLocalModels(modelsDir: string): LocalModelFile[] {
    return findGgufModels(modelsDir)
        .map((file) => ({path: file, name: path.relative(modelsDir, file), bytes: fs.statSync(file).size}))
        .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}
