import fs from "node:fs";
import http from "node:http";
import type {AddressInfo} from "node:net";
import os from "node:os";
import path from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {EvalRunDetail} from "../../electron/api/EvalApi.ts";
import {agentBinDirs} from "../../testkit/codingAgentsCache.ts";
import {task} from "../../testkit/evalFixtures.ts";
import {codexSolver, sequence} from "../../testkit/scriptedAgents.ts";
import {startScriptedOpenAi, turnOf, type ScriptedOpenAi} from "../../testkit/scriptedOpenAi.ts";
import {createTempHome, type TempHome} from "../../testkit/tempHome.ts";
import {launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {runCli} from "../utils/runCli.ts";
import {startApp} from "../utils/startApp.ts";

// A real agent (Codex CLI, whose shell tool runs whatever the model asks) confined by bubblewrap,
// told by a scripted model to write outside its workspace and to reach another local server: the
// write never lands, the connection fails, both are recorded on the sample, classified and shown
// by `agentfit eval show`. Without bubblewrap the agent runs unconfined and the run says so.

const jsTask = task("js-timesheet-durations");
const probe = `agentfit-confine-probe-${process.pid}-${Date.now()}`;
const homeFile = path.join(os.homedir(), `${probe}.txt`);
const tmpFile = `/tmp/${probe}.txt`;
const claudeHomeFile = path.join(os.homedir(), `${probe}-claude.txt`);
const exec = (cmd: string) => ({toolCalls: [{name: "exec_command", arguments: {cmd}}]});

let server: ScriptedOpenAi;
let other: http.Server;
let otherRequests = 0;
let home: TempHome;

beforeAll(async () => {
    other = http.createServer((_req, res) => {
        otherRequests++;
        res.end("reached");
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
    server = await startScriptedOpenAi({
        agents: {
            writer: sequence([exec(`echo leaked > ${homeFile}`), exec(`echo leaked > ${tmpFile}`)], "I saved the helper where it belongs."),
            fetcher: sequence(
                [exec(`node -e 'fetch(process.argv[1]).then((r) => console.log(r.status), (e) => { console.error(e.cause?.message ?? e.message); process.exit(1); })' ${otherUrl}`)],
                "I checked the documentation server."
            ),
            capable: codexSolver(jsTask),
            // Claude Code's shell tool (Bash), with side requests (titles) answered apart.
            "claude-writer": (request) =>
                !request.tools?.length
                    ? {content: "Save the helper"}
                    : turnOf(request) === 0
                      ? {toolCalls: [{name: "Bash", arguments: {command: `echo leaked > ${claudeHomeFile}`, description: "Save the helper"}}]}
                      : {content: "I saved the helper where it belongs."}
        }
    });
    home = createTempHome("agentfit-confine-");
});

afterAll(async () => {
    await server?.dispose();
    other?.close();
    home?.[Symbol.dispose]();
    fs.rmSync(homeFile, {force: true});
    fs.rmSync(tmpFile, {force: true});
    fs.rmSync(claudeHomeFile, {force: true});
});

const env = () => ({...home.env, AGENTFIT_AGENT_DIRS: agentBinDirs().join(path.delimiter)});
const evalArgs = (model: string, ...more: string[]) => ["eval", "--harness", model.startsWith("claude-") ? "claude-code" : "codex", "--model", `openai-compatible:${model}`, "--base-url", server.baseUrl, "--task", jsTask.name, "--runs", "1", "--max-turns", "8", "--json", ...more];

async function runEval(model: string, extraEnv: NodeJS.ProcessEnv = {}, ...more: string[]): Promise<EvalRunDetail> {
    const result = await runCli(evalArgs(model, ...more), {...env(), ...extraEnv});
    expect(result.code, result.stderr).toBe(0);
    const [run] = JSON.parse(result.stdout) as EvalRunDetail[];
    expect(run!.status, JSON.stringify(run!.error)).toBe("completed");
    return run!;
}

describe.skipIf(process.platform !== "linux")("a coding agent confined by bubblewrap", () => {
    it("cannot write outside its workspace: the files are absent, the attempts recorded and classified", async () => {
        const run = await runEval("writer");
        expect(run.spec.harness?.confinement).toMatchObject({mode: "bwrap"});
        const [sample] = run.samples;
        expect(fs.existsSync(homeFile)).toBe(false);
        expect(fs.existsSync(tmpFile)).toBe(false);
        expect(sample!.outsideAccess).toEqual({
            writes: expect.arrayContaining([
                {path: homeFile, outcome: "blocked"},
                {path: tmpFile, outcome: "discarded"}
            ]),
            network: []
        });
        expect(sample).toMatchObject({score: "I", failureMode: "wrote_outside_workspace", failureDetail: expect.stringContaining("wrote outside its workspace (1 blocked, 1 discarded)")});

        const shown = await runCli(["eval", "show", String(run.id)], env());
        expect(shown.stdout).toContain("Confinement");
        expect(shown.stdout).toContain("bubblewrap");
        const outsideLine = shown.stdout.split("\n").find((line) => line.startsWith("Sample 1 outside its workspace: wrote"));
        expect(outsideLine).toContain(`${homeFile} (blocked)`);
        expect(outsideLine).toContain(`${tmpFile} (discarded)`);
    });

    it("confines Claude Code's shell tool too", async () => {
        const run = await runEval("claude-writer");
        expect(fs.existsSync(claudeHomeFile)).toBe(false);
        expect(run.samples[0]).toMatchObject({failureMode: "wrote_outside_workspace", outsideAccess: {writes: [{path: claudeHomeFile, outcome: "blocked"}], network: []}});
    });

    it("cannot reach another address than the model's: the connection fails, the address is recorded and classified", async () => {
        const run = await runEval("fetcher");
        const [sample] = run.samples;
        const port = (other.address() as AddressInfo).port;
        expect(otherRequests).toBe(0);
        expect(sample!.outsideAccess).toEqual({writes: [], network: [`127.0.0.1:${port}`]});
        expect(sample).toMatchObject({score: "I", failureMode: "tried_network"});
        expect((await runCli(["eval", "show", String(run.id)], env())).stdout).toContain(`tried to reach 127.0.0.1:${port}`);
    });

    it("still passes a normal sample confined, scored C, with nothing outside, through the native forwarder", async () => {
        const run = await runEval("capable", {}, "--confine", "required");
        expect(run.spec.harness?.confinement).toMatchObject({mode: "bwrap", forwarder: "native"});
        expect(run.samples[0]).toMatchObject({score: "C", failureMode: null, outsideAccess: {writes: [], network: []}});
        expect((await runCli(["eval", "show", String(run.id)], env())).stdout).toMatch(/Confinement +bubblewrap.*, native forwarder/);
    });

    it("confines through the Node forwarder when AGENTFIT_SANDBOX_FORWARDER=node asks: the write is blocked, the run records it", async () => {
        const run = await runEval("writer", {AGENTFIT_SANDBOX_FORWARDER: "node"});
        expect(run.spec.harness?.confinement).toMatchObject({mode: "bwrap", forwarder: "node"});
        expect(fs.existsSync(homeFile)).toBe(false);
        expect(run.samples[0]).toMatchObject({failureMode: "wrote_outside_workspace", outsideAccess: {writes: expect.arrayContaining([{path: homeFile, outcome: "blocked"}])}});
        expect((await runCli(["eval", "show", String(run.id)], env())).stdout).toMatch(/Confinement +bubblewrap.*, Node forwarder/);
    });

    it("falls back to the Node forwarder on a PATH without a C compiler, says why once, and still passes confined", async () => {
        // A data folder of its own: the one above already holds the native forwarder, which needs no compiler once built.
        using otherHome = createTempHome("agentfit-confine-nocc-");
        using noCompilers = pathWithoutCompilers();
        const result = await runCli(evalArgs("capable", "--confine", "required"), {...env(), AGENTFIT_HOME: otherHome.home, PATH: noCompilers.path});
        expect(result.code, result.stderr).toBe(0);
        const [run] = JSON.parse(result.stdout) as EvalRunDetail[];
        expect(run!.spec.harness?.confinement).toMatchObject({mode: "bwrap", forwarder: "node"});
        expect(run!.samples[0]).toMatchObject({score: "C", outsideAccess: {writes: [], network: []}});
        expect(result.stderr.match(/Node forwarder.*: there is no C compiler \(cc, gcc, clang\) on PATH/g)).toHaveLength(1);
    });
});

/**
 * This PATH with cc, gcc and clang left out: every other program of a folder that held one is linked
 * from a folder of its own, outside /tmp (the sandbox hides /tmp, and the agent runs `node` and `sh` from PATH).
 */
function pathWithoutCompilers(): {path: string} & Disposable {
    const compilers = ["cc", "gcc", "clang"];
    fs.mkdirSync(path.join(os.homedir(), ".cache"), {recursive: true});
    const farm = fs.mkdtempSync(path.join(os.homedir(), ".cache", "agentfit-test-path-"));
    const searchPath = (process.env.PATH ?? "")
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir, i) => {
            if (!compilers.some((name) => fs.existsSync(path.join(dir, name)))) return dir;
            const copy = path.join(farm, String(i));
            fs.mkdirSync(copy);
            for (const name of fs.readdirSync(dir)) if (!compilers.includes(name)) fs.symlinkSync(path.join(dir, name), path.join(copy, name));
            return copy;
        })
        .join(path.delimiter);
    return {path: searchPath, [Symbol.dispose]: () => fs.rmSync(farm, {recursive: true, force: true})};
}

describe("a machine where agents cannot be confined", () => {
    const noBwrap = {AGENTFIT_BWRAP: "/nonexistent/bwrap"};

    it("refuses to start a run that requires confinement, with a coded error that says what to do", async () => {
        const result = await runCli(evalArgs("capable", "--confine", "required"), {...env(), ...noBwrap});
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/EVAL_CONFINEMENT_UNAVAILABLE/);
        expect(result.stderr).toMatch(/install|--confine auto/);
    });

    it("runs the agent unconfined by default, records why and says so once for the run", async () => {
        const result = await runCli(evalArgs("capable").filter((arg) => arg !== "--json"), {...env(), ...noBwrap});
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout.match(/Agents ran unconfined/g)).toHaveLength(1);
        const runs = JSON.parse((await runCli(["eval", "runs", "--json"], env())).stdout) as EvalRunDetail[];
        const latest = runs[0]!;
        expect(latest.spec.harness?.confinement).toEqual({mode: "none", reason: expect.stringContaining(process.platform === "linux" ? "apt-get install bubblewrap" : "bubblewrap")});
        // The report says it once for the run, with the reason.
        const report = await runCli(["report", "--format", "md"], env());
        const confinement = latest.spec.harness!.confinement!;
        expect(report.stdout).toContain(`Agents ran unconfined in run #${latest.id}: ${confinement.mode === "none" ? confinement.reason : ""}`);
    });
});

