import path from "node:path";
import {describe, expect, it} from "vitest";
import type {AppEvent, AppEvents} from "../../electron/api/AppApi.ts";
import {createAppHttpServer} from "../../electron/transports/http/createAppHttpServer.ts";
import {reconnectDelay} from "../../electron/transports/http/createSharedEventStream.ts";
import {writeGgufModel, ggufModelPresets} from "../../testkit/gguf/writeGgufModel.ts";
import {startApp} from "../utils/startApp.ts";

/** Records every payload of one event a client hears. */
function record<E extends AppEvent>(on: (event: E, listener: (payload: AppEvents[E]) => void) => () => void, event: E) {
    const heard: AppEvents[E][] = [];
    const stop = on(event, (payload) => heard.push(payload));
    return {heard, stop};
}

describe("the HTTP event stream", () => {
    it("carries every subscription of a client over one connection, and closes when nothing listens", async () => {
        await using app = await startApp();
        const on = app.client.on.bind(app.client);
        const probedA = record(on, "hardware.probed");
        const probedB = record(on, "hardware.probed");
        const changed = record(on, "models.changed");
        await expect.poll(() => app.server.openEventStreams).toBe(1);

        const snapshot = await app.client.call("hardware.probe", {});
        await expect.poll(() => probedA.heard.map((s) => s.id)).toEqual([snapshot.id]);
        await expect.poll(() => probedB.heard.map((s) => s.id)).toEqual([snapshot.id]);
        const model = writeGgufModel(path.join(app.home.home, "outside", "tiny.gguf"), ggufModelPresets.tiny);
        await app.client.call("models.import", {path: model.path});
        await expect.poll(() => changed.heard.length).toBeGreaterThan(0);
        expect(app.server.openEventStreams).toBe(1);

        // A listener that leaves hears nothing more; the others keep the connection.
        probedA.stop();
        const second = await app.client.call("hardware.probe", {});
        await expect.poll(() => probedB.heard.map((s) => s.id)).toEqual([snapshot.id, second.id]);
        expect(probedA.heard.map((s) => s.id)).toEqual([snapshot.id]);

        probedB.stop();
        changed.stop();
        await expect.poll(() => app.server.openEventStreams, {timeout: 10_000}).toBe(0);
        // The next subscription opens it again.
        const later = record(on, "hardware.probed");
        await expect.poll(() => app.server.openEventStreams).toBe(1);
        const third = await app.client.call("hardware.probe", {});
        await expect.poll(() => later.heard.map((s) => s.id)).toEqual([third.id]);
        later.stop();
    });

    it("reconnects when the server drops the stream, and keeps every listener", async () => {
        await using app = await startApp();
        const probed = record(app.client.on.bind(app.client), "hardware.probed");
        await expect.poll(() => app.server.openEventStreams).toBe(1);

        // The server goes away (ending the stream) and comes back on the same port.
        await app.server.dispose();
        await using restarted = await createAppHttpServer({app: {methods: app.service.methods, subscribe: (listener) => app.service.events.subscribe(listener)}, port: app.server.port});
        await expect.poll(() => restarted.openEventStreams, {timeout: 20_000}).toBe(1);
        const snapshot = await app.client.call("hardware.probe", {});
        await expect.poll(() => probed.heard.map((s) => s.id)).toEqual([snapshot.id]);
        probed.stop();
        await expect.poll(() => restarted.openEventStreams, {timeout: 10_000}).toBe(0);
    });

    it("waits longer after each failed reconnection, up to a ceiling", () => {
        expect([0, 1, 2, 3, 4, 5, 6].map((attempt) => reconnectDelay(attempt, 1000, 30_000))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
        expect(reconnectDelay(5000, 100, 30_000)).toBe(30_000);
    });
});
