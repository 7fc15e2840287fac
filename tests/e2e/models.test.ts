import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Browser} from "playwright-core";
import {elementsWiderThanWindow, launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {fixedMachine} from "../utils/fixedMachines.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {startApp} from "../utils/startApp.ts";

let browser: Browser & AsyncDisposable;
/** States are waited for, generously: on a busy machine a verdict or a recommendation takes seconds. */
const wait = {timeout: 60_000};
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

        await expect.poll(() => page.getByTestId("models-summary").textContent(), wait).toContain(expected.summary);
        expect(await page.getByTestId("hardware-label").textContent()).toMatch(/^This machine\(probe #1\)32.0 GB RAM/);
        const rows = page.getByTestId("model-row");
        const shownIds = expected.models.filter((m) => m.verdict !== "no-fit").map((m) => m.model.id);
        await expect.poll(() => rows.count(), wait).toBe(shownIds.length);
        expect(await rows.first().getAttribute("data-model-id")).toBe(expected.topPick);
        expect(await rows.first().getByTestId("fit-badge").textContent()).toMatch(/GPU/);
        expect(await rows.first().getByTestId("predicted-speed").textContent()).toMatch(/tok\/s.*predicted at 16k/);
        expect(await rows.first().getByTestId("ram-bar").count()).toBe(1);
        // One set of words, each row judged with the Verdict's rules, and a legend saying what they mean.
        const labels = {usable: "Usable", almost: "Almost", no: "No", "no-fit": "Doesn't fit"} as const;
        const shown = expected.models.filter((m) => m.verdict !== "no-fit");
        expect(await rows.getByTestId("verdict-badge").allTextContents()).toEqual(shown.map((m) => labels[m.verdict]));
        expect(await rows.first().getByTestId("predicted-turn").textContent()).toMatch(/^~[\d.]+ (s|min) per agent turnfirst turn [\d.]+ (s|min)$/);
        const legend = page.getByTestId("models-legend");
        expect(await legend.locator("dt").allTextContents()).toEqual(["Usable", "Almost", "No", "Doesn't fit"]);
        expect(await legend.textContent()).toContain("fits at 32k context, generates ≥ 10 tok/s at the agent's depth (16k) and takes ≤ 30 s per agent turn");
        expect(await legend.textContent()).toContain("Time per agent turn = a 10-turn session's time ÷ 10");
        expect(await page.getByTestId("models-summary").textContent()).toMatch(/per agent turn \(the first, reading the 8k-token agent prompt cold/);
        await page.screenshot({path: path.join(screenshotDir, "models.png"), fullPage: false});

        // One model's quantizations, with the best one marked, each judged the same way.
        await rows.first().click();
        const quantRows = page.getByTestId("quant-table").getByTestId("quant-row");
        await expect.poll(() => quantRows.count(), wait).toBe(expected.models[0]!.options.length);
        expect(await quantRows.getByTestId("quant-verdict").allTextContents()).toEqual(expected.models[0]!.options.map((o) => labels[o.verdict]));
        expect(await quantRows.first().getByTestId("quant-verdict").getAttribute("title")).toMatch(/^Fits at 32k context: .*\nGeneration speed: ~.*\nTime per agent turn: ~/);
        expect(await page.getByTestId("quant-table").textContent()).toContain("Best here");
        expect(await page.getByTestId("model-details").textContent()).toContain(`agentfit pull ${expected.topPick}:${expected.models[0]!.bestQuantization}`);
        await page.getByTestId("model-details").screenshot({path: path.join(screenshotDir, "models-quantizations.png")});

        // Settings: a smaller context needs less memory; a quantized KV cache forces flash attention.
        const ramText = () => rows.first().getByTestId("ram-bar").getAttribute("aria-label");
        const before = await ramText();
        await page.getByTestId("context-select").selectOption("8192");
        await expect.poll(ramText, wait).not.toBe(before);
        await page.getByTestId("kv-select").getByText("q8_0").click();
        await expect.poll(() => page.getByTestId("flash-attention").isDisabled(), wait).toBe(true);
        expect(await page.getByTestId("flash-attention").isChecked()).toBe(true);

        // What if: a 16 GB MacBook Air.
        await page.getByTestId("context-select").selectOption("32768");
        await page.getByTestId("kv-select").getByText("f16").click();
        const air = await app.client.call("models.recommend", {hardware: {preset: "macbook-air-m2-16gb"}});
        await page.getByTestId("whatif-preset").selectOption("macbook-air-m2-16gb");
        await expect.poll(() => page.getByTestId("hardware-label").textContent(), wait).toContain("MacBook Air M2, 16 GB");
        await expect.poll(() => page.getByTestId("models-summary").textContent(), wait).toContain(air.summary);
        expect(await rows.first().getAttribute("data-model-id")).toBe(air.topPick);
        await page.screenshot({path: path.join(screenshotDir, "models-what-if.png"), fullPage: false});

        // A custom machine with an impossible value is refused with the reason.
        await page.getByTestId("whatif-ram").fill("-8GB");
        await page.getByTestId("whatif-apply").click();
        await expect.poll(() => page.getByRole("alert").textContent(), wait).toContain("HARDWARE_OVERRIDE_INVALID");

        // Any GGUF: a local file is read and estimated.
        await page.getByTestId("whatif-ram").fill("");
        await page.getByTestId("whatif-preset").selectOption("laptop-16gb-ddr4");
        const file = writeGgufModel(path.join(dir, "inspect-me.gguf"), {...ggufModelPresets.small, type: "Q8_0", contextLength: 32768});
        await page.getByTestId("inspect-input").fill(file.path);
        await page.getByTestId("inspect-button").click();
        await expect.poll(() => page.getByTestId("inspect-result").textContent(), {timeout: 30_000}).toContain("AgentFit test model");
        expect(await page.getByTestId("inspect-result").textContent()).toContain("llama");
        expect(await page.getByTestId("resolver-line").textContent()).toMatch(/node-llama-cpp's resolver/);
        await page.getByTestId("inspect-panel").screenshot({path: path.join(screenshotDir, "models-inspect.png")});
        expect(await page.getByTestId("inspect-name").textContent()).toBe("inspect-me");
        // A model trained for 8,192 tokens fails the 32k agent context, and says why.
        const short = writeGgufModel(path.join(dir, "trained-8k.Q8_0.gguf"), {...ggufModelPresets.small, type: "Q8_0", contextLength: 8192});
        await page.getByTestId("inspect-input").fill(short.path);
        await page.getByTestId("inspect-button").click();
        await expect.poll(() => page.getByTestId("inspect-name").textContent(), {timeout: 30_000}).toBe("trained-8k.Q8_0");
        expect(await page.getByTestId("inspect-verdict").textContent()).toBe("Doesn't fit");
        expect(await page.getByTestId("inspect-criteria").textContent()).toContain("Fits at 32k context: fail · trained for 8k — Trained for 8,192 tokens; the agent context is 32,768");
        await page.getByTestId("inspect-panel").screenshot({path: path.join(screenshotDir, "models-inspect-trained-context.png")});
        await page.getByTestId("inspect-input").fill(path.join(dir, "missing.gguf"));
        await page.getByTestId("inspect-button").click();
        await expect.poll(() => page.getByTestId("inspect-panel").getByRole("alert").textContent(), wait).toContain("GGUF_NOT_FOUND");

        await page.screenshot({path: path.join(screenshotDir, "models-full.png"), fullPage: true});
        expect(consoleErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
        await page.close();
    });

    it("judges with the Verdict's thresholds: an edit there changes the agent context and the levels here", async () => {
        await using app = await startApp({serveUi: true, service: {probeSources: fixedMachine("rtx4060-32gb"), measureBandwidthAutomatically: false}});
        const page = await browser.newPage({viewport: {width: 900, height: 1000}});
        await page.goto(`${app.server.url}/#/models`);
        const rows = page.getByTestId("model-row");
        await expect.poll(() => rows.count(), wait).toBeGreaterThan(0);
        expect(await page.getByTestId("context-select").inputValue()).toBe("32768");
        await page.screenshot({path: path.join(screenshotDir, "models-900.png"), fullPage: true});
        expect(await elementsWiderThanWindow(page)).toEqual([]);

        // Stricter turn times and a 16k agent context, edited where the Verdict keeps them.
        await app.client.call("verdict.setThresholds", {contextSize: 16384, usableTurnSeconds: 0.001, almostTurnSeconds: 0.002});
        await expect.poll(() => page.getByTestId("context-select").inputValue(), wait).toBe("16384");
        expect(await page.getByTestId("context-select").locator("option:checked").textContent()).toBe("16k tokens (agent context)");
        await expect.poll(async () => [...new Set(await rows.getByTestId("verdict-badge").allTextContents())], wait).toEqual(["No"]);
        expect(await page.getByTestId("models-legend").textContent()).toContain("takes ≤ 0.001 s per agent turn");
        expect(await page.getByTestId("models-summary").textContent()).toContain("No model is predicted usable at a 16k context here");
        await page.close();
    });
});
