import path from "node:path";
import type {Browser, Page} from "playwright-core";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {systemProbeSources} from "../../electron/core/hardware/probeSources.ts";
import {elementsWiderThanWindow, launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {startApp} from "../utils/startApp.ts";

let browser: Browser & AsyncDisposable;

beforeAll(async () => {
    browser = await launchBrowserForUi();
});
afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
});

async function openPage(url: string): Promise<{page: Page; errors: string[]}> {
    const page = await browser.newPage({viewport: {width: 1440, height: 1000}});
    const errors: string[] = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(url);
    return {page, errors};
}

describe("the Verdict while it is computed", () => {
    it("while the Verdict is computed, the page names what it waits for, then shows the verdict once that is in", async () => {
        // The hardware probe is held (its memory reading waits for the test), as a first probe on a busy machine would take its time.
        let releaseProbe!: () => void;
        const probeHeld = new Promise<void>((resolve) => (releaseProbe = resolve));
        await using app = await startApp({
            serveUi: true,
            service: {measureBandwidthAutomatically: false, probeSources: {memory: async () => (await probeHeld, systemProbeSources.memory())}}
        });
        try {
            const {page, errors} = await openPage(`${app.server.url}/#/verdict`);
            const waiting = page.getByTestId("verdict-waiting");
            const part = (label: string) => waiting.getByTestId("waiting-part").filter({hasText: label});
            await expect.poll(() => part("This machine").getAttribute("data-ready"), {timeout: 60_000}).toBe("false");
            await expect.poll(() => part("This machine").textContent()).toContain("probing the hardware");
            // What is already read says so, with what it found.
            await expect.poll(() => part("Eval results").getAttribute("data-ready"), {timeout: 60_000}).toBe("true");
            await expect.poll(() => part("Eval results").textContent()).toContain("0 eval runs stored");
            await expect.poll(() => part("Benchmark results").textContent()).toContain("0 benchmark results stored");
            await expect.poll(() => part("Each model against the thresholds").textContent()).toMatch(/reading model headers .+ \d+ s$/);
            await expect.poll(() => page.getByTestId("verdict-answer").count()).toBe(0);
            for (const width of [900, 1440]) {
                await page.setViewportSize({width, height: 1000});
                expect(await elementsWiderThanWindow(page)).toEqual([]);
                await page.screenshot({path: path.join(screenshotDir, `verdict-waiting-${width}.png`), fullPage: true});
            }

            releaseProbe();
            await expect.poll(() => page.getByTestId("verdict-answer").getAttribute("data-verdict"), {timeout: 60_000}).toBe("untested");
            await expect.poll(() => waiting.count()).toBe(0);
            expect(errors).toEqual([]);
            await page.close();
        } finally {
            releaseProbe();
        }
    });

});
