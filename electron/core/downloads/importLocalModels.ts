import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {ImportLocation, ImportResult, ModelFile} from "../../api/DownloadsApi.ts";
import {errorBody} from "../../shared/AppError.ts";
import {readGgufFacts} from "../gguf/readGgufFacts.ts";
import type {ModelRepository} from "../store/Store.ts";
import {ModelRegistryError} from "./DownloadError.ts";
import {splitPartInfo, splitPartNames} from "../gguf/ggufFileNames.ts";
import {registerModel} from "./registerModel.ts";

const MAX_DEPTH = 10;

/**
 * Registers GGUF files where they are (nothing is copied or moved): one file, or every model under a
 * folder (split models count once; `.partial` downloads, hidden folders and non-GGUF files are
 * skipped). A single file that is not a usable GGUF model is an error; in a folder it is listed as skipped.
 */
export async function importLocalModels(target: string, models: ModelRepository, options: {signal?: AbortSignal} = {}): Promise<ImportResult> {
    const root = path.resolve(target);
    let stats: fs.Stats;
    try {
        stats = fs.statSync(root);
    } catch {
        throw new ModelRegistryError("IMPORT_NOT_FOUND", `Nothing to import at ${root}: no such file or folder.`);
    }
    const result: ImportResult = {imported: [], alreadyRegistered: [], skipped: []};
    if (stats.isFile()) {
        if (root.endsWith(".partial")) throw new ModelRegistryError("IMPORT_GGUF_INVALID", `${root} is an unfinished download, not a model. Resume it from the Downloads screen or with agentfit pull.`);
        const first = splitPartInfo(path.basename(root)) ? path.join(path.dirname(root), splitPartNames(path.basename(root))[0]!) : root;
        const outcome = await importOne(first, root, models);
        if ("skipped" in outcome) throw new ModelRegistryError("IMPORT_GGUF_INVALID", outcome.skipped.reason, {cause: outcome.skipped});
        (outcome.already ? result.alreadyRegistered : result.imported).push(outcome.model);
        return result;
    }
    const found: {file: string; name?: string}[] = [...findOllamaModels(root), ...findGgufModels(root).map((file) => ({file}))];
    for (const {file, name} of found) {
        options.signal?.throwIfAborted();
        const outcome = await importOne(file, root, models, name);
        if ("skipped" in outcome) result.skipped.push(outcome.skipped);
        else (outcome.already ? result.alreadyRegistered : result.imported).push(outcome.model);
    }
    return result;
}

/**
 * Models in an Ollama models folder (`OLLAMA_MODELS`, `~/.ollama/models`, or `~/.ollama` itself):
 * each manifest under `manifests/<registry>/<namespace>/<model>/<tag>` names its GGUF weights as a
 * `application/vnd.ollama.image.model` layer whose file is `blobs/sha256-<hex>` (no .gguf extension).
 * Named "model:tag" (the namespace too when it is not "library"), as `ollama list` shows them.
 */
export function findOllamaModels(folder: string): {file: string; name: string}[] {
    const root = [folder, path.join(folder, "models")].find((dir) => fs.existsSync(path.join(dir, "manifests")) && fs.existsSync(path.join(dir, "blobs")));
    if (!root) return [];
    const found = new Map<string, string>();
    const walk = (dir: string, parts: string[]) => {
        for (const entry of sortedEntries(dir)) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (parts.length < 4) walk(full, [...parts, entry.name]);
                continue;
            }
            if (parts.length !== 3) continue;
            const digest = ollamaModelDigest(full);
            const blob = digest && path.join(root, "blobs", `sha256-${digest}`);
            if (!blob || !fs.existsSync(blob) || found.has(blob)) continue;
            const [, namespace, model] = parts;
            found.set(blob, `${namespace === "library" ? "" : `${namespace}/`}${model}:${entry.name}`);
        }
    };
    walk(path.join(root, "manifests"), []);
    return [...found].map(([file, name]) => ({file, name}));
}

function ollamaModelDigest(manifest: string): string | null {
    try {
        const parsed = JSON.parse(fs.readFileSync(manifest, "utf8")) as {layers?: {mediaType?: string; digest?: string}[]};
        const layer = parsed.layers?.find((l) => l.mediaType === "application/vnd.ollama.image.model");
        const match = /^sha256[:-]([0-9a-f]{64})$/.exec(layer?.digest ?? "");
        return match ? match[1]! : null;
    } catch {
        return null;
    }
}

type Outcome = {model: ReturnType<ModelRepository["add"]>; already: boolean} | {skipped: ImportResult["skipped"][number]};

