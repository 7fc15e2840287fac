import path from "node:path";
import type {Browser, Page} from "playwright-core";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {createVerdictFixture, type VerdictFixture} from "../utils/verdictFixture.ts";

// Every screen of the app, on a data folder filled by real runs (the Verdict fixture: evaluated and
// benchmarked models, cloud comparisons, imported GGUF files), at the widths people use.

// The functions passed to page.evaluate run in Chromium. This project's Node tsconfig has no DOM
// types, so the few DOM shapes they use are declared here, for this file only.
interface PageElement {
    dataset: Record<string, string | undefined>;
    outerHTML: string;
    parentElement: PageElement | null;
    disabled?: boolean;
    checkVisibility(options?: {visibilityProperty?: boolean}): boolean;
}
declare const document: {
    activeElement: PageElement | null;
    body: PageElement;
    scrollingElement: {scrollWidth: number; clientWidth: number} | null;
    querySelectorAll(selector: string): Iterable<PageElement>;
    defaultView: {getComputedStyle(element: PageElement): {outlineStyle: string; outlineWidth: string; outlineColor: string; boxShadow: string; backgroundColor: string}} | null;
};

let browser: Browser & AsyncDisposable;
let fixture: VerdictFixture;

beforeAll(async () => {
    browser = await launchBrowserForUi();
    fixture = await createVerdictFixture({serveUi: true});
    await fixture.app.client.call("models.import", {path: fixture.app.home.models});
}, 300_000);
afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
    await browser?.[Symbol.asyncDispose]();
});

/**
 * What shows that a screen has its data, and what to open on it so its widest parts (detail rows,
 * transcripts) are on the page too. A screen not listed here is checked once its heading shows.
 */
const screenStates: Record<string, {loaded: string; open?: (page: Page) => Promise<void>}> = {
    verdict: {loaded: "verdict-row", open: (page) => page.getByTestId("verdict-row").first().click()},
    hardware: {loaded: "snapshot-row"},
    models: {loaded: "model-row", open: (page) => page.getByTestId("model-row").first().click()},
    downloads: {loaded: "model-row"},
    serve: {loaded: "load-row"},
    connect: {loaded: "agent-card-claude-code"},
    benchmark: {loaded: "bench-result-row"},
    evaluate: {loaded: "new-eval", open: (page) => page.getByTestId("sample-row").first().click()}
};

/** The screens the sidebar links to, as [id, label]. */
async function navigationScreens(page: Page): Promise<[string, string][]> {
    const links = page.locator(".nav a");
    await expect.poll(() => links.count()).toBeGreaterThan(0);
    return links.evaluateAll((anchors) => anchors.map((a) => [a.getAttribute("href")!.replace("#/", ""), a.textContent!.trim()] as [string, string]));
}

/** Opens a screen and waits until its code is loaded, its heading shows and its data is in. */
async function openScreen(page: Page, id: string, label: string) {
    await page.goto(`${fixture.app.server.url}/#/${id}`);
    await expect.poll(() => page.locator("main h1").first().textContent(), {timeout: 60_000}).toBe(label);
    await expect.poll(() => page.getByTestId("screen-loading").count()).toBe(0);
    const state = screenStates[id];
    if (state) await expect.poll(() => page.getByTestId(state.loaded).count(), {timeout: 60_000}).toBeGreaterThan(0);
}

function collectErrors(page: Page): string[] {
    const errors: string[] = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(error.message));
    return errors;
}

