import path from "node:path";
import {errorMessage} from "../../shared/AppError.ts";
import type {CatalogLookup} from "../catalog/createCatalogLookup.ts";
import {DownloadError} from "./DownloadError.ts";
import type {DownloadPlan, PlannedFile} from "../store/DownloadPlan.ts";
import {fileHasQuantization, modelDisplayName, quantizationInFileName, splitPartInfo, splitPartNames} from "../gguf/ggufFileNames.ts";
import {hubFileUrl, hubHttpError, listHubRepo, type HubFile, type HubRepoListing, type HuggingFaceAccess} from "./huggingFaceHub.ts";
import {headerValue, openHttpRequest} from "./openHttpRequest.ts";

/** Quantization picked when `hf:user/repo` names none (the common default of llama.cpp tools). */
export const DEFAULT_QUANTIZATION = "Q4_K_M";

export type DownloadReference =
    | {kind: "hf-quant"; repo: string; revision: string; quantization: string | null}
    | {kind: "hf-file"; repo: string; revision: string; file: string}
    | {kind: "url"; url: string}
    | {kind: "catalog"; id: string};

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const REPO_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const CATALOG_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(:[A-Za-z0-9._-]+)?$/;

/**
 * What a download reference names: `hf:user/repo[:QUANT][#revision]`, `hf:user/repo/path/file.gguf[#revision]`,
 * an http(s) URL (Hugging Face resolve/blob URLs are read as hf: files), or a catalog id `model[:QUANT]`.
 */
export function parseDownloadReference(reference: string, huggingFaceEndpoint: string): DownloadReference {
    const text = reference.trim();
    const hf = /^(?:hf|huggingface):(?:\/\/)?(.*)$/i.exec(text);
    if (hf) {
        let rest = hf[1]!;
        let revision = "main";
        const hash = rest.indexOf("#");
        if (hash >= 0) {
            revision = rest.slice(hash + 1) || "main";
            rest = rest.slice(0, hash);
        }
        const [user, repoAndTag, ...fileParts] = rest.split("/");
        const [repoName, ...tagParts] = (repoAndTag ?? "").split(":");
        if (!user || !repoName || !REPO_PART.test(user) || !REPO_PART.test(repoName) || tagParts.length > 1 || fileParts.some((p) => p === "" || p === ".." || p === "."))
            throw invalidReference(reference, "A Hugging Face reference looks like hf:user/repo:Q4_K_M or hf:user/repo/file.gguf.");
        const repo = `${user}/${repoName}`;
        if (fileParts.length > 0) {
            if (tagParts.length > 0) throw invalidReference(reference, "Give either a quantization (hf:user/repo:Q4_K_M) or a file (hf:user/repo/file.gguf), not both.");
            return {kind: "hf-file", repo, revision, file: fileParts.join("/")};
        }
        return {kind: "hf-quant", repo, revision, quantization: tagParts[0] ? tagParts[0] : null};
    }
    if (/^https?:\/\//i.test(text)) {
        let url: URL;
        try {
            url = new URL(text);
        } catch {
            throw invalidReference(reference, "It is not a valid URL.");
        }
        const hubHosts = new Set([new URL(huggingFaceEndpoint).host, "huggingface.co", "hf.co"]);
        const hubPath = /^\/([^/]+)\/([^/]+)\/(?:resolve|blob)\/([^/]+)\/(.+)$/.exec(url.pathname);
        if (hubHosts.has(url.host) && hubPath)
            return {kind: "hf-file", repo: `${hubPath[1]}/${hubPath[2]}`, revision: decodeURIComponent(hubPath[3]!), file: hubPath[4]!.split("/").map(decodeURIComponent).join("/")};
        if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname))
            throw invalidReference(reference, "Plain http:// is only accepted from this machine (anyone on the way could alter the model, and plain URLs publish no SHA-256): use https://.");
        return {kind: "url", url: url.toString()};
    }
    if (CATALOG_ID.test(text)) return {kind: "catalog", id: text};
    throw invalidReference(reference, "");
}

