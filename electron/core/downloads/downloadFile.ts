import {createHash, type Hash} from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {errorMessage} from "../../shared/AppError.ts";
import {DownloadError} from "./DownloadError.ts";
import type {PlannedFile} from "../store/DownloadPlan.ts";
import {hubHttpError} from "./huggingFaceHub.ts";
import {headerValue, openHttpRequest, type HttpResponse} from "./openHttpRequest.ts";

export interface RetryPolicy {
    /** Failed attempts in a row (without any new byte) before giving up. Default 8. */
    maxAttempts: number;
    /** First wait before retrying, ms; doubles each time. Default 1000. */
    initialDelayMs: number;
    /** Longest wait between attempts, ms. Default 30 000. */
    maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {maxAttempts: 8, initialDelayMs: 1000, maxDelayMs: 30_000};

export interface DownloadFileOptions {
    file: PlannedFile;
    /** Hugging Face token, sent only to `authOrigin`. */
    token: string | null;
    authOrigin: string | null;
    userAgent: string;
    retry: RetryPolicy;
    /** A connection that delivers no byte for this long is dropped and resumed, ms. */
    stallTimeoutMs: number;
    signal: AbortSignal;
    /** Bytes of this file on disk so far (called for every chunk written). */
    onProgress(bytesOnDisk: number): void;
    /** A transfer failed and will be retried after `delayMs`. */
    onRetry(info: {attempt: number; delayMs: number; error: DownloadError}): void;
    /** The server told us something about the file worth keeping for a resume (ETag, size, SHA-256). */
    onMetadata(update: Pick<PlannedFile, "etag" | "sizeBytes" | "expectedSha256">): void;
}

/**
 * Downloads one file into its `.partial` path, resuming from the bytes already there with an HTTP
 * Range request (If-Range guards against a changed file), retrying with exponential backoff after
 * dropped connections, stalls and server errors, and computing the SHA-256 while the bytes arrive (no
 * second read). Returns the final size and SHA-256; it never renames or deletes the partial file.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<{sizeBytes: number; sha256: string}> {
    const {file, signal} = options;
    fs.mkdirSync(path.dirname(file.partialPath), {recursive: true});
    let state = await openPartial(file, signal);
    let attempt = 0;
    try {
        for (;;) {
            signal.throwIfAborted();
            const startedAt = state.bytes;
            try {
                const outcome = await transferOnce(options, state);
                if (outcome === "complete") return {sizeBytes: state.bytes, sha256: state.hash.digest("hex")};
                if (outcome === "restart") {
                    state = await restartPartial(state, file);
                    continue;
                }
            } catch (error) {
                if (signal.aborted) throw signal.reason ?? error;
                const failure = toDownloadError(error, file);
                if (!failure.retryable) throw failure;
                attempt = state.bytes > startedAt ? 1 : attempt + 1;
                if (attempt >= options.retry.maxAttempts) throw failure;
                const delayMs = Math.min(options.retry.maxDelayMs, options.retry.initialDelayMs * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
                options.onRetry({attempt, delayMs, error: failure});
                await sleep(delayMs, signal);
            }
        }
    } finally {
        await state.fd.close();
    }
}

interface PartialState {
    fd: fs.promises.FileHandle;
    /** Bytes on disk, all of them hashed into `hash`. */
    bytes: number;
    hash: Hash;
}

/** Opens (or creates) the partial file and hashes what is already there, so a resume can continue the hash. */
async function openPartial(file: PlannedFile, signal: AbortSignal): Promise<PartialState> {
    const fd = await fs.promises.open(file.partialPath, fs.existsSync(file.partialPath) ? "r+" : "w+");
    const hash = createHash("sha256");
    let bytes = (await fd.stat()).size;
    if (file.sizeBytes != null && bytes > file.sizeBytes) {
        await fd.truncate(0);
        bytes = 0;
    }
    try {
        if (bytes > 0) await hashFileInto(hash, fd, bytes, signal);
    } catch (error) {
        await fd.close();
        throw error;
    }
    return {fd, bytes, hash};
}

/** Feeds the first `length` bytes of an open file into `hash` (4 MiB reads). */
export async function hashFileInto(hash: Hash, fd: fs.promises.FileHandle, length: number, signal?: AbortSignal): Promise<void> {
    const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (let position = 0; position < length; ) {
        signal?.throwIfAborted();
        const {bytesRead} = await fd.read(buffer, 0, Math.min(buffer.length, length - position), position);
        if (bytesRead === 0) break;
        hash.update(buffer.subarray(0, bytesRead));
        position += bytesRead;
    }
}

