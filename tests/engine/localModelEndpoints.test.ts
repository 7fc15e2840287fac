import path from "node:path";
import OpenAI from "openai";
import {describe, expect, it} from "vitest";
import type {AppEvents} from "../../electron/api/AppApi.ts";
import {createEngineService} from "../../electron/core/engine/createEngineService.ts";
import {launchNodeEngineProcess} from "../../electron/core/engine/EngineLauncher.ts";
import {EventBus} from "../../electron/shared/EventBus.ts";
import {openStore} from "../../electron/core/store/openStore.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

// The contract the eval harness uses to reach local models (AppContext.engine).
describe("LocalModelEndpoints.ensure", () => {
    it("loads once, starts the server, returns how to reach it, and reloads only when settings change", async () => {
        using home = createTempHome();
        await using store = await openStore({file: home.database});
        await using engine = createEngineService({modelsDir: home.models, store, events: new EventBus<AppEvents>()});
        const model = writeGgufModel(path.join(home.models, "eval-model.gguf"), {...ggufModelPresets.tiny, contextLength: 2048});

        const phases: string[] = [];
        const endpoint = await engine.ensure({model: model.path, settings: {contextSize: 2048, threads: 1}}, {onProgress: (p) => phases.push(p.phase)});
        expect(endpoint.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
        expect(endpoint.model).toBe("eval-model");
        expect(endpoint.apiKey).toBeUndefined();
        expect(phases[0]).toBe("starting");
        expect(phases).toContain("loading");
        expect(phases.at(-1)).toBe("serving");

        const client = new OpenAI({baseURL: endpoint.baseUrl, apiKey: endpoint.apiKey ?? "none", maxRetries: 0});
        const reply = await client.chat.completions.create({model: endpoint.model, messages: [{role: "user", content: "hi"}], max_tokens: 3});
        expect(reply.usage!.completion_tokens).toBe(3);

        const loadId = engine.status().model!.loadId;
        const same = await engine.ensure({model: model.path, settings: {contextSize: 2048, threads: 1}});
        expect(same).toEqual(endpoint);
        expect(engine.status().model!.loadId).toBe(loadId);

        const bigger = await engine.ensure({model: model.path, settings: {contextSize: 1024, threads: 1, parallel: 2}});
        expect(bigger.baseUrl).toBe(endpoint.baseUrl);
        expect(engine.status().model).toMatchObject({settings: {contextSize: 1024, parallel: 2}});
        expect(engine.status().model!.loadId).toBeGreaterThan(loadId);
        expect(store.modelLoads.list(10)).toHaveLength(2);
    });

    it("does nothing for a caller that has already given up, and records no failed load", async () => {
        using home = createTempHome();
        await using store = await openStore({file: home.database});
        await using engine = createEngineService({modelsDir: home.models, store, events: new EventBus<AppEvents>()});
        const model = writeGgufModel(path.join(home.models, "m.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        const controller = new AbortController();
        controller.abort();
        await expect(engine.ensure({model: model.path, settings: {threads: 1}}, {signal: controller.signal})).rejects.toMatchObject({code: "ENGINE_CANCELLED"});
        expect(store.modelLoads.list(10)).toEqual([]);
        const endpoint = await engine.ensure({model: model.path, settings: {threads: 1, contextSize: 1024}});
        expect(endpoint.model).toBe("m");
    });
});

describe("stopping during a load", () => {
    it("cancels the load at once instead of waiting for it", async () => {
        using home = createTempHome();
        await using store = await openStore({file: home.database});
        await using engine = createEngineService({modelsDir: home.models, store, events: new EventBus<AppEvents>()});
        const model = writeGgufModel(path.join(home.models, "m.gguf"), {...ggufModelPresets.medium, contextLength: 1024});
        let stopping: Promise<unknown> | undefined;
        const loading = engine.ensure({model: model.path, settings: {threads: 1}}, {
            onProgress: (p) => {
                if (p.phase === "loading") stopping ??= engine.methods["engine.stop"].handler({});
            }
        });
        await expect(loading).rejects.toMatchObject({code: "ENGINE_CANCELLED"});
        await stopping;
        expect(engine.status()).toMatchObject({state: "stopped", model: null, pid: null});
        expect(store.modelLoads.list(10).filter((load) => load.outcome === "failed")).toEqual([]);
    });

    it("cancels a start before it starts an engine process", async () => {
        using home = createTempHome();
        await using store = await openStore({file: home.database});
        let launched = 0;
        await using engine = createEngineService({
            modelsDir: home.models,
            store,
            events: new EventBus<AppEvents>(),
            launcher: (options) => {
                launched++;
                return launchNodeEngineProcess(options);
            }
        });
        const model = writeGgufModel(path.join(home.models, "m.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        let stopping: Promise<unknown> | undefined;
        const starting = engine.ensure({model: model.path, settings: {threads: 1}}, {
            onProgress: (p) => {
                if (p.phase === "starting") stopping ??= engine.methods["engine.stop"].handler({});
            }
        });
        await expect(starting).rejects.toMatchObject({code: "ENGINE_CANCELLED"});
        await stopping;
        expect(launched).toBe(0);
        expect(engine.status()).toMatchObject({state: "stopped", model: null, pid: null});
        expect(store.modelLoads.list(10)).toEqual([]);
    });

    it("ends an engine process that is still starting at once, and the start fails as cancelled", async () => {
        using home = createTempHome();
        await using store = await openStore({file: home.database});
        const exits: {code: number | null; signal: string | null}[] = [];
        let stopping: Promise<unknown> | undefined;
        await using engine = createEngineService({
            modelsDir: home.models,
            store,
            events: new EventBus<AppEvents>(),
            launcher: (options) => {
                const handle = launchNodeEngineProcess(options);
                handle.onExit((exit) => exits.push(exit));
                // Stopped as soon as the process exists, long before it can say it is ready.
                setImmediate(() => (stopping ??= engine.methods["engine.stop"].handler({})));
                return handle;
            }
        });
        const model = writeGgufModel(path.join(home.models, "m.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        await expect(engine.ensure({model: model.path, settings: {threads: 1}})).rejects.toMatchObject({code: "ENGINE_CANCELLED"});
        await stopping;
        // Killed, not asked to shut down (a process still starting cannot be asked anything).
        expect(exits).toEqual([{code: null, signal: "SIGKILL"}]);
        expect(engine.status()).toMatchObject({state: "stopped", model: null, pid: null});
        expect(store.modelLoads.list(10)).toEqual([]);
    });
});