function invalidReference(reference: string, detail: string) {
    return new DownloadError(
        "DOWNLOAD_REFERENCE_INVALID",
        `"${reference}" is not something AgentFit can download. ${detail ? detail + " " : ""}Use a catalog id (qwen2.5-coder-7b-instruct:Q4_K_M), ` +
            "hf:user/repo:QUANT, hf:user/repo/file.gguf, or an https:// URL. To use a GGUF file you already have, import it (agentfit import <path>)."
    );
}

export interface ResolveDownloadPlanOptions {
    hub: HuggingFaceAccess;
    /** The model catalog catalog ids resolve through. */
    catalog: CatalogLookup;
    /** The app's models folder; files go to `huggingface/<user>/<repo>/…` or `urls/<host>/…` under it. */
    modelsDir: string;
}

/** Resolves a reference to the exact files to download, their sizes, published SHA-256s and destinations. */
export async function resolveDownloadPlan(reference: string, options: ResolveDownloadPlanOptions): Promise<DownloadPlan> {
    const parsed = parseDownloadReference(reference, options.hub.endpoint);
    if (parsed.kind === "url") return resolveUrlPlan(reference, parsed.url, options);
    if (parsed.kind === "catalog") {
        const entry = options.catalog.resolve(parsed.id);
        const listing = await listHubRepo(options.hub, entry.huggingFaceRepo, "main");
        const files = entry.files.map((name) => findFile(listing, name));
        if (files.length === 1 && entry.sha256 && !files[0]!.sha256) files[0] = {...files[0]!, sha256: entry.sha256.toLowerCase()};
        return hubPlan(reference, listing, files, {catalogId: `${entry.modelId}:${entry.quantization}`, name: `${entry.modelId}:${entry.quantization}`}, options);
    }
    const listing = await listHubRepo(options.hub, parsed.repo, parsed.revision);
    if (parsed.kind === "hf-file") {
        const file = findFile(listing, parsed.file);
        const parts = splitPartInfo(file.path) ? splitPartNames(file.path).map((name) => findFile(listing, name)) : [file];
        return hubPlan(reference, listing, parts, {catalogId: null}, options);
    }
    return hubPlan(reference, listing, selectQuantization(listing, parsed.quantization), {catalogId: null}, options);
}

function findFile(listing: HubRepoListing, name: string): HubFile {
    const file = listing.files.find((f) => f.path === name);
    if (file) return file;
    const ggufs = listing.files.filter((f) => /\.gguf$/i.test(f.path)).map((f) => f.path);
    throw new DownloadError(
        "DOWNLOAD_NOT_FOUND",
        `${name} is not in Hugging Face repository ${listing.repo}.` + (ggufs.length ? ` Its GGUF files: ${ggufs.slice(0, 12).join(", ")}${ggufs.length > 12 ? ", …" : ""}.` : " It has no GGUF files.")
    );
}

/** The file (or split parts) of one quantization; without one, Q4_K_M or the only model in the repo. */
export function selectQuantization(listing: HubRepoListing, quantization: string | null): HubFile[] {
    const models = listing.files.filter((f) => /\.gguf$/i.test(f.path) && !/mmproj/i.test(f.path));
    const groups = new Map<string, HubFile[]>();
    for (const file of models) {
        const key = splitPartInfo(file.path)?.base ?? file.path;
        groups.set(key, [...(groups.get(key) ?? []), file]);
    }
    const available = [...new Set(models.map((f) => quantizationInFileName(f.path) ?? modelDisplayName(f.path)))];
    if (groups.size === 0) throw new DownloadError("DOWNLOAD_NOT_FOUND", `Hugging Face repository ${listing.repo} has no GGUF model files. Look for a repository whose name ends in -GGUF.`);

    const wanted = quantization ?? DEFAULT_QUANTIZATION;
    let matches = [...groups.entries()].filter(([key]) => fileHasQuantization(key.split("/").pop()!, wanted) || fileHasQuantization(key, wanted));
    if (matches.length === 0 && !quantization && groups.size === 1) matches = [...groups.entries()];
    if (matches.length === 0)
        throw new DownloadError(
            "DOWNLOAD_NOT_FOUND",
            quantization
                ? `Hugging Face repository ${listing.repo} has no ${quantization} file. Available: ${available.join(", ")}.`
                : `Hugging Face repository ${listing.repo} has no ${DEFAULT_QUANTIZATION} file; name one: ${available.map((q) => `hf:${listing.repo}:${q}`).join(", ")}.`
        );
    // Prefer a file in the repository root or the single-file variant when one quantization has several.
    matches.sort(([a], [b]) => a.split("/").length - b.split("/").length);
    if (matches.length > 1 && matches[0]![0].split("/").length === matches[1]![0].split("/").length)
        throw new DownloadError(
            "DOWNLOAD_AMBIGUOUS",
            `Several files in ${listing.repo} match ${wanted}: ${matches.map(([key]) => key).join(", ")}. Name the file: hf:${listing.repo}/<file>.gguf.`
        );
    const files = matches[0]![1];
    const split = splitPartInfo(files[0]!.path);
    if (!split) return files;
    return splitPartNames(files[0]!.path).map((name) => {
        const part = files.find((f) => f.path === name);
        if (!part) throw new DownloadError("DOWNLOAD_NOT_FOUND", `Split model ${split.base} in ${listing.repo} is missing part ${name}.`);
        return part;
    });
}