async function importOne(first: string, importedFrom: string, models: ModelRepository, name?: string): Promise<Outcome> {
    const realFirst = realpath(first);
    const existing = models.list().find((m) => m.path === first || realpath(m.path) === realFirst);
    if (existing) return {model: existing, already: true};
    const names = splitPartNames(path.basename(first));
    const files: ModelFile[] = [];
    for (const name of names) {
        const file = path.join(path.dirname(first), name);
        if (!fs.existsSync(file)) return {skipped: {path: first, code: "IMPORT_INCOMPLETE_SPLIT", reason: `${first} is part of a split model whose part ${name} is missing.`}};
        files.push({path: file, sizeBytes: fs.statSync(file).size, sha256: huggingFaceCacheSha256(file) ?? ollamaBlobSha256(file)});
    }
    try {
        const facts = await readGgufFacts(first);
        return {model: registerModel(models, {files, source: {kind: "local", importedFrom}, managed: false, facts, name}), already: false};
    } catch (error) {
        const {code, message} = errorBody(error, "IMPORT_GGUF_INVALID");
        return {skipped: {path: first, code, reason: message}};
    }
}

/** First files of every GGUF model under a folder (split parts other than the first are left out). */
export function findGgufModels(root: string): string[] {
    const found: string[] = [];
    const walk = (folder: string, depth: number) => {
        for (const entry of sortedEntries(folder)) {
            const full = path.join(folder, entry.name);
            if (entry.isDirectory()) {
                if (!entry.name.startsWith(".") && depth < MAX_DEPTH) walk(full, depth + 1);
                continue;
            }
            if (!/\.gguf$/i.test(entry.name)) continue;
            // Symlinks are followed to files only (a Hugging Face cache links snapshots to blobs).
            if (entry.isSymbolicLink() && !fs.statSync(full, {throwIfNoEntry: false})?.isFile()) continue;
            const split = splitPartInfo(entry.name);
            if (split && split.part !== 1) continue;
            found.push(full);
        }
    };
    walk(root, 0);
    return found;
}

/** In a Hugging Face cache, snapshot files link to `blobs/<sha256>` for LFS files: the name is the hash. */
function huggingFaceCacheSha256(file: string): string | null {
    try {
        if (!fs.lstatSync(file).isSymbolicLink()) return null;
        const blob = path.basename(fs.realpathSync(file));
        return /^[0-9a-f]{64}$/.test(blob) ? blob : null;
    } catch {
        return null;
    }
}

/** A folder's entries by name; none when it cannot be read. */
function sortedEntries(folder: string): fs.Dirent[] {
    try {
        return fs.readdirSync(folder, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name));
    } catch {
        return [];
    }
}

/** An Ollama blob is named after its SHA-256: `sha256-<hex>`. */
function ollamaBlobSha256(file: string): string | null {
    return /^sha256-([0-9a-f]{64})$/.exec(path.basename(file))?.[1] ?? null;
}

function realpath(file: string): string {
    try {
        return fs.realpathSync(file);
    } catch {
        return file;
    }
}

/** Where other tools keep GGUF models on this machine, whether or not the folders exist. */
export function importLocations(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): ImportLocation[] {
    const cache = env.XDG_CACHE_HOME || path.join(home, ".cache");
    const hfHub = env.HF_HUB_CACHE || (env.HF_HOME ? path.join(env.HF_HOME, "hub") : path.join(cache, "huggingface", "hub"));
    const candidates: [string, string][] = [
        ["LM Studio", path.join(home, ".lmstudio", "models")],
        ["LM Studio (older versions)", path.join(home, ".cache", "lm-studio", "models")],
        ["Hugging Face cache", hfHub],
        ["llama.cpp cache", env.LLAMA_CACHE || path.join(cache, "llama.cpp")],
        ["node-llama-cpp", path.join(home, ".node-llama-cpp", "models")],
        ["Ollama", env.OLLAMA_MODELS || path.join(home, ".ollama", "models")],
        ["Jan", path.join(home, "jan", "models")],
        // Jan 0.6 and later keep llama.cpp models in its data folder.
        ["Jan (0.6+)", path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "Jan", "data", "llamacpp", "models")]
    ];
    const onlyWhenPresent = new Set(["LM Studio (older versions)", "Jan (0.6+)"]);
    return candidates
        .filter(([label, folder]) => !onlyWhenPresent.has(label) || fs.existsSync(folder))
        .map(([label, folder]) => {
            const exists = fs.existsSync(folder);
            return {label, path: folder, exists, ggufCount: exists ? findOllamaModels(folder).length + findGgufModels(folder).length : 0};
        });
}
