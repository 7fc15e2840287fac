import fs from "node:fs";
import path from "node:path";
import type {LocalModelFile} from "../../api/EngineApi.ts";
import {findGgufModels} from "../downloads/importLocalModels.ts";
import {resolveModelReference as resolveRegisteredModel} from "../downloads/resolveModelReference.ts";
import type {ModelRepository} from "../store/Store.ts";
import {EngineError} from "./EngineError.ts";

export interface ResolvedModelReference {
    /** Absolute path of the GGUF file (the first part of a split model). */
    path: string;
    /** Names clients may also send as `model` for it (the reference itself when it was an id). */
    aliases: string[];
}

/**
 * The one place a model reference becomes a file: a registered model (its id, a unique id prefix,
 * its name or the reference it was downloaded by; see the download registry), a path to a GGUF
 * file, or the name of one under the models folder (with or without ".gguf").
 */
export function resolveModelReference(reference: string, modelsDir: string, registry?: ModelRepository): ResolvedModelReference {
    const trimmed = reference.trim();
    if (trimmed === "") throw new EngineError("MODEL_NOT_FOUND", "No model given: pass a registered model id, a GGUF file path or the name of a model in the models folder.");
    if (registry) {
        try {
            const model = resolveRegisteredModel(registry, trimmed);
            return {path: model.path, aliases: [...new Set([model.id, trimmed])].filter((alias) => alias !== model.path)};
        } catch (error) {
            // Not registered: it may still be a file path or a file in the models folder.
            if ((error as {code?: string}).code !== "MODEL_NOT_FOUND") throw error;
        }
    }
    const looksLikePath = path.isAbsolute(trimmed) || trimmed.includes("/") || trimmed.includes("\\") || /\.gguf$/i.test(trimmed);
    const candidates = looksLikePath
        ? [path.resolve(trimmed), path.join(modelsDir, trimmed)]
        : [path.join(modelsDir, trimmed), path.join(modelsDir, `${trimmed}.gguf`)];
    for (const candidate of candidates) {
        let stat: fs.Stats;
        try {
            stat = fs.statSync(candidate);
        } catch {
            continue;
        }
        if (stat.isDirectory()) {
            const inside = listLocalModels(candidate);
            if (inside.length === 1) return {path: inside[0]!.path, aliases: looksLikePath ? [] : [trimmed]};
            throw new EngineError("MODEL_INVALID", `${candidate} is a folder${inside.length > 1 ? ` holding ${inside.length} GGUF files` : ""}; name one GGUF file.`);
        }
        if (!/\.gguf$/i.test(candidate)) throw new EngineError("MODEL_INVALID", `${candidate} is not a .gguf file.`);
        return {path: candidate, aliases: looksLikePath ? [] : [trimmed]};
    }
    throw new EngineError(
        "MODEL_NOT_FOUND",
        looksLikePath ? `No model file at ${path.resolve(trimmed)}.` : `No model named "${trimmed}": it is neither a file path nor a GGUF file in ${modelsDir}.`
    );
}

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
