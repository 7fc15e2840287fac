import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {Browser, Page} from "playwright-core";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {agentBinDirs} from "../../testkit/codingAgentsCache.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {elementsWiderThanWindow, launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {startApp} from "../utils/startApp.ts";

// The Connect screen against the real engine serving a generated GGUF (random weights: the answers
// are noise, the protocols are real). The pinned npm agents (Claude Code, Codex, OpenCode) are found
// through AGENTFIT_AGENT_DIRS; Aider's folder is left out, so one agent shows as not installed.

let browser: Browser & AsyncDisposable;

beforeAll(async () => {
    browser = await launchBrowserForUi();
});
afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
});

async function testConnection(page: Page, id: string) {
    await page.getByTestId(`test-connection-${id}`).click();
    await expect.poll(() => page.getByTestId(`test-result-${id}`).getAttribute("data-ok"), {timeout: 120_000}).toBe("true");
    await expect.poll(() => page.getByTestId(`test-summary-${id}`).textContent()).toMatch(/^HTTP 200 · \d+ streamed events · /);
}

describe("Connect screen (browser mode)", () => {
    it("shows each agent, installed or not, its set-up for the served model, and tests the connection in its protocol", async () => {
        const emptyHome = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-connect-home-"));
        const env = {...process.env, HOME: emptyHome, PATH: path.dirname(process.execPath), AGENTFIT_AGENT_DIRS: agentBinDirs()[0]};
        await using app = await startApp({serveUi: true, service: {evalEnv: env}});
        try {
            writeGgufModel(path.join(app.home.models, "tiny-chat.gguf"), {...ggufModelPresets.tiny, contextLength: 8192});
            const page = await browser.newPage({viewport: {width: 1440, height: 1100}});
            const consoleErrors: string[] = [];
            page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));

            // Nothing served yet: each agent's state, and where to start a model.
            await page.goto(`${app.server.url}/#/connect`);
            await expect.poll(() => page.getByTestId("connect-not-serving").textContent()).toContain("No model is being served");
            await expect.poll(() => page.getByTestId("agent-installed-claude-code").textContent()).toBe("installed · 2.1.328");
            await expect.poll(() => page.getByTestId("agent-installed-codex").textContent()).toBe("installed · 0.169.0");
            // OpenCode's --version starts its ~100 MB binary, which can outlast the 60 s the version is waited for on a busy machine: then it shows no version.
            await expect.poll(() => page.getByTestId("agent-installed-opencode").textContent()).toMatch(/^installed( · 1\.18\.33)?$/);
            await expect.poll(() => page.getByTestId("agent-installed-aider").textContent()).toBe("not installed");
            await expect.poll(() => page.getByTestId("agent-install-aider").textContent()).toMatch(/aider-chat/);

            const status = await app.client.call("engine.start", {model: "tiny-chat", settings: {contextSize: 8192, threads: 1}, server: {port: 0}});
            const baseUrl = status.server!.baseUrl;
            await expect.poll(() => page.getByTestId("connect-base-url").textContent()).toBe(baseUrl);
            await expect.poll(() => page.getByTestId("connect-model").textContent()).toBe("tiny-chat");

            // The exact set-up, with this server's URL and model, and the one command that does it all.
            await expect.poll(() => page.getByTestId("connect-shell-claude-code").textContent()).toContain(`export ANTHROPIC_BASE_URL=${baseUrl.replace(/\/v1$/, "")}`);
            await expect.poll(() => page.getByTestId("connect-shell-claude-code").textContent()).toContain("claude --model tiny-chat");
            await expect.poll(() => page.getByTestId("connect-shell-codex").textContent()).toContain(`base_url = "${baseUrl}"`);
            await expect.poll(() => page.getByTestId("connect-shell-codex").textContent()).toContain(`wire_api = "responses"`);
            await expect.poll(() => page.getByTestId("connect-shell-codex").textContent()).toContain("model_context_window = 8192");
            await expect.poll(() => page.getByTestId("connect-shell-aider").textContent()).toContain("aider");
            await expect.poll(() => page.getByTestId("launch-command-codex").textContent()).toBe("agentfit launch codex --model tiny-chat");
            // 8k of context cannot hold Claude Code's first request: the card says so.
            await expect.poll(() => page.getByTestId("context-warning-claude-code").textContent()).toMatch(/served with 8,192 tokens: Claude Code's first request will not fit/);
            await expect.poll(() => page.getByTestId("context-warning-aider").count()).toBe(0);

            // One request in each protocol, as the agents send it, answered by the engine.
            await testConnection(page, "claude-code");
            await expect.poll(() => page.getByTestId("test-request-claude-code").textContent()).toBe(`POST ${baseUrl.replace(/\/v1$/, "")}/v1/messages?beta=true`);
            await testConnection(page, "codex");
            await expect.poll(() => page.getByTestId("test-request-codex").textContent()).toBe(`POST ${baseUrl}/responses`);
            await testConnection(page, "opencode");
            await expect.poll(() => page.getByTestId("test-request-opencode").textContent()).toBe(`POST ${baseUrl}/chat/completions`);
            await expect.poll(async () => (await app.client.call("engine.status", {})).metrics?.requestsTotal).toBe(3);

            // Clients set up by hand: their snippets, and a chat-completions test.
            await page.getByTestId("snippet-tab-cline").click();
            await expect.poll(() => page.getByTestId("snippet-code").textContent()).toContain(`Base URL: ${baseUrl}`);
            await page.getByTestId("snippet-tab-qwen-code").click();
            await expect.poll(() => page.getByTestId("snippet-code").textContent()).toContain(`export OPENAI_BASE_URL=${baseUrl}`);
            await page.getByTestId("snippet-tab-continue").click();
            await expect.poll(() => page.getByTestId("snippet-code").textContent()).toContain(`apiBase: ${baseUrl}`);
            await testConnection(page, "openai-chat");

            expect(await elementsWiderThanWindow(page)).toEqual([]);
            await page.screenshot({path: path.join(screenshotDir, "connect-1440.png"), fullPage: true});
            await page.setViewportSize({width: 900, height: 1100});
            await expect.poll(() => elementsWiderThanWindow(page)).toEqual([]);
            await page.screenshot({path: path.join(screenshotDir, "connect-900.png"), fullPage: true});

            // The model stops: the screen says nothing is served.
            await app.client.call("engine.stop", {});
            await expect.poll(() => page.getByTestId("connect-not-serving").count()).toBe(1);
            expect(consoleErrors).toEqual([]);
            await page.close();
        } finally {
            fs.rmSync(emptyHome, {recursive: true, force: true});
        }
    });
});
