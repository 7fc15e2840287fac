import path from "node:path";
import type {Browser} from "playwright-core";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {agentBinDirs} from "../../testkit/codingAgentsCache.ts";
import {task} from "../../testkit/evalFixtures.ts";
import {codexSolver} from "../../testkit/scriptedAgents.ts";
import {startScriptedOpenAi} from "../../testkit/scriptedOpenAi.ts";
import {elementsWiderThanWindow, launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {startApp} from "../utils/startApp.ts";

// The Evaluate screen's transcript of a sample run by a real coding agent (Codex against a scripted
// Responses server): the messages from the wire, and beside them what the agent printed itself.

const jsTask = task("js-timesheet-durations");
let browser: Browser & AsyncDisposable;

beforeAll(async () => {
    browser = await launchBrowserForUi();
});
afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
});

describe("an agent's sample in the Evaluate screen", () => {
    it("shows the agent's own output, version, flags and exit beside the transcript, at 1440 and 900 px", async () => {
        await using server = await startScriptedOpenAi({agents: {capable: codexSolver(jsTask)}});
        await using app = await startApp({serveUi: true, service: {evalEnv: {...process.env, AGENTFIT_AGENT_DIRS: agentBinDirs().join(path.delimiter)}}});
        const [run] = await app.client.call("eval.start", {
            tasks: [jsTask.name],
            models: [{provider: "openai-compatible", model: "capable", baseUrl: server.baseUrl}],
            epochs: 1,
            harness: "codex",
            limits: {maxTurns: 8, maxWallTimeMs: 180_000}
        });
        await expect.poll(async () => (await app.client.call("eval.run", {runId: run!.id})).status, {timeout: 240_000, interval: 250}).toBe("completed");

        for (const width of [1440, 900]) {
            const page = await browser.newPage({viewport: {width, height: 1000}});
            const errors: string[] = [];
            page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
            await page.goto(`${app.server.url}/#/evaluate`);
            await page.getByTestId("sample-tile").first().click();
            const output = page.getByTestId("agent-output");
            await output.waitFor();
            await expect.poll(() => output.textContent()).toContain("Codex CLI 0.169.0");
            await expect.poll(() => page.getByTestId("agent-exit").textContent()).toBe("exit code 0");
            await expect.poll(() => output.textContent()).toContain("--dangerously-bypass-approvals-and-sandbox");
            // Codex prints its final answer on stdout and its session log (ending with the tokens used) on stderr.
            await expect.poll(() => page.getByTestId("agent-stdout").textContent()).toContain("Moved the block into a new top-level helper");
            await expect.poll(() => page.getByTestId("agent-stderr").textContent()).toMatch(/tokens used\s+[\d,]+\s*$/);
            await expect.poll(() => page.getByTestId("messages").getByTestId("tool-call").count()).toBe(2);
            const [transcriptBox, outputBox] = [await page.getByTestId("messages").boundingBox(), await output.boundingBox()];
            // Side by side when wide, one above the other when narrow.
            if (width === 1440) expect(outputBox!.x).toBeGreaterThan(transcriptBox!.x + transcriptBox!.width - 1);
            else expect(outputBox!.y).toBeGreaterThan(transcriptBox!.y + transcriptBox!.height - 1);
            expect(await elementsWiderThanWindow(page)).toEqual([]);
            await output.scrollIntoViewIfNeeded();
            await page.screenshot({path: path.join(screenshotDir, `evaluate-agent-output-${width}.png`)});
            expect(errors).toEqual([]);
            await page.close();
        }
    });
});
