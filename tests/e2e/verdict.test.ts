import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {Browser, Page} from "playwright-core";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {InspectEvalLog} from "../../electron/api/EvalApi.ts";
import type {LlamaBenchJsonEntry} from "../../electron/api/BenchApi.ts";
import type {Verdict} from "../../electron/api/VerdictApi.ts";
import type {ReportData} from "../../electron/core/reports/collectReportData.ts";
import {formatCost, formatScore} from "../../electron/shared/evalFormat.ts";
import {ASSUMED_SCREEN_PLOT_WIDTH} from "../../electron/shared/verdictCharts.ts";
import {formatTps} from "../../electron/shared/verdictFormat.ts";
import {elementsWiderThanWindow, launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {runCli} from "../utils/runCli.ts";
import {startApp} from "../utils/startApp.ts";
import {createVerdictFixture, verdictTask, type VerdictFixture} from "../utils/verdictFixture.ts";

let browser: Browser & AsyncDisposable;
/** States are waited for, generously: on a busy machine a verdict or a recommendation takes seconds. */
const wait = {timeout: 60_000};
let fixture: VerdictFixture;

beforeAll(async () => {
    browser = await launchBrowserForUi();
    fixture = await createVerdictFixture({serveUi: true});
}, 900_000); // the fixture runs real evals and benchmarks: minutes on a busy machine
afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
    await browser?.[Symbol.asyncDispose]();
});

async function openPage(url: string, width = 1440): Promise<{page: Page; errors: string[]}> {
    const page = await browser.newPage({viewport: {width, height: 1000}, acceptDownloads: true});
    const errors: string[] = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(url);
    return {page, errors};
}

/** What the verdict must show, computed from the store and the eval's statistics rather than from the verdict itself. */
async function expected() {
    const {app, models} = fixture;
    const results = await app.client.call("eval.results", {task: verdictTask});
    const latest = app.service.store.bench.latest({});
    const deepestTg = (file: string) =>
        latest.filter((l) => l.result.model.path === file && l.result.kind === "tg").sort((a, b) => b.result.depth - a.result.depth)[0]!.result.avgTs!;
    const local = (q: "Q4_0" | "Q8_0") => results.find((r) => r.provider === "local" && r.quantization === q)!;
    const cloud = (model: string) => results.find((r) => r.provider === "openai" && r.model === model)!;
    return {models, deepestTg, local, cloud};
}

