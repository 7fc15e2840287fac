import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {errorMessage} from "../../shared/AppError.ts";
import {DownloadError} from "./DownloadError.ts";
import {headerValue, openHttpRequest, readBodyText, type HttpResponse} from "./openHttpRequest.ts";

export const DEFAULT_HUGGING_FACE_ENDPOINT = "https://huggingface.co";

export interface HuggingFaceAccess {
    /** Base URL without a trailing slash, e.g. https://huggingface.co. */
    endpoint: string;
    token: string | null;
    signal?: AbortSignal;
}

/** The Hub to talk to: the explicit override, else HF_ENDPOINT, else huggingface.co. */
export function resolveHuggingFaceEndpoint(override?: string, env: NodeJS.ProcessEnv = process.env): string {
    return (override || env.HF_ENDPOINT || DEFAULT_HUGGING_FACE_ENDPOINT).replace(/\/+$/, "");
}

/** The access token the way huggingface_hub finds it: HF_TOKEN, then the token file `hf auth login` writes. */
export function resolveHuggingFaceToken(env: NodeJS.ProcessEnv = process.env): string | null {
    const fromEnv = env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN;
    if (fromEnv) return fromEnv.trim();
    const hfHome = env.HF_HOME || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "huggingface");
    try {
        const token = fs.readFileSync(env.HF_TOKEN_PATH || path.join(hfHome, "token"), "utf8").trim();
        return token || null;
    } catch {
        return null;
    }
}

export interface HubFile {
    /** Path inside the repository. */
    path: string;
    sizeBytes: number | null;
    /** The LFS object id (SHA-256 of the content) for LFS/Xet files; null for small git files. */
    sha256: string | null;
}

export interface HubRepoListing {
    repo: string;
    /** Commit the listing describes; downloads pin to it. */
    commit: string;
    files: HubFile[];
}

/**
 * Lists a repository's files with sizes and LFS SHA-256s: `GET /api/models/{repo}/revision/{rev}?blobs=true`
 * answers `{sha, siblings: [{rfilename, size, lfs: {sha256, size}}]}`.
 */
export async function listHubRepo(access: HuggingFaceAccess, repo: string, revision: string): Promise<HubRepoListing> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/.test(repo) || repo.includes(".."))
        throw new DownloadError("DOWNLOAD_REFERENCE_INVALID", `"${repo}" is not a Hugging Face repository name (user/repo).`);
    const url = `${access.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
    let response: HttpResponse;
    try {
        response = await openHttpRequest(url, {token: access.token, authOrigin: new URL(access.endpoint).origin, signal: access.signal, headers: {Accept: "application/json"}});
    } catch (error) {
        if (access.signal?.aborted) throw error;
        throw new DownloadError("DOWNLOAD_UNREACHABLE", `Cannot reach Hugging Face at ${access.endpoint}: ${errorMessage(error)}. Check your connection (or HF_ENDPOINT).`, {cause: error, retryable: true});
    }
    if (response.status !== 200) {
        response.body.resume();
        throw hubHttpError(response, {repo, revision, hasToken: Boolean(access.token)});
    }
    const json = JSON.parse(await readBodyText(response)) as {sha?: string; siblings?: {rfilename: string; size?: number; lfs?: {sha256?: string; size?: number}}[]};
    return {
        repo,
        commit: json.sha ?? revision,
        files: (json.siblings ?? []).map((s) => ({
            path: s.rfilename,
            sizeBytes: s.lfs?.size ?? s.size ?? null,
            sha256: s.lfs?.sha256 && /^[0-9a-f]{64}$/i.test(s.lfs.sha256) ? s.lfs.sha256.toLowerCase() : null
        }))
    };
}

/** Download URL of a file at a pinned commit (the "resolve" endpoint redirects to the content host). */
export function hubFileUrl(endpoint: string, repo: string, revision: string, file: string): string {
    return `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${file.split("/").map(encodeURIComponent).join("/")}`;
}

/**
 * Maps a Hub error answer to a clear error. The Hub names the problem in `X-Error-Code` (GatedRepo,
 * RepoNotFound, RevisionNotFound, EntryNotFound); it answers 401 for private, gated and missing
 * repositories alike when no token is sent.
 */
export function hubHttpError(response: Pick<HttpResponse, "status" | "headers" | "url">, what: {repo?: string; revision?: string; file?: string; hasToken: boolean}): DownloadError {
    const errorCode = headerValue(response.headers, "x-error-code");
    const hubMessage = headerValue(response.headers, "x-error-message");
    const subject = what.repo ? `${what.file ? `${what.file} in ` : ""}Hugging Face repository ${what.repo}` : response.url;
    const status = response.status;
    if (errorCode === "GatedRepo" || status === 403)
        return new DownloadError(
            "DOWNLOAD_UNAUTHORIZED",
            `${subject} is gated (HTTP ${status}). Accept its terms on its Hugging Face page, then ` +
                (what.hasToken ? "check that HF_TOKEN belongs to the account that accepted them." : "set HF_TOKEN to an access token (huggingface.co/settings/tokens) and try again.")
        );
    if (status === 401)
        return new DownloadError(
            "DOWNLOAD_UNAUTHORIZED",
            `${subject} needs authorization (HTTP 401${hubMessage ? `: ${hubMessage}` : ""}). It may be private or gated, or may not exist. ` +
                (what.hasToken ? "Check the name, and that HF_TOKEN has access to it." : "Check the name; for private or gated repositories set HF_TOKEN to an access token and try again.")
        );
    if (status === 404 || status === 410) {
        const detail =
            errorCode === "RevisionNotFound"
                ? `revision "${what.revision}" does not exist in ${what.repo}`
                : errorCode === "EntryNotFound" || what.file
                  ? `${what.file ?? "the file"} does not exist${what.repo ? ` in ${what.repo}` : ""}`
                  : `${subject} does not exist`;
        return new DownloadError("DOWNLOAD_NOT_FOUND", `Not found (HTTP ${status}): ${detail}. Check the spelling (names are case-sensitive).`);
    }
    return new DownloadError("DOWNLOAD_HTTP_ERROR", `${subject} answered HTTP ${status}${hubMessage ? ` (${hubMessage})` : ""}.`, {retryable: status >= 500 || status === 429 || status === 408});
}