describe("every screen", () => {
    const viewports = [
        {width: 900, height: 1000},
        {width: 1440, height: 1000},
        {width: 1280, height: 720}
    ];

    it.each(viewports)("fits a $width×$height window without scrolling sideways; wide tables scroll inside their card", async (viewport) => {
        const page = await browser.newPage({viewport});
        const errors = collectErrors(page);
        await page.goto(fixture.app.server.url);
        const screens = await navigationScreens(page);
        expect(screens.map(([id]) => id)).toEqual(expect.arrayContaining(Object.keys(screenStates)));
        for (const [id, label] of screens) {
            await openScreen(page, id, label);
            await screenStates[id]?.open?.(page);
            const extent = await page.evaluate(() => ({scrollWidth: document.scrollingElement!.scrollWidth, clientWidth: document.scrollingElement!.clientWidth}));
            expect(extent.scrollWidth, `${id} at ${viewport.width} px scrolls sideways`).toBeLessThanOrEqual(extent.clientWidth);
            // Form fields keep a usable width.
            const narrowFields = await page.locator("main input:not([type=checkbox]):not([type=radio]), main select").evaluateAll((fields) =>
                fields.filter((f) => f.checkVisibility() && f.getBoundingClientRect().width < 60).map((f) => f.outerHTML.slice(0, 120))
            );
            expect(narrowFields, `${id} at ${viewport.width} px`).toEqual([]);
            await page.screenshot({path: path.join(screenshotDir, `screen-${id}-${viewport.width}x${viewport.height}.png`), fullPage: true});
        }
        expect(errors).toEqual([]);
        await page.close();
    });

    it("shows a loading state while a screen's code loads, then the screen", async () => {
        const page = await browser.newPage({viewport: {width: 1440, height: 1000}});
        // Hold the Benchmark screen's chunk until the loading state has been seen.
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        await page.route(/BenchmarkScreen-[\w-]+\.js$/, async (route) => {
            await held;
            await route.continue();
        });
        await page.goto(`${fixture.app.server.url}/#/benchmark`);
        await expect.poll(() => page.getByTestId("screen-loading").textContent(), {timeout: 60_000}).toBe("Loading Benchmark…");
        release();
        await expect.poll(() => page.locator("main h1").first().textContent(), {timeout: 60_000}).toBe("Benchmark");
        await expect.poll(() => page.getByTestId("screen-loading").count()).toBe(0);
        await page.close();
    });

    it("reaches every control with Tab, shows where focus is, and works with Enter and Space", async () => {
        const page = await browser.newPage({viewport: {width: 1440, height: 1000}});
        await page.goto(fixture.app.server.url);
        for (const [id, label] of await navigationScreens(page)) {
            await openScreen(page, id, label);
            const {controls, stops} = await tabThrough(page);
            const unreached = controls.filter((c) => !stops.some((s) => s.index === c.index));
            expect(unreached.map((c) => c.html), `controls on ${id} that Tab never reaches`).toEqual([]);
            const invisible = stops.filter((s) => !s.indicator);
            expect(invisible.map((s) => s.html), `focused elements on ${id} without a visible focus indicator`).toEqual([]);
        }

        // A model row opens with Enter and closes with Space; a verdict row opens with Space.
        await openScreen(page, "models", "Models");
        const modelRow = page.getByTestId("model-row").first();
        await modelRow.focus();
        await page.keyboard.press("Enter");
        await expect.poll(() => modelRow.getAttribute("aria-expanded")).toBe("true");
        await expect.poll(() => page.getByTestId("model-details").count()).toBe(1);
        await page.keyboard.press(" ");
        await expect.poll(() => page.getByTestId("model-details").count()).toBe(0);
        await page.screenshot({path: path.join(screenshotDir, "keyboard-models-row-focus.png")});

        await openScreen(page, "verdict", "Verdict");
        await page.getByTestId("verdict-row").first().focus();
        await page.keyboard.press(" ");
        await expect.poll(() => page.getByTestId("model-evidence").count()).toBe(1);

        // A navigation link follows with Enter.
        await page.locator('.nav a[href="#/hardware"]').focus();
        await page.keyboard.press("Enter");
        await expect.poll(() => page.locator("main h1").first().textContent()).toBe("Hardware");
        await page.close();
    });
});

interface FocusStop {
    index: number | null;
    html: string;
    indicator: boolean;
}

/**
 * Numbers every visible, enabled control on the page, then presses Tab until focus has gone round
 * the page once (wrapping through the browser's own UI at the end), recording each element focused
 * and whether it draws a focus indicator: an outline at least 2 px wide at 3:1 against the
 * background around it (WCAG's non-text contrast), or a box shadow.
 */
async function tabThrough(page: Page): Promise<{controls: {index: number; html: string}[]; stops: FocusStop[]}> {
    const controls = await page.evaluate(() => {
        const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"]), .clickable';
        return [...document.querySelectorAll(selector)]
            .filter((element) => !element.disabled && element.checkVisibility({visibilityProperty: true}))
            .map((element, index) => {
                element.dataset.controlIndex = String(index);
                return {index, html: element.outerHTML.slice(0, 160)};
            });
    });
    const stops: FocusStop[] = [];
    let outside = 0;
    for (let i = 0; i < 600 && outside < 3; i++) {
        await page.keyboard.press("Tab");
        const stop = await page.evaluate((): FocusStop | null => {
            const element = document.activeElement;
            if (!element || element === document.body) return null;
            const style = document.defaultView!.getComputedStyle(element);
            // The colour the ring is drawn against: the nearest opaque background around the element.
            let behind = "rgb(255, 255, 255)";
            for (let node = element.parentElement; node; node = node.parentElement) {
                const background = document.defaultView!.getComputedStyle(node).backgroundColor;
                if (Number(background.match(/[\d.]+/g)?.[3] ?? 1) > 0) {
                    behind = background;
                    break;
                }
            }
            // No named helpers in here: a transform that keeps function names (esbuild keepNames) would make them refer to a helper the page lacks.
            const [light, dark] = [style.outlineColor, behind]
                .map((colour) => (colour.match(/[\d.]+/g) ?? []).slice(0, 3).map((c: string) => Number(c) / 255).map((c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)))
                .map(([r, g, b]) => 0.2126 * r! + 0.7152 * g! + 0.0722 * b!)
                .sort((x, y) => y - x);
            const ringContrast = (light! + 0.05) / (dark! + 0.05);
            const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 && ringContrast >= 3;
            return {index: element.dataset.controlIndex ? Number(element.dataset.controlIndex) : null, html: element.outerHTML.slice(0, 160), indicator: outline || style.boxShadow !== "none"};
        });
        if (!stop) {
            outside++;
            continue;
        }
        outside = 0;
        if (stops.length > 0 && stop.html === stops[0]!.html && stop.index === stops[0]!.index) break;
        stops.push(stop);
    }
    return {controls, stops};
}
