import fs from "node:fs";
import type {AppEvents} from "../../api/AppApi.ts";
import type {DownloadJob, DownloadState, RegisteredModel} from "../../api/DownloadsApi.ts";
import {AppError, errorMessage} from "../../shared/AppError.ts";
import type {EventBus} from "../../shared/EventBus.ts";
import {readGgufFacts} from "../gguf/readGgufFacts.ts";
import {describeOwner, isOwnerAlive, recoverOrphanedJobs, type JobOwner} from "../jobs/JobOwner.ts";
import type {DownloadJobRecord, Store} from "../store/Store.ts";
import type {CatalogLookup} from "../catalog/createCatalogLookup.ts";
import {DownloadError} from "./DownloadError.ts";
import type {DownloadPlan, PlannedFile} from "../store/DownloadPlan.ts";
import {defaultRetryPolicy, downloadFile, type RetryPolicy} from "./downloadFile.ts";
import {resolveHuggingFaceEndpoint, resolveHuggingFaceToken} from "./huggingFaceHub.ts";
import {registerModel} from "./registerModel.ts";
import {resolveDownloadPlan} from "./resolveDownloadPlan.ts";
import {formatBytes} from "../../shared/format.ts";

export interface DownloadManagerOptions {
    store: Store;
    /** This process's owner of jobs, recorded with the downloads it transfers. */
    owner: JobOwner;
    events: EventBus<AppEvents>;
    /** The app's models folder. */
    modelsDir: string;
    /** Resolves catalog ids (`pull <id[:quant]>`). */
    catalog: CatalogLookup;
    /** Hugging Face base URL. Default: HF_ENDPOINT, else https://huggingface.co. */
    huggingFaceEndpoint?: string;
    /** Token for gated and private repositories. Default: HF_TOKEN, else the huggingface_hub token file. */
    huggingFaceToken?: string | null;
    /** Downloads transferring at once; the rest wait in the queue. Default 1. */
    maxConcurrent?: number;
    /** Retry with exponential backoff after dropped connections and server errors. */
    retry?: Partial<RetryPolicy>;
    /** A connection silent for this long is dropped and resumed, ms. Default 30 000. */
    stallTimeoutMs?: number;
    /** Least time between two progress events of one download, ms. Default 250. */
    progressIntervalMs?: number;
    /**
     * Long-lived hosts (desktop app, browser mode) pass true: unfinished downloads from an earlier run
     * (quit or killed) resume now, and every queued download runs. Short CLI commands leave it false:
     * only downloads started or resumed through this manager run. Default false.
     */
    autoResume?: boolean;
    /** Free bytes on the volume a folder is (or will be) on. */
    freeDiskBytes: (folder: string) => Promise<number>;
    /** User-Agent sent with every request. */
    userAgent?: string;
}

interface ActiveDownload {
    controller: AbortController;
    stopReason?: "pause" | "cancel" | "redownload" | "dispose";
    /** Bytes on disk per file. */
    bytes: number[];
    samples: {at: number; bytes: number}[];
    lastProgressAt: number;
    retryAt: string | null;
    attempt: number;
    done: Promise<void>;
}

const FINISHED: ReadonlySet<DownloadState> = new Set(["completed", "cancelled"]);
const RUNNING: ReadonlySet<DownloadState> = new Set(["downloading", "retrying", "verifying"]);
const MISMATCH_CODES = new Set(["DOWNLOAD_CHECKSUM_MISMATCH", "DOWNLOAD_SIZE_MISMATCH", "DOWNLOAD_INVALID_GGUF"]);
/**
 * The download queue: resolves references, runs downloads one (or `maxConcurrent`) at a time,
 * persists every state change so any later process can resume, verifies size, SHA-256 and the GGUF
 * header, and registers the model. A download is owned by one process at a time (`owner` in SQLite).
 */
export class DownloadManager {
    private readonly options: DownloadManagerOptions;
    private readonly active = new Map<number, ActiveDownload>();
    private readonly adopted = new Set<number>();
    private readonly retry: RetryPolicy;
    private readonly hubEndpoint: string;
    private readonly token: string | null;
    private disposed = false;

