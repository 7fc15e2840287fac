import fs from "node:fs";
import path from "node:path";
import {chromium, type Browser, type Page} from "playwright-core";
import {projectRoot} from "./runCli.ts";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Debian's Chromium, headless, with the flags this sandboxed, offline machine needs (Playwright gives it a fresh profile). */
export async function launchChromium(): Promise<Browser & AsyncDisposable> {
    if (!fs.existsSync(chromiumPath))
        throw new Error(`Chromium is not installed at ${chromiumPath}: run "apt-get install -y chromium" (see .ci/run), or set CHROMIUM_PATH.`);
    const browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync"
        ]
    });
    return Object.assign(browser, {
        async [Symbol.asyncDispose]() {
            await browser.close();
        }
    });
}

/** Screenshots land here for people to look at; the folder is git-ignored. */
export const screenshotDir = path.resolve("test-results", "screenshots");

/**
 * Chromium for a UI test: refuses to start when the renderer is not built (the browser mode serves
 * out/renderer) and makes sure the screenshot folder exists.
 */
export async function launchBrowserForUi(): Promise<Browser & AsyncDisposable> {
    if (!fs.existsSync(path.join(projectRoot, "out", "renderer", "index.html")))
        throw new Error('The UI is not built: run "npm run build" (npm test does it first).');
    const browser = await launchChromium();
    fs.mkdirSync(screenshotDir, {recursive: true});
    return browser;
}

/**
 * Elements that stick out past the right edge of the window, ignoring what a scrolling container
 * clips (a wide table scrolls inside its card): a layout that would make the whole page scroll
 * sideways at this width.
 */
export function elementsWiderThanWindow(page: Page): Promise<string[]> {
    // A script string: the tests' tsconfig has no DOM types. No named inner functions (docs/FACTS.md §10).
    return page.evaluate<string[]>(`[...document.querySelectorAll("body *")]
        .filter((e) => {
            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) if (getComputedStyle(a).overflowX !== "visible") return false;
            return e.getBoundingClientRect().right > window.innerWidth + 1;
        })
        .map((e) => e.tagName.toLowerCase() + "." + String(e.className) + " (" + Math.round(e.getBoundingClientRect().right) + " px)")`);
}
