import fs from "node:fs";
import path from "node:path";
import type {RegisteredModel} from "../../api/DownloadsApi.ts";
import type {ModelRepository} from "../store/Store.ts";
import {ModelRegistryError} from "./DownloadError.ts";

/**
 * Finds the registered model a user or another domain (serving, benchmark, eval) refers to: its id,
 * a unique id prefix, its name, the reference it was downloaded by (catalog id, hf: URI, URL), or
 * the path of one of its files. Throws MODEL_NOT_FOUND or MODEL_AMBIGUOUS with the candidates.
 */
export function resolveModelReference(models: ModelRepository, reference: string): RegisteredModel {
    const wanted = reference.trim();
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