describe.skipIf(process.platform !== "linux")("the Evaluate screen", () => {
    it("shows what a sample did outside its workspace, and that a run's agents ran unconfined", async () => {
        await using browser = await launchBrowserForUi();
        await using app = await startApp({serveUi: true, home});
        const runs = await app.client.call("eval.runs", {});
        const writer = runs.find((r) => r.spec.model.model === "writer")!;
        const unconfined = runs.find((r) => r.spec.harness?.confinement?.mode === "none")!;
        for (const width of [1440, 900]) {
            const page = await browser.newPage({viewport: {width, height: 1000}});
            await page.goto(`${app.server.url}/#/evaluate`);
            const row = (id: number) => page.getByTestId("run-row").filter({has: page.locator("td:first-child", {hasText: new RegExp(`^${id}$`)})});
            await row(writer.id).click();
            await page.getByTestId("sample-tile").first().click();
            const outside = page.getByTestId("outside-access");
            await expect.poll(() => outside.textContent(), {timeout: 60_000}).toContain(`${homeFile} (blocked)`);
            await expect.poll(() => page.getByTestId("transcript-score").textContent()).toContain("wrote outside its workspace");
            expect(await page.getByTestId("run-detail").locator(".card-subtitle").textContent()).toMatch(/harness codex \S+ \(confined, (native|Node) forwarder\)/);
            await outside.scrollIntoViewIfNeeded();
            await page.screenshot({path: path.join(screenshotDir, `evaluate-outside-access-${width}.png`)});
            await row(unconfined.id).click();
            await expect.poll(() => page.getByTestId("run-unconfined").textContent(), {timeout: 60_000}).toMatch(/^Agents ran unconfined \(.*\): bubblewrap \(bwrap\) is not installed: install it/);
            await page.screenshot({path: path.join(screenshotDir, `evaluate-unconfined-${width}.png`)});
            await page.close();
        }
    });
});
