import type {GgufFacts} from "./GgufFacts.ts";

/** Where a registered model came from. */
export type ModelSource =
    | {
          kind: "huggingface";
          /** "user/repo". */
          repo: string;
          /** The commit the files were downloaded from (pinned, so a resume never mixes revisions). */
          revision: string;
          /** File paths inside the repository, in order (every part of a split model). */
          files: string[];
          /** What the user asked for: "hf:user/repo:Q4_K_M", a catalog id, or a URL. */
          reference: string;
          /** The catalog id ("model:QUANT") when the model was pulled from the catalog. */
          catalogId: string | null;
      }
    | {kind: "url"; urls: string[]; reference: string}
    | {kind: "local"; /** The file or folder the user imported. */ importedFrom: string};

/** One file of a registered model (split models have several, in part order). */
export interface ModelFile {
    path: string;
    sizeBytes: number;
    /** SHA-256 (hex) when known: verified on download, or the blob name in a Hugging Face cache. */
    sha256: string | null;
}

/**
 * The file a run's model reference (a path, a file name, a registered id) resolved to when the run
 * was created: what was measured, whatever the reference names later.
 */
export interface ResolvedModelFile {
    /** What the run was asked for. */
    reference: string;
    /** Absolute path of the GGUF file (the first part of a split model). */
    path: string;
    /** SHA-256 (hex) from the model registry, when known. */
    sha256: string | null;
    /** Registered model id, when the file is in the registry. */
    registryId: string | null;
}

/** A GGUF model AgentFit knows about: downloaded (managed) or imported in place. */
export interface RegisteredModel {
    /** Stable id, e.g. "qwen2.5-coder-7b-instruct-q4_k_m"; what `agentfit rm` and serving take. */
    id: string;
    /** Display name: the file name without extension and split suffix. */
    name: string;
    /** Path of the first (or only) file: what node-llama-cpp loads. */
    path: string;
    files: ModelFile[];
    /** All files together, bytes. */
    sizeBytes: number;
    /** SHA-256 of a single-file model (the first part's for a split model), when known. */
    sha256: string | null;
    source: ModelSource;
    /** True when AgentFit downloaded the files into its models folder (removing deletes them). */
    managed: boolean;
    facts: GgufFacts;
    /** ISO 8601. */
    addedAt: string;
}

export type DownloadState =
    /** Waiting for its turn in the queue. */
    | "queued"
    | "downloading"
    /** The connection failed; waiting `retryAt` before resuming with a Range request. */
    | "retrying"
    /** All bytes are there; checking size, SHA-256 and the GGUF header. */
    | "verifying"
    | "paused"
    | "completed"
    | "failed"
    | "cancelled";

export interface DownloadFileProgress {
    /** File name (path inside the repository for Hugging Face). */
    name: string;
    url: string;
    /** Expected size, null when neither the server nor Hugging Face says. */
    sizeBytes: number | null;
    downloadedBytes: number;
    /** Published SHA-256 the file is checked against, when the source publishes one. */
    expectedSha256: string | null;
    done: boolean;
}

export interface DownloadJob {
    id: number;
    /** What was asked for, as typed. */
    reference: string;
    /** Human name of the model being downloaded. */
    name: string;
    state: DownloadState;
    files: DownloadFileProgress[];
    /** Null when the size is unknown (no Content-Length and no published size). */
    totalBytes: number | null;
    downloadedBytes: number;
    /** Recent throughput, bytes per second; null when not downloading. */
    bytesPerSecond: number | null;
    /** Estimated seconds left; null when unknown. */
    etaSeconds: number | null;
    /** Retries in a row without progress. */
    attempt: number;
    /** When the next retry starts (ISO 8601), in state "retrying". */
    retryAt: string | null;
    error: {code: string; message: string} | null;
    /** Whether `downloads.resume` can continue it from the bytes already on disk. */
    canResume: boolean;
    /** Whether `downloads.redownload` is offered: a failed download (after a checksum, size or GGUF mismatch it is the way forward). */
    canRedownload: boolean;
    /** Set once the model is registered. */
    modelId: string | null;
    /** Folder the files go to. */
    destination: string;
    createdAt: string;
    updatedAt: string;
}

/** A folder other tools keep GGUF files in, offered for import. */
export interface ImportLocation {
    /** "LM Studio", "Hugging Face cache", … */
    label: string;
    path: string;
    exists: boolean;
    /** GGUF files found there (a split model counts once); 0 when the folder is missing. */
    ggufCount: number;
}

export interface ImportResult {
    imported: RegisteredModel[];
    /** Files already registered (nothing changed). */
    alreadyRegistered: RegisteredModel[];
    /** Files that were not imported, and why (not GGUF, truncated, partial download…). */
    skipped: {path: string; code: string; reason: string}[];
}

export interface DownloadsApi {
    /**
     * Queues a download: a catalog id ("qwen2.5-coder-7b-instruct[:Q4_K_M]"), "hf:user/repo[:QUANT]",
     * "hf:user/repo/path/file.gguf", or an http(s) URL. Resolves the files and checks free disk space
     * first (errors come back here); an unfinished download of the same files is resumed instead.
     */
    "downloads.start": (arg: {reference: string}) => Promise<DownloadJob>;
    /** Unfinished downloads in queue order, then finished ones, newest first. */
    "downloads.list": (arg: Record<string, never>) => Promise<DownloadJob[]>;
    /** Stops the transfer and keeps the partial file. */
    "downloads.pause": (arg: {id: number}) => Promise<DownloadJob>;
    /** Queues a paused or failed download again; it continues from the bytes on disk. */
    "downloads.resume": (arg: {id: number}) => Promise<DownloadJob>;
    /** Stops the download and deletes its partial files. */
    "downloads.cancel": (arg: {id: number}) => Promise<DownloadJob>;
    /** After a mismatch: deletes the kept partial files and downloads from scratch. */
    "downloads.redownload": (arg: {id: number}) => Promise<DownloadJob>;
    /** Removes a finished, failed or cancelled download from the list (files are not touched). */
    "downloads.dismiss": (arg: {id: number}) => Promise<{ok: true}>;

    /** Every registered model, newest first. */
    "models.list": (arg: Record<string, never>) => Promise<RegisteredModel[]>;
    /** One model by id, unique id prefix, name, source reference, or file path. */
    "models.get": (arg: {reference: string}) => Promise<RegisteredModel>;
    /** Registers GGUF files in place (no copy): one file, or every GGUF under a folder. */
    "models.import": (arg: {path: string}) => Promise<ImportResult>;
    /** Folders of other tools (LM Studio, the Hugging Face cache) and how many models each holds. */
    "models.importLocations": (arg: Record<string, never>) => Promise<ImportLocation[]>;
    /**
     * Unregisters a model. Files AgentFit downloaded are deleted unless `keepFiles`; imported
     * files are never deleted.
     */
    "models.remove": (arg: {reference: string; keepFiles?: boolean}) => Promise<{removed: RegisteredModel; deletedFiles: string[]}>;
}

export interface DownloadsEvents {
    /** Bytes, speed and ETA of a running download, a few times a second. */
    "downloads.progress": DownloadJob;
    /** A download changed state (queued, paused, retrying, completed, failed…). */
    "downloads.updated": DownloadJob;
    /** The registry changed (a model was added or removed). */
    "models.changed": {added: string[]; removed: string[]};
}