    constructor(options: DownloadManagerOptions) {
        this.options = options;
        this.retry = {...defaultRetryPolicy, ...options.retry};
        this.hubEndpoint = resolveHuggingFaceEndpoint(options.huggingFaceEndpoint);
        this.token = options.huggingFaceToken === undefined ? resolveHuggingFaceToken() : options.huggingFaceToken;
        if (options.autoResume) {
            recoverOrphanedJobs(
                options.store.downloads.list().filter((job) => RUNNING.has(job.state) || job.state === "queued"),
                (job) => job.owner,
                (job) => options.store.downloads.update(job.id, {state: "queued", owner: null})
            );
            this.pump();
        }
    }

    /** Resolves and queues a download (or resumes an unfinished one of the same files). */
    async start(reference: string): Promise<DownloadJob> {
        this.assertOpen();
        const plan = await resolveDownloadPlan(reference, {
            hub: {endpoint: this.hubEndpoint, token: this.token},
            catalog: this.options.catalog,
            modelsDir: this.options.modelsDir
        });
        const primary = plan.files[0]!.finalPath;
        const registered = this.options.store.models.list().find((m) => m.path === primary);
        if (registered)
            throw new DownloadError(
                "DOWNLOAD_ALREADY_REGISTERED",
                `${plan.name} is already downloaded as model "${registered.id}" (${registered.path}). To download it again, remove it first (agentfit rm ${registered.id}).`
            );
        const unfinished = this.options.store.downloads.list().find((job) => !FINISHED.has(job.state) && job.plan.files[0]!.finalPath === primary);
        if (unfinished) return this.resume(unfinished.id);
        await this.checkDiskSpace(plan);
        const record = this.options.store.downloads.create({reference, state: "queued", plan});
        this.adopted.add(record.id);
        this.emitUpdated(record);
        this.pump();
        return this.toJob(this.record(record.id));
    }

    list(): DownloadJob[] {
        const records = this.options.store.downloads.list();
        const unfinished = records.filter((r) => !FINISHED.has(r.state) && r.state !== "failed");
        const finished = records.filter((r) => FINISHED.has(r.state) || r.state === "failed").sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
        return [...unfinished, ...finished].map((r) => this.toJob(r));
    }

    get(id: number): DownloadJob {
        return this.toJob(this.record(id));
    }

    async pause(id: number): Promise<DownloadJob> {
        const record = this.record(id);
        const running = this.active.get(id);
        if (running) {
            running.stopReason = "pause";
            running.controller.abort(new Error("paused"));
            await running.done;
        } else if (record.state === "queued" || RUNNING.has(record.state)) {
            this.assertNotOwnedElsewhere(record);
            this.update(id, {state: "paused", owner: null});
        } else if (record.state !== "paused") {
            throw new DownloadError("DOWNLOAD_STATE_CONFLICT", `Download #${id} (${record.name}) is ${record.state}; only queued or running downloads can be paused.`);
        }
        return this.get(id);
    }

    resume(id: number): DownloadJob {
        this.assertOpen();
        const record = this.record(id);
        if (this.active.has(id)) return this.get(id);
        if (record.state === "completed" || record.state === "cancelled")
            throw new DownloadError("DOWNLOAD_STATE_CONFLICT", `Download #${id} (${record.name}) is ${record.state}; start a new download instead.`);
        this.assertNotOwnedElsewhere(record);
        this.adopted.add(id);
        this.update(id, {state: "queued", error: null, owner: null});
        this.pump();
        return this.get(id);
    }

    async cancel(id: number): Promise<DownloadJob> {
        const record = this.record(id);
        if (record.state === "completed") throw new DownloadError("DOWNLOAD_STATE_CONFLICT", `Download #${id} is complete; remove the model instead (agentfit rm ${record.modelId}).`);
        const running = this.active.get(id);
        if (running) {
            running.stopReason = "cancel";
            running.controller.abort(new Error("cancelled"));
            await running.done;
        } else if (record.state !== "cancelled") {
            this.assertNotOwnedElsewhere(record);
            deletePartials(record.plan);
            this.update(id, {state: "cancelled", owner: null});
        }
        return this.get(id);
    }

