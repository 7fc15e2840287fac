import {createHash} from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {DownloadJob} from "../../electron/api/DownloadsApi.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {splitGgufFile} from "../../testkit/gguf/splitGgufFile.ts";
import {startFakeHuggingFace, type FakeHuggingFace, type FakeRepo} from "../../testkit/fakeHuggingFace.ts";

export interface DownloadFixtures {
    dir: string;
    /** ~5 MB Q8_0 model. */
    single: {path: string; size: number; sha256: string};
    /** The same kind of model split in three parts. */
    split: {paths: string[]; size: number};
    /** A text file with a .gguf name. */
    notGguf: string;
    /** acme/tiny-GGUF (Q8_0 single file, Q4_0 split in 3 parts, an mmproj file), acme/gated-GGUF (gated). */
    repos: Record<string, FakeRepo>;
    [Symbol.dispose](): void;
}

export function sha256Of(file: string): string {
    return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Real GGUF models (written by writeGgufModel) laid out as Hugging Face repositories. */
export function createDownloadFixtures(): DownloadFixtures {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-dl-fixtures-"));
    const single = writeGgufModel(path.join(dir, "tiny-Q8_0.gguf"), {...ggufModelPresets.small, type: "Q8_0"});
    const source = writeGgufModel(path.join(dir, "whole-Q4_0.gguf"), {...ggufModelPresets.small, type: "Q4_0", seed: 7});
    const parts = splitGgufFile(source.path, path.join(dir, "split"), "tiny-Q4_0", 3);
    const notGguf = path.join(dir, "README.gguf");
    fs.writeFileSync(notGguf, "# Not a model\n".repeat(2000));
    const mmproj = writeGgufModel(path.join(dir, "mmproj-tiny-Q8_0.gguf"), {...ggufModelPresets.tiny, type: "Q8_0", seed: 3});
    return {
        dir,
        single: {path: single.path, size: single.fileSizeBytes, sha256: sha256Of(single.path)},
        split: {paths: parts, size: parts.reduce((sum, p) => sum + fs.statSync(p).size, 0)},
        notGguf,
        repos: {
            "acme/tiny-GGUF": {
                files: [
                    {path: "tiny-Q8_0.gguf", source: single.path},
                    {path: "mmproj-tiny-Q8_0.gguf", source: mmproj.path},
                    ...parts.map((p) => ({path: path.basename(p), source: p}))
                ]
            },
            "acme/gated-GGUF": {gated: true, files: [{path: "gated-Q8_0.gguf", source: single.path}]}
        },
        [Symbol.dispose]() {
            fs.rmSync(dir, {recursive: true, force: true});
        }
    };
}

/** Polls the download list until the job satisfies `done` (default: it stopped), or fails after `timeoutMs`. */
export async function waitForDownload(client: ApiClient, id: number, done: (job: DownloadJob) => boolean = stopped, timeoutMs = 30_000): Promise<DownloadJob> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const job = (await client.call("downloads.list", {})).find((j) => j.id === id);
        if (!job) throw new Error(`download #${id} disappeared`);
        if (done(job)) return job;
        if (Date.now() > deadline) throw new Error(`download #${id} did not get there in time; it is ${job.state}: ${JSON.stringify(job.error)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
    }
}

export const stopped = (job: DownloadJob) => !["queued", "downloading", "retrying", "verifying"].includes(job.state);

/** Download settings for tests: the fake hub, no token from the environment, fast retries and stall detection. */
export function testDownloadSettings(endpoint: string, extra: Record<string, unknown> = {}) {
    return {huggingFaceEndpoint: endpoint, huggingFaceToken: null, retry: {initialDelayMs: 20, maxDelayMs: 100}, stallTimeoutMs: 600, progressIntervalMs: 50, ...extra};
}

/** A one-model catalog whose only quantization the stand-in hub serves, slowed so its download is seen running. */
export interface CatalogModelOnHub extends AsyncDisposable {
    hub: FakeHuggingFace;
    /** The catalog file to give the app (`service.catalogFile`). */
    catalogFile: string;
    /** The plan's candidate key, "catalogId:QUANT". */
    key: string;
    /** The file's name in the hub repository. */
    fileName: string;
    /** The GGUF file the hub serves: what a download of it writes, byte for byte. */
    filePath: string;
    sizeBytes: number;
    sha256: string;
    /** App service settings that download from this hub. */
    downloads: ReturnType<typeof testDownloadSettings>;
}

/**
 * Writes a generated GGUF (4,096-token context) under `folder`, a catalog holding only it (the bundled
 * catalog's entries with one model, "Tiny Guided", modelled on a real one), and serves it from the
 * Hugging Face stand-in, as the real hub serves bartowski's files. The body is throttled so the
 * download lasts about `downloadSeconds` for each of its first `throttledRequests` requests.
 */
export async function startCatalogModelOnHub(folder: string, options: {downloadSeconds: number; throttledRequests: number}): Promise<CatalogModelOnHub> {
    const fileName = "tiny-guided-Q8_0.gguf";
    const file = writeGgufModel(path.join(folder, "hub", fileName), {...ggufModelPresets.tiny, contextLength: 4096, type: "Q8_0"});
    const bundled = JSON.parse(fs.readFileSync(path.resolve("models/catalog.json"), "utf8")) as {models: Record<string, unknown>[]};
    const template = bundled.models.find((m) => m.id === "qwen2.5-coder-1.5b-instruct")!;
    const catalogFile = path.join(folder, "catalog.json");
    const sizeBytes = file.fileSizeBytes;
    const model = {
        ...template,
        id: "tiny-guided",
        name: "Tiny Guided",
        huggingFaceRepo: "acme/tiny-guided-GGUF",
        defaultQuantization: "Q8_0",
        quantizations: [{quantization: "Q8_0", files: [fileName], sizeBytes, sizeSource: "the stand-in hub's file"}]
    };
    fs.writeFileSync(catalogFile, JSON.stringify({...bundled, models: [model]}));
    const hub = await startFakeHuggingFace({repos: {"acme/tiny-guided-GGUF": {files: [{path: fileName, source: file.path}]}}});
    const bytesPerSecond = Math.max(4 * 1024, Math.round(sizeBytes / options.downloadSeconds));
    hub.faults.push({file: fileName, bytesPerSecond, times: options.throttledRequests});
    return {
        hub,
        catalogFile,
        key: "tiny-guided:Q8_0",
        fileName,
        filePath: file.path,
        sizeBytes,
        sha256: sha256Of(file.path),
        // The hub sends 64 KiB chunks at that rate: the stall detection waits longer than the gap between two.
        downloads: testDownloadSettings(hub.endpoint, {stallTimeoutMs: Math.max(5000, Math.ceil(((3 * 64 * 1024) / bytesPerSecond) * 1000))}),
        async [Symbol.asyncDispose]() {
            await hub[Symbol.asyncDispose]();
        }
    };
}
