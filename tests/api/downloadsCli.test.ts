import {spawn} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {RegisteredModel} from "../../electron/api/DownloadsApi.ts";
import {createAppService} from "../../electron/core/AppService.ts";
import {createDownloadFixtures, type DownloadFixtures} from "../utils/downloadFixtures.ts";
import {startFakeHuggingFace, type FakeHuggingFace} from "../../testkit/fakeHuggingFace.ts";
import {projectRoot, runCli} from "../utils/runCli.ts";
import {createTempHome, type TempHome} from "../../testkit/tempHome.ts";

let fixtures: DownloadFixtures;
let hub: FakeHuggingFace;

beforeAll(async () => {
    fixtures = createDownloadFixtures();
    hub = await startFakeHuggingFace({repos: fixtures.repos});
});
afterAll(async () => {
    await hub?.[Symbol.asyncDispose]();
    fixtures?.[Symbol.dispose]();
});

/** The user's environment, pointed at the fake Hub, with no token from this machine. */
function cliEnv(home: TempHome, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {...home.env, HF_ENDPOINT: hub.endpoint, HF_TOKEN_PATH: path.join(home.home, "no-token"), ...extra};
    if (!extra.HF_TOKEN) delete env.HF_TOKEN;
    delete env.HUGGING_FACE_HUB_TOKEN;
    return env;
}

function startPull(args: string[], home: TempHome) {
    const child = spawn(process.execPath, [path.join(projectRoot, "bin", "agentfit.js"), ...args], {cwd: projectRoot, env: {...cliEnv(home), NO_COLOR: "1"}});
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.on("exit", (code, signal) => resolve({code, signal})));
    return {child, exited, stderr: () => stderr};
}

const sentFor = (file: string, from: number) =>
    hub.requests
        .slice(from)
        .filter((r) => r.host === "content" && decodeURIComponent(r.path).endsWith(`/${file}`))
        .reduce((sum, r) => sum + r.bytesSent, 0);