    /** Deletes the kept partial files and downloads again from the first byte. */
    async redownload(id: number): Promise<DownloadJob> {
        this.assertOpen();
        const record = this.record(id);
        if (record.state === "completed") throw new DownloadError("DOWNLOAD_STATE_CONFLICT", `Download #${id} is complete; remove the model first (agentfit rm ${record.modelId}).`);
        const running = this.active.get(id);
        if (running) {
            running.stopReason = "redownload";
            running.controller.abort(new Error("redownload"));
            await running.done;
        } else {
            this.assertNotOwnedElsewhere(record);
            deletePartials(record.plan);
            this.update(id, {state: "queued", error: null, owner: null, plan: resetPlan(record.plan)});
        }
        this.adopted.add(id);
        this.pump();
        return this.get(id);
    }

    dismiss(id: number): void {
        const record = this.record(id);
        if (record.state !== "completed" && record.state !== "cancelled")
            throw new DownloadError("DOWNLOAD_STATE_CONFLICT", `Download #${id} is ${record.state}; cancel it first (that deletes its partial files), then dismiss it.`);
        this.options.store.downloads.remove(id);
    }

    /** Stops transfers (their partial files stay, and the next app start resumes them). Idempotent. */
    async dispose(): Promise<void> {
        if (this.disposed) return;
        this.disposed = true;
        const running = [...this.active.values()];
        for (const download of running) {
            download.stopReason = "dispose";
            download.controller.abort(new Error("app closing"));
        }
        await Promise.all(running.map((d) => d.done));
    }

    private pump() {
        if (this.disposed) return;
        const maxConcurrent = this.options.maxConcurrent ?? 1;
        const skipped = new Set<number>();
        while (this.active.size < maxConcurrent) {
            const next = this.options.store.downloads
                .list()
                .find((job) => job.state === "queued" && !this.active.has(job.id) && !skipped.has(job.id) && (this.options.autoResume || this.adopted.has(job.id)));
            if (!next) return;
            if (!this.options.store.downloads.claim(next.id, this.options.owner.id, isOwnerAlive)) {
                skipped.add(next.id);
                continue;
            }
            this.run(next.id);
        }
    }

    private run(id: number) {
        const record = this.record(id);
        const download: ActiveDownload = {
            controller: new AbortController(),
            bytes: record.plan.files.map((f) => bytesOnDisk(f)),
            samples: [],
            lastProgressAt: 0,
            retryAt: null,
            attempt: 0,
            done: Promise.resolve()
        };
        this.active.set(id, download);
        download.done = this.transfer(id, download).finally(() => {
            this.active.delete(id);
            this.pump();
        });
    }

    private async transfer(id: number, download: ActiveDownload) {
        const signal = download.controller.signal;
        const plan = this.record(id).plan;
        try {
            this.update(id, {state: "downloading", error: null, owner: this.options.owner.id});
            await this.checkDiskSpace(plan);
            for (const [index, file] of plan.files.entries()) {
                if (file.done && (fs.existsSync(file.partialPath) || fs.existsSync(file.finalPath))) continue;
                const result = await downloadFile({
                    file,
                    token: this.token,
                    authOrigin: plan.authOrigin,
                    userAgent: this.options.userAgent ?? "agentfit",
                    retry: this.retry,
                    stallTimeoutMs: this.options.stallTimeoutMs ?? 30_000,
                    signal,
                    onProgress: (bytes) => this.onProgress(id, download, index, bytes),
                    onRetry: ({attempt, delayMs, error}) => {
                        download.attempt = attempt;
                        download.retryAt = new Date(Date.now() + delayMs).toISOString();
                        download.samples = [];
                        this.update(id, {state: "retrying", error: {code: error.code, message: error.message}});
                    },
                    onMetadata: () => this.options.store.downloads.update(id, {plan})
                });
                Object.assign(file, {done: true, sha256: result.sha256, sizeBytes: file.sizeBytes ?? result.sizeBytes});
                download.bytes[index] = result.sizeBytes;
                this.options.store.downloads.update(id, {plan});
            }
            this.update(id, {state: "verifying"});
            const model = await this.verifyAndRegister(this.record(id));
            this.update(id, {state: "completed", modelId: model.id, owner: null, error: null});
            this.options.events.emit("models.changed", {added: [model.id], removed: []});
        } catch (error) {
            if (signal.aborted) {
                const reason = download.stopReason ?? "dispose";
                if (reason === "cancel") {
                    deletePartials(plan);
                    this.update(id, {state: "cancelled", owner: null});
                } else if (reason === "redownload") {
                    deletePartials(plan);
                    this.update(id, {state: "queued", owner: null, error: null, plan: resetPlan(plan)});
                } else if (reason === "pause") {
                    this.update(id, {state: "paused", owner: null});
                } else {
                    // The app is closing: leave it queued so the next start picks it up.
                    this.options.store.downloads.update(id, {state: "queued", owner: null});
                }
                return;
            }
            const failure = error instanceof AppError ? error : new DownloadError("DOWNLOAD_FAILED", `${plan.name} failed: ${errorMessage(error)}`, {cause: error});
            this.update(id, {state: "failed", owner: null, error: {code: failure.code, message: failure.message}});
        }
    }

