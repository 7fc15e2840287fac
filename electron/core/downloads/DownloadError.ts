import {AppError} from "../../shared/AppError.ts";

export type DownloadErrorCode =
    | "DOWNLOAD_REFERENCE_INVALID"
    | "DOWNLOAD_NOT_FOUND"
    | "DOWNLOAD_AMBIGUOUS"
    | "DOWNLOAD_UNAUTHORIZED"
    | "DOWNLOAD_HTTP_ERROR"
    | "DOWNLOAD_UNREACHABLE"
    | "DOWNLOAD_INSUFFICIENT_DISK"
    | "DOWNLOAD_DISK_FULL"
    | "DOWNLOAD_WRITE_FAILED"
    | "DOWNLOAD_CHECKSUM_MISMATCH"
    | "DOWNLOAD_SIZE_MISMATCH"
    | "DOWNLOAD_INVALID_GGUF"
    | "DOWNLOAD_ALREADY_REGISTERED"
    | "DOWNLOAD_JOB_NOT_FOUND"
    | "DOWNLOAD_BUSY"
    | "DOWNLOAD_STATE_CONFLICT"
    | "DOWNLOAD_FAILED";

/** A download that cannot start or cannot finish; the message says what differed and what to do. */
export class DownloadError extends AppError {
    declare readonly code: DownloadErrorCode;
    /** Whether trying the same transfer again later may succeed (network, server, disk full). */
    readonly retryable: boolean;
    constructor(code: DownloadErrorCode, message: string, options?: {cause?: unknown; retryable?: boolean}) {
        super(code, message, options);
        this.name = "DownloadError";
        this.retryable = options?.retryable ?? false;
    }
}

export type ModelRegistryErrorCode = "MODEL_NOT_FOUND" | "MODEL_AMBIGUOUS" | "MODEL_INVALID" | "IMPORT_NOT_FOUND" | "IMPORT_GGUF_INVALID";

/** A model reference or import path that does not name a usable model. */
export class ModelRegistryError extends AppError {
    declare readonly code: ModelRegistryErrorCode;
    constructor(code: ModelRegistryErrorCode, message: string, options?: {cause?: unknown}) {
        super(code, message, options);
        this.name = "ModelRegistryError";
    }
}
