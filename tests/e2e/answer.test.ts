import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type {Browser} from "playwright-core";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {elementsWiderThanWindow, launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {startApp} from "../utils/startApp.ts";
import {createTempHome} from "../../testkit/tempHome.ts";
import {ensureSmolLM2} from "../../testkit/smollm2.ts";

let browser: Browser & AsyncDisposable;

beforeAll(async () => {
    browser = await launchBrowserForUi();
});
afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
});

/** A generated model (random weights) laid out as Ollama keeps it: a manifest naming a sha256 blob. */
function writeOllamaModel(userHome: string): void {
    const ollama = path.join(userHome, ".ollama", "models");
    const staged = writeGgufModel(path.join(userHome, "staging", "random.gguf"), {...ggufModelPresets.tiny, contextLength: 4096, type: "Q8_0"}).path;
    const digest = crypto.createHash("sha256").update(fs.readFileSync(staged)).digest("hex");
    fs.mkdirSync(path.join(ollama, "blobs"), {recursive: true});
    fs.renameSync(staged, path.join(ollama, "blobs", `sha256-${digest}`));
    const manifest = path.join(ollama, "manifests", "registry.ollama.ai", "library", "random-guided", "q8_0");
    fs.mkdirSync(path.dirname(manifest), {recursive: true});
    fs.writeFileSync(manifest, JSON.stringify({schemaVersion: 2, layers: [{mediaType: "application/vnd.ollama.image.model", digest: `sha256:${digest}`}]}));
}

