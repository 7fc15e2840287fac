import type {ModelSource} from "../../api/DownloadsApi.ts";

/** One file of a download, with everything needed to resume it in another process. */
export interface PlannedFile {
    /** File name (path inside the repository for Hugging Face). */
    name: string;
    /** Where the bytes come from (a Hugging Face URL is pinned to a commit). */
    url: string;
    /** Expected size in bytes; null when unknown until the server answers (and maybe after). */
    sizeBytes: number | null;
    /** Published SHA-256 (hex), when the source publishes one. */
    expectedSha256: string | null;
    /** Where the verified file ends up. */
    finalPath: string;
    /** Where bytes land while downloading (`<final>.partial`): never registered, never imported. */
    partialPath: string;
    /** Strong validator of the content (ETag) seen on the first response, sent as If-Range on resume. */
    etag: string | null;
    /** All bytes are on disk and their SHA-256 is `sha256`. */
    done: boolean;
    sha256: string | null;
}

/** A resolved download: what to fetch, where to put it, and what it must match. */
export interface DownloadPlan {
    name: string;
    source: Extract<ModelSource, {kind: "huggingface" | "url"}>;
    /** Folder the model's files go to. */
    destination: string;
    files: PlannedFile[];
    /** Origin that may receive the Hugging Face token (never sent to redirect targets elsewhere). */
    authOrigin: string | null;
}
