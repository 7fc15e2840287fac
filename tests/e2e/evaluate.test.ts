import fs from "node:fs";
import path from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Browser, Page} from "playwright-core";
import {createEnvironmentSecretStore} from "../../electron/core/evals/environmentSecretStore.ts";
import {elementsWiderThanWindow, launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {task} from "../../testkit/evalFixtures.ts";
import {failingAgents, solver} from "../../testkit/scriptedAgents.ts";
import {startScriptedOpenAi} from "../../testkit/scriptedOpenAi.ts";
import {startApp} from "../utils/startApp.ts";

let browser: Browser & AsyncDisposable;
/** States are waited for, generously: on a busy machine a verdict or a recommendation takes seconds. */
const wait = {timeout: 60_000};
const js = task("js-timesheet-durations");

beforeAll(async () => {
    browser = await launchBrowserForUi();
});
afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
});

async function openEvaluate(url: string): Promise<{page: Page; errors: string[]}> {
    const page = await browser.newPage({viewport: {width: 1440, height: 1000}});
    const errors: string[] = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    await page.goto(`${url}/#/evaluate`);
    await page.getByTestId("new-eval").waitFor();
    return {page, errors};
}

async function addModel(page: Page, model: string, baseUrl: string) {
    await page.getByTestId("provider-select").selectOption("openai-compatible");
    await page.getByTestId("model-input").fill(model);
    await page.getByTestId("base-url-input").fill(baseUrl);
    await page.getByTestId("add-model").click();
}

