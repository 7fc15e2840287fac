import http from "node:http";
import {describe, expect, it} from "vitest";
import type {HardwareSnapshot} from "../../electron/api/HardwareApi.ts";
import {ApiCallError} from "../../electron/transports/client/createApiClient.ts";
import {startApp} from "../utils/startApp.ts";

/** A raw request, for what a well-behaved client never sends (bad Host, bad JSON…). */
function rawRequest(url: string, options: {method?: string; headers?: Record<string, string>; body?: string}) {
    return new Promise<{status: number; body: string}>((resolve, reject) => {
        const request = http.request(url, {method: options.method ?? "POST", headers: options.headers}, (response) => {
            let body = "";
            response.on("data", (d: Buffer) => (body += d.toString()));
            response.on("end", () => resolve({status: response.statusCode ?? 0, body}));
        });
        request.on("error", reject);
        request.end(options.body);
    });
}

describe("HTTP API", () => {
    it("probes through the typed client, stores the snapshot and lists it", async () => {
        await using app = await startApp();
        const snapshot = await app.client.call("hardware.probe", {});
        expect(snapshot.id).toBeGreaterThan(0);
        expect(snapshot.memory.totalBytes).toBeGreaterThan(0);
        expect(snapshot.disk?.path).toBe(app.home.models);
        const again = await app.client.call("hardware.probe", {});
        const list = await app.client.call("hardware.snapshots", {});
        expect(list.map((s) => s.id)).toEqual([again.id, snapshot.id]);
        expect(list[1]).toEqual(snapshot);
    });

    it("reports the data folders and schema version", async () => {
        await using app = await startApp();
        const info = await app.client.call("app.info", {});
        expect(info).toMatchObject({name: "AgentFit", home: app.home.home, databasePath: app.home.database, modelsPath: app.home.models, shell: "web"});
        expect(info.schemaVersion).toBeGreaterThan(0);
    });

    it("streams app events to subscribers", async () => {
        await using app = await startApp();
        const received = new Promise<HardwareSnapshot>((resolve) => {
            const stop = app.client.on("hardware.probed", (snapshot) => {
                stop();
                resolve(snapshot);
            });
        });
        await expect.poll(() => app.server.openEventStreams).toBe(1);
        const snapshot = await app.client.call("hardware.probe", {});
        expect((await received).id).toBe(snapshot.id);
    });

    it("answers an invalid argument with 400 and a stable code", async () => {
        await using app = await startApp();
        const error = await app.client.call("hardware.snapshots", {limit: -3}).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApiCallError);
        expect(error).toMatchObject({code: "INVALID_ARGUMENT", message: expect.stringContaining("limit")});
    });

    it("refuses unknown methods, bad JSON, non-JSON bodies, foreign hosts and origins", async () => {
        await using app = await startApp();
        const url = app.server.url;
        const json = {"Content-Type": "application/json"};

        const unknown = await rawRequest(`${url}/api/constructor`, {headers: json, body: "{}"});
        expect(unknown.status).toBe(404);
        expect(JSON.parse(unknown.body).error.code).toBe("UNKNOWN_METHOD");

        const badJson = await rawRequest(`${url}/api/hardware.snapshots`, {headers: json, body: "{limit: "});
        expect(badJson.status).toBe(400);
        expect(JSON.parse(badJson.body).error.code).toBe("INVALID_JSON");

        const notObject = await rawRequest(`${url}/api/hardware.snapshots`, {headers: json, body: "[1,2]"});
        expect(notObject.status).toBe(400);

        const textPlain = await rawRequest(`${url}/api/hardware.probe`, {headers: {"Content-Type": "text/plain"}, body: "{}"});
        expect(textPlain.status).toBe(415);

        const rebinding = await rawRequest(`${url}/api/app.info`, {headers: {...json, Host: "evil.example"}, body: "{}"});
        expect(rebinding.status).toBe(403);
        expect(JSON.parse(rebinding.body).error.code).toBe("FORBIDDEN_HOST");

        const crossOrigin = await rawRequest(`${url}/api/app.info`, {headers: {...json, Origin: "https://evil.example"}, body: "{}"});
        expect(crossOrigin.status).toBe(403);
        expect(JSON.parse(crossOrigin.body).error.code).toBe("FORBIDDEN_ORIGIN");

        const huge = await rawRequest(`${url}/api/app.info`, {headers: json, body: JSON.stringify({pad: "x".repeat(2 * 1024 * 1024)})});
        expect(huge.status).toBe(413);
    });
});
