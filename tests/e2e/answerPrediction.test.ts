import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Browser} from "playwright-core";
import type {MachineLoad} from "../../electron/api/ModelsApi.ts";
import {launchBrowserForUi} from "../utils/browser.ts";
import {fixedMachine} from "../utils/fixedMachines.ts";
import {startApp} from "../utils/startApp.ts";

let browser: Browser & AsyncDisposable;

beforeAll(async () => {
    browser = await launchBrowserForUi();
});
afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
});

const busy: MachineLoad = {otherBusyCores: 1.9, cores: 2, loadAverage1m: 4.2, busy: true};

describe("Answer page: the predicted answer (browser mode)", () => {
    it("says when the bandwidth behind the prediction was measured on a busy machine, as the Models screen does", async () => {
        await using app = await startApp({
            serveUi: true,
            service: {
                probeSources: fixedMachine("cpu-32gb"),
                measureBandwidth: async () => ({bytesPerSecond: 5.1e9, roundsBytesPerSecond: [5.1e9], spread: 0.03, threads: 2, method: "injected", load: busy}),
                sampleMachineLoad: async () => busy
            }
        });
        const page = await browser.newPage({viewport: {width: 1360, height: 1000}});
        await page.goto(`${app.server.url}/#/answer`);
        const report = await app.client.call("models.recommend", {});
        expect(report.hardware.bandwidthUnderLoad).toBe(true);
        await expect.poll(() => page.getByTestId("predicted-summary").textContent(), {timeout: 60_000}).toBe(report.summary);
        await expect.poll(() => page.getByTestId("predicted-answer").getByTestId("bandwidth-under-load").textContent()).toMatch(/1\.9 of 2 cores busy/);
        await page.close();
    });
});