describe("Answer for this machine (the first-launch page)", () => {
    it("lands on the predicted answer, then runs a plan from a model in Ollama's folder to the Verdict, with progress, at 900 and 1440 px", async () => {
        using userHome = createTempHome("agentfit-user-home-");
        writeOllamaModel(userHome.home);
        await using app = await startApp({serveUi: true, service: {measureBandwidthAutomatically: false, answer: {pollMs: 200}, downloads: {homeDir: userHome.home}}});

        for (const width of [900, 1440]) {
            const page = await browser.newPage({viewport: {width, height: 1000}});
            await page.goto(`${app.server.url}/`);
            await expect.poll(() => page.locator("main h1").first().textContent(), {timeout: 60_000}).toBe("Answer for this machine");
            await expect.poll(() => page.getByTestId("predicted-summary").count(), {timeout: 60_000}).toBe(1);
            await expect.poll(() => page.getByTestId("predicted-summary").textContent()).toMatch(/\w/);
            expect(await elementsWiderThanWindow(page)).toEqual([]);
            await page.screenshot({path: path.join(screenshotDir, `answer-first-launch-${width}.png`), fullPage: true});
            await page.close();
        }

        // The plan a user would make with "Offline" ticked, kept tiny (1 run, 2 turns) so the test takes seconds.
        const plan = await app.client.call("answer.plan", {offline: true, runs: 1, maxTurns: 2, maxOutputTokensPerTurn: 64, threads: 1});
        expect(plan.candidates.map((c) => c.name)).toEqual(["random-guided:q8_0"]);

        const page = await browser.newPage({viewport: {width: 900, height: 1000}});
        await page.goto(`${app.server.url}/`);
        await expect.poll(() => page.getByTestId("plan-state").textContent(), {timeout: 60_000}).toBe("ready");
        await expect.poll(() => page.getByTestId("eval-description").textContent()).toMatch(/1 model × 1 task \(.+\) × 1 run, at most 2 turns and 64 output tokens per turn/);
        await expect.poll(() => page.getByTestId("limitations").textContent()).toContain("Offline: the plan measures models already on disk and downloads nothing");
        await expect.poll(() => page.getByTestId("candidate-row").count()).toBe(1);
        await expect.poll(() => page.getByTestId("step-estimate").first().textContent()).toMatch(/^Estimate: .+\((predicted|measured)/);
        await page.screenshot({path: path.join(screenshotDir, "answer-plan-900.png"), fullPage: true});

        // Changing the candidates is a picker of the models on disk and the catalog's, validated before it is sent.
        await page.getByTestId("edit-candidates").click();
        const rows = page.getByTestId("picker-row");
        await expect.poll(() => rows.count(), {timeout: 60_000}).toBe(1);
        await expect.poll(() => rows.first().getByTestId("picker-model").locator("option:checked").textContent()).toMatch(/^random-guided:q8_0 · /);
        await expect.poll(() => rows.first().getByTestId("picker-facts").textContent()).toMatch(/^on disk, /);
        await page.getByTestId("picker-add").click();
        await expect.poll(() => page.getByTestId("picker-problem").textContent()).toBe("Pick a model in every row, or remove the empty one.");
        await expect.poll(() => page.getByTestId("save-candidates").isDisabled()).toBe(true);
        await rows.nth(1).getByTestId("picker-model").selectOption(plan.candidates[0]!.key);
        await expect.poll(() => page.getByTestId("picker-problem").textContent()).toBe("A model is picked twice: pick another one or remove the row.");
        // A catalog model shows its quantizations with size and prediction; an offline plan refuses it with a coded error and keeps its candidates.
        const catalogOption = await rows.nth(1).getByTestId("picker-model").locator('optgroup[label^="From the catalog"] option').first().getAttribute("value");
        await rows.nth(1).getByTestId("picker-model").selectOption(catalogOption!);
        await expect.poll(() => rows.nth(1).getByTestId("picker-quantization").locator("option").count()).toBeGreaterThan(0);
        await expect.poll(() => rows.nth(1).getByTestId("picker-facts").textContent()).toMatch(/^downloads \d/);
        await expect.poll(() => page.getByTestId("picker-problem").count()).toBe(0);
        for (const width of [900, 1440]) {
            await page.setViewportSize({width, height: 1000});
            expect(await elementsWiderThanWindow(page)).toEqual([]);
            await page.getByTestId("candidates-card").screenshot({path: path.join(screenshotDir, `answer-candidates-picker-${width}.png`)});
        }
        await page.setViewportSize({width: 900, height: 1000});
        await page.getByTestId("save-candidates").click();
        await expect.poll(() => page.getByTestId("candidates-card").locator('[role="alert"]').first().textContent()).toContain("an offline plan downloads nothing");
        await rows.nth(1).getByTestId("picker-remove").click();
        await page.getByTestId("save-candidates").click();
        await expect.poll(() => page.getByTestId("candidate-picker").count()).toBe(0);
        await expect.poll(() => page.getByTestId("candidate-row").count()).toBe(1);

        await page.getByTestId("run-plan").click();
        await expect.poll(() => page.locator('[data-testid="plan-step"][data-state="running"] [data-testid="step-timing"]').count(), {timeout: 60_000}).toBe(1);
        await expect.poll(() => page.locator('[data-testid="plan-step"][data-state="running"] [data-testid="step-timing"]').textContent()).toMatch(/^Elapsed .+ · ETA /);
        expect(await elementsWiderThanWindow(page)).toEqual([]);
        await page.screenshot({path: path.join(screenshotDir, "answer-running-900.png"), fullPage: true});

        await expect.poll(() => page.getByTestId("plan-state").textContent(), {timeout: 240_000}).toBe("done");
        await expect.poll(() => page.locator('[data-testid="plan-step"]').evaluateAll((steps) => steps.map((s) => s.getAttribute("data-state")))).toEqual(["done", "done", "done"]);
        await expect.poll(() => page.locator('[data-testid="plan-step"][data-kind="eval"] [data-testid="step-detail"]').textContent()).toMatch(/^1 of 1 run done, [01] passed \(success \d+%, 95% interval \d+–\d+%\)/);
        await expect.poll(() => page.getByTestId("plan-verdict").count()).toBe(1);
        await page.setViewportSize({width: 1440, height: 1000});
        expect(await elementsWiderThanWindow(page)).toEqual([]);
        await page.screenshot({path: path.join(screenshotDir, "answer-done-1440.png"), fullPage: true});

        // A finished eval links to its Verdict.
        await page.locator('[data-testid="plan-step"][data-kind="eval"] [data-testid="step-result"]').click();
        await expect.poll(() => page.locator("main h1").first().textContent(), {timeout: 60_000}).toBe("Verdict");
        await page.close();
    });

    it("says why the full profile cannot run where R is missing, its commands shown as code, and offers no switch", async () => {
        using userHome = createTempHome("agentfit-user-home-");
        writeOllamaModel(userHome.home);
        const evalEnv = {...process.env, AGENTFIT_RSCRIPT: path.join(userHome.home, "no-such-Rscript")};
        await using app = await startApp({serveUi: true, service: {measureBandwidthAutomatically: false, evalEnv, downloads: {homeDir: userHome.home}}});
        await app.client.call("answer.plan", {offline: true, runs: 1, maxTurns: 2, maxOutputTokensPerTurn: 64, threads: 1});
        const page = await browser.newPage({viewport: {width: 900, height: 1000}});
        await page.goto(`${app.server.url}/`);
        await expect.poll(() => page.getByTestId("plan-state").textContent(), {timeout: 60_000}).toBe("ready");
        const reason = page.getByTestId("other-profile-unavailable");
        await expect.poll(() => reason.textContent()).toMatch(/^The full profile runs helperbench's R task: .*no-such-Rscript.*\. Or run the quick profile\.$/);
        await expect.poll(() => reason.textContent()).not.toContain("`");
        await expect.poll(() => reason.locator("code").allTextContents()).toContain("apt-get install r-base-core r-cran-testthat");
        await expect.poll(() => page.getByTestId("other-profile").count()).toBe(0);
        await page.screenshot({path: path.join(screenshotDir, "answer-r-missing-900.png"), fullPage: true});
        await page.close();
    });

    it("runs every step offline on SmolLM2 kept in a Hugging Face cache folder beside a generated model in Ollama's, on the real engine, to the Verdict, at 900 and 1440 px", {timeout: 1_800_000}, async () => {
        using userHome = createTempHome("agentfit-user-home-");
        // Other tools' folders are found under this home (HF_HOME, HF_HUB_CACHE, XDG_CACHE_HOME or OLLAMA_MODELS would move them).
        if (process.env.HF_HOME || process.env.HF_HUB_CACHE || process.env.XDG_CACHE_HOME || process.env.OLLAMA_MODELS) return;
        writeOllamaModel(userHome.home);
        writeHuggingFaceCacheModel(userHome.home, await ensureSmolLM2());
        await using app = await startApp({serveUi: true, service: {measureBandwidthAutomatically: false, answer: {pollMs: 200}, downloads: {homeDir: userHome.home}}});
        // A 4k agent context (a setting users have: `agentfit verdict thresholds contextSize=4096`) keeps the benchmark's deep tests at
        // 2,048 tokens, and the eval is kept tiny (1 run, 2 turns, 64 tokens), so two real models finish in minutes on a busy machine.
        await app.client.call("verdict.setThresholds", {contextSize: 4096});
        const plan = await app.client.call("answer.plan", {offline: true, runs: 1, maxTurns: 2, maxOutputTokensPerTurn: 64, threads: 1});
        expect(plan.candidates.map((c) => c.name).sort()).toEqual(["SmolLM2-135M-Instruct.Q4_1", "random-guided:q8_0"]);
        expect(plan.steps.map((s) => s.kind)).toEqual(["bench", "bench", "eval", "eval", "verdict"]);

        const page = await browser.newPage({viewport: {width: 1440, height: 1000}});
        await page.goto(`${app.server.url}/#/answer`);
        await expect.poll(() => page.getByTestId("candidate-row").count(), {timeout: 60_000}).toBe(2);
        await page.getByTestId("run-plan").click();
        await expect.poll(() => page.getByTestId("plan-state").textContent(), {timeout: 60_000}).toBe("running");
        const running = page.locator('[data-testid="plan-step"][data-state="running"]');
        await expect.poll(() => running.getByTestId("step-timing").count(), {timeout: 60_000}).toBe(1);
        await expect.poll(() => running.getAttribute("data-kind")).toBe("bench");
        await expect.poll(() => running.getByTestId("step-detail").textContent(), {timeout: 300_000}).toMatch(/^\d of 3 tests done · (pp|tg|agent) at depth \d+: /);
        await page.screenshot({path: path.join(screenshotDir, "answer-real-engine-running-1440.png"), fullPage: true});

        await expect.poll(() => page.getByTestId("plan-state").textContent(), {timeout: 1_500_000, interval: 1000}).toBe("done");
        const steps = page.locator('[data-testid="plan-step"]');
        await expect.poll(() => steps.evaluateAll((all) => all.map((s) => s.getAttribute("data-state")))).toEqual(["done", "done", "done", "done", "done"]);
        // Each step says what it found: the speed the Verdict judges, the eval's score, the answer.
        const benchOf = (name: string) => steps.filter({hasText: name}).and(page.locator('[data-kind="bench"]')).getByTestId("step-detail");
        await expect.poll(() => benchOf("SmolLM2").textContent()).toMatch(/^3 tests done · generation [\d.]+ tok\/s at 2,048 tokens of context · [\d.]+ (s|min) per agent turn$/);
        // The generated model's tiny vocabulary makes the eval's opening over 5,000 tokens, more than its context: the step says so.
        await expect.poll(() => benchOf("random-guided").textContent()).toMatch(/^2 tests done · generation [\d.]+ tok\/s at 2,048 tokens of context · 1 test not measured: .*agent workload needs more than/);
        for (const name of ["SmolLM2", "random-guided"]) {
            const evalStep = steps.filter({hasText: name}).and(page.locator('[data-kind="eval"]'));
            await expect.poll(() => evalStep.getByTestId("step-detail").textContent()).toMatch(/^1 of 1 run done, [01] passed \(success \d+%, 95% interval \d+–\d+%\)/);
        }
        await expect.poll(() => page.locator('[data-testid="plan-step"][data-kind="verdict"] [data-testid="step-detail"]').textContent()).toMatch(/^(Yes|Almost|Not yet known|No) — /);
        await expect.poll(() => page.getByTestId("plan-verdict").count()).toBe(1);
        for (const width of [900, 1440]) {
            await page.setViewportSize({width, height: 1000});
            expect(await elementsWiderThanWindow(page)).toEqual([]);
            await page.screenshot({path: path.join(screenshotDir, `answer-real-engine-done-${width}.png`), fullPage: true});
        }

        // The Verdict judges both files by what the plan measured (SmolLM2 by the name the Hugging Face cache gives it).
        const verdict = await app.client.call("verdict.get", {});
        const speedOf = (name: string) => verdict.local.find((m) => m.label.includes(name))?.speed;
        expect(speedOf("SmolLM2")).toMatchObject({generationSource: "bench", generationDepth: 2048, turnSource: "bench-agent"});
        expect(speedOf("random-guided")).toMatchObject({generationSource: "bench", generationDepth: 2048, turnSource: "eval"});
        await page.getByTestId("open-verdict").click();
        await expect.poll(() => page.getByTestId("row-name").allTextContents(), {timeout: 120_000}).toEqual(expect.arrayContaining(["SmolLM2-135M-Instruct.Q4_1", expect.stringContaining("random-guided")]));
        for (const width of [900, 1440]) {
            await page.setViewportSize({width, height: 1000});
            expect(await elementsWiderThanWindow(page)).toEqual([]);
            await page.screenshot({path: path.join(screenshotDir, `answer-real-engine-verdict-${width}.png`), fullPage: true});
        }
        await page.close();
    });
});

/** A real model laid out as the Hugging Face cache keeps it: snapshots/<revision>/<file> links to blobs/<sha256>. */
function writeHuggingFaceCacheModel(userHome: string, source: string): void {
    const repo = path.join(userHome, ".cache", "huggingface", "hub", "models--HuggingFaceTB--SmolLM2-135M-Instruct-GGUF");
    const digest = crypto.createHash("sha256").update(fs.readFileSync(source)).digest("hex");
    fs.mkdirSync(path.join(repo, "blobs"), {recursive: true});
    fs.mkdirSync(path.join(repo, "snapshots", "0123abc"), {recursive: true});
    fs.copyFileSync(source, path.join(repo, "blobs", digest));
    fs.symlinkSync(path.join("..", "..", "blobs", digest), path.join(repo, "snapshots", "0123abc", path.basename(source)));
}