function hubPlan(reference: string, listing: HubRepoListing, files: HubFile[], extra: {catalogId: string | null; name?: string}, options: ResolveDownloadPlanOptions): DownloadPlan {
    const destination = path.join(options.modelsDir, "huggingface", ...listing.repo.split("/"));
    return {
        name: extra.name ?? `${listing.repo}:${quantizationInFileName(files[0]!.path) ?? modelDisplayName(files[0]!.path)}`,
        source: {kind: "huggingface", repo: listing.repo, revision: listing.commit, files: files.map((f) => f.path), reference, catalogId: extra.catalogId},
        destination,
        authOrigin: new URL(options.hub.endpoint).origin,
        files: files.map((file) => plannedFile(file.path, hubFileUrl(options.hub.endpoint, listing.repo, listing.commit, file.path), destination, file.sizeBytes, file.sha256))
    };
}

function plannedFile(name: string, url: string, destination: string, sizeBytes: number | null, sha256: string | null): PlannedFile {
    const segments = name.split("/").filter((s) => s && s !== "." && s !== "..");
    const finalPath = path.join(destination, ...segments);
    return {name, url, sizeBytes, expectedSha256: sha256, finalPath, partialPath: `${finalPath}.partial`, etag: null, done: false, sha256: null};
}

/** A plain URL: sizes come from a HEAD request (when the server gives one); split parts follow the naming convention. */
async function resolveUrlPlan(reference: string, url: string, options: ResolveDownloadPlanOptions): Promise<DownloadPlan> {
    const parsed = new URL(url);
    const fileName = decodeURIComponent(parsed.pathname.split("/").pop() || "") || "model.gguf";
    const names = splitPartNames(fileName);
    const destination = path.join(options.modelsDir, "urls", parsed.host.replace(/[^A-Za-z0-9.-]/g, "_"));
    const files: PlannedFile[] = [];
    for (const name of names) {
        const partUrl = new URL(url);
        partUrl.pathname = parsed.pathname.replace(/[^/]*$/, encodeURIComponent(name));
        const size = await probeUrlSize(partUrl.toString(), options.hub.signal);
        files.push(plannedFile(name.replace(/[\\/:*?"<>|]/g, "_"), partUrl.toString(), destination, size, null));
    }
    return {name: modelDisplayName(fileName), source: {kind: "url", urls: files.map((f) => f.url), reference}, destination, authOrigin: null, files};
}

async function probeUrlSize(url: string, signal?: AbortSignal): Promise<number | null> {
    let response;
    try {
        response = await openHttpRequest(url, {method: "HEAD", signal, headersTimeoutMs: 15_000});
    } catch (error) {
        if (signal?.aborted) throw error;
        throw new DownloadError("DOWNLOAD_UNREACHABLE", `Cannot reach ${url}: ${errorMessage(error)}. Check the address and your connection.`, {cause: error, retryable: true});
    }
    response.body.resume();
    if (response.status === 405 || response.status === 501) return null; // HEAD not supported: learn the size on GET
    if (response.status >= 400) throw hubHttpError(response, {hasToken: false});
    const length = Number(headerValue(response.headers, "content-length"));
    return Number.isFinite(length) && length > 0 && headerValue(response.headers, "content-length") !== undefined ? length : null;
}
