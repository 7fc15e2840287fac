import path from "node:path";
import OpenAI from "openai";
import type {Browser} from "playwright-core";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {elementsWiderThanWindow, launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {startApp} from "../utils/startApp.ts";

let browser: Browser & AsyncDisposable;

beforeAll(async () => {
    browser = await launchBrowserForUi();
});
afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
});

describe("Serve screen (browser mode)", () => {
    it("starts a model, shows status, memory, live traffic and where to connect agents, restarts it after a crash and stops", async () => {
        // A restart 3 s after a crash (the default's first is 1 s), so the restarting state lasts long enough to look at.
        await using app = await startApp({serveUi: true, service: {engineRestarts: {delaysMs: [3_000, 3_000, 3_000], windowMs: 5 * 60_000}}});
        writeGgufModel(path.join(app.home.models, "tiny-chat.gguf"), {...ggufModelPresets.tiny, contextLength: 2048});
        const page = await browser.newPage({viewport: {width: 1360, height: 1100}});
        const consoleErrors: string[] = [];
        page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
        await page.goto(`${app.server.url}/#/serve`);

        await expect.poll(() => page.getByTestId("engine-state").textContent()).toBe("Stopped");
        await expect.poll(() => page.getByTestId("model-select").locator("option").first().textContent()).toContain("tiny-chat.gguf");
        // Beyond the 2,048 tokens it was trained for: served as asked, and the screen says so.
        await page.getByTestId("ctx-input").fill("4096");
        await page.getByTestId("threads-input").fill("1");
        await page.getByTestId("port-input").fill("0");
        await page.getByTestId("start-button").click();

        await expect.poll(() => page.getByTestId("engine-state").textContent(), {timeout: 60_000}).toBe("Serving");
        const status = await app.client.call("engine.status", {});
        const baseUrl = status.server!.baseUrl;
        await expect.poll(() => page.getByTestId("base-url").textContent()).toBe(baseUrl);
        await expect.poll(() => page.getByTestId("served-model").textContent()).toBe("tiny-chat");
        await expect.poll(() => page.getByTestId("memory-used").textContent()).toMatch(/RAM/);
        await expect.poll(() => page.getByTestId("context-limit").getAttribute("data-action")).toBe("beyond-trained");
        await expect.poll(() => page.getByTestId("context-limit").textContent()).toBe(
            "beyond trained Context 4,096 tokens goes beyond the 2,048 the model was trained for: llama.cpp serves it as asked, but answers past 2,048 tokens may degrade."
        );
        expect(status.model!.contextLimit).toMatchObject({action: "beyond-trained", requested: 4096, trained: 2048, applied: 4096});
        // How to connect agents is the Connect screen's (tests/e2e/connect.test.ts); Serve points there.
        await expect.poll(() => page.getByTestId("connect-link").getAttribute("href")).toBe("#/connect");
        // A request from an agent shows up as live traffic.
        const client = new OpenAI({baseURL: baseUrl, apiKey: "x", maxRetries: 0});
        await client.chat.completions.create({model: "tiny-chat", messages: [{role: "user", content: "hello"}], max_tokens: 40});
        await expect.poll(() => page.getByTestId("requests-total").textContent()).toBe("1");
        await expect.poll(() => page.getByTestId("tokens-total").textContent()).toBe("40");
        await expect.poll(() => page.getByTestId("gen-speed").textContent()).toMatch(/tok\/s/);
        await expect.poll(() => page.getByTestId("load-row").count()).toBe(1);
        await expect.poll(() => page.getByTestId("load-row").first().textContent()).toContain("tiny-chat.gguf");
        await page.screenshot({path: path.join(screenshotDir, "serve.png"), fullPage: true});

        // The engine dies: the screen says why and that the app restarts it, with the URL agents keep using.
        process.kill(status.pid!, "SIGKILL");
        await expect.poll(() => page.getByTestId("engine-state").textContent()).toBe("Restarting (attempt 1 of 3)…");
        await expect.poll(() => page.getByTestId("crash-notice").textContent()).toMatch(/SIGKILL.*restarting the engine with the same model and settings \(attempt 1 of 3\)/);
        await expect.poll(() => page.getByTestId("base-url").textContent()).toBe(baseUrl);
        for (const width of [900, 1440]) {
            await page.setViewportSize({width, height: 1100});
            await page.screenshot({path: path.join(screenshotDir, `serve-restarting-${width}.png`), fullPage: true});
            expect(await elementsWiderThanWindow(page)).toEqual([]);
        }
        // Back without anyone pressing Start: serving at the same URL, the crash and the restart on show.
        await expect.poll(() => page.getByTestId("engine-state").textContent(), {timeout: 120_000}).toBe("Serving");
        await expect.poll(() => page.getByTestId("base-url").textContent()).toBe(baseUrl);
        await expect.poll(() => page.getByTestId("crash-outcome").textContent()).toMatch(/restarted the engine with the same model and settings \(1 restart since you started it\)/);
        await expect.poll(() => page.getByTestId("restart-count").textContent()).toBe(" · restarted once after a crash");
        for (const width of [900, 1440]) {
            await page.setViewportSize({width, height: 1100});
            await page.screenshot({path: path.join(screenshotDir, `serve-restarted-${width}.png`), fullPage: true});
            expect(await elementsWiderThanWindow(page)).toEqual([]);
        }
        expect((await client.chat.completions.create({model: "tiny-chat", messages: [{role: "user", content: "hi"}], max_tokens: 3})).usage!.completion_tokens).toBe(3);
        // A start by the user clears the crash.
        await page.getByTestId("start-button").click();
        await expect.poll(() => page.getByTestId("crash-notice").count(), {timeout: 60_000}).toBe(0);
        await expect.poll(() => page.getByTestId("engine-state").textContent(), {timeout: 60_000}).toBe("Serving");

        await page.getByTestId("stop-button").click();
        await expect.poll(() => page.getByTestId("engine-state").textContent()).toBe("Stopped");
        expect(consoleErrors).toEqual([]);
        await page.close();
    });
});
