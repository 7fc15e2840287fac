import {describe, expect, it} from "vitest";
import type {EngineBinaryStatus} from "../../electron/api/EngineApi.ts";
import {runCli} from "../utils/runCli.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

// `agentfit engine` as a real process; read-only here (the build project compiles and removes).

describe("agentfit engine", () => {
    it("info says which binary loads next and what building needs, in text and as JSON", async () => {
        using home = createTempHome();
        const text = await runCli(["engine"], home.env);
        expect(text.code).toBe(0);
        expect(text.stdout).toMatch(/Engine binary\s+(node-llama-cpp's prebuilt binary|built on this machine)/);
        expect(text.stdout).toMatch(/C\+\+ compiler\s+\S/);
        expect(text.stdout).toMatch(/Writable engine folder\s+\S/);

        const json = await runCli(["engine", "info", "--json"], home.env);
        expect(json.code).toBe(0);
        const status = JSON.parse(json.stdout) as EngineBinaryStatus;
        expect(status.next).toBe(status.local ? "local" : "prebuilt");
        expect(status.running).toBeNull();
        expect(status.requirements.map((r) => r.name)).toEqual(["C++ compiler", "CMake", "Node.js headers", "Writable engine folder"]);
        expect(status.canBuild).toBe(status.requirements.every((r) => r.ok || !r.required));
    });
});
