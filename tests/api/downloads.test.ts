import fs from "node:fs";
import path from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {DownloadJob} from "../../electron/api/DownloadsApi.ts";
import {AppError} from "../../electron/shared/AppError.ts";
import type {CatalogLookup} from "../../electron/core/catalog/createCatalogLookup.ts";
import {createDownloadFixtures, sha256Of, testDownloadSettings, waitForDownload, type DownloadFixtures} from "../utils/downloadFixtures.ts";
import {startFakeHuggingFace, type FakeHuggingFace} from "../../testkit/fakeHuggingFace.ts";
import {startApp} from "../utils/startApp.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

let fixtures: DownloadFixtures;
let hub: FakeHuggingFace;

beforeAll(async () => {
    fixtures = createDownloadFixtures();
    hub = await startFakeHuggingFace({repos: fixtures.repos});
});
afterAll(async () => {
    await hub?.[Symbol.asyncDispose]();
    fixtures?.[Symbol.dispose]();
});

const startDownloadsApp = (extra: Record<string, unknown> = {}, service: Record<string, unknown> = {}) =>
    startApp({service: {downloads: testDownloadSettings(hub.endpoint, extra), ...service}});

const contentRequests = (file: string) => hub.requests.filter((r) => r.host === "content" && decodeURIComponent(r.path).endsWith(`/${file}`));

describe("downloads from Hugging Face", () => {
    it("downloads hf:user/repo:QUANT, streams progress events, verifies the SHA-256 and registers the model", async () => {
        await using app = await startDownloadsApp();
        const progress: DownloadJob[] = [];
        const states: string[] = [];
        app.client.on("downloads.progress", (job) => progress.push(job));
        app.client.on("downloads.updated", (job) => states.push(job.state));
        await new Promise((resolve) => setTimeout(resolve, 150)); // let the event stream connect
        hub.faults.push({file: "tiny-Q8_0.gguf", bytesPerSecond: 8 * 1024 * 1024});

        const job = await app.client.call("downloads.start", {reference: "hf:acme/tiny-GGUF:Q8_0"});
        expect(job).toMatchObject({reference: "hf:acme/tiny-GGUF:Q8_0", name: "acme/tiny-GGUF:Q8_0", totalBytes: fixtures.single.size});
        expect(job.files[0]!.expectedSha256).toBe(fixtures.single.sha256);
        const done = await waitForDownload(app.client, job.id);
        expect(done.state).toBe("completed");
        expect(done.downloadedBytes).toBe(fixtures.single.size);

        const model = await app.client.call("models.get", {reference: done.modelId!});
        const target = path.join(app.home.models, "huggingface", "acme", "tiny-GGUF", "tiny-Q8_0.gguf");
        expect(model).toMatchObject({id: "tiny-q8_0", path: target, sizeBytes: fixtures.single.size, sha256: fixtures.single.sha256, managed: true});
        expect(model.source).toMatchObject({kind: "huggingface", repo: "acme/tiny-GGUF", files: ["tiny-Q8_0.gguf"], reference: "hf:acme/tiny-GGUF:Q8_0"});
        expect(model.facts).toMatchObject({architecture: "llama", quantization: "Q8_0", splitParts: 1});
        expect(sha256Of(target)).toBe(fixtures.single.sha256);
        expect(fs.existsSync(`${target}.partial`)).toBe(false);
        expect((await app.client.call("models.list", {})).map((m) => m.id)).toEqual(["tiny-q8_0"]);

        await expect.poll(() => states).toContain("completed");
        expect(states.slice(0, 2)).toEqual(["queued", "downloading"]);
        expect(states).toContain("verifying");
        expect(progress.length).toBeGreaterThan(0);
        const mid = progress.find((p) => p.bytesPerSecond != null && p.downloadedBytes < fixtures.single.size);
        expect(mid).toBeDefined();
        expect(mid!.bytesPerSecond).toBeGreaterThan(0);
        expect(mid!.etaSeconds).toBeGreaterThanOrEqual(0);

        // Pulling it again does not download it twice.
        await expect(app.client.call("downloads.start", {reference: "hf:acme/tiny-GGUF:Q8_0"})).rejects.toMatchObject({code: "DOWNLOAD_ALREADY_REGISTERED"});
    });

    it("downloads a split GGUF (all parts) and registers it as one model; a file path of any part finds it", async () => {
        await using app = await startDownloadsApp();
        const job = await app.client.call("downloads.start", {reference: "hf:acme/tiny-GGUF:q4_0"});
        expect(job.files.map((f) => f.name)).toEqual(fixtures.split.paths.map((p) => path.basename(p)));
        const done = await waitForDownload(app.client, job.id);
        expect(done.state).toBe("completed");
        const models = await app.client.call("models.list", {});
        expect(models).toHaveLength(1);
        expect(models[0]!.files).toHaveLength(3);
        expect(models[0]!.sizeBytes).toBe(fixtures.split.size);
        expect(models[0]!.facts.splitParts).toBe(3);
        expect(models[0]!.files.every((f, i) => f.sha256 === sha256Of(fixtures.split.paths[i]!))).toBe(true);
        expect((await app.client.call("models.get", {reference: models[0]!.files[2]!.path})).id).toBe(models[0]!.id);
        expect((await app.client.call("models.get", {reference: "tiny-q4"})).id).toBe("tiny-q4_0");
    });

    it("downloads hf:user/repo/file.gguf and plain http URLs, also when the server sends no Content-Length", async () => {
        await using app = await startDownloadsApp();
        hub.faults.push({file: "tiny-Q8_0.gguf", noContentLength: true});
        const byFile = await app.client.call("downloads.start", {reference: "hf:acme/tiny-GGUF/tiny-Q8_0.gguf"});
        expect((await waitForDownload(app.client, byFile.id)).state).toBe("completed");

        hub.serve("plain-Q8_0.gguf", fixtures.single.path);
        hub.faults.push({file: "plain-Q8_0.gguf", noContentLength: true});
        const byUrl = await app.client.call("downloads.start", {reference: `${hub.contentUrl}/files/plain-Q8_0.gguf`});
        const done = await waitForDownload(app.client, byUrl.id);
        expect(done.state).toBe("completed");
        const model = await app.client.call("models.get", {reference: done.modelId!});
        expect(model.source).toMatchObject({kind: "url", urls: [`${hub.contentUrl}/files/plain-Q8_0.gguf`]});
        expect(model.path).toBe(path.join(app.home.models, "urls", new URL(hub.contentUrl).host.replace(":", "_"), "plain-Q8_0.gguf"));
        expect(model.sha256).toBe(fixtures.single.sha256);
    });
});

