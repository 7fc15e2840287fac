import path from "node:path";
import type {Browser} from "playwright-core";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {elementsWiderThanWindow, launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {startCatalogModelOnHub} from "../utils/downloadFixtures.ts";
import {startApp} from "../utils/startApp.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

let browser: Browser & AsyncDisposable;

beforeAll(async () => {
    browser = await launchBrowserForUi();
});
afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
});

describe("the guided path's download step (Answer for this machine)", () => {
    it("downloads the recommended model from the hub with progress and ETA, pauses and resumes it, verifies it, and benchmarks the downloaded file", async () => {
        using home = createTempHome();
        using otherTools = createTempHome("agentfit-no-other-tools-");
        // A one-model catalog served by the Hugging Face stand-in, slowed to about 30 s so progress, pause and resume are seen.
        await using hub = await startCatalogModelOnHub(home.home, {downloadSeconds: 30, throttledRequests: 10});
        await using app = await startApp({
            home,
            serveUi: true,
            service: {measureBandwidthAutomatically: false, answer: {pollMs: 200}, catalogFile: hub.catalogFile, downloads: {...hub.downloads, homeDir: otherTools.home}}
        });
        // The plan a user makes with the button, kept tiny (1 run, 2 turns, 1 thread) for the later steps.
        const plan = await app.client.call("answer.plan", {runs: 1, maxTurns: 2, maxOutputTokensPerTurn: 64, threads: 1});
        expect(plan.candidates).toMatchObject([{key: hub.key, modelId: null, downloadBytes: hub.sizeBytes}]);
        expect(plan.steps.map((s) => s.kind)).toEqual(["download", "bench", "eval", "verdict"]);
        expect(plan.limitations).toEqual([]);

        const page = await browser.newPage({viewport: {width: 900, height: 1000}});
        await page.goto(`${app.server.url}/#/answer`);
        const download = page.locator('[data-testid="plan-step"][data-kind="download"]');
        const bench = page.locator('[data-testid="plan-step"][data-kind="bench"]');
        await expect.poll(() => page.getByTestId("plan-state").textContent(), {timeout: 60_000}).toBe("ready");
        await expect.poll(() => page.getByTestId("disk-check").textContent()).toMatch(/^Downloads need .+ free ✓$/);
        await expect.poll(() => download.getByTestId("step-estimate").textContent()).toMatch(/^Estimate: .+\(assumed/);
        // The other profile is offered with its estimate from the catalog entry, until the file is on disk.
        await expect.poll(() => page.getByTestId("other-profile-estimate").textContent()).toBe(`(${plan.eval.alternative.estimate.text})`);
        await page.getByTestId("run-plan").click();

        // Downloading: a percentage, the bytes and the speed, elapsed time and an ETA.
        await expect.poll(() => download.getAttribute("data-state"), {timeout: 60_000}).toBe("running");
        await expect.poll(() => download.getByTestId("step-percent").textContent(), {timeout: 60_000}).toMatch(/^([1-9]\d?)%$/);
        await expect.poll(() => download.getByTestId("step-detail").textContent()).toMatch(/ of .+ · .+\/s$/);
        await expect.poll(() => download.getByTestId("step-timing").textContent()).toMatch(/^Elapsed .+ · ETA \d/);
        // The time left is said once, as "ETA", in the step's timing line (the Downloads screen writes it the same way).
        await expect.poll(async () => (await download.textContent())?.match(/ETA|left/g)?.length).toBe(1);
        for (const width of [900, 1440]) {
            await page.setViewportSize({width, height: 1000});
            expect(await elementsWiderThanWindow(page)).toEqual([]);
            await page.screenshot({path: path.join(screenshotDir, `answer-downloading-${width}.png`), fullPage: true});
        }

        // Pause: the plan and the step say paused, the download job is paused and its bytes stop growing.
        await page.getByTestId("pause-plan").click();
        await expect.poll(() => page.getByTestId("plan-state").textContent()).toBe("paused");
        await expect.poll(() => download.getAttribute("data-state")).toBe("paused");
        await expect.poll(() => download.getByTestId("step-timing").textContent()).toMatch(/ · ETA paused/);
        const jobId = (await app.client.call("answer.current", {}))!.steps[0]!.job!.id;
        const job = async () => (await app.client.call("downloads.list", {})).find((j) => j.id === jobId)!;
        await expect.poll(async () => (await job()).state).toBe("paused");
        await expect
            .poll(async () => {
                const before = (await job()).downloadedBytes;
                await new Promise((resolve) => setTimeout(resolve, 1500));
                return (await job()).downloadedBytes === before;
            })
            .toBe(true);
        const pausedAt = (await job()).downloadedBytes;
        expect(pausedAt).toBeLessThan(hub.sizeBytes);

        // Resume: the same job continues from its bytes, to the end, and the file is checked against the hub's SHA-256.
        await page.getByTestId("run-plan").click();
        await expect.poll(() => download.getAttribute("data-state"), {timeout: 120_000}).toBe("done");
        await expect.poll(() => download.getByTestId("step-detail").textContent()).toMatch(/ downloaded · SHA-256 verified against the published checksum$/);
        // The file says it was trained for 4,096 tokens (the catalog's entry said 32k): the plan says so in the Verdict's words,
        // and the candidate is judged as the Verdict will judge it.
        await expect
            .poll(() => page.getByTestId("limitations").textContent())
            .toBe(`Tiny Guided Q8_0 — Doesn't fit: trained for 4,096 tokens; the agent context is ${plan.settings.contextSize.toLocaleString("en-US")}. It is measured at the 4,096 tokens it was trained for.`);
        await expect.poll(() => page.getByTestId("candidate-row").first().textContent()).toContain("Doesn't fit");
        await page.screenshot({path: path.join(screenshotDir, "answer-downloaded-1440.png"), fullPage: true});
        // Paused with the file on disk, the page offers the other profile with its estimate for the file (no longer the
        // catalog entry's, a 1.5B model's), as the plan now says; then the plan resumes.
        await page.getByTestId("pause-plan").click();
        await expect.poll(() => page.getByTestId("plan-state").textContent()).toBe("paused");
        const paused = (await app.client.call("answer.current", {}))!;
        expect(paused.eval.alternative.estimate.seconds!).toBeLessThan(plan.eval.alternative.estimate.seconds!);
        await expect.poll(() => page.getByTestId("other-profile-estimate").textContent()).toBe(`(${paused.eval.alternative.estimate.text})`);
        await page.getByTestId("run-plan").click();
        const registered = await app.client.call("models.list", {});
        expect(registered).toHaveLength(1);
        expect(registered[0]).toMatchObject({sha256: hub.sha256, source: {kind: "huggingface", catalogId: hub.key}});
        expect(await job()).toMatchObject({state: "completed", downloadedBytes: hub.sizeBytes});
        // Resumed with a Range request from where it paused, not downloaded again.
        expect(hub.hub.requests.some((r) => r.host === "content" && r.range !== undefined && r.range.startsWith("bytes=") && !r.range.startsWith("bytes=0-"))).toBe(true);

        // The benchmark starts on the downloaded file; its links now carry the model and the context it is measured at.
        await expect.poll(() => bench.getAttribute("data-state"), {timeout: 60_000}).toMatch(/^(running|done)$/);
        // Its title names the downloaded model and the context its file was trained for (the catalog's entry said 32k).
        await expect.poll(() => bench.locator("strong").first().textContent()).toBe("Measure the speed of Tiny Guided Q8_0 at a 4,096-token context");
        await expect.poll(async () => (await app.client.call("answer.current", {}))!.steps[1]!.job?.id ?? null, {timeout: 60_000}).not.toBeNull();
        const current = (await app.client.call("answer.current", {}))!;
        expect(current.candidates[0]!.modelId).toBe(registered[0]!.id);
        const benchRun = await app.client.call("bench.run", {runId: current.steps[1]!.job!.id});
        expect(benchRun.spec.models).toEqual([registered[0]!.id]);
        expect(benchRun.spec.matrix.threads).toEqual([1]);
        const links = (params: Record<string, string>) => new URLSearchParams({model: registered[0]!.id, ctx: "4096", ...params}).toString();
        await expect.poll(() => page.getByTestId("candidate-bench").getAttribute("href")).toBe(`#/benchmark?${links({depth: "2048"})}`);
        await expect.poll(() => page.getByTestId("candidate-eval").getAttribute("href")).toBe(`#/evaluate?${links({runs: "1", task: current.eval.task})}`);

        // Stop there: skip the eval (still pending) and the benchmark (running, or just finished), and the plan ends on the Verdict.
        await page.locator('[data-testid="plan-step"][data-kind="eval"]').getByTestId("skip-step").click();
        await expect.poll(() => page.locator('[data-testid="plan-step"][data-kind="eval"]').getAttribute("data-state")).toBe("skipped");
        await app.client.call("answer.skip", {planId: plan.id, step: 1}).catch((error: {code?: string}) => {
            if (error.code !== "ANSWER_STEP_FINISHED") throw error;
        });
        await expect.poll(() => bench.getAttribute("data-state")).toMatch(/^(skipped|done)$/);
        await expect.poll(() => page.getByTestId("plan-state").textContent(), {timeout: 60_000}).toBe("done");
        await page.close();
    });
});