    /** Size, SHA-256 and GGUF header must all match before the files get their final names in the registry. */
    private async verifyAndRegister(record: DownloadJobRecord): Promise<RegisteredModel> {
        const {plan} = record;
        for (const file of plan.files) {
            const current = fs.existsSync(file.partialPath) ? file.partialPath : file.finalPath;
            const size = fs.statSync(current).size;
            if (file.sizeBytes != null && size !== file.sizeBytes)
                throw new DownloadError(
                    "DOWNLOAD_SIZE_MISMATCH",
                    `${file.name} has ${size} bytes but should have ${file.sizeBytes}. Nothing was registered; the file is kept at ${current}. Re-download it to start over.`
                );
            if (file.expectedSha256 && file.sha256 !== file.expectedSha256)
                throw new DownloadError(
                    "DOWNLOAD_CHECKSUM_MISMATCH",
                    `${file.name} does not match its published SHA-256: expected ${file.expectedSha256}, got ${file.sha256}. ` +
                        `The bytes differ from the published file (a broken transfer, proxy or mirror). Nothing was registered; the file is kept at ${current}. Re-download it to start over.`
                );
        }
        for (const file of plan.files) if (fs.existsSync(file.partialPath)) fs.renameSync(file.partialPath, file.finalPath);
        let facts;
        try {
            facts = await readGgufFacts(plan.files[0]!.finalPath);
        } catch (error) {
            // Back to .partial names: an invalid file must never look like a model.
            for (const file of plan.files) if (fs.existsSync(file.finalPath)) fs.renameSync(file.finalPath, file.partialPath);
            throw new DownloadError(
                "DOWNLOAD_INVALID_GGUF",
                `${plan.name} downloaded, but it is not a usable GGUF model: ${errorMessage(error)} Nothing was registered; the file is kept at ${plan.files[0]!.partialPath}. Re-download it, or check that the URL points to a .gguf file.`,
                {cause: error}
            );
        }
        return registerModel(this.options.store.models, {
            files: plan.files.map((f) => ({path: f.finalPath, sizeBytes: fs.statSync(f.finalPath).size, sha256: f.sha256})),
            source: plan.source,
            managed: true,
            facts
        });
    }

    private async checkDiskSpace(plan: DownloadPlan) {
        const missing = plan.files.reduce((sum, f) => sum + (f.done || f.sizeBytes == null ? 0 : Math.max(0, f.sizeBytes - bytesOnDisk(f))), 0);
        if (missing === 0) return;
        const free = await this.options.freeDiskBytes(plan.destination);
        if (free < missing)
            throw new DownloadError(
                "DOWNLOAD_INSUFFICIENT_DISK",
                `${plan.name} needs ${formatBytes(missing)} more disk space in ${plan.destination}, but only ${formatBytes(free)} is free. Free up at least ${formatBytes(missing - free)} and try again.`
            );
    }

    private onProgress(id: number, download: ActiveDownload, index: number, bytes: number) {
        download.bytes[index] = bytes;
        const now = Date.now();
        const total = download.bytes.reduce((a, b) => a + b, 0);
        download.samples.push({at: now, bytes: total});
        while (download.samples.length > 2 && now - download.samples[0]!.at > 5000) download.samples.shift();
        if (download.retryAt) {
            download.retryAt = null;
            download.attempt = 0;
            this.update(id, {state: "downloading", error: null});
        }
        if (now - download.lastProgressAt < (this.options.progressIntervalMs ?? 250)) return;
        download.lastProgressAt = now;
        this.options.events.emit("downloads.progress", this.toJob(this.record(id)));
    }