describe("resuming and retrying", () => {
    it("resumes dropped connections with Range requests, re-sending no byte twice", async () => {
        await using app = await startDownloadsApp();
        hub.faults.push({file: "tiny-Q8_0.gguf", dropAfterBytes: 1_500_000, times: 2});
        const before = contentRequests("tiny-Q8_0.gguf").length;
        const job = await app.client.call("downloads.start", {reference: "hf:acme/tiny-GGUF:Q8_0"});
        const done = await waitForDownload(app.client, job.id);
        expect(done.state).toBe("completed");
        const requests = contentRequests("tiny-Q8_0.gguf").slice(before);
        expect(requests.map((r) => r.range)).toEqual([undefined, "bytes=1500000-", "bytes=3000000-"]);
        expect(requests.slice(1).every((r) => r.ifRange === `"${fixtures.single.sha256}"`)).toBe(true);
        expect(requests.at(-1)!.status).toBe(206);
        expect(requests.reduce((sum, r) => sum + r.bytesSent, 0)).toBe(fixtures.single.size);
        expect((await app.client.call("models.get", {reference: done.modelId!})).sha256).toBe(fixtures.single.sha256);
    });

    it("starts over when a server ignores Range, and recovers from stalls, slow answers and 5xx answers", async () => {
        await using app = await startDownloadsApp();
        const states: string[] = [];
        app.client.on("downloads.updated", (job) => states.push(job.state));
        await new Promise((resolve) => setTimeout(resolve, 150));
        hub.faults.push(
            {file: "tiny-Q8_0.gguf", dropAfterBytes: 1_000_000},
            {file: "tiny-Q8_0.gguf", ignoreRange: true, stallAfterBytes: 2_000_000},
            {file: "tiny-Q8_0.gguf", status: 503},
            {file: "tiny-Q8_0.gguf", delayHeadersMs: 3000}
        );
        const job = await app.client.call("downloads.start", {reference: "hf:acme/tiny-GGUF:Q8_0"});
        const done = await waitForDownload(app.client, job.id);
        expect(done.state).toBe("completed");
        expect((await app.client.call("models.get", {reference: done.modelId!})).sha256).toBe(fixtures.single.sha256);
        expect(states).toContain("retrying");
    });

    it("finishes a partial that already holds every byte (HTTP 416) without downloading it again", async () => {
        await using app = await startDownloadsApp();
        const partial = path.join(app.home.models, "huggingface", "acme", "tiny-GGUF", "tiny-Q8_0.gguf.partial");
        fs.mkdirSync(path.dirname(partial), {recursive: true});
        fs.copyFileSync(fixtures.single.path, partial);
        const before = contentRequests("tiny-Q8_0.gguf").length;
        const job = await app.client.call("downloads.start", {reference: "hf:acme/tiny-GGUF:Q8_0"});
        expect((await waitForDownload(app.client, job.id)).state).toBe("completed");
        const requests = contentRequests("tiny-Q8_0.gguf").slice(before);
        expect(requests.map((r) => [r.range, r.status])).toEqual([[`bytes=${fixtures.single.size}-`, 416]]);
    });

    it("resumes unfinished downloads when the app starts again, re-downloading less than 1 MiB", async () => {
        using home = createTempHome();
        const {createAppService} = await import("../../electron/core/AppService.ts");
        hub.faults.push({file: "tiny-Q8_0.gguf", bytesPerSecond: 2 * 1024 * 1024});
        const before = contentRequests("tiny-Q8_0.gguf").length;
        const first = await createAppService({paths: home, downloads: testDownloadSettings(hub.endpoint)});
        const job = await first["downloads.start"]({reference: "hf:acme/tiny-GGUF:Q8_0"});
        const partial = path.join(home.models, "huggingface", "acme", "tiny-GGUF", "tiny-Q8_0.gguf.partial");
        await expect.poll(() => (fs.existsSync(partial) ? fs.statSync(partial).size : 0), {timeout: 10_000}).toBeGreaterThan(1_000_000);
        await first.dispose(); // quitting the app mid-download
        expect(fs.statSync(partial).size).toBeGreaterThan(1_000_000);

        const second = await createAppService({paths: home, downloads: testDownloadSettings(hub.endpoint, {autoResume: true})});
        try {
            await expect.poll(() => second["downloads.list"]({}).then((jobs) => jobs[0]!.state), {timeout: 20_000}).toBe("completed");
            const jobs = await second["downloads.list"]({});
            expect(jobs).toHaveLength(1);
            expect(jobs[0]!.id).toBe(job.id);
            const sent = contentRequests("tiny-Q8_0.gguf").slice(before).reduce((sum, r) => sum + r.bytesSent, 0);
            expect(sent - fixtures.single.size).toBeLessThan(1024 * 1024);
            expect((await second["models.list"]({}))[0]!.sha256).toBe(fixtures.single.sha256);
        } finally {
            await second.dispose();
        }
    });
});

