import fs from "node:fs";
import http from "node:http";
import type {AddressInfo} from "node:net";
import os from "node:os";
import path from "node:path";
import {afterEach, describe, expect, it} from "vitest";
import {bwrapArguments, confinementOfRun, forgetConfinementProbe, prepareSandbox, privateTmpWrites, resolveConfinement, SANDBOX_FILES} from "../../electron/core/evals/confineAgent.ts";
import {runCommand} from "../../electron/core/evals/process/runCommand.ts";
import {startRecordingProxy} from "../../electron/core/evals/recordingProxy.ts";

function tempFolder(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

afterEach(() => forgetConfinementProbe());

describe("the bwrap argument list", () => {
    const layout = {workspace: "/tmp/agentfit-eval-x/ws", scratch: "/tmp/agentfit-agent-y", port: 40123, node: "/usr/bin/node"};
    const args = bwrapArguments(layout, "/opt/agents/claude", ["-p", "refactor this"]);
    const pairs = (flag: string) => args.flatMap((arg, i) => (arg === flag ? [[args[i + 1], args[i + 2]]] : []));

    it("makes the root read-only and only the workspace and scratch folder writable, with /tmp a folder of the scratch", () => {
        expect(pairs("--ro-bind")).toEqual([["/", "/"]]);
        expect(pairs("--bind")).toEqual([
            ["/tmp/agentfit-agent-y/private-tmp", "/tmp"],
            ["/tmp/agentfit-eval-x/ws", "/tmp/agentfit-eval-x/ws"],
            ["/tmp/agentfit-agent-y", "/tmp/agentfit-agent-y"]
        ]);
        // The private /tmp is bound first, so the workspace and scratch folder (under /tmp) stay visible on top of it.
        expect(args.indexOf("/tmp")).toBeLessThan(args.indexOf("/tmp/agentfit-eval-x/ws"));
        expect(args).toEqual(expect.arrayContaining(["--dev", "/dev", "--proc", "/proc", "--unshare-net", "--die-with-parent"]));
        expect(args.slice(args.indexOf("--chdir"), args.indexOf("--chdir") + 2)).toEqual(["--chdir", layout.workspace]);
    });

    it("starts the forwarder (the Node one: no native one was prepared in that scratch folder) on the proxy's socket and port, then the agent with its own arguments unchanged", () => {
        expect(args.slice(args.indexOf("--") + 1)).toEqual([
            "/usr/bin/node",
            `/tmp/agentfit-agent-y/${SANDBOX_FILES.forwarder}`,
            `/tmp/agentfit-agent-y/${SANDBOX_FILES.socket}`,
            "40123",
            "/opt/agents/claude",
            "-p",
            "refactor this"
        ]);
    });
});

describe("the confinement a run gets", () => {
    // Never built into: without a sandbox there is no forwarder.
    const noPrograms = "/nonexistent/agentfit-programs";

    it("is none, with how to install bubblewrap, when bwrap is missing; required then refuses to start with a coded error", async () => {
        const env = {...process.env, AGENTFIT_BWRAP: "/nonexistent/bwrap"};
        const auto = await resolveConfinement("auto", env, noPrograms);
        expect(auto).toMatchObject({mode: "none", reason: expect.stringContaining(process.platform === "linux" ? "apt-get install bubblewrap" : "bubblewrap")});
        await expect(resolveConfinement("required", env, noPrograms)).rejects.toMatchObject({code: "EVAL_CONFINEMENT_UNAVAILABLE", message: expect.stringContaining("--confine auto")});
    });

    it.skipIf(process.platform !== "linux")("is none, saying why, when bwrap is there but cannot make a sandbox (no user namespaces)", async () => {
        const dir = tempFolder("agentfit-fake-bwrap-");
        const fake = path.join(dir, "bwrap");
        fs.writeFileSync(fake, '#!/bin/sh\nif [ "$1" = --version ]; then echo "bubblewrap 0.8.0"; exit 0; fi\necho "bwrap: No permissions to creating new namespace" >&2\nexit 1\n', {mode: 0o755});
        try {
            const found = await resolveConfinement("auto", {...process.env, AGENTFIT_BWRAP: fake}, noPrograms);
            expect(found).toEqual({mode: "none", reason: expect.stringContaining("bwrap: No permissions to creating new namespace")});
            expect(found.mode === "none" && found.reason).toContain("user namespaces");
        } finally {
            fs.rmSync(dir, {recursive: true, force: true});
        }
    });

    it("is none when turned off, without asking bwrap", async () => {
        expect(await resolveConfinement("off", {...process.env, AGENTFIT_BWRAP: "/nonexistent/bwrap"}, noPrograms)).toEqual({mode: "none", reason: expect.stringContaining("--confine off")});
    });
});

// On Linux the real bubblewrap confines (CI installs it): what an agent's commands can and cannot do inside.
describe.skipIf(process.platform !== "linux")("a command confined by bubblewrap", () => {
    it("writes its workspace, cannot write HOME, keeps /tmp private, reaches the model through the proxy and nothing else", async () => {
        const workspace = tempFolder("agentfit-eval-confine-");
        const scratch = tempFolder("agentfit-agent-confine-");
        const programs = tempFolder("agentfit-programs-");
        // The sandbox gets the forwarder the confinement names: the native one on a machine with a C compiler.
        const confinement = await resolveConfinement("required", process.env, programs);
        expect(confinement).toMatchObject({mode: "bwrap", version: expect.stringMatching(/^\d+\.\d+/), forwarder: "native"});
        const other = http.createServer((_req, res) => res.end("reached"));
        const model = http.createServer((req, res) => res.end(JSON.stringify({path: req.url})));
        await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
        await new Promise<void>((resolve) => model.listen(0, "127.0.0.1", resolve));
        const proxy = await startRecordingProxy({upstream: `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`, socketPath: path.join(scratch, SANDBOX_FILES.socket)});
        const homeFile = path.join(os.homedir(), `agentfit-confine-${path.basename(scratch)}.txt`);
        const tmpFile = `/tmp/agentfit-confine-${path.basename(scratch)}.txt`;
        try {
            const port = Number(new URL(proxy.baseUrl).port);
            const layout = {workspace, scratch, port, node: process.execPath};
            const run = await confinementOfRun(confinement, programs, process.env);
            if (run.mode !== "bwrap") throw new Error("the confinement resolved to none");
            expect(run.forwarder).toMatchObject({kind: "native"});
            const env = prepareSandbox(scratch, run.forwarder);
            const script = `
                const fs = require("node:fs");
                const attempt = async (what, action) => { try { console.log(what, await action()); } catch (e) { console.log(what, "failed", e.code ?? e.cause?.code ?? e.message); } };
                (async () => {
                    await attempt("workspace", () => (fs.writeFileSync("edited.txt", "ok"), "written"));
                    await attempt("home", () => (fs.writeFileSync(${JSON.stringify(homeFile)}, "bad"), "written"));
                    await attempt("tmp", () => (fs.writeFileSync(${JSON.stringify(tmpFile)}, "bad"), "written"));
                    await attempt("model", async () => (await fetch("http://127.0.0.1:${port}/v1/models")).status);
                    await attempt("other", async () => (await fetch("http://127.0.0.1:${(other.address() as AddressInfo).port}/")).status);
                    await attempt("internet", async () => (await fetch("http://example.com/")).status);
                })();`;
            const result = await runCommand("bwrap", bwrapArguments(layout, process.execPath, ["-e", script]), {cwd: workspace, env, timeoutMs: 120_000});
            expect(result.exitCode, result.stderr).toBe(0);
            const lines = Object.fromEntries(result.stdout.trim().split("\n").map((line) => [line.split(" ")[0], line.split(" ").slice(1).join(" ")]));
            expect(lines).toEqual({
                workspace: "written",
                home: "failed EROFS",
                tmp: "written",
                model: "200",
                other: "failed ECONNREFUSED",
                internet: expect.stringMatching(/^failed (EAI_AGAIN|ENOTFOUND|ENETUNREACH)$/)
            });
            expect(fs.readFileSync(path.join(workspace, "edited.txt"), "utf8")).toBe("ok");
            expect(fs.existsSync(homeFile)).toBe(false);
            expect(fs.existsSync(tmpFile)).toBe(false);
            expect(privateTmpWrites(layout)).toEqual([tmpFile]);
            expect(proxy.exchanges.map((e) => [e.method, e.path, e.status])).toEqual([["GET", "/models", 200]]);
        } finally {
            await proxy.dispose();
            other.close();
            model.close();
            fs.rmSync(homeFile, {force: true});
            fs.rmSync(tmpFile, {force: true});
            fs.rmSync(workspace, {recursive: true, force: true});
            fs.rmSync(scratch, {recursive: true, force: true});
            fs.rmSync(programs, {recursive: true, force: true});
        }
    });

    it("runs the tasks' interpreters inside: node, Rscript and python3 with TMPDIR in the scratch folder", async () => {
        const workspace = tempFolder("agentfit-eval-confine-");
        const scratch = tempFolder("agentfit-agent-confine-");
        const proxy = await startRecordingProxy({upstream: "http://127.0.0.1:9/v1", socketPath: path.join(scratch, SANDBOX_FILES.socket)});
        try {
            const layout = {workspace, scratch, port: Number(new URL(proxy.baseUrl).port), node: process.execPath};
            // The Node forwarder here (the test above had the native one).
            const env = {...prepareSandbox(scratch, {kind: "node", reason: "tested"}), TMPDIR: path.join(scratch, "tmp")};
            fs.mkdirSync(env.TMPDIR, {recursive: true});
            const script = "node -e 'console.log(\"node\", 1 + 1)' && Rscript -e 'cat(\"R\", 1 + 1, \"\\n\")' && python3 -c 'print(\"python\", 1 + 1)'";
            const result = await runCommand("bwrap", bwrapArguments(layout, "/bin/sh", ["-c", script]), {cwd: workspace, env, timeoutMs: 120_000});
            expect(result.exitCode, result.stderr).toBe(0);
            expect(result.stdout.split("\n").map((line) => line.trim()).filter(Boolean)).toEqual(["node 2", "R 2", "python 2"]);
        } finally {
            await proxy.dispose();
            fs.rmSync(workspace, {recursive: true, force: true});
            fs.rmSync(scratch, {recursive: true, force: true});
        }
    });
});
