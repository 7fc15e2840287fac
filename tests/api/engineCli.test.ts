import path from "node:path";
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

    it("the first bench (or answer, serve) of a data folder offers the build once on stderr; later runs do not", async () => {
        using home = createTempHome();
        const info = async () => JSON.parse((await runCli(["engine", "info", "--json"], home.env)).stdout) as EngineBinaryStatus;
        const before = await info();
        // A model that does not exist: the command fails after the offer, which needs no engine.
        const missing = path.join(home.home, "missing.gguf");
        const first = await runCli(["bench", "--model", missing], home.env);
        const second = await runCli(["bench", "--model", missing], home.env);
        expect(second.code, second.stderr).not.toBe(0);
        expect(second.stderr).not.toContain("Tip:");
        if (!before.offer) {
            // Built here already: nothing to offer.
            expect(first.stderr).not.toContain("Tip:");
            return;
        }
        expect(first.stderr).toMatch(
            before.offer.kind === "build"
                ? /Tip: .*compiled for this CPU it is steadier and faster at prompt processing\. Run agentfit engine build \(about \d+–\d+ min, an estimate; .*shown once\)/
                : /Tip: .*once you install: C\+\+ compiler: None found/
        );
        expect(first.stderr.match(/Tip:/g)).toHaveLength(1);
        expect((await info()).offer?.dismissedAt).toEqual({app: null, cli: expect.any(String)});
    });
});