describe("integrity and errors", () => {
    it("refuses wrong bytes: says what differed, registers nothing, keeps the file, and re-downloads on request", async () => {
        await using app = await startDownloadsApp();
        hub.faults.push({file: "tiny-Q8_0.gguf", corruptAt: 123_456});
        const job = await app.client.call("downloads.start", {reference: "hf:acme/tiny-GGUF:Q8_0"});
        const failed = await waitForDownload(app.client, job.id);
        expect(failed).toMatchObject({state: "failed", canRedownload: true, canResume: false, error: {code: "DOWNLOAD_CHECKSUM_MISMATCH"}});
        expect(failed.error!.message).toContain(`expected ${fixtures.single.sha256}`);
        expect(failed.error!.message).toMatch(/got [0-9a-f]{64}/);
        expect(failed.error!.message).toContain("Re-download");
        const partial = path.join(app.home.models, "huggingface", "acme", "tiny-GGUF", "tiny-Q8_0.gguf.partial");
        expect(fs.statSync(partial).size).toBe(fixtures.single.size);
        expect(fs.existsSync(partial.replace(/\.partial$/, ""))).toBe(false);
        expect(await app.client.call("models.list", {})).toEqual([]);

        await app.client.call("downloads.redownload", {id: job.id});
        const done = await waitForDownload(app.client, job.id);
        expect(done.state).toBe("completed");
        expect((await app.client.call("models.get", {reference: done.modelId!})).sha256).toBe(fixtures.single.sha256);
    });

    it("refuses a download that is not a GGUF model and keeps it as a partial file", async () => {
        await using app = await startDownloadsApp();
        hub.serve("notes.gguf", fixtures.notGguf);
        const job = await app.client.call("downloads.start", {reference: `${hub.contentUrl}/files/notes.gguf`});
        const failed = await waitForDownload(app.client, job.id);
        expect(failed).toMatchObject({state: "failed", error: {code: "DOWNLOAD_INVALID_GGUF"}});
        expect(failed.error!.message).toContain("not a GGUF file");
        const kept = path.join(failed.destination, "notes.gguf.partial");
        expect(fs.existsSync(kept)).toBe(true);
        expect(fs.existsSync(path.join(failed.destination, "notes.gguf"))).toBe(false);
        expect(await app.client.call("models.list", {})).toEqual([]);
        await app.client.call("downloads.cancel", {id: job.id});
        expect(fs.existsSync(kept)).toBe(false);
        await app.client.call("downloads.dismiss", {id: job.id});
        expect(await app.client.call("downloads.list", {})).toEqual([]);
    });

    it("explains gated repositories (HF_TOKEN), and sends the token only to the Hub, never to the content host", async () => {
        {
            await using app = await startDownloadsApp();
            const error = await app.client.call("downloads.start", {reference: "hf:acme/gated-GGUF:Q8_0"}).catch((e: unknown) => e);
            expect(error).toMatchObject({code: "DOWNLOAD_UNAUTHORIZED", message: expect.stringContaining("set HF_TOKEN")});
            expect((error as Error).message).toContain("gated");
        }
        await using app = await startDownloadsApp({huggingFaceToken: hub.token});
        const job = await app.client.call("downloads.start", {reference: "hf:acme/gated-GGUF:Q8_0"});
        expect((await waitForDownload(app.client, job.id)).state).toBe("completed");
        expect(hub.requests.filter((r) => r.host === "hub" && r.path.includes("gated-GGUF") && r.status < 300).every((r) => r.authorization === `Bearer ${hub.token}`)).toBe(true);
        expect(contentRequests("gated-Q8_0.gguf").length).toBeGreaterThan(0);
        expect(hub.requests.filter((r) => r.host === "content").every((r) => r.authorization === undefined)).toBe(true);
    });

    it("names what is missing: repository, file, quantization (listing those available), or a bad reference", async () => {
        await using app = await startDownloadsApp();
        const failure = (reference: string) => app.client.call("downloads.start", {reference}).then(() => ({code: "", message: "no error"}), (e: unknown) => e as {code: string; message: string});
        expect(await failure("hf:acme/nope-GGUF:Q4_K_M")).toMatchObject({code: "DOWNLOAD_UNAUTHORIZED", message: expect.stringContaining("may not exist")});
        expect(await failure("hf:acme/tiny-GGUF/missing.gguf")).toMatchObject({code: "DOWNLOAD_NOT_FOUND", message: expect.stringContaining("tiny-Q8_0.gguf")});
        const quant = await failure("hf:acme/tiny-GGUF:Q5_K_M");
        expect(quant).toMatchObject({code: "DOWNLOAD_NOT_FOUND"});
        expect(quant.message).toContain("Available: Q8_0, Q4_0");
        expect(await failure("hf:acme/tiny-GGUF")).toMatchObject({code: "DOWNLOAD_NOT_FOUND", message: expect.stringContaining("hf:acme/tiny-GGUF:Q8_0")});
        expect(await failure("hf:acme/tiny-GGUF/tiny-Q8_0.gguf#v9")).toMatchObject({code: "DOWNLOAD_NOT_FOUND", message: expect.stringContaining("revision")});
        expect(await failure(`${hub.contentUrl}/files/absent.gguf`)).toMatchObject({code: "DOWNLOAD_NOT_FOUND"});
        expect(await failure("./models/my model.gguf")).toMatchObject({code: "DOWNLOAD_REFERENCE_INVALID", message: expect.stringContaining("agentfit import")});
        expect(await failure("ftp://example.com/x.gguf")).toMatchObject({code: "DOWNLOAD_REFERENCE_INVALID"});
        expect(await failure("http://127.0.0.1:9/model.gguf")).toMatchObject({code: "DOWNLOAD_UNREACHABLE"});
        expect(await app.client.call("downloads.pause", {id: 999}).catch((e: unknown) => e)).toMatchObject({code: "DOWNLOAD_JOB_NOT_FOUND"});
        expect(await app.client.call("downloads.pause", {id: -1} as never).catch((e: unknown) => e)).toMatchObject({code: "INVALID_ARGUMENT"});
        expect(await app.client.call("models.get", {reference: "nothing"}).catch((e: unknown) => e)).toMatchObject({code: "MODEL_NOT_FOUND", message: expect.stringContaining("agentfit pull")});
    });

    it("resolves catalog ids through the catalog, suggesting close ids for unknown ones", async () => {
        const catalog: CatalogLookup = {
            resolve(reference) {
                if (!reference.startsWith("tiny-coder")) throw new AppError("CATALOG_NOT_FOUND", `No model "${reference}" in the catalog. Did you mean tiny-coder?`);
                return {modelId: "tiny-coder", quantization: "Q8_0", huggingFaceRepo: "acme/tiny-GGUF", files: ["tiny-Q8_0.gguf"], sizeBytes: fixtures.single.size, sha256: fixtures.single.sha256};
            }
        };
        {
            // The bundled catalog: an unknown id is refused with close matches, before anything downloads.
            await using app = await startDownloadsApp();
            expect(await app.client.call("downloads.start", {reference: "qwen2.5-coder-7b-instruc"}).catch((e: unknown) => e)).toMatchObject({
                code: "CATALOG_NOT_FOUND",
                message: expect.stringContaining("qwen2.5-coder-7b-instruct")
            });
        }
        await using app = await startDownloadsApp({}, {catalogLookup: catalog});
        expect(await app.client.call("downloads.start", {reference: "tiny-cod"}).catch((e: unknown) => e)).toMatchObject({code: "CATALOG_NOT_FOUND", message: expect.stringContaining("Did you mean")});
        const job = await app.client.call("downloads.start", {reference: "tiny-coder:Q8_0"});
        expect(job.name).toBe("tiny-coder:Q8_0");
        const done = await waitForDownload(app.client, job.id);
        expect(done.state).toBe("completed");
        const model = await app.client.call("models.get", {reference: "tiny-coder:Q8_0"});
        expect(model.source).toMatchObject({kind: "huggingface", catalogId: "tiny-coder:Q8_0", repo: "acme/tiny-GGUF"});
    });
});

