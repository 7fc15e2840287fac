import path from "node:path";
import {describe, expect, it} from "vitest";
import {startStreamingOpenAiServer} from "../../testkit/streamingOpenAiServer.ts";
import {elementsWiderThanWindow, launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {startApp} from "../utils/startApp.ts";

describe("Benchmark screen: a server's endpoint (browser mode)", () => {
    it("connects, offers the endpoint's models, measures with progress and shows the figures labelled with the endpoint, at 900 and 1440 px", {timeout: 400_000}, async () => {
        await using browser = await launchBrowserForUi();
        await using app = await startApp({serveUi: true});
        const key = "sk-typed-into-the-form-0815";
        // Slow enough per token that the run's phases can be watched.
        await using server = await startStreamingOpenAiServer({models: ["big-coder-Q5_K_M", "small-coder"], apiKey: key, msPerToken: 25, msPer100PromptChars: 3});

        // At 1440 px the protocol is left to detection: the URL without /v1 answers only Anthropic's model list.
        for (const [width, choice, protocol] of [
            [900, "openai", "openai"],
            [1440, "detect", "anthropic"]
        ] as const) {
            const page = await browser.newPage({viewport: {width, height: 900}});
            const errors: string[] = [];
            page.on("pageerror", (error) => errors.push(error.message));
            await page.goto(`${app.server.url}/#/benchmark`);
            const card = page.getByTestId("endpoint-bench");
            await card.getByTestId("endpoint-base-url").fill(protocol === "anthropic" ? server.baseUrl.replace(/\/v1$/, "") : server.baseUrl);
            await expect.poll(() => card.getByTestId("endpoint-protocol").inputValue()).toBe("detect");
            await card.getByTestId("endpoint-protocol").selectOption(choice);
            await card.getByTestId("endpoint-key-source").selectOption("memory");
            // A wrong key is refused with its code, and nothing is offered.
            await card.getByTestId("endpoint-key").fill("sk-wrong");
            await card.getByTestId("endpoint-connect").click();
            await expect.poll(() => card.locator(".error-banner").textContent()).toContain("ENDPOINT_UNAUTHORIZED");
            await expect.poll(() => card.getByTestId("endpoint-connection").count()).toBe(0);
            await card.getByTestId("endpoint-key").fill(key);
            await card.getByTestId("endpoint-connect").click();
            await expect.poll(() => card.getByTestId("endpoint-connection").textContent()).toContain("lists 2 models");
            await expect.poll(() => card.getByTestId("endpoint-protocol-used").textContent()).toBe(protocol === "anthropic" ? "(Anthropic Messages)" : "(OpenAI chat completions)");
            await expect.poll(() => card.getByTestId("endpoint-model").locator("option").allTextContents()).toEqual(["big-coder-Q5_K_M", "small-coder"]);
            await card.getByTestId("endpoint-prompt-sizes").fill("64,256");
            await card.getByTestId("endpoint-tg").fill("32");
            await card.getByTestId("endpoint-reps").fill("2");
            await card.getByTestId("endpoint-agent-turns").fill("2");
            await card.getByTestId("endpoint-concurrency").fill("1,2");
            await card.getByTestId("endpoint-start").click();

            await expect.poll(() => card.getByTestId("endpoint-progress").textContent(), {timeout: 60_000}).toMatch(/Measuring .* · \d of 4 phases done/);
            await expect.poll(() => card.getByTestId("endpoint-run-status").textContent(), {timeout: 120_000}).toBe("completed");
            // The endpoint and the quantization its model id names label the figures.
            await expect.poll(() => card.getByTestId("endpoint-run-label").textContent()).toBe(`big-coder-Q5_K_M · openai-compatible · ${server.baseUrl}`);
            await expect.poll(() => card.getByTestId("endpoint-run").textContent()).toContain(protocol === "anthropic" ? "Anthropic Messages · key entered for this run (not stored)" : "OpenAI chat completions");
            await expect.poll(() => card.getByTestId("endpoint-generation").textContent()).toMatch(/Generation\d+(\.\d)? tok\/s/);
            await expect.poll(() => card.getByTestId("endpoint-summary").textContent()).toMatch(/prefix cache.*2 streams.*aggregate/);
            await card.scrollIntoViewIfNeeded();
            await page.screenshot({path: path.join(screenshotDir, `bench-endpoint-${width}.png`), fullPage: true});
            expect(await elementsWiderThanWindow(page)).toEqual([]);
            expect(errors).toEqual([]);
            await page.close();
        }
        // The key typed into the form reached the server and nothing else.
        const runs = await app.client.call("endpoints.runs", {});
        expect(runs.map((r) => r.spec.protocol)).toEqual(["anthropic", "openai"]);
        expect(JSON.stringify(runs)).not.toContain(key);
    });
});