async function restartPartial(state: PartialState, file: PlannedFile): Promise<PartialState> {
    await state.fd.truncate(0);
    file.etag = null;
    return {fd: state.fd, bytes: 0, hash: createHash("sha256")};
}

type Outcome = "complete" | "restart";

async function transferOnce(options: DownloadFileOptions, state: PartialState): Promise<Outcome> {
    const {file} = options;
    const headers: Record<string, string> = {"User-Agent": options.userAgent};
    if (state.bytes > 0) {
        headers.Range = `bytes=${state.bytes}-`;
        if (file.etag && !file.etag.startsWith("W/")) headers["If-Range"] = file.etag;
    }
    const response = await openHttpRequest(file.url, {headers, token: options.token, authOrigin: options.authOrigin, signal: options.signal, headersTimeoutMs: options.stallTimeoutMs});
    try {
        learnMetadata(options, response);
        if (response.status === 416) {
            const total = Number(/\/(\d+)$/.exec(headerValue(response.headers, "content-range") ?? "")?.[1]);
            if (state.bytes > 0 && (total === state.bytes || file.sizeBytes === state.bytes)) return "complete";
            if (state.bytes === 0) throw new DownloadError("DOWNLOAD_HTTP_ERROR", `${file.url} answered HTTP 416 to a request for the whole file.`);
            return "restart";
        }
        if (response.status >= 400) throw hubHttpError(response, {file: file.name, hasToken: Boolean(options.token)});
        if (response.status === 200 && state.bytes > 0) return "restart"; // Range ignored, or the file changed (If-Range)
        if (response.status === 206) {
            const start = Number(/^bytes (\d+)-/.exec(headerValue(response.headers, "content-range") ?? "")?.[1]);
            if (start !== state.bytes) return "restart";
        } else if (response.status !== 200) {
            throw new DownloadError("DOWNLOAD_HTTP_ERROR", `${file.url} answered HTTP ${response.status} instead of the file.`, {retryable: true});
        }
        const lengthHeader = headerValue(response.headers, "content-length");
        const expectedEnd = lengthHeader !== undefined ? state.bytes + Number(lengthHeader) : file.sizeBytes;
        await streamToPartial(options, response, state);
        if (expectedEnd != null && state.bytes < expectedEnd)
            throw new DownloadError("DOWNLOAD_UNREACHABLE", `The connection closed after ${state.bytes} of ${expectedEnd} bytes of ${file.name}.`, {retryable: true});
        if (file.sizeBytes != null && state.bytes < file.sizeBytes)
            throw new DownloadError("DOWNLOAD_UNREACHABLE", `The server ended ${file.name} after ${state.bytes} of ${file.sizeBytes} bytes.`, {retryable: true});
        return "complete";
    } finally {
        response.destroy();
    }
}