describe("Evaluate screen (browser mode)", () => {
    it("starts runs, shows live progress and results, and opens transcripts with diffs", async () => {
        await using server = await startScriptedOpenAi({agents: {"scripted-solver": solver(js), "scripted-bad-calls": failingAgents(js).bad_tool_calls!}, delayMs: 60});
        await using app = await startApp({serveUi: true, service: {secrets: createEnvironmentSecretStore({})}});
        const {page, errors} = await openEvaluate(app.server.url);
        await expect.poll(() => page.getByTestId("no-runs").textContent()).toContain("No evaluations yet");
        await expect.poll(() => page.getByTestId("provider-row").count()).toBe(6);

        await addModel(page, "scripted-solver", server.baseUrl);
        await addModel(page, "scripted-bad-calls", server.baseUrl);
        await expect.poll(() => page.getByTestId("model-list").locator("li").count()).toBe(2);
        await page.getByTestId("task-r-skill-frontmatter").locator("input").uncheck();
        await page.getByTestId(`task-${js.name}`).locator("input").check();
        await page.getByTestId("epochs-input").fill("3");
        // The plan in words before it starts, with its estimate (these models never ran here: nothing to go on, and it says so).
        await expect.poll(() => page.getByTestId("eval-plan-words").textContent(), wait).toMatch(/^2 models × 1 task \(.+\) × 3 runs, at most 20 turns and 1,024 output tokens per turn\.$/);
        await expect.poll(() => page.getByTestId("eval-estimate").textContent()).toBe("No estimate: no earlier run of this model on this task; the ETA shows once runs finish.");
        // The quick profile is the default; the 10-run helperbench profile is one click away, with its estimate.
        await expect.poll(() => page.getByTestId("profile-full").textContent()).toContain("10 runs of");
        await page.screenshot({path: path.join(screenshotDir, "evaluate-form.png")});
        await page.getByTestId("start-eval").click();

        await expect.poll(() => page.getByTestId("run-row").count(), wait).toBe(2);
        await expect.poll(() => page.getByTestId("sample-tile").count(), wait).toBe(3);
        // Live: tiles change as samples run and finish, without reloading the page.
        await expect.poll(() => page.getByTestId("run-status").textContent(), {timeout: 60_000}).toBe("completed");
        await expect.poll(() => page.getByTestId("success-rate").textContent(), wait).toBe("100%");
        // Plain words for scores, with the strict one explained where it appears.
        await expect.poll(() => page.getByTestId("sample-tile").allTextContents()).toEqual(["#1passed", "#2passed", "#3passed"]);
        await expect.poll(() => page.getByTestId("samples-table").locator("tbody tr").first().textContent()).toMatch(/^#1completedpassedpassed/);
        await expect.poll(() => page.getByTestId("score-legend").textContent()).toContain("Strict: also extracted a real helper that the function calls and the block no longer inline.");
        // An OpenAI-compatible server on 127.0.0.1 is a local server, not the cloud: it costs nothing per token.
        await expect.poll(() => page.getByTestId("run-where").allTextContents()).toEqual(["Local server", "Local server"]);
        // No energy figure without the machine's watts: "not measured", never "free".
        await expect.poll(() => page.getByTestId("run-energy").textContent()).toBe("not measured");
        await expect.poll(() => page.getByTestId("run-stats").textContent()).toContain("no per-token price; give the machine's watts to estimate energy");
        await expect.poll(async () => (await page.getByTestId("run-row").allTextContents()).filter((t) => t.includes("completed")).length, {timeout: 60_000}).toBe(2);
        await page.getByTestId("runs").scrollIntoViewIfNeeded();
        await page.screenshot({path: path.join(screenshotDir, "evaluate-runs.png")});

        await page.getByTestId("sample-tile").first().click();
        const transcript = page.getByTestId("transcript");
        await transcript.waitFor();
        await expect.poll(() => transcript.getByTestId("message").count(), wait).toBe(11);
        await expect.poll(() => transcript.getByTestId("tool-call").count()).toBe(4);
        await expect.poll(() => transcript.getByTestId("tool-call").first().textContent()).toContain("list_files");
        await expect.poll(() => page.getByTestId("transcript-score").textContent()).toContain("Passed · strict passed");
        // Each scorer check in plain words.
        const steps = transcript.getByTestId("score-steps");
        await expect.poll(() => steps.locator("dd").count()).toBe(7);
        await expect.poll(() => steps.textContent()).toContain(`Changedpassed — ${js.targetFile} differs from the original, compared line by line`);
        await expect.poll(() => steps.textContent()).toContain(`Helper used (strict)passed — ${js.functionName} uses the new helper parseDuration (${js.targetFile}).`);
        const diff = transcript.getByTestId("file-diff");
        await expect.poll(() => diff.count()).toBe(1);
        await expect.poll(() => diff.textContent()).toContain(js.targetFile);
        await expect.poll(() => diff.locator(".diff-add").filter({hasText: "function parseDuration"}).count()).toBe(1);
        await expect.poll(() => diff.locator(".diff-del").filter({hasText: "let minutes;"}).count()).toBe(1);
        await page.screenshot({path: path.join(screenshotDir, "evaluate-transcript.png"), fullPage: true});
        await transcript.getByTestId("tool-call").nth(2).scrollIntoViewIfNeeded();
        await page.screenshot({path: path.join(screenshotDir, "evaluate-transcript-tool-call.png")});
        await diff.scrollIntoViewIfNeeded();
        await page.screenshot({path: path.join(screenshotDir, "evaluate-transcript-diff.png")});

        // The failing model's run: failure mode and tool errors are visible.
        await page.getByTestId("run-row").filter({hasText: "scripted-bad-calls"}).click();
        await expect.poll(() => page.getByTestId("success-rate").textContent(), wait).toBe("0%");
        await expect.poll(() => page.getByTestId("samples-table").textContent()).toContain("bad tool calls");
        await page.getByTestId("sample-row").first().click();
        await expect.poll(() => page.getByTestId("transcript").locator(".msg-error").count(), wait).toBe(4);
        await page.getByTestId("transcript").locator(".msg-error").first().scrollIntoViewIfNeeded();
        await page.screenshot({path: path.join(screenshotDir, "evaluate-failure.png")});
        await expect.poll(() => page.getByTestId("sample-tile").allTextContents()).toEqual(["#1failed", "#2failed", "#3failed"]);
        await page.setViewportSize({width: 900, height: 1000});
        await page.getByTestId("runs").scrollIntoViewIfNeeded();
        await page.screenshot({path: path.join(screenshotDir, "evaluate-900.png"), fullPage: true});
        expect(await elementsWiderThanWindow(page)).toEqual([]);

        // The Inspect log downloads.
        const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-run").click()]);
        const file = await download.path();
        expect(JSON.parse(fs.readFileSync(file, "utf8"))).toMatchObject({version: 2, status: "success"});
        expect(errors).toEqual([]);
        await page.close();
    });

    it("says when a task's runtime is missing", async () => {
        await using app = await startApp({serveUi: true, service: {evalEnv: {...process.env, AGENTFIT_PYTHON: "/nonexistent/python3"}}});
        const {page} = await openEvaluate(app.server.url);
        const python = page.getByTestId("task-py-ledger-amounts");
        await expect.poll(() => python.getByTestId("runtime-missing").textContent()).toBe("/nonexistent/python3 missing");
        await expect.poll(() => python.textContent()).toContain("was not found. Install Python 3.9 or later");
        await expect.poll(() => python.locator("input").isDisabled()).toBe(true);
        await page.screenshot({path: path.join(screenshotDir, "evaluate-runtime-missing.png"), fullPage: false});
        await page.close();
    });
});
