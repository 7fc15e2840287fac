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
    it("restarts an engine killed while serving behind the same URL, reports the kill, and keeps the app working", async () => {
        using home = createTempHome();
        await using app = await createAppService({paths: home});
        const model = writeGgufModel(path.join(home.models, "tiny.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        const statuses: EngineStatus[] = [];
        app.events.subscribe((event, payload) => event === "engine.status" && statuses.push(payload as EngineStatus));

        const first = await app["engine.start"]({model: model.path, settings, server: {port: 0}});
        expect(first.restarts).toEqual({count: 0, pending: null, gaveUp: null});
        const pid = first.pid!;
        expect(pid).not.toBe(process.pid);
        expect(isAlive(pid)).toBe(true);
        const client = new OpenAI({baseURL: first.server!.baseUrl, apiKey: "x", maxRetries: 0});
        const stream = await client.chat.completions.create({model: "tiny", messages: [{role: "user", content: "go"}], max_tokens: 900, stream: true});
        const reading = (async () => {
            for await (const chunk of stream) if (chunk.choices[0]?.delta.content) process.kill(pid, "SIGKILL");
        })();
        await expect(reading).rejects.toThrow();
        // Nothing else went down.
        await expect(app["hardware.snapshots"]({})).resolves.toEqual([]);

        // The same URL answers again without anyone pressing Start.
        await expect
            .poll(
                async () => {
                    const reply = await client.chat.completions.create({model: "tiny", messages: [{role: "user", content: "hi"}], max_tokens: 4}).catch(() => undefined);
                    return reply?.usage?.completion_tokens;
                },
                {timeout: 120_000, interval: 500}
            )
            .toBe(4);
        const back = await app["engine.status"]({});
        expect(back).toMatchObject({state: "ready", server: first.server, restarts: {count: 1, pending: null, gaveUp: null}, error: null});
        expect(back.pid).not.toBe(pid);
        // The kill stays on record through the restart: what is known, never an OOM blame without the kernel's word for it.
        expect(back.crash).toMatchObject({signal: "SIGKILL", exitCode: null, outOfMemory: false});
        expect(back.crash!.reason).toMatch(/^The engine process was killed (by SIGKILL|\(SIGKILL\))/);
        // On the way: crashed, then restarting (attempt 1 of 3, 1 s later), then loading again.
        const restarting = statuses.find((s) => s.state === "restarting");
        expect(restarting).toMatchObject({pid: null, model: null, server: first.server, crash: {signal: "SIGKILL"}, restarts: {count: 0, pending: {attempt: 1, of: 3}}});
        expect(Date.parse(restarting!.restarts.pending!.at) - Date.parse(restarting!.crash!.at)).toBeGreaterThanOrEqual(900);
        expect(statuses.findIndex((s) => s.state === "crashed")).toBeLessThan(statuses.indexOf(restarting!));

        const stopped = await app["engine.stop"]({});
        expect(stopped).toMatchObject({state: "stopped", pid: null, model: null, server: null, crash: null, restarts: {count: 0, pending: null, gaveUp: null}});
        expect(isAlive(back.pid!)).toBe(false);
    });

    it("gives up after more crashes than the window allows restarts, with the kill in the message", async () => {
        using home = createTempHome();
        await using app = await createAppService({paths: home, engineRestarts: {delaysMs: [200, 200], windowMs: 10 * 60_000}});
        const model = writeGgufModel(path.join(home.models, "tiny.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        const first = await app["engine.start"]({model: model.path, settings, server: {port: 0}});

        for (const restart of [1, 2]) {
            const {pid} = await app["engine.status"]({});
            process.kill(pid!, "SIGKILL");
            await expect.poll(async () => (await app["engine.status"]({})).restarts.count, {timeout: 120_000}).toBe(restart);
            await expect.poll(async () => (await app["engine.status"]({})).state, {timeout: 120_000}).toBe("ready");
        }
        const {pid} = await app["engine.status"]({});
        process.kill(pid!, "SIGKILL");
        await expect.poll(async () => (await app["engine.status"]({})).restarts.gaveUp, {timeout: 60_000}).toMatch(/^The engine crashed 3 times within 10 minutes; AgentFit stopped restarting it\. Last crash: The engine process was killed/);
        const gaveUp = await app["engine.status"]({});
        expect(gaveUp).toMatchObject({state: "crashed", pid: null, server: first.server, restarts: {count: 2, pending: null}, error: {code: "ENGINE_CRASHED", message: gaveUp.restarts.gaveUp}});
        // The port stays held and says why nobody serves it.
        const down = await rawHttp(`${first.server!.baseUrl}/models`);
        expect(down.status).toBe(503);
        expect(down.json()).toMatchObject({error: {code: "engine_unavailable", message: expect.stringContaining("SIGKILL")}});

        // A start by the user begins a new history.
        const again = await app["engine.start"]({model: model.path, settings, server: {port: 0}});
        expect(again).toMatchObject({state: "ready", server: first.server, crash: null, restarts: {count: 0, pending: null, gaveUp: null}});
    });

    it("never restarts after a user's stop, also one that comes while a restart is due", async () => {
        using home = createTempHome();
        await using app = await createAppService({paths: home, engineRestarts: {delaysMs: [3_000, 3_000], windowMs: 60_000}});
        const model = writeGgufModel(path.join(home.models, "tiny.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        const statuses: EngineStatus[] = [];
        app.events.subscribe((event, payload) => event === "engine.status" && statuses.push(payload as EngineStatus));

        // Stopped while serving.
        const first = await app["engine.start"]({model: model.path, settings, server: {port: 0}});
        await app["engine.stop"]({});
        // Killed, then stopped while its restart is due.
        const second = await app["engine.start"]({model: model.path, settings, server: {port: 0}});
        process.kill(second.pid!, "SIGKILL");
        await expect.poll(async () => (await app["engine.status"]({})).state, {timeout: 60_000}).toBe("restarting");
        const stopped = await app["engine.stop"]({});
        expect(stopped).toMatchObject({state: "stopped", server: null, restarts: {pending: null}});
        const seen = statuses.length;

        // Well past the restart's due time nothing has started: no engine, no port, no new state.
        await new Promise((resolve) => setTimeout(resolve, 6_000));
        expect(await app["engine.status"]({})).toMatchObject({state: "stopped", pid: null, server: null});
        expect(statuses.slice(seen)).toEqual([]);
        await expect(rawHttp(`${second.server!.baseUrl}/models`)).rejects.toThrow(/ECONNREFUSED/);
        expect(isAlive(first.pid!)).toBe(false);
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
