import fs from "node:fs";
import path from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Browser} from "playwright-core";
import {launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {createDownloadFixtures, testDownloadSettings, type DownloadFixtures} from "../utils/downloadFixtures.ts";
import {startFakeHuggingFace, type FakeHuggingFace} from "../../testkit/fakeHuggingFace.ts";
import {startApp} from "../utils/startApp.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

let browser: Browser & AsyncDisposable;
let fixtures: DownloadFixtures;
let hub: FakeHuggingFace;

beforeAll(async () => {
    browser = await launchBrowserForUi();
    fixtures = createDownloadFixtures();
    hub = await startFakeHuggingFace({repos: fixtures.repos});
});
afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await hub?.[Symbol.asyncDispose]();
    fixtures?.[Symbol.dispose]();
});

describe("Downloads screen (browser mode)", () => {
    it("downloads with live progress, pauses and resumes, lists the model, and imports a folder", async () => {
        using userHome = createTempHome("agentfit-e2e-user-");
        const lmStudio = path.join(userHome.home, ".lmstudio", "models", "acme", "coder-GGUF");
        fs.mkdirSync(lmStudio, {recursive: true});
        fs.copyFileSync(fixtures.single.path, path.join(lmStudio, "coder-7b-Q8_0.gguf"));
        await using app = await startApp({serveUi: true, service: {downloads: {...testDownloadSettings(hub.endpoint), homeDir: userHome.home}}});
        hub.faults.push({file: "tiny-Q8_0.gguf", bytesPerSecond: 1024 * 1024, times: 5});

        const page = await browser.newPage({viewport: {width: 1360, height: 1000}});
        const consoleErrors: string[] = [];
        page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
        await page.goto(`${app.server.url}/#/downloads`);
        await expect.poll(() => page.getByTestId("queue-empty").isVisible()).toBe(true);
        await expect.poll(() => page.getByTestId("models-empty").isVisible()).toBe(true);
        await expect.poll(() => page.getByTestId("import-location").first().textContent()).toContain("LM Studio");

        await page.getByTestId("download-reference").fill("hf:acme/tiny-GGUF:Q8_0");
        await page.getByTestId("download-button").click();
        const row = page.getByTestId("download-row").first();
        await expect.poll(() => row.getAttribute("data-state")).toBe("downloading");
        await expect.poll(() => row.getByTestId("download-transfer").textContent(), {timeout: 10_000}).toMatch(/\d+% · .* of 5\.0 MB · .*\/s · ETA \d/);
        await page.screenshot({path: path.join(screenshotDir, "downloads-progress.png"), fullPage: true});

        await row.getByTestId("pause-button").click();
        await expect.poll(() => row.getAttribute("data-state")).toBe("paused");
        await expect.poll(() => row.getByTestId("download-transfer").textContent()).toMatch(/^\d+% · [\d.]+ [KM]B of 5\.0 MB$/);
        await page.screenshot({path: path.join(screenshotDir, "downloads-paused.png"), fullPage: true});

        await row.getByTestId("resume-button").click();
        await expect.poll(() => row.getAttribute("data-state"), {timeout: 20_000}).toBe("completed");
        await expect.poll(() => page.getByTestId("model-row").count()).toBe(1);
        await expect.poll(() => page.getByTestId("model-row").first().textContent()).toContain("tiny-q8_0");
        await expect.poll(() => page.getByTestId("model-row").first().textContent()).toContain(`SHA-256 ${fixtures.single.sha256.slice(0, 8)}`);

        // A corrupted transfer: the error says what differed and offers a re-download. The corruption
        // holds for every request until the re-download, so a retry on a busy machine cannot fetch clean bytes.
        const corruption = {file: "tiny-Q4_0-00002-of-00003.gguf", corruptAt: 1000, times: Number.MAX_SAFE_INTEGER};
        hub.faults.push(corruption);
        await page.getByTestId("download-reference").fill("hf:acme/tiny-GGUF:Q4_0");
        await page.getByTestId("download-button").click();
        const failed = page.locator('[data-testid="download-row"][data-state="failed"]');
        await expect.poll(() => failed.count(), {timeout: 60_000}).toBe(1);
        await expect.poll(() => failed.getByTestId("download-error").textContent()).toContain("DOWNLOAD_CHECKSUM_MISMATCH");
        await expect.poll(() => failed.getByTestId("redownload-button").isVisible()).toBe(true);

        // Errors before a download starts are shown where the user typed.
        await page.getByTestId("download-reference").fill("hf:acme/tiny-GGUF:Q5_K_M");
        await page.getByTestId("download-button").click();
        await expect.poll(() => page.getByTestId("start-download").textContent()).toContain("Available: Q8_0, Q4_0");

        await page.getByTestId("import-location").first().getByTestId("scan-location").click();
        await expect.poll(() => page.getByTestId("import-result").textContent()).toContain("1 imported");
        await expect.poll(() => page.getByTestId("model-row").count()).toBe(2);
        await page.screenshot({path: path.join(screenshotDir, "downloads.png"), fullPage: true});

        hub.faults.splice(hub.faults.indexOf(corruption), 1);
        await failed.getByTestId("redownload-button").click();
        await expect.poll(() => page.getByTestId("model-row").count(), {timeout: 20_000}).toBe(3);

        // Removing an imported model leaves its file alone.
        const imported = page.getByTestId("model-row").filter({hasText: "coder-7b-q8_0"});
        await imported.getByTestId("remove-model").click();
        await imported.getByTestId("remove-model").click();
        await expect.poll(() => page.getByTestId("model-row").count()).toBe(2);
        expect(fs.existsSync(path.join(lmStudio, "coder-7b-Q8_0.gguf"))).toBe(true);
        // The refused download above answers HTTP 404 (DOWNLOAD_NOT_FOUND), which Chromium logs; nothing else may fail.
        expect(consoleErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
        await page.close();
    });

    it("downloads a quantization straight from the Models screen, which then shows it as downloaded", async () => {
        // Catalog ids resolve to the fake Hub's tiny model; everything after resolution is the production path.
        const catalogLookup = {
            resolve: (reference: string) => ({
                modelId: reference.split(":")[0]!,
                quantization: reference.split(":")[1] ?? "Q8_0",
                huggingFaceRepo: "acme/tiny-GGUF",
                files: ["tiny-Q8_0.gguf"],
                sizeBytes: fixtures.single.size,
                sha256: fixtures.single.sha256
            })
        };
        await using app = await startApp({serveUi: true, service: {downloads: testDownloadSettings(hub.endpoint), catalogLookup}});
        await app.client.call("hardware.probe", {});
        const page = await browser.newPage({viewport: {width: 1360, height: 1000}});
        await page.goto(`${app.server.url}/#/models`);
        // The list re-sorts as the machine's figures arrive: pick a model, then always address it by id.
        const modelId = await page.getByTestId("model-row").first().getAttribute("data-model-id");
        const modelRow = page.locator(`[data-testid="model-row"][data-model-id="${modelId}"]`);
        await modelRow.click();
        const details = page.getByTestId("model-details");
        const download = details.getByTestId("catalog-download").first();
        const label = (await download.textContent())!;
        const quantization = label.replace("Download ", "").trim();
        await download.click();

        await expect.poll(() => new URL(page.url()).hash).toBe("#/downloads");
        const row = page.getByTestId("download-row").first();
        await expect.poll(() => row.getAttribute("data-state"), {timeout: 20_000}).toBe("completed");
        await expect.poll(() => row.textContent()).toContain(`${modelId}:${quantization}`);

        await page.goto(`${app.server.url}/#/models`);
        await modelRow.click();
        await expect.poll(() => page.getByTestId("model-details").textContent()).toContain("Downloaded");
        await page.screenshot({path: path.join(screenshotDir, "models-downloaded.png")});
        await page.close();
    });
});
