import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {describe, expect, it} from "vitest";
import type {EngineBinaryStatus} from "../../electron/api/EngineApi.ts";
import {buildProgressOf, findLocalCpuBuild, nodeLlamaCppLayout} from "../../electron/core/engine/engineBinary.ts";
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

describe("building the engine for this machine", () => {
    it("a build started from the Benchmark screen shows its progress and can be cancelled, leaving the prebuilt engine", async () => {
        await using app = await startApp({serveUi: true, service: {measureBandwidthAutomatically: false}});
        await app.client.call("engine.removeLocalBinary", {});
        await using browser = await launchBrowserForUi();
        const page = await browser.newPage({viewport: {width: 1360, height: 1100}});
        await page.goto(`${app.server.url}/#/benchmark`);
        await expect.poll(() => page.getByTestId("engine-binary-kind").textContent()).toBe("prebuilt");
        await page.getByTestId("engine-build").click();
        await expect.poll(() => page.getByTestId("engine-build-progress").isVisible(), {timeout: 30_000}).toBe(true);
        // A second build while one runs is refused, and so is a model load (it would wait for the build).
        await expect(app.client.call("engine.buildBinary", {})).rejects.toMatchObject({code: "ENGINE_BUILD_BUSY"});
        const model = writeGgufModel(path.join(app.home.models, "tiny.Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 1024, type: "Q8_0"});
        await expect(app.client.call("engine.start", {model: model.path, settings: {threads: 1}, server: {port: 0}})).rejects.toMatchObject({
            code: "ENGINE_BUILD_BUSY",
            message: expect.stringMatching(/being built for this CPU/)
        });
        await expect.poll(async () => (await app.client.call("engine.binary", {})).build?.logTail.length ?? 0, {timeout: 60_000}).toBeGreaterThan(0);
        await page.screenshot({path: path.join(screenshotDir, "engine-build-running.png"), fullPage: true});

        await page.getByTestId("engine-build-cancel").click();
        await expect.poll(() => page.getByTestId("engine-build-outcome").textContent(), {timeout: 30_000}).toMatch(/cancelled/);
        const status = await app.client.call("engine.binary", {});
        expect(status).toMatchObject({next: "prebuilt", local: null, build: {state: "cancelled"}});
        // Nothing half-built is left behind.
        const localBuilds = nodeLlamaCppLayout().localBuildsDir;
        expect(fs.existsSync(localBuilds) ? fs.readdirSync(localBuilds) : []).toEqual([]);
        await expect.poll(() => page.getByTestId("engine-binary-kind").textContent()).toBe("prebuilt");
    });

    it("a completed build is what the engine loads next; removing it brings the prebuilt binary back", async () => {
        await using app = await startApp({service: {measureBandwidthAutomatically: false}});
        const model = writeGgufModel(path.join(app.home.models, "tiny.Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 1024, type: "Q8_0"});
        const before = await app.client.call("engine.binary", {});
        expect(before.canBuild).toBe(true);
        expect(before.requirements.find((r) => r.name === "C++ compiler")).toMatchObject({ok: true});

        await app.client.call("engine.buildBinary", {});
        const built = await buildSettled(app.client, 15 * 60_000);
        expect(built.build, built.build?.logTail.join("\n")).toMatchObject({state: "completed", progress: 1, error: null});
        expect(built).toMatchObject({next: "local", local: {native: true, llamaCppRelease: expect.stringMatching(/^v|^b/)}});
        expect(built.local!.bytes).toBeGreaterThan(1_000_000);

        const serving = await app.client.call("engine.start", {model: model.path, settings: {threads: 1}, server: {port: 0}});
        expect(serving.model).toMatchObject({binary: "local"});
        const completion = await fetch(`${serving.server!.baseUrl}/chat/completions`, {
            method: "POST",
            headers: {"Content-Type": "application/json"},
            body: JSON.stringify({model: serving.model!.id, messages: [{role: "user", content: "Hi"}], max_tokens: 4})
        });
        expect(completion.status).toBe(200);

        // A serving engine keeps the binary it loaded; the status says so until it restarts.
        const removed = await app.client.call("engine.removeLocalBinary", {});
        expect(removed).toMatchObject({next: "prebuilt", running: "local", local: null});
        await app.client.call("engine.stop", {});
        const again = await app.client.call("engine.start", {model: model.path, settings: {threads: 1}, server: {port: 0}});
        expect(again.model).toMatchObject({binary: "prebuilt"});
        expect((await app.client.call("engine.binary", {})).running).toBe("prebuilt");
    });
});