describe("queue and disk", () => {
    it("queues downloads one at a time; pause keeps the partial, resume continues it, cancel deletes it", async () => {
        await using app = await startDownloadsApp();
        hub.faults.push({file: "tiny-Q8_0.gguf", bytesPerSecond: 2 * 1024 * 1024, times: 10}, {file: "tiny-Q4_0-00001-of-00003.gguf", bytesPerSecond: 1024 * 1024, times: 10});
        const first = await app.client.call("downloads.start", {reference: "hf:acme/tiny-GGUF:Q8_0"});
        const second = await app.client.call("downloads.start", {reference: "hf:acme/tiny-GGUF:Q4_0"});
        await waitForDownload(app.client, first.id, (j) => j.state === "downloading" && j.downloadedBytes > 200_000);
        expect((await app.client.call("downloads.list", {})).map((j) => [j.id, j.state])).toEqual([
            [first.id, "downloading"],
            [second.id, "queued"]
        ]);

        const paused = await app.client.call("downloads.pause", {id: first.id});
        expect(paused).toMatchObject({state: "paused", canResume: true});
        const partial = path.join(paused.destination, "tiny-Q8_0.gguf.partial");
        expect(fs.statSync(partial).size).toBe(paused.downloadedBytes);
        await waitForDownload(app.client, second.id, (j) => j.state === "downloading" && j.downloadedBytes > 0);

        await app.client.call("downloads.resume", {id: first.id});
        expect((await app.client.call("downloads.list", {})).find((j) => j.id === first.id)!.state).toBe("queued");
        const cancelled = await app.client.call("downloads.cancel", {id: second.id});
        expect(cancelled.state).toBe("cancelled");
        expect(fs.readdirSync(cancelled.destination).filter((f) => f.startsWith("tiny-Q4_0"))).toEqual([]);

        const done = await waitForDownload(app.client, first.id);
        expect(done.state).toBe("completed");
        const resumedFrom = contentRequests("tiny-Q8_0.gguf").at(-1)!;
        expect(resumedFrom.range).toBe(`bytes=${paused.downloadedBytes}-`);
        expect((await app.client.call("models.list", {})).map((m) => m.id)).toEqual(["tiny-q8_0"]);
    });

    it("checks free disk space before starting (saying how much is needed) and keeps the partial when the disk fills", async () => {
        {
            await using app = await startDownloadsApp({}, {probeSources: {disk: async (folder: string) => ({path: folder, freeBytes: 1024 * 1024, totalBytes: 1e12})}});
            const error = (await app.client.call("downloads.start", {reference: "hf:acme/tiny-GGUF:Q8_0"}).catch((e: unknown) => e)) as Error;
            expect(error).toMatchObject({code: "DOWNLOAD_INSUFFICIENT_DISK"});
            expect(error.message).toContain("needs 5.0 MB more disk space");
            expect(error.message).toContain("only 1.0 MB is free");
            expect(await app.client.call("downloads.list", {})).toEqual([]);
        }
        if (!fs.existsSync("/dev/full")) return;
        await using app = await startDownloadsApp();
        const partial = path.join(app.home.models, "huggingface", "acme", "tiny-GGUF", "tiny-Q8_0.gguf.partial");
        fs.mkdirSync(path.dirname(partial), {recursive: true});
        fs.symlinkSync("/dev/full", partial); // every write fails with ENOSPC, as on a full disk
        const job = await app.client.call("downloads.start", {reference: "hf:acme/tiny-GGUF:Q8_0"});
        const failed = await waitForDownload(app.client, job.id);
        expect(failed).toMatchObject({state: "failed", canResume: true, error: {code: "DOWNLOAD_DISK_FULL"}});
        expect(failed.error!.message).toContain("partial file is kept");
        expect(fs.lstatSync(partial).isSymbolicLink()).toBe(true);

        fs.unlinkSync(partial); // space freed
        await app.client.call("downloads.resume", {id: job.id});
        expect((await waitForDownload(app.client, job.id)).state).toBe("completed");
    });
});