describe("agentfit pull / models / import / rm", () => {
    it("resumes a pull whose process was killed when the app starts, re-downloading less than 1 MiB; the partial is never listed as a model", async () => {
        using home = createTempHome();
        hub.faults.push({file: "tiny-Q8_0.gguf", bytesPerSecond: 1024 * 1024});
        const from = hub.requests.length;
        const pull = startPull(["pull", "hf:acme/tiny-GGUF:Q8_0"], home);
        const partial = path.join(home.models, "huggingface", "acme", "tiny-GGUF", "tiny-Q8_0.gguf.partial");
        await expect.poll(() => (fs.existsSync(partial) ? fs.statSync(partial).size : 0), {timeout: 30_000}).toBeGreaterThan(1_500_000);
        pull.child.kill("SIGKILL");
        expect((await pull.exited).signal).toBe("SIGKILL");
        expect(pull.stderr()).toContain("Downloading acme/tiny-GGUF:Q8_0");
        expect(fs.statSync(partial).size).toBeLessThan(fixtures.single.size);

        const listed = await runCli(["models", "--json"], cliEnv(home));
        expect(JSON.parse(listed.stdout)).toEqual([]);

        // The app starts (desktop or `agentfit web`): it takes over the dead process's download.
        const app = await createAppService({paths: home, downloads: {huggingFaceEndpoint: hub.endpoint, huggingFaceToken: null, autoResume: true}});
        try {
            await expect.poll(() => app["downloads.list"]({}).then((jobs) => jobs[0]?.state), {timeout: 30_000}).toBe("completed");
        } finally {
            await app.dispose();
        }
        expect(sentFor("tiny-Q8_0.gguf", from) - fixtures.single.size).toBeLessThan(1024 * 1024);
        expect(fs.existsSync(partial)).toBe(false);

        const again = await runCli(["pull", "hf:acme/tiny-GGUF:Q8_0"], cliEnv(home));
        expect(again.code).toBe(0);
        expect(again.stdout).toContain('already downloaded as model "tiny-q8_0"');

        const models = JSON.parse((await runCli(["models", "--json"], cliEnv(home))).stdout) as RegisteredModel[];
        expect(models).toHaveLength(1);
        expect(models[0]).toMatchObject({id: "tiny-q8_0", sha256: fixtures.single.sha256, sizeBytes: fixtures.single.size});

        const removed = await runCli(["rm", "tiny"], cliEnv(home));
        expect(removed.code).toBe(0);
        expect(removed.stdout).toContain("Removed tiny-q8_0 and deleted 1 file");
        expect(fs.existsSync(models[0]!.path)).toBe(false);
    });

    it("pauses on Ctrl-C, and `agentfit pull` without a model resumes every unfinished download", async () => {
        using home = createTempHome();
        hub.faults.push({file: "tiny-Q4_0-00001-of-00003.gguf", bytesPerSecond: 512 * 1024});
        const from = hub.requests.length;
        const pull = startPull(["pull", "hf:acme/tiny-GGUF:Q4_0"], home);
        const partial = path.join(home.models, "huggingface", "acme", "tiny-GGUF", "tiny-Q4_0-00001-of-00003.gguf.partial");
        await expect.poll(() => (fs.existsSync(partial) ? fs.statSync(partial).size : 0), {timeout: 120_000}).toBeGreaterThan(300_000);
        pull.child.kill("SIGINT");
        expect((await pull.exited).code).toBe(130);
        expect(pull.stderr()).toContain("Paused. Run agentfit pull hf:acme/tiny-GGUF:Q4_0 again to resume.");
        expect(fs.existsSync(partial)).toBe(true);

        const resumed = await runCli(["pull"], cliEnv(home));
        expect(resumed.code).toBe(0);
        expect(resumed.stdout).toContain("Registered tiny-q4_0");
        expect(resumed.stdout).toContain("(+2 more parts)");
        expect(sentFor("tiny-Q4_0-00001-of-00003.gguf", from)).toBe(fs.statSync(fixtures.split.paths[0]!).size);

        const nothing = await runCli(["pull"], cliEnv(home));
        expect(nothing.stdout).toContain("No unfinished downloads");
    });

    it("explains a gated repository, then pulls it with HF_TOKEN and prints the model as JSON", async () => {
        using home = createTempHome();
        const denied = await runCli(["pull", "hf:acme/gated-GGUF:Q8_0"], cliEnv(home));
        expect(denied.code).toBe(1);
        expect(denied.stderr).toContain("error [DOWNLOAD_UNAUTHORIZED]");
        expect(denied.stderr).toContain("HF_TOKEN");

        const pulled = await runCli(["pull", "hf:acme/gated-GGUF/gated-Q8_0.gguf", "--json"], cliEnv(home, {HF_TOKEN: hub.token}));
        expect(pulled.code).toBe(0);
        expect(JSON.parse(pulled.stdout)).toMatchObject({id: "gated-q8_0", sha256: fixtures.single.sha256, managed: true});
        expect(pulled.stderr).toContain("100%");
    });

    it("imports a folder in place, lists it as a table, and rm leaves imported files alone", async () => {
        using home = createTempHome();
        const folder = path.join(home.home, "my-models");
        fs.mkdirSync(folder, {recursive: true});
        fs.copyFileSync(fixtures.single.path, path.join(folder, "coder-Q8_0.gguf"));
        const imported = await runCli(["import", folder], cliEnv(home));
        expect(imported.code).toBe(0);
        expect(imported.stdout).toContain("Registered coder-q8_0");
        expect(imported.stdout).toContain("1 imported, 0 already registered, 0 skipped");

        const table = await runCli(["models"], cliEnv(home));
        expect(table.stdout).toMatch(/ID\s+QUANT\s+PARAMS\s+SIZE\s+SOURCE\s+PATH/);
        expect(table.stdout).toMatch(/coder-q8_0\s+Q8_0\s+4\.9M\s+5\.0 MB\s+imported/);

        const bad = await runCli(["import", fixtures.notGguf], cliEnv(home));
        expect(bad.code).toBe(1);
        expect(bad.stderr).toContain("not a GGUF file");

        const removed = await runCli(["rm", path.join(folder, "coder-Q8_0.gguf")], cliEnv(home));
        expect(removed.stdout).toContain("Unregistered coder-q8_0; its files were left in place");
        expect(fs.existsSync(path.join(folder, "coder-Q8_0.gguf"))).toBe(true);

        const missing = await runCli(["rm", "coder"], cliEnv(home));
        expect(missing.code).toBe(1);
        expect(missing.stderr).toContain("error [MODEL_NOT_FOUND]");
    });
});
