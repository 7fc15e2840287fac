import type {ModelFile, ModelSource, RegisteredModel} from "../../api/DownloadsApi.ts";
import type {GgufFacts} from "../../api/GgufFacts.ts";
import type {ModelRepository} from "../store/Store.ts";
import {modelDisplayName} from "../gguf/ggufFileNames.ts";

/** Adds a validated model to the registry under a new unique id derived from its file name. */
export function registerModel(models: ModelRepository, entry: {files: ModelFile[]; source: ModelSource; managed: boolean; facts: GgufFacts; name?: string}): RegisteredModel {
    const name = entry.name ?? modelDisplayName(entry.files[0]!.path);
    const taken = new Set(models.list().map((m) => m.id));
    const base = name.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "model";
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    return models.add({
        id,
        name,
        path: entry.files[0]!.path,
        files: entry.files,
        sizeBytes: entry.files.reduce((sum, f) => sum + f.sizeBytes, 0),
        sha256: entry.files[0]!.sha256,
        source: entry.source,
        managed: entry.managed,
        facts: entry.facts,
        addedAt: new Date().toISOString()
    });
}
