import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Browser} from "playwright-core";
import {launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {fixedMachine} from "../utils/fixedMachines.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {startApp} from "../utils/startApp.ts";

let browser: Browser & AsyncDisposable;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-models-e2e-"));

beforeAll(async () => {
    browser = await launchBrowserForUi();
});
afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    fs.rmSync(dir, {recursive: true, force: true});
});

describe("Models screen (browser mode)", () => {
    it("shows the ranked recommendation, per-quantization tables, settings, what-if and inspect", async () => {
        await using app = await startApp({serveUi: true, service: {probeSources: fixedMachine("rtx4060-32gb"), measureBandwidthAutomatically: false}});
        const expected = await app.client.call("models.recommend", {});
        const page = await browser.newPage({viewport: {width: 1440, height: 1100}});
        const consoleErrors: string[] = [];
        page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
        await page.goto(`${app.server.url}/#/models`);

        await expect.poll(() => page.getByTestId("models-summary").textContent()).toContain(expected.summary);
        await expect.poll(() => page.getByTestId("hardware-label").textContent()).toMatch(/^This machine\(probe #1\)32.0 GB RAM/);
        const rows = page.getByTestId("model-row");
        const shownIds = expected.models.filter((m) => m.verdict !== "no-fit").map((m) => m.model.id);
        await expect.poll(() => rows.count()).toBe(shownIds.length);
        await expect.poll(() => rows.first().getAttribute("data-model-id")).toBe(expected.topPick);
        await expect.poll(() => rows.first().getByTestId("fit-badge").textContent()).toMatch(/GPU/);
        await expect.poll(() => rows.first().getByTestId("predicted-speed").textContent()).toMatch(/tok\/s.*predicted at 16k/);
        await expect.poll(() => rows.first().getByTestId("ram-bar").count()).toBe(1);
        await page.screenshot({path: path.join(screenshotDir, "models.png"), fullPage: false});

        // One model's quantizations, with the best one marked.
        await rows.first().click();
        const quantRows = page.getByTestId("quant-table").getByTestId("quant-row");
        await expect.poll(() => quantRows.count()).toBe(expected.models[0]!.options.length);
        await expect.poll(() => page.getByTestId("quant-table").textContent()).toContain("Best here");
        await expect.poll(() => page.getByTestId("model-details").textContent()).toContain(`agentfit pull ${expected.topPick}:${expected.models[0]!.bestQuantization}`);
        await page.getByTestId("model-details").screenshot({path: path.join(screenshotDir, "models-quantizations.png")});

        // Settings: a smaller context needs less memory; a quantized KV cache forces flash attention.
        const ramText = () => rows.first().getByTestId("ram-bar").getAttribute("aria-label");
        const before = await ramText();
        await page.getByTestId("context-select").selectOption("8192");
        await expect.poll(ramText).not.toBe(before);
        await page.getByTestId("kv-select").getByText("q8_0").click();
        await expect.poll(() => page.getByTestId("flash-attention").isDisabled()).toBe(true);
        await expect.poll(() => page.getByTestId("flash-attention").isChecked()).toBe(true);

        // What if: a 16 GB MacBook Air.
        await page.getByTestId("context-select").selectOption("32768");
        await page.getByTestId("kv-select").getByText("f16").click();
        const air = await app.client.call("models.recommend", {hardware: {preset: "macbook-air-m2-16gb"}});
        await page.getByTestId("whatif-preset").selectOption("macbook-air-m2-16gb");
        await expect.poll(() => page.getByTestId("hardware-label").textContent()).toContain("MacBook Air M2, 16 GB");
        await expect.poll(() => page.getByTestId("models-summary").textContent()).toContain(air.summary);
        await expect.poll(() => rows.first().getAttribute("data-model-id")).toBe(air.topPick);
        await page.screenshot({path: path.join(screenshotDir, "models-what-if.png"), fullPage: false});

        // A custom machine with an impossible value is refused with the reason.
        await page.getByTestId("whatif-ram").fill("-8GB");
        await page.getByTestId("whatif-apply").click();
        await expect.poll(() => page.getByRole("alert").textContent()).toContain("HARDWARE_OVERRIDE_INVALID");

        // Any GGUF: a local file is read and estimated.
        await page.getByTestId("whatif-ram").fill("");
        await page.getByTestId("whatif-preset").selectOption("laptop-16gb-ddr4");
        const file = writeGgufModel(path.join(dir, "inspect-me.gguf"), {...ggufModelPresets.small, type: "Q8_0", contextLength: 32768});
        await page.getByTestId("inspect-input").fill(file.path);
        await page.getByTestId("inspect-button").click();
        await expect.poll(() => page.getByTestId("inspect-result").textContent(), {timeout: 30_000}).toContain("AgentFit test model");
        await expect.poll(() => page.getByTestId("inspect-result").textContent()).toContain("llama");
        await expect.poll(() => page.getByTestId("resolver-line").textContent()).toMatch(/node-llama-cpp's resolver/);
        await page.getByTestId("inspect-panel").screenshot({path: path.join(screenshotDir, "models-inspect.png")});
        await page.getByTestId("inspect-input").fill(path.join(dir, "missing.gguf"));
        await page.getByTestId("inspect-button").click();
        await expect.poll(() => page.getByTestId("inspect-panel").getByRole("alert").textContent()).toContain("GGUF_NOT_FOUND");

        await page.screenshot({path: path.join(screenshotDir, "models-full.png"), fullPage: true});
        expect(consoleErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
        await page.close();
    });
});
