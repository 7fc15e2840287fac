import path from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Browser} from "playwright-core";
import type {HardwareSnapshot} from "../../electron/api/HardwareApi.ts";
import {backendLabel, formatBytes} from "../../electron/shared/format.ts";
import {launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {runCli} from "../utils/runCli.ts";
import {startApp} from "../utils/startApp.ts";

let browser: Browser & AsyncDisposable;

beforeAll(async () => {
    browser = await launchBrowserForUi();
});
afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
});

describe("Hardware screen (browser mode)", () => {
    it("shows this machine's probe, matching `agentfit probe --json`, and keeps earlier snapshots", async () => {
        await using app = await startApp({serveUi: true});
        const cli = await runCli(["probe", "--json"], app.home.env);
        expect(cli.code).toBe(0);
        const probe = JSON.parse(cli.stdout) as HardwareSnapshot;

        const page = await browser.newPage({viewport: {width: 1360, height: 1000}});
        const consoleErrors: string[] = [];
        page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
        await page.goto(`${app.server.url}/#/hardware`);

        await expect.poll(() => page.getByTestId("snapshot-caption").textContent()).toContain(`#${probe.id}`);
        expect(await page.getByTestId("cpu-brand").textContent()).toBe(probe.cpu.brand);
        expect(await page.getByTestId("cpu-cores").textContent()).toBe(`${probe.cpu.physicalCores} physical · ${probe.cpu.logicalCores} logical`);
        expect(await page.getByTestId("ram-total").textContent()).toBe(formatBytes(probe.memory.totalBytes));
        expect(await page.getByTestId("ram-available").textContent()).toBe(formatBytes(probe.memory.availableBytes));
        expect(await page.getByTestId("backend").textContent()).toBe(backendLabel(probe.backend.selected));
        expect(await page.getByTestId("disk-free").textContent()).toBe(`${formatBytes(probe.disk!.freeBytes)} free`);
        const isas = await page.getByTestId("instruction-sets").locator(".chip").allTextContents();
        expect(isas).toEqual(probe.cpu.instructionSets);
        if (probe.gpus.length === 0) expect(await page.getByTestId("no-gpu").isVisible()).toBe(true);
        else expect(await page.getByTestId("gpu-row").count()).toBe(probe.gpus.length);
        expect(await page.getByTestId("app-info").textContent()).toContain("browser mode");
        // Not measured yet: the assumed default, then a real measurement from the card, flagged when the machine was busy.
        await expect.poll(() => page.getByTestId("bandwidth-value").textContent()).toContain("assumed");
        await page.getByTestId("measure-bandwidth").click();
        await expect.poll(() => page.getByTestId("bandwidth-measurements").locator("tbody tr").count(), {timeout: 60_000}).toBe(1);
        const status = await app.client.call("models.bandwidth", {});
        expect(await page.getByTestId("bandwidth-value").textContent()).toContain(status.underLoad ? "measured under load" : "measured, machine quiet");
        expect(await page.getByTestId("bandwidth-under-load").count()).toBe(status.underLoad ? 1 : 0);
        await page.screenshot({path: path.join(screenshotDir, "hardware.png"), fullPage: true});

        await page.getByTestId("probe-button").click();
        await expect.poll(() => page.getByTestId("snapshot-row").count()).toBe(2);
        await expect.poll(() => page.getByTestId("snapshot-caption").textContent()).toContain("Latest snapshot #2");

        // Picking the earlier snapshot shows it.
        await page.getByTestId("snapshot-row").nth(1).click();
        await expect.poll(() => page.getByTestId("snapshot-caption").textContent()).toContain("Earlier snapshot #1");
        await page.screenshot({path: path.join(screenshotDir, "hardware-history.png"), fullPage: true});
        expect(consoleErrors).toEqual([]);
        await page.close();
    });

    it("probes on first visit and lists what it could not read", async () => {
        await using app = await startApp({
            serveUi: true,
            service: {
                probeSources: {
                    graphics: async () => {
                        throw new Error("lspci: command not found");
                    }
                }
            }
        });
        const page = await browser.newPage({viewport: {width: 1360, height: 900}});
        await page.goto(`${app.server.url}/#/hardware`);
        await expect.poll(() => page.getByTestId("probe-issues").textContent()).toContain("lspci: command not found");
        expect(await page.getByTestId("snapshot-row").count()).toBe(1);
        await page.screenshot({path: path.join(screenshotDir, "hardware-issues.png"), fullPage: true});
        await page.close();
    });
});