/** Keeps what the server says about the file: its validator for If-Range, its size and Hugging Face's LFS SHA-256. */
function learnMetadata(options: DownloadFileOptions, response: HttpResponse) {
    const {file} = options;
    if (response.status !== 200 && response.status !== 206) return;
    const all = [...response.redirects, response.headers];
    const linkedEtag = all.map((h) => headerValue(h, "x-linked-etag")).find(Boolean);
    const linkedSize = all.map((h) => headerValue(h, "x-linked-size")).find(Boolean);
    const sha = linkedEtag?.replace(/^W\//, "").replace(/"/g, "").toLowerCase();
    const etag = headerValue(response.headers, "etag") ?? null;
    const total = response.status === 206 ? Number(/\/(\d+)$/.exec(headerValue(response.headers, "content-range") ?? "")?.[1]) : Number(headerValue(response.headers, "content-length") ?? NaN);
    const update = {
        etag: etag ?? file.etag,
        sizeBytes: file.sizeBytes ?? (linkedSize ? Number(linkedSize) : Number.isFinite(total) ? total : null),
        expectedSha256: file.expectedSha256 ?? (sha && /^[0-9a-f]{64}$/.test(sha) ? sha : null)
    };
    if (update.etag !== file.etag || update.sizeBytes !== file.sizeBytes || update.expectedSha256 !== file.expectedSha256) {
        Object.assign(file, update);
        options.onMetadata(update);
    }
}

/** Most received bytes held in memory before reading pauses for the disk to catch up. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/**
 * Appends the body to the partial file. Chunks are hashed as they arrive and written in batches
 * (writev) while more arrive; whatever happens to the connection, every byte received is written
 * before this returns or throws, so the hash always covers exactly the bytes on disk and a resume
 * never fetches a received byte twice. A write error is never retried (it is the disk, not the network).
 */
async function streamToPartial(options: DownloadFileOptions, response: HttpResponse, state: PartialState) {
    const {file, signal} = options;
    const body = response.body;
    let queue: Buffer[] = [];
    let queued = 0;
    let writing: Promise<void> | undefined;
    let writeError: unknown;
    const writeQueued = async () => {
        while (queue.length > 0 && writeError === undefined) {
            const batch = queue;
            const size = queued;
            queue = [];
            queued = 0;
            try {
                const {bytesWritten} = await state.fd.writev(batch, state.bytes);
                if (bytesWritten !== size) throw Object.assign(new Error(`short write (${bytesWritten} of ${size} bytes)`), {code: "EIO"});
            } catch (error) {
                writeError = error;
                body.destroy();
                return;
            }
            state.bytes += size;
            options.onProgress(state.bytes);
            if (body.isPaused()) body.resume();
        }
    };

    let streamError: unknown;
    try {
        await new Promise<void>((resolve, reject) => {
            let lastByteAt = Date.now();
            const stallTimer = setInterval(() => {
                if (Date.now() - lastByteAt > options.stallTimeoutMs)
                    body.destroy(new DownloadError("DOWNLOAD_UNREACHABLE", `No data from the server for ${Math.round(options.stallTimeoutMs / 1000)} s while downloading ${file.name}.`, {retryable: true}));
            }, Math.min(1000, options.stallTimeoutMs));
            const onAbort = () => body.destroy(signal.reason as Error);
            signal.addEventListener("abort", onAbort, {once: true});
            const finish = (error?: unknown) => {
                clearInterval(stallTimer);
                signal.removeEventListener("abort", onAbort);
                if (error) reject(error);
                else resolve();
            };
            body.on("data", (chunk: Buffer) => {
                lastByteAt = Date.now();
                if (file.sizeBytes != null && state.bytes + queued + chunk.length > file.sizeBytes) {
                    body.destroy(new DownloadError("DOWNLOAD_SIZE_MISMATCH", `The server sent more than the ${file.sizeBytes} bytes ${file.name} should have.`));
                    return;
                }
                state.hash.update(chunk);
                queue.push(chunk);
                queued += chunk.length;
                writing ??= writeQueued().finally(() => (writing = undefined));
                if (queued >= MAX_QUEUED_BYTES) body.pause();
            });
            body.once("end", () => finish());
            body.once("error", finish);
            body.once("close", () => finish(body.readableEnded ? undefined : Object.assign(new Error("aborted"), {code: "ECONNRESET"})));
            if (signal.aborted) onAbort();
        });
    } catch (error) {
        streamError = error;
    }
    while (writing) await writing;
    if (writeError !== undefined) throw toWriteError(writeError, file);
    if (streamError !== undefined) throw streamError;
}

function toDownloadError(error: unknown, file: PlannedFile): DownloadError {
    if (error instanceof DownloadError) return error;
    const code = (error as {code?: string}).code;
    const dropped = code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE" || errorMessage(error) === "aborted";
    return new DownloadError("DOWNLOAD_UNREACHABLE", dropped ? `The connection dropped while downloading ${file.name}.` : `Downloading ${file.name} failed: ${errorMessage(error)}.`, {
        cause: error,
        retryable: true
    });
}

function toWriteError(error: unknown, file: PlannedFile): DownloadError {
    const code = (error as {code?: string}).code;
    if (code === "ENOSPC" || code === "EDQUOT")
        return new DownloadError(
            "DOWNLOAD_DISK_FULL",
            `The disk is full: ${file.name} stopped at ${fs.existsSync(file.partialPath) ? fs.statSync(file.partialPath).size : 0} bytes. The partial file is kept (${file.partialPath}); free some space and resume.`,
            {cause: error}
        );
    return new DownloadError("DOWNLOAD_WRITE_FAILED", `Cannot write ${file.partialPath}: ${errorMessage(error)}. The partial file is kept; fix the problem and resume.`, {cause: error});
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            signal.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, {once: true});
    });
}
