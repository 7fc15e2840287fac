import fs from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import {describe, expect, it} from "vitest";
import type {EngineStatus} from "../../electron/api/EngineApi.ts";
import {createAppService} from "../../electron/core/AppService.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {rawHttp} from "../utils/rawHttp.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

const settings = {contextSize: 1024, threads: 1};

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

describe("engine supervision", () => {
    it("reports a killed engine process, keeps the app working, and starts it again", async () => {
        using home = createTempHome();
        await using app = await createAppService({paths: home});
        const model = writeGgufModel(path.join(home.models, "tiny.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        const statuses: EngineStatus[] = [];
        app.events.subscribe((event, payload) => event === "engine.status" && statuses.push(payload as EngineStatus));

        const first = await app["engine.start"]({model: model.path, settings, server: {port: 0}});
        const pid = first.pid!;
        expect(pid).not.toBe(process.pid);
        expect(isAlive(pid)).toBe(true);
        const client = new OpenAI({baseURL: first.server!.baseUrl, apiKey: "x", maxRetries: 0});
        const stream = await client.chat.completions.create({model: "tiny", messages: [{role: "user", content: "go"}], max_tokens: 900, stream: true});
        const reading = (async () => {
            for await (const chunk of stream) if (chunk.choices[0]?.delta.content) process.kill(pid, "SIGKILL");
        })();
        await expect(reading).rejects.toThrow();

        await expect.poll(() => app["engine.status"]({}).then((s) => s.state)).toBe("crashed");
        const crashed = await app["engine.status"]({});
        expect(crashed.crash).toMatchObject({signal: "SIGKILL", exitCode: null});
        // What is known, never an OOM blame without the kernel's word for it (here /proc/vmstat's count).
        expect(crashed.crash!.reason).toMatch(/^The engine process was killed (by SIGKILL|\(SIGKILL\)|by the kernel's out-of-memory killer)/);
        expect(crashed).toMatchObject({pid: null, model: null, error: {code: "ENGINE_CRASHED"}});
        // The port stays the app's: clients get a 503 until the engine is back (tests/engine/engineKilledMidAnswer.test.ts).
        expect(crashed.server).toEqual(first.server);
        expect(statuses.some((s) => s.state === "crashed")).toBe(true);
        // Nothing else went down.
        await expect(app["hardware.snapshots"]({})).resolves.toEqual([]);
        expect((await rawHttp(`${first.server!.baseUrl}/models`)).status).toBe(503);

        const again = await app["engine.start"]({model: model.path, settings, server: {port: 0}});
        expect(again.state).toBe("ready");
        expect(again.crash).toBeNull();
        expect(again.pid).not.toBe(pid);
        const reply = await new OpenAI({baseURL: again.server!.baseUrl, apiKey: "x", maxRetries: 0}).chat.completions.create({
            model: "tiny",
            messages: [{role: "user", content: "hi"}],
            max_tokens: 4
        });
        expect(reply.usage!.completion_tokens).toBe(4);

        const stopped = await app["engine.stop"]({});
        expect(stopped).toMatchObject({state: "stopped", pid: null, model: null, server: null, crash: null});
        expect(isAlive(again.pid!)).toBe(false);
    });

    it("refuses truncated and non-GGUF files with clear errors while the server stays up answering 503", async () => {
        using home = createTempHome();
        await using app = await createAppService({paths: home});
        // One attention head of 64: llama.cpp's flash attention (needed for a quantized KV cache) supports that size.
        const good = writeGgufModel(path.join(home.models, "good.gguf"), {...ggufModelPresets.tiny, headCount: 1, contextLength: 1024});
        const truncated = path.join(home.models, "truncated.gguf");
        fs.writeFileSync(truncated, fs.readFileSync(good.path).subarray(0, Math.floor(good.fileSizeBytes * 0.6)));
        const garbage = path.join(home.models, "garbage.gguf");
        fs.writeFileSync(garbage, "this is not a model, just text pretending to be one\n".repeat(100));

        const ready = await app["engine.start"]({model: "good", settings, server: {port: 0}});
        const root = ready.server!.baseUrl.replace(/\/v1$/, "");
        expect(ready.model!.memory.residentBytes).toBeGreaterThan(0);
        expect(ready.model!.memory.modelBytes).toBeGreaterThan(0);

        await expect(app["engine.start"]({model: truncated, settings})).rejects.toMatchObject({code: "GGUF_TRUNCATED", message: expect.stringContaining("truncated")});
        const failed = await app["engine.status"]({});
        expect(failed).toMatchObject({state: "failed", model: null, error: {code: "GGUF_TRUNCATED"}});
        expect(failed.pid).toBe(ready.pid);
        const health = await rawHttp(`${root}/health`);
        expect(health.status).toBe(503);
        expect(health.json()).toEqual({status: "no_model"});
        const client = new OpenAI({baseURL: ready.server!.baseUrl, apiKey: "x", maxRetries: 0});
        await expect(client.chat.completions.create({model: "good", messages: [{role: "user", content: "hi"}]})).rejects.toMatchObject({
            status: 503,
            code: "model_not_loaded"
        });

        await expect(app["engine.start"]({model: garbage, settings})).rejects.toMatchObject({code: "GGUF_INVALID"});
        await expect(app["engine.start"]({model: path.join(home.models, "missing.gguf"), settings})).rejects.toMatchObject({code: "MODEL_NOT_FOUND"});
        await expect(app["engine.start"]({model: "nothing-by-this-name", settings})).rejects.toMatchObject({code: "MODEL_NOT_FOUND"});
        await expect(app["engine.start"]({model: "good", settings: {contextSize: -5}})).rejects.toMatchObject({code: "ENGINE_SETTINGS_INVALID"});
        await expect(app["engine.start"]({model: "good", settings: {kvCacheType: "q2" as "q8_0"}})).rejects.toMatchObject({code: "ENGINE_SETTINGS_INVALID"});
        await expect(app["engine.start"]({model: "good", server: {port: 70000}})).rejects.toMatchObject({code: "ENGINE_SERVER_INVALID"});

        // The same engine process loads the good model again (quantized KV cache this time).
        const back = await app["engine.start"]({model: "good", settings: {...settings, kvCacheType: "q8_0"}, server: {port: 0}});
        expect(back).toMatchObject({state: "ready", pid: ready.pid, error: null, model: {settings: {kvCacheType: "q8_0"}}});
        expect((await rawHttp(`${back.server!.baseUrl.replace(/\/v1$/, "")}/health`)).status).toBe(200);

        // Every load is on record, failed ones with their reason, for the accuracy check of fit estimates.
        const loads = await app["engine.loads"]({});
        expect(loads.map((l) => [l.outcome, l.error?.code ?? null])).toEqual([
            ["loaded", null],
            ["failed", "GGUF_INVALID"],
            ["failed", "GGUF_TRUNCATED"],
            ["loaded", null]
        ]);
        expect(loads[0]!.memory!.residentBytes).toBeGreaterThan(0);
        expect(loads[0]!.settings).toMatchObject({contextSize: 1024, kvCacheType: "q8_0", threads: 1, parallel: 1});
    });

    it("refuses a port another program holds, naming it", async () => {
        using home = createTempHome();
        await using app = await createAppService({paths: home});
        writeGgufModel(path.join(home.models, "tiny.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        const first = await app["engine.start"]({model: "tiny", settings, server: {port: 0}});
        await using other = await createAppService({paths: {...home, database: path.join(home.home, "other.sqlite")}});
        await expect(other["engine.start"]({model: "tiny", settings, server: {port: first.server!.port}})).rejects.toMatchObject({
            code: "ENGINE_PORT_BUSY",
            message: expect.stringContaining(String(first.server!.port))
        });
        expect((await other["engine.status"]({})).state).toBe("failed");
    });
});