describe("Verdict screen (browser mode)", () => {
    it("is home once results exist and shows each model's verdict with the numbers the store holds", async () => {
        const {models, deepestTg, local, cloud} = await expected();
        const {page, errors} = await openPage(`${fixture.app.server.url}/`);
        const answer = page.getByTestId("verdict-answer");
        await expect.poll(() => answer.getAttribute("data-verdict"), wait).toBe("no");
        await expect.poll(() => page.locator(".nav a.active").textContent()).toContain("Verdict");
        // One name per model: the file name without extension; the GGUF's general.name is a detail.
        await expect.poll(() => page.getByTestId("verdict-headline").textContent()).toMatch(/^No — none of the local models tried here is a usable coding agent\. Closest: agentfit-test-tiny\.Q(4|8)_0, but /);
        // The line ends with the local model's time per turn, which the test does not predict.
        const cloudEvidence = async () => (await answer.locator("li").allTextContents()).find((e) => e.startsWith("Cloud"))?.replace(/, [^,]*$/, "");
        await expect.poll(cloudEvidence).toBe(`Cloud, same eval: openai:gpt-4.1 refactors 100% (4/4) at ${formatCost(cloud("gpt-4.1").stats.costPerRun)} per run`);

        const rows = page.getByTestId("verdict-row");
        await expect.poll(() => rows.count(), wait).toBe(3);
        await expect.poll(() => page.getByTestId("row-name").allTextContents()).toEqual(expect.arrayContaining(["agentfit-test-tiny.Q4_0", "agentfit-test-tiny.Q8_0", "agentfit-test-tiny.F16"]));
        await expect.poll(() => page.getByTestId("row-detail").first().textContent()).toContain('GGUF name "AgentFit Test Tiny"');
        // The legend explains every word, with the thresholds in force.
        const legend = page.getByTestId("verdict-legend");
        await expect.poll(() => legend.locator("dt").allTextContents()).toEqual(["Usable", "Almost", "No", "Doesn't fit", "Not evaluated"]);
        await expect.poll(() => legend.textContent()).toContain("refactors ≥ 80% of ≥ 10 eval runs, generates ≥ 10 tok/s at the agent's depth and takes ≤ 30 s per agent turn");
        await expect.poll(() => legend.textContent()).toContain("Strict: also extracted a real helper that the function calls and the block no longer inline.");
        for (const q of ["Q4_0", "Q8_0"] as const) {
            const row = page.locator(`[data-testid="verdict-row"][data-key="${models[q].path}"]`);
            await expect.poll(() => row.getByTestId("row-verdict").textContent()).toBe("No");
            const stats = local(q).stats;
            expect(stats.successes).toBe(0);
            await expect.poll(() => row.getByTestId("row-success").textContent()).toBe(formatScore(stats.successes, stats.samples, stats.interval));
            await expect.poll(() => row.getByTestId("criterion-generation").textContent()).toContain(formatTps(deepestTg(models[q].path)));
            await expect.poll(() => row.getByTestId("criterion-success").getAttribute("title")).toContain("usable ≥ 80%, almost ≥ 50%");
        }
        const f16 = page.locator(`[data-testid="verdict-row"][data-key="${models.F16.path}"]`);
        await expect.poll(() => f16.getByTestId("row-verdict").textContent()).toBe("Not evaluated");
        await expect.poll(() => f16.getByTestId("criterion-generation").textContent()).toContain(formatTps(deepestTg(models.F16.path)));

        // Charts drawn by recharts: a mark per evaluated model.
        await expect.poll(() => page.getByTestId("chart-accuracy-speed").locator(".recharts-scatter-symbol").count(), wait).toBeGreaterThanOrEqual(3);
        await expect.poll(() => page.getByTestId("chart-cost-accuracy").locator(".recharts-scatter-symbol").count()).toBe(4);
        await expect.poll(() => page.getByTestId("chart-cost-accuracy").locator("svg text").allTextContents()).toEqual(expect.arrayContaining(["gpt-4.1", "gpt-4.1-mini", "agentfit-test-tiny.Q4_0", "agentfit-test-tiny.Q8_0"]));
        // No point's label covers another's, at either width; the plot is at least as wide as the labels were placed for.
        for (const width of [900, 1440]) {
            await page.setViewportSize({width, height: 1000});
            for (const chart of ["chart-accuracy-speed", "chart-cost-accuracy"]) {
                await expect.poll(async () => (await page.getByTestId(chart).locator(".recharts-cartesian-grid").boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(ASSUMED_SCREEN_PLOT_WIDTH);
                await expect.poll(() => overlappingLabels(page, chart)).toEqual([]);
            }
        }
        // The F16 file is measured but not evaluated, and nothing it measured fails: its eval could lift the "No", so it leads the changes.
        const evalChange = page.locator('[data-testid="change"][data-kind="eval"][data-decisive="true"]');
        await expect.poll(() => evalChange.count()).toBe(1);
        await expect.poll(() => evalChange.textContent()).toContain("Run the refactor eval on agentfit-test-tiny.F16 (10 runs)");
        // What could not lift the "No" (the catalog's what-ifs predicted no better here) is listed apart, folded, each saying why.
        const others = page.locator('[data-testid="change"][data-decisive="false"]');
        await expect.poll(() => page.getByTestId("other-changes").locator('[data-testid="change"]').count()).toBe(await others.count());
        for (const why of await others.getByTestId("change-why").allTextContents()) expect(why).toMatch(/^At best "(No|Doesn't fit)": no better than the answer as it stands \("No"\)\.$/);
        await page.screenshot({path: path.join(screenshotDir, "verdict.png"), fullPage: true});
        const narrow = await openPage(`${fixture.app.server.url}/#/verdict`, 900);
        await expect.poll(() => narrow.page.getByTestId("verdict-row").count(), {timeout: 60_000}).toBe(3);
        await narrow.page.screenshot({path: path.join(screenshotDir, "verdict-900.png"), fullPage: true});
        expect(await elementsWiderThanWindow(narrow.page)).toEqual([]);
        expect(narrow.errors).toEqual([]);
        await narrow.page.close();

        // The evidence of one model: criteria, memory breakdown with the measured load, speed, cloud comparison.
        await page.locator(`[data-testid="verdict-row"][data-key="${models.Q8_0.path}"]`).click();
        const detail = page.getByTestId("model-evidence");
        await expect.poll(() => detail.textContent()).toContain("Eval success rate");
        await expect.poll(() => detail.getByTestId("measured-load").textContent()).toMatch(/measured load at 4096 tokens: \d/);
        await expect.poll(() => detail.getByTestId("versus-cloud").textContent()).toBe(`vs openai:gpt-4.1: 100% at ${formatCost(cloud("gpt-4.1").stats.costPerRun)} per run`);
        await detail.screenshot({path: path.join(screenshotDir, "verdict-evidence.png")});

        // The quantization ladder, fewest bits first, and local against cloud.
        const ladder = page.getByTestId("ladder-row");
        await expect.poll(() => ladder.locator("td:first-child").allTextContents()).toEqual(["Q4_0", "Q8_0", "F16"]);
        await expect.poll(() => page.getByTestId("ladder-generation").allTextContents()).toEqual(["Q4_0", "Q8_0", "F16"].map((q) => formatTps(deepestTg(models[q as "F16"].path))));
        await page.getByTestId("verdict-comparisons").screenshot({path: path.join(screenshotDir, "verdict-ladder.png")});
        await page.getByTestId("tab-cloud").click();
        await expect.poll(() => page.getByTestId("compare-row").count()).toBe(4);
        expect((await page.getByTestId("compare-where").allTextContents()).sort()).toEqual(["cloud", "cloud", "local", "local"]);
        await expect.poll(() => page.getByTestId("compare-cost").allTextContents()).toEqual(expect.arrayContaining([formatCost(cloud("gpt-4.1").stats.costPerRun), formatCost(cloud("gpt-4.1-mini").stats.costPerRun), "free"]));
        await page.getByTestId("verdict-comparisons").screenshot({path: path.join(screenshotDir, "verdict-cloud.png")});
        // The change's action opens Evaluate with the plan filled in: that file, 10 runs, the verdict's task.
        await evalChange.getByRole("link").click();
        await expect.poll(() => page.locator("main h1").first().textContent(), wait).toBe("Evaluate");
        await expect.poll(() => page.getByTestId("model-list").textContent(), wait).toContain(models.F16.path);
        await expect.poll(() => page.getByTestId("epochs-input").inputValue()).toBe("10");
        await expect.poll(() => page.getByTestId(`task-${verdictTask}`).locator("input").isChecked()).toBe(true);
        expect(errors).toEqual([]);
        await page.close();
    });

    it("links every 'what would change the answer' item to what tests it with all its parameters; a shorter context opens Benchmark at that context", async () => {
        const client = fixture.app.client;
        const before = (await client.call("verdict.thresholds", {})).thresholds.contextSize;
        // An agent context beyond the files' trained 32k: they no longer fit, and the Verdict offers measuring them at the context they were trained for.
        await client.call("verdict.setThresholds", {contextSize: 65536});
        try {
            const verdict = await client.call("verdict.get", {});
            const shorter = verdict.changes.find((c) => c.kind === "settings" && c.action.kind === "bench" && c.action.kvCacheType === null);
            expect(shorter?.text).toMatch(/^With a 32k context \(the one it was trained for\), agentfit-test-tiny\.\w+ would fit/);
            const {page, errors} = await openPage(`${fixture.app.server.url}/#/verdict`);
            const items = page.getByTestId("change");
            await expect.poll(() => items.count(), wait).toBe(verdict.changes.length);
            for (const change of verdict.changes) {
                const action = change.action;
                const item = items.filter({hasText: change.text});
                if (action.kind === "download") {
                    await expect.poll(() => item.getByTestId("catalog-download").textContent()).toBe(`Download ${action.reference}`);
                    continue;
                }
                const href = (await item.getByTestId("change-action").locator("a").getAttribute("href"))!;
                const [screen, query] = href.replace(/^#\//, "").split("?");
                const params = Object.fromEntries(new URLSearchParams(query));
                if (action.kind === "bench") {
                    expect([screen, params]).toEqual(["benchmark", {model: action.model, ctx: String(action.contextSize), depth: String(action.depth), ...(action.kvCacheType ? {kv: action.kvCacheType} : {})}]);
                } else if (action.kind === "eval") {
                    expect([screen, params]).toEqual(["evaluate", {model: action.model, ctx: String(action.contextSize), runs: String(action.runs), ...(action.task ? {task: action.task} : {})}]);
                } else {
                    expect([screen, params]).toEqual(["models", {...(action.ram ? {ram: action.ram} : {}), ...(action.preset ? {preset: action.preset} : {})}]);
                }
            }

            // The shorter-context item opens Benchmark with that file, that context, generation at half of it and the agent workload.
            const item = items.filter({hasText: shorter!.text});
            if (!shorter!.decisive) await page.getByTestId("other-changes").locator("summary").click();
            await expect.poll(async () => (await item.getByTestId("change-action").textContent())?.trim()).toBe("Benchmark it at 32k");
            for (const width of [900, 1440]) {
                await page.setViewportSize({width, height: 1000});
                await page.getByTestId("verdict-changes").screenshot({path: path.join(screenshotDir, `verdict-changes-${width}.png`)});
            }
            await item.getByTestId("change-action").locator("a").click();
            await expect.poll(() => page.locator("main h1").first().textContent(), wait).toBe("Benchmark");
            await expect.poll(() => page.getByTestId("bench-context").inputValue(), wait).toBe("32768");
            await expect.poll(() => page.getByTestId("bench-depths").inputValue()).toBe("16384");
            await expect.poll(() => page.getByTestId("bench-agent").isChecked()).toBe(true);
            await expect.poll(() => page.getByTestId("bench-kv-f16").isChecked()).toBe(true);
            const fileName = path.basename(shorter!.action.kind === "bench" ? shorter!.action.model : "", ".gguf");
            await expect.poll(() => page.getByTestId("bench-models").locator("label").filter({hasText: fileName}).locator("input").isChecked(), wait).toBe(true);
            for (const width of [900, 1440]) {
                await page.setViewportSize({width, height: 1000});
                expect(await elementsWiderThanWindow(page)).toEqual([]);
                await page.getByTestId("bench-form").screenshot({path: path.join(screenshotDir, `bench-from-verdict-change-${width}.png`)});
            }
            expect(errors).toEqual([]);
            await page.close();
        } finally {
            await client.call("verdict.setThresholds", {contextSize: before});
        }
    });

    it("edits the thresholds: the verdict changes at once and the edit is kept in SQLite", async () => {
        const {models} = await expected();
        const {page, errors} = await openPage(`${fixture.app.server.url}/#/verdict`);
        await expect.poll(() => page.getByTestId("verdict-answer").getAttribute("data-verdict"), wait).toBe("no");
        await page.getByTestId("threshold-almostSuccessRate").fill("0");
        await page.getByTestId("thresholds-save").click();
        await expect.poll(() => page.getByTestId("verdict-answer").getAttribute("data-verdict"), wait).toBe("almost");
        const row = page.locator(`[data-testid="verdict-row"][data-key="${models.Q8_0.path}"]`);
        await expect.poll(() => row.getByTestId("row-verdict").textContent()).toBe("Almost");
        await expect.poll(() => fixture.app.service.store.verdict.thresholds()?.values).toEqual({almostSuccessRate: 0});
        await page.getByTestId("verdict-thresholds").screenshot({path: path.join(screenshotDir, "verdict-thresholds.png")});

        // An inconsistent edit is refused with its reason, and nothing is stored.
        await page.getByTestId("threshold-usableGenerationTps").fill("1");
        await page.getByTestId("thresholds-save").click();
        await expect.poll(() => page.locator(".error-banner").textContent(), wait).toContain("usableGenerationTps (1) must be at least almostGenerationTps (5)");
        expect(fixture.app.service.store.verdict.thresholds()?.values).toEqual({almostSuccessRate: 0});
        // So are a zero turn time and an emptied field (never a silent 0).
        await page.getByTestId("threshold-usableGenerationTps").fill("10");
        await page.getByTestId("threshold-usableTurnSeconds").fill("0");
        await page.getByTestId("thresholds-save").click();
        await expect.poll(() => page.locator(".error-banner").textContent(), wait).toContain("VERDICT_THRESHOLDS_INVALID");
        await expect.poll(() => page.locator(".error-banner").textContent(), wait).toContain("usableTurnSeconds");
        await page.getByTestId("threshold-usableTurnSeconds").fill("30");
        await page.getByTestId("threshold-almostGenerationTps").fill("");
        await page.getByTestId("thresholds-save").click();
        await expect.poll(() => page.locator(".error-banner").textContent(), wait).toContain("almostGenerationTps");
        expect(fixture.app.service.store.verdict.thresholds()?.values).toEqual({almostSuccessRate: 0});
        await page.getByTestId("threshold-almostGenerationTps").fill("5");

        // An agent context beyond the 32,768 tokens the models were trained for fails their fit, with the reason.
        await page.getByTestId("threshold-contextSize").fill("65536");
        await page.getByTestId("thresholds-save").click();
        await expect.poll(() => row.getByTestId("row-verdict").textContent(), wait).toBe("Doesn't fit");
        await expect.poll(() => row.getByTestId("criterion-fit").textContent()).toContain("trained for 32k");
        await expect.poll(() => row.getByTestId("criterion-fit").getAttribute("title")).toContain("Trained for 32,768 tokens; the agent context is 65,536");
        await page.getByTestId("verdict-models").screenshot({path: path.join(screenshotDir, "verdict-trained-context.png")});

        await page.getByTestId("thresholds-reset").click();
        await expect.poll(() => page.getByTestId("verdict-answer").getAttribute("data-verdict"), wait).toBe("no");
        await expect.poll(() => fixture.app.service.store.verdict.thresholds()).toBeNull();
        // The refused edits are the failed requests (the browser logs their 400s).
        expect(errors).toEqual(Array(3).fill("Failed to load resource: the server responded with a status of 400 (Bad Request)"));
        await page.close();
    });

    it("exports reports that match the store: HTML from the button, and CSV, JSON, llama-bench and Inspect", async () => {
        const {app, benchRun} = fixture;
        const store = app.service.store;
        const {page, errors} = await openPage(`${app.server.url}/#/verdict`);
        await page.getByTestId("export-html").waitFor();
        const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-html").click()]);
        const html = fs.readFileSync((await download.path())!, "utf8");
        expect(download.suggestedFilename()).toMatch(/^agentfit-report-\d{4}-\d{2}-\d{2}\.html$/);
        // Self-contained: inline CSS and SVG, no scripts, nothing fetched from elsewhere.
        expect(html).not.toMatch(/<script|<link|src=|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
        expect(html.match(/<svg /g)?.length).toBe(2);
        expect(html).toContain('data-verdict="no"');
        await expect.poll(() => page.getByTestId("export-done").textContent()).toContain(download.suggestedFilename());

        // The HTML report as a reader sees it.
        const report = await browser.newPage({viewport: {width: 1180, height: 900}});
        const blocked: string[] = [];
        await report.route("**/*", (route) => (blocked.push(route.request().url()), route.abort()));
        await report.setContent(html);
        await expect.poll(() => report.locator("#answer .pill").textContent()).toBe("No");
        await report.screenshot({path: path.join(screenshotDir, "verdict-report-html.png"), fullPage: true});
        expect(blocked).toEqual([]);
        await report.close();

        const exportOf = async (format: "csv" | "json" | "llama-bench" | "inspect" | "md") => (await app.client.call("reports.export", {format})).files;
        const evalRuns = store.evals.listRuns(100);
        const samples = evalRuns.flatMap((r) => store.evals.samples(r.id).map((s) => ({run: r, s})));
        const benchResults = store.bench.results(benchRun.id);

        const [csv] = await exportOf("csv");
        const lines = csv!.content.trimEnd().split("\r\n");
        const header = lines[0]!.split(",");
        const rows = lines.slice(1).map((line) => Object.fromEntries(line.split(",").map((v, i) => [header[i], v])) as Record<string, string>);
        for (const {run, s} of samples) {
            const score = rows.find((r) => r.source === "eval_sample" && r.item_id === String(s.id) && r.metric === "score")!;
            expect(score).toMatchObject({run_id: String(run.id), model: run.spec.model.model, task: verdictTask, value: s.score === "C" ? "1" : "0"});
            expect(rows.find((r) => r.source === "eval_sample" && r.item_id === String(s.id) && r.metric === "output_tokens")!.value).toBe(String(s.usage.outputTokens));
        }
        for (const result of benchResults) {
            const avg = rows.find((r) => r.source === "bench" && r.item_id === String(result.id) && r.metric === "avg_ts")!;
            expect(Number(avg.value)).toBe(result.avgTs);
        }
        expect(rows.filter((r) => r.source === "model_load").length).toBeGreaterThan(0);

        const [json] = await exportOf("json");
        const data = JSON.parse(json!.content) as ReportData;
        expect(data.evals.runs.map((r) => r.samples)).toEqual(evalRuns.reverse().map((r) => store.evals.samples(r.id)));
        expect(data.bench.runs).toHaveLength(1);
        expect(data.bench.runs[0]!.results).toEqual(benchResults);
        expect(data.modelLoads).toEqual(store.modelLoads.list(1000).reverse());
        expect(data.verdict.answer.verdict).toBe("no");

        const [bench] = await exportOf("llama-bench");
        const entries = JSON.parse(bench!.content) as LlamaBenchJsonEntry[];
        expect(entries.map((e) => [e.agentfit_result_id, e.avg_ts, e.n_prompt, e.n_gen, e.n_depth])).toEqual(benchResults.map((r) => [r.id, r.avgTs, r.promptTokens, r.generatedTokens, r.depth]));

        const inspect = await exportOf("inspect");
        expect(inspect).toHaveLength(evalRuns.length);
        for (const file of inspect) {
            const log = JSON.parse(file.content) as InspectEvalLog;
            expect(log.version).toBe(2);
            const runId = Number(/agentfit-eval-(\d+)-/.exec(file.name)![1]);
            expect(log.samples).toHaveLength(store.evals.samples(runId).length);
        }

        const [md] = await exportOf("md");
        const verdict = await app.client.call("verdict.get", {});
        expect(md!.content).toContain(`**${verdict.answer.headline}**`);
        expect(md!.content).toContain("| agentfit-test-tiny.Q8_0 | AgentFit engine | No |");
        expect(md!.content).toContain("## What the words mean");
        expect(md!.content).toContain("- Doesn't fit: needs more memory than this machine leaves a model at 32k, or was trained for fewer tokens than the 32k agent context.");
        expect(md!.content).not.toMatch(/\bAgentFit Test Tiny ·/);
        expect(errors).toEqual([]);
        await page.close();
    });

    it("agentfit verdict and agentfit report, as real processes on the same data", async () => {
        const {app} = fixture;
        const api = (await app.client.call("verdict.get", {})) as Verdict;
        const text = await runCli(["verdict"], app.home.env);
        expect(text.code, text.stderr).toBe(0);
        expect(text.stdout).toContain(api.answer.headline);
        expect(text.stdout).toContain("Local models");
        expect(text.stdout).toContain("Cloud models, same eval");
        for (const l of api.local) expect(text.stdout).toContain(l.label);

        const json = await runCli(["verdict", "--json"], app.home.env);
        expect((JSON.parse(json.stdout) as Verdict).local.map((l) => [l.key, l.verdict])).toEqual(api.local.map((l) => [l.key, l.verdict]));

        const out = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-report-"));
        try {
            const csv = await runCli(["report", "--format", "csv", "--out", path.join(out, "all.csv")], app.home.env);
            expect(csv.code, csv.stderr).toBe(0);
            const [apiCsv] = (await app.client.call("reports.export", {format: "csv"})).files;
            expect(fs.readFileSync(path.join(out, "all.csv"), "utf8")).toBe(apiCsv!.content);

            const inspect = await runCli(["report", "--format", "inspect", "--out", path.join(out, "logs")], app.home.env);
            expect(inspect.code, inspect.stderr).toBe(0);
            expect(fs.readdirSync(path.join(out, "logs"))).toHaveLength(app.service.store.evals.listRuns(100).length);

            const md = await runCli(["report"], app.home.env);
            expect(md.stdout).toContain("# Can this machine run a usable coding agent?");
        } finally {
            fs.rmSync(out, {recursive: true, force: true});
        }

        const bad = await runCli(["report", "--format", "xml"], app.home.env);
        expect(bad.code).toBe(1);
        expect(bad.stderr).toContain("error [REPORT_FORMAT_INVALID]: format must be one of md, html, csv, json, llama-bench, inspect");
        const badThreshold = await runCli(["verdict", "thresholds", "usableSuccessRate=1.5"], app.home.env);
        expect(badThreshold.code).toBe(1);
        expect(badThreshold.stderr).toContain("error [VERDICT_THRESHOLDS_INVALID]: usableSuccessRate");
        const badTask = await runCli(["verdict", "--task", "nope"], app.home.env);
        expect(badTask.stderr).toContain("error [VERDICT_TASK_NOT_FOUND]");
        // Nonsense thresholds from the command line are refused with the same code, and nothing is stored.
        for (const setting of ["usableTurnSeconds=0", "usableTurnSeconds=abc", "almostGenerationTps=-1", "usableSuccessRate=NaN", "speed=3"]) {
            const refused = await runCli(["verdict", "thresholds", setting], app.home.env);
            expect(refused.code, setting).toBe(1);
            expect(refused.stderr, setting).toMatch(/^error \[VERDICT_THRESHOLDS_INVALID\]: /);
        }
        expect(app.service.store.verdict.thresholds()).toBeNull();
        // The terminal verdict ends with the legend.
        expect(text.stdout).toContain("Legend:\n  Usable: fits at 32k context, refactors ≥ 80% of ≥ 10 eval runs");
        expect(text.stdout).toMatch(/WHERE/);
        expect(text.stdout).toContain("AgentFit engine");
    }, 600_000);
});

describe("before any results", () => {
    it("keeps the first screen (Answer for this machine) as home and the Verdict screen says what to do", async () => {
        await using app = await startApp({serveUi: true});
        const {page, errors} = await openPage(`${app.server.url}/`);
        await expect.poll(() => page.locator(".nav a.active").textContent(), wait).toContain("Answer for this machine");
        await page.goto(`${app.server.url}/#/verdict`);
        await expect.poll(() => page.getByTestId("verdict-answer").getAttribute("data-verdict"), wait).toBe("untested");
        await expect.poll(() => page.getByTestId("verdict-models").textContent()).toContain("Evaluate a local model");
        await page.screenshot({path: path.join(screenshotDir, "verdict-empty.png"), fullPage: true});
        expect(errors).toEqual([]);
        await page.close();
    });
});

/** Pairs of point labels in a chart whose boxes intersect, by text. */
async function overlappingLabels(page: Page, chart: string): Promise<string[]> {
    const boxes = await page
        .getByTestId(chart)
        .locator(".recharts-label-list text")
        .evaluateAll((texts) => texts.map((t) => ({text: t.textContent ?? "", ...t.getBoundingClientRect().toJSON()}) as {text: string; left: number; right: number; top: number; bottom: number}));
    const pairs: string[] = [];
    for (const [i, a] of boxes.entries())
        for (const b of boxes.slice(i + 1)) if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) pairs.push(`${a.text} / ${b.text}`);
    return pairs;
}
