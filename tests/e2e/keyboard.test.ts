import path from "node:path";
import type {Browser, Page} from "playwright-core";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {startApp} from "../utils/startApp.ts";

/** The page's own document, as the callbacks below use it inside Chromium (the test tsconfig has no DOM types). */
interface PageElement {
    tagName: string;
    textContent: string | null;
    tabIndex: number;
    disabled?: boolean;
    getAttribute(name: string): string | null;
    closest(selector: string): PageElement | null;
    checkVisibility(options?: {visibilityProperty?: boolean}): boolean;
}
declare const document: {activeElement: PageElement | null; body: PageElement};
declare function getComputedStyle(element: PageElement): {outlineStyle: string; outlineWidth: string};

let browser: Browser & AsyncDisposable;

beforeAll(async () => {
    browser = await launchBrowserForUi();
});
afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
});

/** Every control of the page's main area a keyboard user should reach (shown: not inside a closed <details>), in document order (test id, else tag and text). */
async function controlsInMain(page: Page): Promise<string[]> {
    return page.locator("main").evaluate((main) =>
        [...(main.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]") as unknown as Iterable<PageElement>)]
            .filter((el) => !el.disabled && el.tabIndex >= 0 && el.checkVisibility({visibilityProperty: true}))
            .map((el) => el.getAttribute("data-testid") ?? `${el.tagName.toLowerCase()}:${(el.textContent ?? "").trim().slice(0, 40)}`)
    );
}

/**
 * Presses Tab from the sidebar's first link until focus leaves the main area after entering it, and
 * returns each control focused inside it with whether it showed a focus ring (an outline of some width).
 */
async function tabThroughMain(page: Page, most = 200): Promise<{control: string; ring: boolean}[]> {
    await page.locator("nav a").first().focus();
    const reached: {control: string; ring: boolean}[] = [];
    let entered = false;
    for (let i = 0; i < most; i++) {
        await page.keyboard.press("Tab");
        const focused = await page.evaluate(() => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            const style = getComputedStyle(el);
            return {
                inMain: el.closest("main") !== null,
                control: el.getAttribute("data-testid") ?? `${el.tagName.toLowerCase()}:${(el.textContent ?? "").trim().slice(0, 40)}`,
                ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
            };
        });
        if (focused?.inMain) {
            entered = true;
            reached.push({control: focused.control, ring: focused.ring});
        } else if (entered) break;
    }
    return reached;
}

describe("keyboard", () => {
    it("reaches every control of the start page and of the Verdict by Tab, in order, each with a visible focus ring", async () => {
        await using app = await startApp({serveUi: true, service: {measureBandwidthAutomatically: false}});
        const page = await browser.newPage({viewport: {width: 1440, height: 1000}});
        await page.goto(`${app.server.url}/#/answer`);
        await expect.poll(() => page.getByTestId("predicted-summary").count(), {timeout: 120_000}).toBe(1);
        await expect.poll(() => page.getByTestId("plan-button").isEnabled(), {timeout: 60_000}).toBe(true);
        const expected = await controlsInMain(page);
        expect(expected).toEqual(expect.arrayContaining(["plan-button", "offline-checkbox"]));
        await expect.poll(() => tabThroughMain(page), {timeout: 60_000}).toEqual(expected.map((control) => ({control, ring: true})));
        // The ring as a keyboard user sees it, on the main action.
        await page.getByTestId("offline-checkbox").focus();
        await page.keyboard.press("Shift+Tab");
        await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("plan-button");
        await page.screenshot({path: path.join(screenshotDir, "keyboard-answer-focus-1440.png")});

        await page.goto(`${app.server.url}/#/verdict`);
        await expect.poll(() => page.getByTestId("verdict-answer").count(), {timeout: 120_000}).toBe(1);
        const verdictControls = await controlsInMain(page);
        expect(verdictControls.length).toBeGreaterThan(0);
        await expect.poll(() => tabThroughMain(page), {timeout: 60_000}).toEqual(verdictControls.map((control) => ({control, ring: true})));
        await page.screenshot({path: path.join(screenshotDir, "keyboard-verdict-focus-1440.png")});
        await page.close();
    });
});
