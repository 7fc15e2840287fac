import type {CatalogModel, CatalogRefreshReport, CatalogRefreshResult} from "../../api/ModelsApi.ts";
import {errorMessage} from "../../shared/AppError.ts";
import type {RefreshedQuantization} from "../store/catalogRepository.ts";
import {CatalogError} from "./CatalogError.ts";
import {notifyListener} from "../../shared/notifyListener.ts";

export interface RefreshCatalogOptions {
    /** Hugging Face endpoint. Default: HF_ENDPOINT or https://huggingface.co. */
    endpoint?: string;
    /** Access token for gated repositories. Default: HF_TOKEN. */
    token?: string;
    /** Repositories queried at once. Default 4. */
    concurrency?: number;
    signal?: AbortSignal;
    /** Called after each model; listener errors are ignored. */
    onProgress?: (event: {done: number; total: number; modelId: string}) => void;
    now?: Date;
}

/** One entry of `GET /api/models/{repo}/tree/{revision}` (the Hugging Face Hub API). */
interface TreeEntry {
    type: "file" | "directory";
    path: string;
    size: number;
    oid?: string;
    lfs?: {oid: string; size: number; pointerSize?: number};
}

const splitPart = /-(\d{5})-of-(\d{5})\.gguf$/i;

/**
 * Asks the Hugging Face API for each catalog repository's file listing and matches every catalog
 * quantization to its file(s): exact names, total bytes (all split parts) and the SHA-256 Git LFS
 * stores. Estimated sizes become exact; renamed or re-split files are picked up. A model whose
 * repository is missing, gated or unreachable is reported as failed and keeps its old facts.
 */
export async function refreshCatalog(models: readonly CatalogModel[], options: RefreshCatalogOptions = {}): Promise<{report: CatalogRefreshReport; rows: RefreshedQuantization[]}> {
    const endpoint = (options.endpoint ?? process.env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, "");
    const token = options.token ?? process.env.HF_TOKEN;
    const refreshedAt = (options.now ?? new Date()).toISOString();
    const results: CatalogRefreshResult[] = new Array(models.length);
    const rows: RefreshedQuantization[] = [];
    let next = 0;
    let done = 0;
    const worker = async () => {
        while (next < models.length) {
            const index = next++;
            const model = models[index]!;
            options.signal?.throwIfAborted();
            results[index] = await refreshModel(model, endpoint, token, options.signal, refreshedAt, rows);
            done++;
            notifyListener(options.onProgress, {done, total: models.length, modelId: model.id});
        }
    };
    await Promise.all(Array.from({length: Math.min(options.concurrency ?? 4, models.length)}, worker));
    if (results.length > 0 && results.every((r) => r.status === "failed" && /cannot reach/i.test(r.message)))
        throw new CatalogError("CATALOG_REFRESH_FAILED", `Cannot reach ${endpoint}: refreshing the catalog needs internet access (${results[0]!.message}).`);
    return {report: {endpoint, refreshedAt, results}, rows};
}

