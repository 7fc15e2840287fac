import fs from "node:fs";
import path from "node:path";
import type {Browser} from "playwright-core";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {startApp} from "../utils/startApp.ts";

let browser: Browser & AsyncDisposable;

beforeAll(async () => {
    browser = await launchBrowserForUi();
});
afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
});

describe("Benchmark screen (browser mode)", () => {
    it("runs quantizations of one model at several depths with live progress, then shows the results table, charts, score and export", async () => {
        await using app = await startApp({serveUi: true, service: {measureBandwidthAutomatically: false}});
        for (const type of ["Q8_0", "Q4_0"] as const)
            writeGgufModel(path.join(app.home.models, `coder-${type.toLowerCase()}.gguf`), {...ggufModelPresets.tiny, embeddingLength: 256, contextLength: 2048, type});
        const page = await browser.newPage({viewport: {width: 1360, height: 1100}, acceptDownloads: true});
        const consoleErrors: string[] = [];
        page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
        await page.goto(`${app.server.url}/#/benchmark`);

        await expect.poll(() => page.getByTestId("bench-models").locator("label").count()).toBe(2);
        // The first file is picked; pick the second too.
        await page.getByTestId("bench-models").locator("label").nth(1).locator("input").check();
        await page.getByTestId("bench-pp").fill("64");
        await page.getByTestId("bench-tg").fill("16");
        await page.getByTestId("bench-reps").fill("5");
        await page.getByTestId("bench-depths").fill("0,512,1024");
        await page.getByTestId("bench-threads").fill("1");
        await page.getByTestId("bench-start").click();

        // Live progress: the current test and its repetition count while it measures.
        await expect.poll(() => page.getByTestId("bench-current").textContent(), {timeout: 180_000}).toMatch(/repetition \d+ of 5/);
        // With the time it has run and what is left, extrapolated from the tests and repetitions done.
        await expect.poll(() => page.getByTestId("bench-timing").textContent()).toMatch(/^Elapsed .+ · ETA .+/);
        await page.screenshot({path: path.join(screenshotDir, "bench-running.png"), fullPage: true});

        await expect.poll(() => page.getByTestId("bench-status").textContent(), {timeout: 300_000}).toBe("completed");
        // 2 files × (pp, tg at 3 depths + TTFT) = 14 rows, all measured.
        await expect.poll(() => page.getByTestId("bench-result-row").count()).toBe(14);
        const speeds = () => page.getByTestId("bench-speed").allTextContents();
        await expect.poll(async () => (await speeds()).filter((s) => /± .* tok\/s$/.test(s))).toHaveLength(12);
        await expect.poll(async () => (await speeds()).filter((s) => /ms to first token$/.test(s))).toHaveLength(2);
        await expect.poll(() => page.getByTestId("bench-score").count()).toBe(2);
        // Charts: bars per quantization, lines per configuration against depth.
        // pp and tg in panels of their own, each one unit on one axis: two bars (one per file) in each.
        await expect.poll(() => page.getByTestId("quantization-chart-pp").locator(".recharts-bar-rectangle").count()).toBe(2);
        await expect.poll(() => page.getByTestId("quantization-chart-tg").locator(".recharts-bar-rectangle").count()).toBe(2);
        await expect.poll(() => page.getByTestId("quantization-chart").locator(".recharts-yAxis").count()).toBe(2);
        await expect.poll(() => page.getByTestId("depth-chart").locator(".recharts-line").count()).toBe(2);
        await expect.poll(() => page.getByTestId("quantization-chart").textContent()).toContain("Q4_0");
        await page.screenshot({path: path.join(screenshotDir, "bench-results.png"), fullPage: true});

        // The export is llama-bench JSON.
        const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("bench-export").click()]);
        const exported = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as {n_prompt: number; n_gen: number; avg_ts: number; samples_ns: number[]}[];
        expect(exported).toHaveLength(14);
        expect(exported.filter((e) => e.n_prompt === 0 && e.n_gen === 16)).toHaveLength(6);
        for (const entry of exported) expect(entry.samples_ns).toHaveLength(5);

        // A second run, cancelled from the screen, is kept and marked cancelled.
        await page.getByTestId("bench-reps").fill("100");
        await page.getByTestId("bench-depths").fill("0");
        await page.getByTestId("bench-start").click();
        await expect.poll(() => page.getByTestId("bench-current").textContent(), {timeout: 180_000}).toMatch(/repetition [1-9]\d* of 100/);
        await page.getByTestId("bench-cancel").click();
        await expect.poll(() => page.getByTestId("bench-status").textContent(), {timeout: 180_000}).toBe("cancelled");
        await expect.poll(() => page.getByTestId("bench-run-row").count()).toBe(2);
        await expect.poll(() => page.getByTestId("bench-run-row").first().textContent()).toContain("cancelled");
        expect(consoleErrors).toEqual([]);
        // Two runs of real measurements: on a machine shared with other work they take minutes.
    }, 900_000);
});
