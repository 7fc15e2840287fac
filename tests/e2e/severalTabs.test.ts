import path from "node:path";
import type {Browser, Page} from "playwright-core";
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

describe("the browser UI in several tabs", () => {
    it("loads every tab and delivers events to all of them over one event stream per tab", async () => {
        await using app = await startApp({serveUi: true});
        await app.client.call("hardware.probe", {});
        // One browser profile: its tabs share the six connections a browser allows per host. Each tab
        // holds one for its event stream, so five tabs leave one for their calls. (Before, one tab of
        // the Verdict screen alone held four.)
        const context = await browser.newContext({viewport: {width: 1280, height: 900}});
        // Screens that listen to several events each (Downloads 3, Benchmark 3, Verdict 4).
        const tabs: {screen: string; heading: string; page?: Page}[] = [
            {screen: "hardware", heading: "Hardware"},
            {screen: "hardware", heading: "Hardware"},
            {screen: "downloads", heading: "Downloads"},
            {screen: "benchmark", heading: "Benchmark"},
            {screen: "verdict", heading: "Verdict"}
        ];
        for (const tab of tabs) {
            tab.page = await context.newPage();
            await tab.page.goto(`${app.server.url}/#/${tab.screen}`);
        }
        for (const tab of tabs) await expect.poll(() => tab.page!.locator("main h1").first().textContent(), {timeout: 60_000}).toBe(tab.heading);
        const [hardware, otherHardware, downloads] = tabs.map((t) => t.page!);
        await expect.poll(() => hardware!.getByTestId("snapshot-row").count(), {timeout: 60_000}).toBe(1);
        await expect.poll(() => otherHardware!.getByTestId("snapshot-row").count(), {timeout: 60_000}).toBe(1);
        await expect.poll(() => downloads!.getByTestId("models-empty").count(), {timeout: 60_000}).toBe(1);
        await expect.poll(() => app.server.openEventStreams, {timeout: 30_000}).toBe(tabs.length);

        // A probe started in one tab shows up in the other through its `hardware.probed` event.
        await hardware!.getByTestId("probe-button").click();
        await expect.poll(() => otherHardware!.getByTestId("snapshot-row").count(), {timeout: 60_000}).toBe(2);
        // A model registered elsewhere (here: through the API) appears in the Downloads tab through `models.changed`.
        const model = writeGgufModel(path.join(app.home.home, "elsewhere", "tiny-tabs.gguf"), ggufModelPresets.tiny);
        await app.client.call("models.import", {path: model.path});
        await expect.poll(() => downloads!.getByTestId("model-row").count(), {timeout: 60_000}).toBe(1);
        await otherHardware!.screenshot({path: path.join(screenshotDir, "several-tabs-hardware.png"), fullPage: true});

        // Still one stream per tab; none left behind once the tabs close.
        expect(app.server.openEventStreams).toBe(tabs.length);
        await context.close();
        await expect.poll(() => app.server.openEventStreams, {timeout: 30_000}).toBe(0);
    });
});
