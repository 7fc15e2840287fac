import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {describe, expect, it} from "vitest";
import type {EngineBinaryStatus} from "../../electron/api/EngineApi.ts";
import {buildProgressOf, findLocalCpuBuild, liveBuildFolder, nodeLlamaCppLayout, promoteStagedBuild, verifyEngineBuild} from "../../electron/core/engine/engineBinary.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {startApp} from "../utils/startApp.ts";

// Building the engine for this CPU with node-llama-cpp's own toolchain (the real compiler, CMake and
// the llama.cpp source node-llama-cpp ships). It works on the installed package, so this file ends
// with the prebuilt binary in use again, whatever was there before.

async function buildSettled(client: ApiClient, timeout: number): Promise<EngineBinaryStatus> {
    await expect.poll(async () => (await client.call("engine.binary", {})).build?.state, {timeout, interval: 1000}).not.toBe("running");
    return client.call("engine.binary", {});
}

describe("reading node-llama-cpp's build output", () => {
    it("takes progress from the build tool's step counter", () => {
        expect(buildProgressOf("[12/150] Building CXX object llama.cpp/ggml/src/ggml-cpu/CMakeFiles/ggml-cpu.dir/ops.cpp.o")).toBeCloseTo(0.08);
        expect(buildProgressOf("  [150/150] Linking CXX shared module Release/llama-addon.node")).toBe(1);
        expect(buildProgressOf("-- Found OpenMP: TRUE (found version \"4.5\")")).toBeNull();
    });

    it("recognises a complete CPU build and ignores half-finished and GPU ones", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-nlc-"));
        try {
            const layout = nodeLlamaCppLayout(root);
            const write = (folder: string, gpu: unknown, done: boolean) => {
                const dir = path.join(layout.localBuildsDir, folder);
                fs.mkdirSync(path.join(dir, "Release"), {recursive: true});
                fs.writeFileSync(path.join(dir, "Release", "_nlcBuildMetadata.json"), JSON.stringify({buildOptions: {gpu, llamaCpp: {release: "v0.5.0"}}}));
                fs.writeFileSync(path.join(dir, "Release", "llama-addon.node"), Buffer.alloc(1000));
                fs.writeFileSync(path.join(dir, "CMakeCache.txt"), "GGML_NATIVE:BOOL=ON\nOpenMP_CXX_FLAGS:STRING=-fopenmp\nCMAKE_CXX_COMPILER:FILEPATH=/usr/bin/c++\n");
                if (done) fs.writeFileSync(path.join(dir, "buildDone.status"), "");
            };
            expect(findLocalCpuBuild(layout)).toBeNull();
            write("linux-x64-cuda", "cuda", true);
            write("linux-x64", false, false);
            expect(findLocalCpuBuild(layout)).toBeNull();
            fs.writeFileSync(path.join(layout.localBuildsDir, "linux-x64", "buildDone.status"), "");
            expect(findLocalCpuBuild(layout)).toMatchObject({llamaCppRelease: "v0.5.0", native: true, openmp: true, compiler: "c++"});
            expect(findLocalCpuBuild(layout)!.bytes).toBeGreaterThanOrEqual(1000);
        } finally {
            fs.rmSync(root, {recursive: true, force: true});
        }
    });
});

/** A build takes 4 minutes on a quiet 2-core machine, and more than 41 beside other test suites (load average 15). */
const BUILD_TEST_TIMEOUT = 90 * 60_000;

/** A short completion from the served model: the engine generates, whichever binary it loaded. */
async function completes(baseUrl: string, model: string): Promise<number> {
    const response = await fetch(`${baseUrl}/chat/completions`, {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({model, messages: [{role: "user", content: "Hi"}], max_tokens: 4})
    });
    return response.status;
}

