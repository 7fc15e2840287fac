import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {findLocalCpuBuild, nodeLlamaCppLayout} from "../../electron/core/engine/engineBinary.ts";
import {elementsWiderThanWindow, launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {createTempHome} from "../../testkit/tempHome.ts";
import {startApp} from "../utils/startApp.ts";

// The offer to compile the engine for this CPU on the first-launch page, against the real AppService
// and node-llama-cpp's real toolchain: a build is started and cancelled, which leaves nothing behind.
// Where the engine was already built here there is nothing to offer, so this file skips.

describe("the offer to build the engine for this CPU (Answer page)", () => {
    it.skipIf(findLocalCpuBuild(nodeLlamaCppLayout()) !== null)(
        "is shown while the prebuilt engine is in use; a build started from it shows progress and cancels; a dismissal survives reload and restart",
        async () => {
            using home = createTempHome();
            await using browser = await launchBrowserForUi();
            {
                await using app = await startApp({serveUi: true, home, service: {measureBandwidthAutomatically: false}});
                const status = await app.client.call("engine.binary", {});
                expect(status).toMatchObject({next: "prebuilt", local: null, offer: {dismissedAt: {app: null, cli: null}}});
                const page = await browser.newPage({viewport: {width: 900, height: 1000}});
                await page.goto(`${app.server.url}/#/answer`);
                const offer = page.getByTestId("engine-build-offer");
                await expect.poll(() => offer.isVisible()).toBe(true);
                // One line in view, with the measured figures; the answer path comes first, the offer below it.
                await expect.poll(() => page.getByTestId("engine-build-summary").innerText()).toMatch(/0\.4× of llama\.cpp's own llama-bench/);
                const top = async (testId: string) => (await page.getByTestId(testId).boundingBox())?.y ?? null;
                await expect.poll(async () => ((await top("predicted-answer")) ?? Infinity) < ((await top("engine-build-offer")) ?? -Infinity)).toBe(true);
                // The rest is behind Details: the full measurements, and for a build the estimate (labelled so), disk space and compiler.
                await expect.poll(() => page.getByTestId("engine-build-reason").isVisible()).toBe(false);
                await page.getByTestId("engine-build-details").locator("summary").click();
                await expect.poll(() => page.getByTestId("engine-build-reason").innerText()).toMatch(/0\.4× of llama\.cpp's own llama-bench \(16 one-token decodes in 54–66 s\)/);

                if (!status.canBuild) {
                    // No compiler: what to install, in view, and no build button.
                    await expect.poll(() => page.getByTestId("engine-build-requirements").innerText()).toMatch(/C\+\+ compiler: None found .*apt install g\+\+/);
                    await expect.poll(() => page.getByTestId("engine-build").count()).toBe(0);
                } else {
                    await expect.poll(() => page.getByTestId("engine-build-estimate").innerText()).toMatch(/Takes about \d+–\d+ min \(estimate: .*\) and up to [\d.]+ MB of disk space/);
                    await expect.poll(() => page.getByTestId("engine-build-compiler").innerText()).toMatch(/^C\+\+ compiler: \S+/);
                    for (const width of [900, 1440]) {
                        await page.setViewportSize({width, height: 1000});
                        expect(await elementsWiderThanWindow(page)).toEqual([]);
                        await page.screenshot({path: path.join(screenshotDir, `engine-build-offer-${width}.png`), fullPage: true});
                    }

                    await page.setViewportSize({width: 900, height: 1000});
                    await page.getByTestId("engine-build").click();
                    // While it builds: phase, elapsed time and cancel stay in view, the offer's one line says it runs in the background.
                    await expect.poll(() => page.getByTestId("engine-build-phase").innerText(), {timeout: 60_000}).toMatch(/\d+(\.\d)? s elapsed|\d+ min \d+ s elapsed/);
                    await expect.poll(() => page.getByTestId("engine-build-summary").innerText()).toMatch(/^Building the engine for this CPU in the background: everything keeps working on the prebuilt engine/);
                    await expect.poll(() => page.getByTestId("engine-build-cancel").isVisible()).toBe(true);
                    // The page stays usable: the plan's button is still there above the running build.
                    await expect.poll(() => page.getByTestId("plan-button").isEnabled()).toBe(true);
                    await page.screenshot({path: path.join(screenshotDir, "engine-build-offer-building-900.png"), fullPage: true});
                    await page.getByTestId("engine-build-cancel").click();
                    await expect.poll(() => page.getByTestId("engine-build-outcome").textContent(), {timeout: 60_000}).toMatch(/cancelled; the binary in use stays/);
                    expect(await app.client.call("engine.binary", {})).toMatchObject({next: "prebuilt", local: null, build: {state: "cancelled"}});
                    // node-llama-cpp's clone step deletes the file naming the llama.cpp release it ships; a cancelled build puts it back.
                    expect(fs.existsSync(path.join(nodeLlamaCppLayout().llamaDir, "llama.cpp.info.json"))).toBe(true);
                }

                // Once a plan exists, the offer sits below its steps.
                await app.client.call("answer.plan", {threads: 1});
                await page.reload();
                await expect.poll(() => page.getByTestId("steps-card").isVisible(), {timeout: 60_000}).toBe(true);
                await expect.poll(() => offer.isVisible()).toBe(true);
                await expect.poll(async () => ((await top("steps-card")) ?? Infinity) < ((await top("engine-build-offer")) ?? -Infinity)).toBe(true);
                for (const width of [900, 1440]) {
                    await page.setViewportSize({width, height: 1000});
                    expect(await elementsWiderThanWindow(page)).toEqual([]);
                    await page.screenshot({path: path.join(screenshotDir, `engine-build-offer-with-plan-${width}.png`), fullPage: true});
                }

                await page.getByTestId("engine-build-dismiss").click();
                await expect.poll(() => offer.count()).toBe(0);
                const answered = page.waitForResponse((response) => response.url().endsWith("/api/engine.binary"));
                await page.reload();
                await answered;
                await expect.poll(() => page.getByTestId("plan-card").isVisible()).toBe(true);
                await expect.poll(() => offer.count()).toBe(0);
                expect((await app.client.call("engine.binary", {})).offer?.dismissedAt.app).toEqual(expect.any(String));
            }
            // The dismissal lives in the app's database, not in the browser.
            await using again = await startApp({serveUi: true, home, service: {measureBandwidthAutomatically: false}});
            const page = await browser.newPage({viewport: {width: 1440, height: 1000}});
            const answered = page.waitForResponse((response) => response.url().endsWith("/api/engine.binary"));
            await page.goto(`${again.server.url}/#/answer`);
            await answered;
            await expect.poll(() => page.getByTestId("plan-card").isVisible()).toBe(true);
            await expect.poll(() => page.getByTestId("engine-build-offer").count()).toBe(0);
        }
    );
});
