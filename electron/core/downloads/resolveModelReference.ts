import fs from "node:fs";
import path from "node:path";
import type {RegisteredModel, ResolvedModelFile} from "../../api/DownloadsApi.ts";
import type {ModelRepository} from "../store/Store.ts";
import {ModelRegistryError} from "./DownloadError.ts";
import {listLocalModels} from "./listLocalModels.ts";

export interface ResolvedModelReference {
    /** Absolute path of the GGUF file (the first part of a split model). */
    path: string;
    /** Names clients may also send as `model` for it (the reference itself when it was an id or a name). */
    aliases: string[];
    /** The registered model it is, if any. */
    registered: RegisteredModel | null;
}

/** What a run records of the file a reference resolved to. */
export function resolvedModelFile(reference: string, resolved: ResolvedModelReference): ResolvedModelFile {
    const registered = resolved.registered;
    const file = registered?.files.find((f) => f.path === resolved.path);
    return {reference, path: resolved.path, sha256: file?.sha256 ?? registered?.sha256 ?? null, registryId: registered?.id ?? null};
}

/** Where a reference is looked up: the model registry, and (for files not registered) the models folder. */
export interface ModelReferenceScope {
    registry?: ModelRepository;
    /** Also accept a GGUF file path, or the name of a file or folder under this folder. */
    modelsDir?: string;
}

/**
 * The one place a model reference becomes a model, for every domain (serving, benchmark, eval,
 * registry): a registered model (its id, a unique id prefix, its name, the reference it was downloaded
 * by, or the path of one of its files), then, with `modelsDir`, a path to a GGUF file or the name of
 * one under that folder (with or without ".gguf"; a folder holding exactly one). Throws
 * MODEL_NOT_FOUND, MODEL_AMBIGUOUS (naming the candidates) or MODEL_INVALID.
 */
export function resolveModelReference(reference: string, scope: {registry: ModelRepository}): ResolvedModelReference & {registered: RegisteredModel};
export function resolveModelReference(reference: string, scope: ModelReferenceScope & {modelsDir: string}): ResolvedModelReference;
export function resolveModelReference(reference: string, scope: ModelReferenceScope): ResolvedModelReference {
    const wanted = reference.trim();
    if (wanted === "")
        throw new ModelRegistryError("MODEL_NOT_FOUND", "No model given: pass a registered model id, a GGUF file path or the name of a model in the models folder.");
    if (scope.registry) {
        try {
            const model = findRegisteredModel(scope.registry, wanted);
            return {path: model.path, aliases: [...new Set([model.id, wanted])].filter((alias) => alias !== model.path), registered: model};
        } catch (error) {
            // Not registered: it may still be a file path or a file in the models folder.
            if (scope.modelsDir === undefined || (error as {code?: string}).code !== "MODEL_NOT_FOUND") throw error;
        }
    }
    return resolveModelFile(wanted, scope.modelsDir!, scope.registry);
}

function resolveModelFile(wanted: string, modelsDir: string, registry: ModelRepository | undefined): ResolvedModelReference {
    const looksLikePath = path.isAbsolute(wanted) || wanted.includes("/") || wanted.includes("\\") || /\.gguf$/i.test(wanted);
    const aliases = looksLikePath ? [] : [wanted];
    const found = (file: string): ResolvedModelReference => ({path: file, aliases, registered: registry?.list().find((m) => m.files.some((f) => f.path === file)) ?? null});
    const candidates = looksLikePath ? [path.resolve(wanted), path.join(modelsDir, wanted)] : [path.join(modelsDir, wanted), path.join(modelsDir, `${wanted}.gguf`)];
    for (const candidate of candidates) {
        let stat: fs.Stats;
        try {
            stat = fs.statSync(candidate);
        } catch {
            continue;
        }
        if (stat.isDirectory()) {
            const inside = listLocalModels(candidate);
            if (inside.length === 1) return found(inside[0]!.path);
            throw new ModelRegistryError("MODEL_INVALID", `${candidate} is a folder${inside.length > 1 ? ` holding ${inside.length} GGUF files` : ""}; name one GGUF file.`);
        }
        if (!/\.gguf$/i.test(candidate)) throw new ModelRegistryError("MODEL_INVALID", `${candidate} is not a .gguf file.`);
        return found(candidate);
    }
    throw new ModelRegistryError(
        "MODEL_NOT_FOUND",
        looksLikePath ? `No model file at ${path.resolve(wanted)}.` : `No model named "${wanted}": it is neither a file path nor a GGUF file in ${modelsDir}.`
    );
}

/** The registered model a reference names; MODEL_NOT_FOUND lists what is registered, MODEL_AMBIGUOUS the candidates. */
function findRegisteredModel(models: ModelRepository, wanted: string): RegisteredModel {
    const all = models.list();
    const lower = wanted.toLowerCase();
    const exact =
        all.find((m) => m.id === wanted) ??
        all.find((m) => m.id.toLowerCase() === lower) ??
        unique(all.filter((m) => m.name.toLowerCase() === lower)) ??
        unique(all.filter((m) => sourceReferences(m).some((r) => r.toLowerCase() === lower)));
    if (exact) return exact;

    if (/[\\/]/.test(wanted) || /\.gguf$/i.test(wanted)) {
        const candidates = new Set([path.resolve(wanted)]);
        try {
            candidates.add(fs.realpathSync(wanted));
        } catch {}
        const byPath = all.find((m) => m.files.some((f) => candidates.has(f.path) || candidates.has(safeRealpath(f.path))));
        if (byPath) return byPath;
    }

    const prefixed = all.filter((m) => m.id.toLowerCase().startsWith(lower));
    if (prefixed.length === 1) return prefixed[0]!;
    if (prefixed.length > 1)
        throw new ModelRegistryError("MODEL_AMBIGUOUS", `"${wanted}" matches several models: ${prefixed.map((m) => m.id).join(", ")}. Use the full id.`);
    throw new ModelRegistryError(
        "MODEL_NOT_FOUND",
        `No registered model matches "${wanted}".` +
            (all.length ? ` Registered: ${all.slice(0, 10).map((m) => m.id).join(", ")}${all.length > 10 ? ", …" : ""}.` : " None is registered yet.") +
            " Download one (agentfit pull <model>) or register a GGUF file you have (agentfit import <path>)."
    );
}

function unique(models: RegisteredModel[]): RegisteredModel | undefined {
    if (models.length > 1)
        throw new ModelRegistryError("MODEL_AMBIGUOUS", `Several models match: ${models.map((m) => `${m.id} (${m.path})`).join(", ")}. Use the id.`);
    return models[0];
}

function sourceReferences(model: RegisteredModel): string[] {
    if (model.source.kind === "local") return [];
    if (model.source.kind === "url") return [model.source.reference, ...model.source.urls];
    return [model.source.reference, ...(model.source.catalogId ? [model.source.catalogId] : [])];
}

function safeRealpath(file: string): string {
    try {
        return fs.realpathSync(file);
    } catch {
        return file;
    }
}