/** Waits until the build compiles (node-llama-cpp then holds its lockfile on the build's folder). */
async function compiling(client: ApiClient, timeout: number) {
    await expect
        .poll(
            async () => {
                const build = (await client.call("engine.binary", {})).build;
                return build?.state === "running" ? build.phase : build?.state;
            },
            {timeout, interval: 1000}
        )
        .toBe("compiling");
}

describe("putting a finished build in place", () => {
    it("a verified build put in place while a model is served: serving goes on, and the next load starts a process on the new build", async () => {
        await using app = await startApp({service: {measureBandwidthAutomatically: false}});
        await app.client.call("engine.removeLocalBinary", {});
        const layout = nodeLlamaCppLayout();
        const model = writeGgufModel(path.join(app.home.models, "tiny.Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 1024, type: "Q8_0"});
        const serving = await app.client.call("engine.start", {model: model.path, settings: {threads: 1, contextSize: 512}, server: {port: 0}});
        expect(serving.model).toMatchObject({binary: "prebuilt"});

        // What a finished build leaves in its staging folder, made here from node-llama-cpp's own
        // prebuilt CPU binaries (compiling takes 4–40 minutes; the next test does it for real).
        const staged = `${liveBuildFolder(layout)}-standin`;
        const prebuilt = path.join(layout.packageDir, "..", "@node-llama-cpp", `${path.basename(liveBuildFolder(layout))}`, "bins", path.basename(liveBuildFolder(layout)));
        fs.cpSync(prebuilt, path.join(staged, "Release"), {recursive: true});
        fs.writeFileSync(path.join(staged, "buildDone.status"), "");
        try {
            expect(await verifyEngineBuild(path.join(staged, "Release"))).toMatch(/CPU/);
            promoteStagedBuild(layout, staged);
            expect(await app.client.call("engine.binary", {})).toMatchObject({next: "local", running: "prebuilt"});
            expect(await completes(serving.server!.baseUrl, serving.model!.id)).toBe(200);

            const switched = await app.client.call("engine.start", {model: model.path, settings: {threads: 1, contextSize: 1024}, server: {port: 0}});
            expect(switched.model).toMatchObject({binary: "local"});
            expect(switched.pid).not.toBe(serving.pid);
            expect(switched.server!.baseUrl).toBe(serving.server!.baseUrl);
            expect(await completes(switched.server!.baseUrl, switched.model!.id)).toBe(200);
            expect((await app.client.call("engine.binary", {})).running).toBe("local");
        } finally {
            await app.client.call("engine.stop", {});
            await app.client.call("engine.removeLocalBinary", {});
            fs.rmSync(staged, {recursive: true, force: true});
        }
        expect((await app.client.call("engine.binary", {})).next).toBe("prebuilt");
    });
});

describe("building the engine for this machine", () => {
    it("a build started from the Benchmark screen shows its progress, and cancelling it mid-compile leaves the prebuilt engine working", async () => {
        await using app = await startApp({serveUi: true, service: {measureBandwidthAutomatically: false}});
        await app.client.call("engine.removeLocalBinary", {});
        await using browser = await launchBrowserForUi();
        const page = await browser.newPage({viewport: {width: 1360, height: 1100}});
        await page.goto(`${app.server.url}/#/benchmark`);
        await expect.poll(() => page.getByTestId("engine-binary-kind").textContent()).toBe("prebuilt");
        await page.getByTestId("engine-build").click();
        await expect.poll(() => page.getByTestId("engine-build-progress").isVisible(), {timeout: 30_000}).toBe(true);
        await expect(app.client.call("engine.buildBinary", {})).rejects.toMatchObject({code: "ENGINE_BUILD_BUSY"});
        await compiling(app.client, 10 * 60_000);
        await page.screenshot({path: path.join(screenshotDir, "engine-build-running.png"), fullPage: true});

        await page.getByTestId("engine-build-cancel").click();
        await expect.poll(() => page.getByTestId("engine-build-outcome").textContent(), {timeout: 30_000}).toMatch(/cancelled/);
        const status = await app.client.call("engine.binary", {});
        expect(status).toMatchObject({next: "prebuilt", local: null, build: {state: "cancelled"}});
        // Nothing half-built is left behind, not even node-llama-cpp's lockfile.
        const localBuilds = nodeLlamaCppLayout().localBuildsDir;
        expect(fs.existsSync(localBuilds) ? fs.readdirSync(localBuilds) : []).toEqual([]);
        await expect.poll(() => page.getByTestId("engine-binary-kind").textContent()).toBe("prebuilt");

        const model = writeGgufModel(path.join(app.home.models, "tiny.Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 1024, type: "Q8_0"});
        const serving = await app.client.call("engine.start", {model: model.path, settings: {threads: 1}, server: {port: 0}});
        expect(serving.model).toMatchObject({binary: "prebuilt"});
        expect(await completes(serving.server!.baseUrl, serving.model!.id)).toBe(200);
    }, BUILD_TEST_TIMEOUT);

    it("while a build compiles a model loads and generates on the prebuilt engine; once built, serving goes on and the next load uses the new build", async () => {
        await using app = await startApp({service: {measureBandwidthAutomatically: false}});
        await app.client.call("engine.removeLocalBinary", {});
        const model = writeGgufModel(path.join(app.home.models, "tiny.Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 1024, type: "Q8_0"});
        const before = await app.client.call("engine.binary", {});
        expect(before.canBuild).toBe(true);
        expect(before.requirements.find((r) => r.name === "C++ compiler")).toMatchObject({ok: true});

        await app.client.call("engine.buildBinary", {});
        await compiling(app.client, 10 * 60_000);
        // node-llama-cpp holds its build lock now; the engine neither waits for it nor loads the half-built binary.
        const serving = await app.client.call("engine.start", {model: model.path, settings: {threads: 1, contextSize: 512}, server: {port: 0}});
        expect(serving.model).toMatchObject({binary: "prebuilt"});
        expect(await completes(serving.server!.baseUrl, serving.model!.id)).toBe(200);
        expect((await app.client.call("engine.binary", {})).build).toMatchObject({state: "running"});

        const built = await buildSettled(app.client, BUILD_TEST_TIMEOUT - 10 * 60_000);
        expect(built.build, built.build?.logTail.join("\n")).toMatchObject({state: "completed", progress: 1, error: null, systemInfo: expect.stringMatching(/CPU/)});
        expect(built).toMatchObject({next: "local", running: "prebuilt", local: {native: true, openmp: true, llamaCppRelease: expect.stringMatching(/^v|^b/)}});
        expect(built.local!.bytes).toBeGreaterThan(1_000_000);
        expect(built.local!.folder).toBe(liveBuildFolder(nodeLlamaCppLayout()));
        // The serving engine was not interrupted; its next model load switches.
        expect(await completes(serving.server!.baseUrl, serving.model!.id)).toBe(200);
        const switched = await app.client.call("engine.start", {model: model.path, settings: {threads: 1, contextSize: 1024}, server: {port: 0}});
        expect(switched.model).toMatchObject({binary: "local"});
        expect(await completes(switched.server!.baseUrl, switched.model!.id)).toBe(200);
        expect((await app.client.call("engine.binary", {})).running).toBe("local");

        // A serving engine keeps the binary it loaded; the status says so until it restarts.
        const removed = await app.client.call("engine.removeLocalBinary", {});
        expect(removed).toMatchObject({next: "prebuilt", running: "local", local: null});
        await app.client.call("engine.stop", {});
        const again = await app.client.call("engine.start", {model: model.path, settings: {threads: 1}, server: {port: 0}});
        expect(again.model).toMatchObject({binary: "prebuilt"});
        expect((await app.client.call("engine.binary", {})).running).toBe("prebuilt");
    }, BUILD_TEST_TIMEOUT);
});