async function refreshModel(
    model: CatalogModel,
    endpoint: string,
    token: string | undefined,
    signal: AbortSignal | undefined,
    refreshedAt: string,
    rows: RefreshedQuantization[]
): Promise<CatalogRefreshResult> {
    const repo = model.huggingFaceRepo;
    let entries: TreeEntry[];
    try {
        entries = await listFiles(endpoint, repo, token, signal);
    } catch (error) {
        if (signal?.aborted) throw error;
        return {modelId: model.id, repo, status: "failed", message: errorMessage(error), quantizations: []};
    }
    const ggufs = entries.filter((e) => e.type === "file" && /\.gguf$/i.test(e.path) && !/mmproj|imatrix/i.test(e.path));
    const found: CatalogRefreshResult["quantizations"] = [];
    const missing: string[] = [];
    let changed = false;
    for (const q of model.quantizations) {
        const files = matchQuantization(ggufs, q.quantization, q.files);
        if (files.length === 0) {
            missing.push(q.quantization);
            continue;
        }
        const sizeBytes = files.reduce((sum, f) => sum + (f.lfs?.size ?? f.size), 0);
        const sha256 = files.length === 1 ? files[0]!.lfs?.oid : undefined;
        const names = files.map((f) => f.path);
        if (sizeBytes !== q.sizeBytes || names.join("\n") !== q.files.join("\n") || (sha256 && sha256 !== q.sha256)) changed = true;
        found.push({quantization: q.quantization, files: names, sizeBytes, ...(sha256 ? {sha256} : {})});
        rows.push({modelId: model.id, quantization: q.quantization, files: names, sizeBytes, ...(sha256 ? {sha256} : {}), refreshedAt});
    }
    if (found.length === 0)
        return {modelId: model.id, repo, status: "failed", message: `${repo} has no GGUF file for ${missing.join(", ")}.`, quantizations: []};
    return {
        modelId: model.id,
        repo,
        status: changed ? "updated" : "unchanged",
        message: missing.length > 0 ? `No file found for ${missing.join(", ")}; those keep their catalog entries.` : `${found.length} quantizations checked.`,
        quantizations: found
    };
}

/**
 * The file(s) of one quantization: the catalog's names when they still exist, otherwise the file
 * whose name ends in the quantization (`-Q4_K_M.gguf`, any case), or every part of a split one.
 */
function matchQuantization(ggufs: TreeEntry[], quantization: string, knownNames: string[]): TreeEntry[] {
    const byPath = new Map(ggufs.map((e) => [e.path, e]));
    if (knownNames.every((name) => byPath.has(name))) return knownNames.map((name) => byPath.get(name)!);
    const tag = quantization.toLowerCase();
    const single = ggufs.filter((e) => e.path.toLowerCase().split("/").pop()!.replace(/\.gguf$/, "").endsWith(`-${tag}`) || e.path.toLowerCase().split("/").pop() === `${tag}.gguf`);
    if (single.length > 0) return [single.sort((a, b) => a.path.length - b.path.length)[0]!];
    const parts = ggufs.filter((e) => splitPart.test(e.path) && e.path.toLowerCase().replace(splitPart, "").endsWith(`-${tag}`));
    return parts.sort((a, b) => a.path.localeCompare(b.path));
}

async function listFiles(endpoint: string, repo: string, token: string | undefined, signal: AbortSignal | undefined): Promise<TreeEntry[]> {
    const entries: TreeEntry[] = [];
    let url: string | null = `${endpoint}/api/models/${repo}/tree/main?recursive=true`;
    while (url) {
        let response: Response;
        try {
            response = await fetch(url, {headers: {Accept: "application/json", ...(token ? {Authorization: `Bearer ${token}`} : {})}, signal});
        } catch (error) {
            if (signal?.aborted) throw error;
            throw new Error(`Cannot reach ${endpoint}: ${errorMessage((error as {cause?: unknown}).cause ?? error)}`);
        }
        if (response.status === 401 || response.status === 403)
            throw new Error(`${repo} needs authorization (HTTP ${response.status}): accept its terms on Hugging Face and set HF_TOKEN.`);
        if (response.status === 404) throw new Error(`${repo} was not found on ${endpoint} (HTTP 404): the repository may have been renamed.`);
        if (!response.ok) throw new Error(`Listing ${repo} failed with HTTP ${response.status}.`);
        const page = (await response.json()) as unknown;
        if (!Array.isArray(page)) throw new Error(`${endpoint} answered the file listing of ${repo} with something other than a JSON array.`);
        entries.push(...(page as TreeEntry[]));
        // The Hub paginates long listings with a Link header (rel="next").
        const link = response.headers.get("link");
        const nextUrl = link ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined;
        url = nextUrl ? new URL(nextUrl, endpoint).toString() : null;
    }
    return entries;
}