    private toJob(record: DownloadJobRecord): DownloadJob {
        const download = this.active.get(record.id);
        const files = record.plan.files.map((f, i) => ({
            name: f.name,
            url: f.url,
            sizeBytes: f.sizeBytes,
            downloadedBytes: download ? (download.bytes[i] ?? 0) : bytesOnDisk(f),
            expectedSha256: f.expectedSha256,
            done: f.done
        }));
        const downloadedBytes = files.reduce((sum, f) => sum + f.downloadedBytes, 0);
        const totalBytes = files.every((f) => f.sizeBytes != null) ? files.reduce((sum, f) => sum + f.sizeBytes!, 0) : null;
        // A download whose process died shows as queued: the next app start resumes it.
        const orphaned = !download && RUNNING.has(record.state) && !isOwnerAlive(record.owner);
        const state: DownloadState = orphaned ? "queued" : record.state;
        const samples = download?.samples ?? [];
        const first = samples[0];
        const last = samples.at(-1);
        const bytesPerSecond = state === "downloading" && first && last && last.at - first.at >= 100 ? ((last.bytes - first.bytes) * 1000) / (last.at - first.at) : null;
        return {
            id: record.id,
            reference: record.reference,
            name: record.name,
            state,
            files,
            totalBytes,
            downloadedBytes,
            bytesPerSecond,
            etaSeconds: bytesPerSecond && totalBytes != null && bytesPerSecond > 0 ? Math.max(0, (totalBytes - downloadedBytes) / bytesPerSecond) : null,
            attempt: download?.attempt ?? 0,
            retryAt: state === "retrying" ? (download?.retryAt ?? null) : null,
            error: record.error,
            canResume: state === "paused" || (state === "failed" && !MISMATCH_CODES.has(record.error?.code ?? "")),
            canRedownload: state === "failed",
            modelId: record.modelId,
            destination: record.plan.destination,
            createdAt: record.createdAt,
            updatedAt: record.updatedAt
        };
    }

    private update(id: number, patch: Parameters<Store["downloads"]["update"]>[1]) {
        const record = this.options.store.downloads.update(id, patch);
        this.emitUpdated(record);
        return record;
    }

    private emitUpdated(record: DownloadJobRecord) {
        this.options.events.emit("downloads.updated", this.toJob(record));
    }

    private record(id: number): DownloadJobRecord {
        if (!Number.isInteger(id)) throw new DownloadError("DOWNLOAD_JOB_NOT_FOUND", `Download id must be a whole number, got ${JSON.stringify(id)}.`);
        const record = this.options.store.downloads.get(id);
        if (!record) throw new DownloadError("DOWNLOAD_JOB_NOT_FOUND", `There is no download #${id}.`);
        return record;
    }

    private assertOpen() {
        if (this.disposed) throw new DownloadError("DOWNLOAD_STATE_CONFLICT", "The app is closing; downloads cannot start now.");
    }

    private assertNotOwnedElsewhere(record: DownloadJobRecord) {
        if (record.owner && !this.options.owner.owns(record.owner) && isOwnerAlive(record.owner))
            throw new DownloadError(
                "DOWNLOAD_BUSY",
                `${record.name} is being downloaded by another AgentFit process (${describeOwner(record.owner)}). Control it there, or stop that process.`
            );
    }
}

function bytesOnDisk(file: PlannedFile): number {
    const current = fs.statSync(file.partialPath, {throwIfNoEntry: false}) ?? (file.done ? fs.statSync(file.finalPath, {throwIfNoEntry: false}) : undefined);
    return current?.size ?? 0;
}

function deletePartials(plan: DownloadPlan) {
    for (const file of plan.files) fs.rmSync(file.partialPath, {force: true});
}

function resetPlan(plan: DownloadPlan): DownloadPlan {
    return {...plan, files: plan.files.map((f) => ({...f, done: false, sha256: null, etag: null}))};
}