describe("local models", () => {
    it("imports a file or a folder (LM Studio and Hugging Face cache layouts) in place, and removes only what it downloaded", async () => {
        await using app = await startDownloadsApp();
        using userHome = createTempHome("agentfit-user-home-");
        // LM Studio: ~/.lmstudio/models/<publisher>/<repo>/<file>.gguf, with a split model and a stray partial.
        const lmStudio = path.join(userHome.home, ".lmstudio", "models", "acme", "tiny-GGUF");
        fs.mkdirSync(lmStudio, {recursive: true});
        fs.copyFileSync(fixtures.single.path, path.join(lmStudio, "tiny-Q8_0.gguf"));
        for (const part of fixtures.split.paths) fs.copyFileSync(part, path.join(lmStudio, path.basename(part)));
        fs.copyFileSync(fixtures.single.path, path.join(lmStudio, "other-Q8_0.gguf.partial"));
        fs.copyFileSync(fixtures.notGguf, path.join(lmStudio, "README.gguf"));
        // Hugging Face cache: snapshots link to blobs named by their SHA-256.
        const hfRepo = path.join(userHome.home, ".cache", "huggingface", "hub", "models--acme--tiny-GGUF");
        fs.mkdirSync(path.join(hfRepo, "blobs"), {recursive: true});
        fs.mkdirSync(path.join(hfRepo, "snapshots", "abc123"), {recursive: true});
        fs.copyFileSync(fixtures.single.path, path.join(hfRepo, "blobs", fixtures.single.sha256));
        fs.symlinkSync(path.join("..", "..", "blobs", fixtures.single.sha256), path.join(hfRepo, "snapshots", "abc123", "tiny-Q8_0.gguf"));

        await using scoped = await startApp({service: {downloads: {...testDownloadSettings(hub.endpoint), homeDir: userHome.home}}});
        const locations = await scoped.client.call("models.importLocations", {});
        expect(locations.find((l) => l.label === "LM Studio")).toMatchObject({exists: true, ggufCount: 3, path: path.join(userHome.home, ".lmstudio", "models")});
        if (!process.env.HF_HOME && !process.env.HF_HUB_CACHE && !process.env.XDG_CACHE_HOME)
            expect(locations.find((l) => l.label === "Hugging Face cache")).toMatchObject({exists: true, ggufCount: 1});

        const lm = await app.client.call("models.import", {path: path.join(userHome.home, ".lmstudio", "models")});
        expect(lm.imported.map((m) => m.name).sort()).toEqual(["tiny-Q4_0", "tiny-Q8_0"]);
        expect(lm.skipped).toEqual([expect.objectContaining({path: path.join(lmStudio, "README.gguf"), code: "GGUF_INVALID"})]);
        const split = lm.imported.find((m) => m.name === "tiny-Q4_0")!;
        expect(split).toMatchObject({managed: false, path: path.join(lmStudio, path.basename(fixtures.split.paths[0]!)), sizeBytes: fixtures.split.size});
        expect(split.files).toHaveLength(3);

        const hf = await app.client.call("models.import", {path: path.join(userHome.home, ".cache", "huggingface", "hub")});
        expect(hf.imported).toHaveLength(1);
        expect(hf.imported[0]).toMatchObject({id: "tiny-q8_0-2", sha256: fixtures.single.sha256, path: path.join(hfRepo, "snapshots", "abc123", "tiny-Q8_0.gguf")});

        const again = await app.client.call("models.import", {path: path.join(lmStudio, "tiny-Q8_0.gguf")});
        expect(again.imported).toEqual([]);
        expect(again.alreadyRegistered.map((m) => m.id)).toEqual(["tiny-q8_0"]);
        expect(await app.client.call("models.import", {path: path.join(lmStudio, "other-Q8_0.gguf.partial")}).catch((e: unknown) => e)).toMatchObject({code: "IMPORT_GGUF_INVALID", message: expect.stringContaining("unfinished download")});
        expect(await app.client.call("models.import", {path: path.join(userHome.home, "nowhere")}).catch((e: unknown) => e)).toMatchObject({code: "IMPORT_NOT_FOUND"});
        expect(await app.client.call("models.get", {reference: "tiny-q8"}).catch((e: unknown) => e)).toMatchObject({code: "MODEL_AMBIGUOUS"});

        // Imported files stay on disk when the model is removed; downloaded ones are deleted.
        const removed = await app.client.call("models.remove", {reference: "tiny-q8_0"});
        expect(removed.deletedFiles).toEqual([]);
        expect(fs.existsSync(path.join(lmStudio, "tiny-Q8_0.gguf"))).toBe(true);
        const job = await app.client.call("downloads.start", {reference: "hf:acme/tiny-GGUF:Q8_0"});
        const done = await waitForDownload(app.client, job.id);
        const downloaded = await app.client.call("models.get", {reference: done.modelId!});
        const {deletedFiles} = await app.client.call("models.remove", {reference: downloaded.path});
        expect(deletedFiles).toEqual([downloaded.path]);
        expect(fs.existsSync(downloaded.path)).toBe(false);
    });

    it("finds Ollama's models (manifests naming sha256 blobs) and Jan's folder, and imports them in place under Ollama's names", async () => {
        using userHome = createTempHome("agentfit-user-home-");
        // Ollama: ~/.ollama/models/manifests/<registry>/<namespace>/<model>/<tag> → blobs/sha256-<hex>, no .gguf extension.
        const ollama = path.join(userHome.home, ".ollama", "models");
        const blob = path.join(ollama, "blobs", `sha256-${fixtures.single.sha256}`);
        fs.mkdirSync(path.dirname(blob), {recursive: true});
        fs.copyFileSync(fixtures.single.path, blob);
        fs.writeFileSync(path.join(ollama, "blobs", "sha256-" + "0".repeat(64)), "{}"); // the config layer
        const manifest = (model: string, tag: string, namespace = "library") => {
            const file = path.join(ollama, "manifests", "registry.ollama.ai", namespace, model, tag);
            fs.mkdirSync(path.dirname(file), {recursive: true});
            const layers = [
                {mediaType: "application/vnd.ollama.image.model", digest: `sha256:${fixtures.single.sha256}`, size: fixtures.single.size},
                {mediaType: "application/vnd.ollama.image.template", digest: `sha256:${"0".repeat(64)}`, size: 2}
            ];
            fs.writeFileSync(file, JSON.stringify({schemaVersion: 2, mediaType: "application/vnd.docker.distribution.manifest.v2+json", layers}));
        };
        manifest("tiny", "q8_0");
        manifest("tiny", "latest"); // a second tag of the same blob counts once
        fs.mkdirSync(path.join(ollama, "manifests", "registry.ollama.ai", "library", "broken"), {recursive: true});
        fs.writeFileSync(path.join(ollama, "manifests", "registry.ollama.ai", "library", "broken", "latest"), "not json");
        // Jan: ~/jan/models/<model id>/<file>.gguf
        const jan = path.join(userHome.home, "jan", "models", "tiny-q4");
        fs.mkdirSync(jan, {recursive: true});
        for (const part of fixtures.split.paths) fs.copyFileSync(part, path.join(jan, path.basename(part)));

        await using app = await startApp({service: {downloads: {...testDownloadSettings(hub.endpoint), homeDir: userHome.home}}});
        const locations = await app.client.call("models.importLocations", {});
        expect(locations.find((l) => l.label === "Ollama")).toMatchObject({exists: true, ggufCount: 1, path: ollama});
        expect(locations.find((l) => l.label === "Jan")).toMatchObject({exists: true, ggufCount: 1, path: path.join(userHome.home, "jan", "models")});

        const fromOllama = await app.client.call("models.import", {path: path.join(userHome.home, ".ollama")});
        expect(fromOllama.imported).toHaveLength(1);
        expect(fromOllama.imported[0]).toMatchObject({name: "tiny:latest", id: "tiny-latest", path: blob, sha256: fixtures.single.sha256, managed: false});
        expect(fromOllama.imported[0]!.facts.quantization).toBe("Q8_0");
        const fromJan = await app.client.call("models.import", {path: path.join(userHome.home, "jan", "models")});
        expect(fromJan.imported.map((m) => m.name)).toEqual(["tiny-Q4_0"]);
        expect((await app.client.call("models.import", {path: ollama})).alreadyRegistered.map((m) => m.id)).toEqual(["tiny-latest"]);
        await app.client.call("models.remove", {reference: "tiny-latest"});
        expect(fs.existsSync(blob)).toBe(true);
    });
});
