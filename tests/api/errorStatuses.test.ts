import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {startFakeHuggingFace} from "../../testkit/fakeHuggingFace.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {rawHttp} from "../utils/rawHttp.ts";
import {startApp, type RunningApp} from "../utils/startApp.ts";

/** POST /api/<method> as any HTTP client would, returning the status and the error body. */
async function call(app: RunningApp, method: string, arg: unknown) {
    const response = await rawHttp(`${app.server.url}/api/${method}`, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(arg)});
    return {status: response.status, ...(response.json() as {error?: {code: string; message: string}})};
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const {port} = server.address() as {port: number};
    await new Promise((resolve) => server.close(resolve));
    return port;
}

describe("HTTP statuses of app errors", () => {
    it("answers a damaged or foreign file with 422, an unreachable source with 502, an ambiguous model with 400", async () => {
        await using app = await startApp();
        const model = writeGgufModel(path.join(app.home.models, "tiny.gguf"), ggufModelPresets.tiny);

        const truncated = path.join(app.home.home, "truncated.gguf");
        fs.writeFileSync(truncated, fs.readFileSync(model.path).subarray(0, Math.floor(model.fileSizeBytes * 0.6)));
        expect(await call(app, "models.inspect", {source: truncated})).toMatchObject({status: 422, error: {code: "GGUF_TRUNCATED"}});

        // A full-size file with the GGUF magic and a random header is no GGUF, not a truncated one.
        const scrambled = path.join(app.home.home, "scrambled.gguf");
        const bytes = fs.readFileSync(model.path);
        bytes.set(crypto.randomBytes(4000), 8);
        fs.writeFileSync(scrambled, bytes);
        expect(await call(app, "models.inspect", {source: scrambled})).toMatchObject({
            status: 422,
            error: {code: "GGUF_INVALID", message: expect.stringContaining("is not a GGUF file")}
        });

        const unreachable = await call(app, "models.inspect", {source: `http://127.0.0.1:${await closedPort()}/model.gguf`});
        expect(unreachable).toMatchObject({status: 502, error: {code: "GGUF_UNREACHABLE", message: expect.stringContaining("Cannot reach")}});

        fs.copyFileSync(model.path, path.join(app.home.models, "tiny-twin.gguf"));
        await call(app, "models.import", {path: app.home.models});
        expect(await call(app, "models.get", {reference: "tiny"})).toMatchObject({status: 200});
        expect(await call(app, "models.get", {reference: "tin"})).toMatchObject({status: 400, error: {code: "MODEL_AMBIGUOUS", message: expect.stringContaining("tiny-twin")}});
        expect(await call(app, "models.get", {reference: "nothing"})).toMatchObject({status: 404, error: {code: "MODEL_NOT_FOUND"}});
    });

    it("answers a refused Hugging Face download with 502", async () => {
        await using hub = await startFakeHuggingFace({repos: {}});
        await using app = await startApp({service: {downloads: {huggingFaceEndpoint: hub.endpoint, huggingFaceToken: undefined}}});
        expect(await call(app, "downloads.start", {reference: "hf:acme/private-GGUF:Q4_K_M"})).toMatchObject({status: 502, error: {code: "DOWNLOAD_UNAUTHORIZED"}});
    });

    it("answers a model llama.cpp refuses to load with 422", async () => {
        await using app = await startApp();
        // Flash attention (which a quantized KV cache needs) has no CPU kernel for this model's head size of 16.
        const model = writeGgufModel(path.join(app.home.models, "tiny.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        const refused = await call(app, "engine.start", {model: model.path, settings: {kvCacheType: "q8_0", threads: 1}, server: {port: 0}});
        expect(refused).toMatchObject({status: 422, error: {code: "MODEL_LOAD_FAILED", message: expect.stringContaining("try an f16 KV cache")}});
        expect(await call(app, "engine.stop", {})).toMatchObject({status: 200});
    });

    it("answers invalid arguments with 400 naming the field, through the one dispatcher", async () => {
        await using app = await startApp();
        expect(await call(app, "engine.start", {model: "x", settings: {contextSize: 100}})).toMatchObject({
            status: 400,
            error: {code: "ENGINE_SETTINGS_INVALID", message: "settings.contextSize must be a whole number from 256 to 4194304, got 100."}
        });
        expect(await call(app, "bench.run", {runId: "7"})).toMatchObject({status: 400, error: {code: "INVALID_ARGUMENT", message: expect.stringContaining("runId must be an id")}});
        expect(await call(app, "eval.run", {runId: 7, extra: true})).toMatchObject({status: 400, error: {code: "INVALID_ARGUMENT", message: expect.stringContaining("extra")}});
        expect(await call(app, "constructor", {})).toMatchObject({status: 404, error: {code: "UNKNOWN_METHOD"}});
    });
});
