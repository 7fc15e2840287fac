import {createHash} from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {DownloadJob} from "../../electron/api/DownloadsApi.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {splitGgufFile} from "../../testkit/gguf/splitGgufFile.ts";
import type {FakeRepo} from "../../testkit/fakeHuggingFace.ts";

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
