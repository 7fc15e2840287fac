import {spawn, type ChildProcess} from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import type {AddressInfo} from "node:net";
import os from "node:os";
import path from "node:path";
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from "vitest";
import type {EvalHarnessSpec} from "../../electron/api/EvalApi.ts";
import {claimJobOwner} from "../../electron/core/jobs/JobOwner.ts";
import {bwrapArguments, forgetConfinementProbe, prepareSandbox, sandboxForwarder, SANDBOX_FILES} from "../../electron/core/evals/confineAgent.ts";
import {harnessToResume, resolveHarness, solverForHarness} from "../../electron/core/evals/harnesses.ts";
import {runCommand} from "../../electron/core/evals/process/runCommand.ts";
import {NATIVE_FORWARDER_SOURCE, resolveSandboxForwarder, type SandboxForwarder} from "../../electron/core/evals/sandboxForwarder.ts";
import {createToolchains} from "../../electron/core/evals/toolchains.ts";
import {toolLoopSolver} from "../../electron/core/evals/toolLoopSolver.ts";
import {createForwarderProbeAgent, forwarderNamed} from "../utils/forwarderProbeAgent.ts";

// The sandbox's loopback forwarder, native (C, built with the system compiler) and Node: built once
// per source version, falling back to the Node one with why, and both keeping the same contract —
// inside real bubblewrap and run directly where a namespace would hide what is checked (a taken
// port, signals sent to the forwarder).

const folders: string[] = [];
function tempFolder(prefix: string): string {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    folders.push(folder);
    return folder;
}

let native: SandboxForwarder;

beforeAll(async () => {
    if (process.platform !== "linux") return;
    native = await resolveSandboxForwarder({folder: tempFolder("agentfit-programs-"), env: process.env});
    // A machine that runs these tests has a C compiler (README: the engine build needs one too).
    expect(native).toMatchObject({kind: "native"});
}, 120_000);

afterEach(() => {
    forgetConfinementProbe();
    vi.restoreAllMocks();
});

afterAll(() => {
    for (const folder of folders) fs.rmSync(folder, {recursive: true, force: true});
});

// The native forwarder is Linux's, where bubblewrap confines.
describe.skipIf(process.platform !== "linux")("building the native forwarder", () => {
    it("builds once per source: a second resolve finds the same file, a changed source builds a new one, nothing temporary is left", async () => {
        const folder = tempFolder("agentfit-programs-");
        const first = await resolveSandboxForwarder({folder, env: process.env});
        expect(first).toMatchObject({kind: "native", compiled: true});
        const binary = first.kind === "native" ? first.binary : "";
        const built = fs.statSync(binary);
        expect(await resolveSandboxForwarder({folder, env: process.env})).toEqual({kind: "native", binary, compiled: false});
        expect(fs.statSync(binary)).toMatchObject({ino: built.ino, mtimeMs: built.mtimeMs});

        const changed = await resolveSandboxForwarder({folder, env: process.env, source: `${NATIVE_FORWARDER_SOURCE}\n/* the next version */\n`});
        expect(changed).toMatchObject({kind: "native", compiled: true});
        const changedBinary = changed.kind === "native" ? changed.binary : "";
        expect(changedBinary).not.toBe(binary);
        expect(fs.readdirSync(folder).sort()).toEqual([path.basename(binary), path.basename(changedBinary)].sort());
    }, 120_000);

    it("leaves one working file when two builds run at once", async () => {
        const folder = tempFolder("agentfit-programs-");
        const [a, b] = await Promise.all([resolveSandboxForwarder({folder, env: process.env}), resolveSandboxForwarder({folder, env: process.env})]);
        expect(a).toMatchObject({kind: "native"});
        expect(b).toMatchObject({kind: "native", binary: a!.kind === "native" ? a!.binary : ""});
        expect(fs.readdirSync(folder)).toHaveLength(1);
        expect((await runForwarder(a!, ["/bin/sh", "-c", "exit 5"])).code).toBe(5);
    }, 120_000);

    it("falls back to the Node forwarder, saying why: no compiler on PATH, a compiler that fails, a build that fails its check", async () => {
        const empty = tempFolder("agentfit-no-compiler-");
        expect(await resolveSandboxForwarder({folder: tempFolder("agentfit-programs-"), env: {PATH: empty}})).toEqual({
            kind: "node",
            reason: "there is no C compiler (cc, gcc, clang) on PATH to build the native forwarder."
        });

        const broken = tempFolder("agentfit-broken-cc-");
        fs.writeFileSync(path.join(broken, "cc"), '#!/bin/sh\necho "cc: fatal error: no usable assembler" >&2\nexit 1\n', {mode: 0o755});
        const failed = await resolveSandboxForwarder({folder: tempFolder("agentfit-programs-"), env: {PATH: broken}});
        expect(failed).toEqual({kind: "node", reason: `compiling the native forwarder with ${path.join(broken, "cc")} failed: cc: fatal error: no usable assembler`});

        // A "compiler" whose program exits 0 whatever it runs: the check (sh -c "exit 7" must give 7) catches it.
        const wrong = tempFolder("agentfit-wrong-cc-");
        fs.writeFileSync(path.join(wrong, "cc"), '#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = -o ] && out="$2"; shift; done\nprintf "#!/bin/sh\\nexit 0\\n" > "$out"\nchmod +x "$out"\n', {mode: 0o755});
        const folder = tempFolder("agentfit-programs-");
        const unchecked = await resolveSandboxForwarder({folder, env: {PATH: `${wrong}${path.delimiter}/usr/bin`}});
        expect(unchecked).toEqual({kind: "node", reason: `the native forwarder ${path.join(wrong, "cc")} built failed its check (exit code 0, not 7).`});
        expect(fs.readdirSync(folder)).toEqual([]);
    }, 120_000);

    it("is the Node forwarder when AGENTFIT_SANDBOX_FORWARDER=node asks, and refuses another value with a coded error", async () => {
        const folder = tempFolder("agentfit-programs-");
        expect(await resolveSandboxForwarder({folder, env: {...process.env, AGENTFIT_SANDBOX_FORWARDER: "node"}})).toEqual({kind: "node", reason: expect.stringContaining("AGENTFIT_SANDBOX_FORWARDER=node")});
        expect(fs.readdirSync(folder)).toEqual([]);
        await expect(resolveSandboxForwarder({folder, env: {...process.env, AGENTFIT_SANDBOX_FORWARDER: "c"}})).rejects.toMatchObject({
            code: "INVALID_ARGUMENT",
            message: expect.stringContaining('may only be "node"')
        });
    });

    it("says an unasked fallback once in the log, however many runs resolve it", async () => {
        const log = vi.spyOn(console, "error").mockImplementation(() => {});
        const env = {PATH: tempFolder("agentfit-no-compiler-")};
        const folder = tempFolder("agentfit-programs-");
        await sandboxForwarder(folder, env);
        expect(await sandboxForwarder(folder, env)).toMatchObject({kind: "node"});
        expect(log.mock.calls.map((call) => String(call[0]))).toEqual([expect.stringContaining("Node forwarder, a Node start-up slower per sample: there is no C compiler")]);
        await sandboxForwarder(folder, {...env, AGENTFIT_SANDBOX_FORWARDER: "node"});
        expect(log).toHaveBeenCalledTimes(1);
    });

    it("is built again when the file it found was removed since", async () => {
        const folder = tempFolder("agentfit-programs-");
        const first = await sandboxForwarder(folder, process.env);
        expect(first).toMatchObject({kind: "native", compiled: true});
        fs.rmSync(first.kind === "native" ? first.binary : "", {force: true});
        expect(await sandboxForwarder(folder, process.env)).toEqual({...first, compiled: true});
    }, 120_000);
});

describe("a sandbox whose native forwarder's file is gone", () => {
    it("is refused with a coded error that says to resume the run, never started through the Node forwarder instead", () => {
        const scratch = tempFolder("agentfit-agent-forwarder-");
        let refused: unknown;
        try {
            prepareSandbox(scratch, {kind: "native", binary: path.join(scratch, "removed-forwarder"), compiled: false});
        } catch (error) {
            refused = error;
        }
        expect(refused).toMatchObject({code: "EVAL_SANDBOX_FORWARDER_UNAVAILABLE", message: expect.stringContaining("Resume the run")});
        expect(fs.readdirSync(scratch)).toEqual([SANDBOX_FILES.privateTmp]);
    });
});

// Each run's samples start the forwarder its own record names: the desktop app queues runs that were
// resolved one after the other, and a resumed run may find another forwarder than it recorded.
describe.skipIf(process.platform !== "linux")("confined runs in one process", () => {
    const owner = claimJobOwner();
    afterAll(() => owner.release());

    async function forwarderStarted(harness: EvalHarnessSpec, env: NodeJS.ProcessEnv, programs: string): Promise<string | null> {
        const solver = await solverForHarness(harness, toolLoopSolver, env, owner, programs);
        const outputDir = path.join(tempFolder("agentfit-agent-output-"), "sample-1");
        await solver.solve({
            workspace: tempFolder("agentfit-eval-forwarder-"),
            prompt: "Say which forwarder started you.",
            systemPrompt: "",
            toolchain: createToolchains().javascript,
            endpoint: {provider: "openai-compatible", baseUrl: "http://127.0.0.1:9/v1", apiKey: undefined, model: "probe"},
            limits: {maxTurns: 2, maxTokens: 10_000, maxWallTimeMs: 90_000},
            outputDir
        });
        return forwarderNamed(fs.readFileSync(path.join(outputDir, "stdout.txt"), "utf8"));
    }

    it("each start the forwarder their own record names, whichever resolved its confinement last", async () => {
        using agent = createForwarderProbeAgent();
        const programs = tempFolder("agentfit-programs-");
        const env = {...process.env, AGENTFIT_AGENT_DIRS: agent.dir};
        const nodeEnv = {...env, AGENTFIT_SANDBOX_FORWARDER: "node"};
        // Run A is resolved first, run B after it; then their samples start: A's, B's, A's again.
        const a = await resolveHarness("aider", env, "test", programs, "required");
        const b = await resolveHarness("aider", nodeEnv, "test", programs, "required");
        expect([a.confinement, b.confinement]).toMatchObject([
            {mode: "bwrap", forwarder: "native"},
            {mode: "bwrap", forwarder: "node"}
        ]);
        expect(await forwarderStarted(a, env, programs)).toBe("native");
        expect(await forwarderStarted(b, nodeEnv, programs)).toBe("node");
        expect(await forwarderStarted(a, env, programs)).toBe("native");
    }, 180_000);

    it("resumed where the recorded forwarder cannot be had, goes on with the one this machine gives and records it; never starts another than recorded", async () => {
        using agent = createForwarderProbeAgent();
        const programs = tempFolder("agentfit-programs-");
        const env = {...process.env, AGENTFIT_AGENT_DIRS: agent.dir};
        const nodeEnv = {...env, AGENTFIT_SANDBOX_FORWARDER: "node"};
        const recorded = await resolveHarness("aider", env, "test", programs, "required");
        expect(recorded.confinement).toMatchObject({mode: "bwrap", forwarder: "native"});
        expect(await harnessToResume(recorded, env, "test", programs)).toBe(recorded);

        const log = vi.spyOn(console, "error").mockImplementation(() => {});
        const resumed = await harnessToResume(recorded, nodeEnv, "test", programs);
        expect(resumed).toEqual({...recorded, confinement: {...recorded.confinement, forwarder: "node"}});
        expect(log).toHaveBeenCalledWith(expect.stringContaining("earlier samples started through the native sandbox forwarder; it goes on with the Node one"));
        expect(await forwarderStarted(resumed, nodeEnv, programs)).toBe("node");
        // The old record where only the Node forwarder can be had: refused, not started through it.
        await expect(solverForHarness(recorded, toolLoopSolver, nodeEnv, owner, programs)).rejects.toMatchObject({code: "EVAL_SANDBOX_FORWARDER_UNAVAILABLE"});
        // And back: the native one again, recorded.
        expect((await harnessToResume(resumed, env, "test", programs)).confinement).toMatchObject({forwarder: "native"});
    }, 180_000);
});

const kinds = [
    ["native", () => native],
    ["Node", (): SandboxForwarder => ({kind: "node", reason: "tested"})]
] as const;

// On Linux the real bubblewrap runs (CI installs it); where it cannot, these fail.
describe.skipIf(process.platform !== "linux").each(kinds)("the %s forwarder inside bubblewrap", (_kind, forwarder) => {
    it("answers two connections at once, both ways, through 127.0.0.1:<port> to the proxy's socket outside", async () => {
        await using sandbox = await sandboxWithSocket(forwarder());
        // Answers only once both requests are in: a forwarder that carried one connection at a time would never answer.
        const waiting: [string, http.ServerResponse][] = [];
        await sandbox.serve(
            http.createServer((req, res) => {
                waiting.push([req.url ?? "", res]);
                if (waiting.length === 2) for (const [url, held] of waiting.splice(0)) held.end(`answer for ${url}`);
            })
        );
        const client = `Promise.all(["/a", "/b"].map((p) => fetch("http://127.0.0.1:${sandbox.port}" + p).then((r) => r.text()))).then((t) => console.log(JSON.stringify(t)))`;
        const result = await sandbox.run(process.execPath, ["-e", client]);
        expect(result.exitCode, result.stderr).toBe(0);
        expect(JSON.parse(result.stdout)).toEqual(["answer for /a", "answer for /b"]);
    }, 120_000);

    it("exits with the agent's exit code, 128 + the signal that ended it, or 127 saying it could not start it", async () => {
        await using sandbox = await sandboxWithSocket(forwarder());
        expect((await sandbox.run("/bin/sh", ["-c", "exit 3"])).exitCode).toBe(3);
        expect((await sandbox.run("/bin/sh", ["-c", "kill -TERM $$"])).exitCode).toBe(143);
        const missing = await sandbox.run("/nonexistent/agent", ["-p", "x"]);
        expect(missing.exitCode).toBe(127);
        expect(missing.stderr).toMatch(/^Could not start \/nonexistent\/agent: .*(No such file or directory|ENOENT)/m);
    }, 120_000);
});

describe.skipIf(process.platform !== "linux").each(kinds)("the %s forwarder run directly", (_kind, forwarder) => {
    it("exits 125, saying so, when its port is taken, without starting the agent", async () => {
        const taken = net.createServer();
        await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
        const port = (taken.address() as AddressInfo).port;
        try {
            const marker = path.join(tempFolder("agentfit-forwarder-marker-"), "started");
            const result = await runForwarder(forwarder(), ["/bin/sh", "-c", `touch ${marker}`], {port});
            expect(result.code).toBe(125);
            expect(result.stderr).toContain(`AgentFit's sandbox could not listen on 127.0.0.1:${port}: `);
            expect(fs.existsSync(marker)).toBe(false);
        } finally {
            taken.close();
        }
    }, 60_000);
});

// What the Node forwarder does not do: its client side ends with the client's end of stream, and it dies of the signals it gets.
describe.skipIf(process.platform !== "linux")("the native forwarder alone", () => {
    it("passes a half-close on: the client's end of stream reaches the proxy, whose answer still comes back whole", async () => {
        await using sandbox = await sandboxWithSocket(native);
        await sandbox.serve(
            net.createServer({allowHalfOpen: true}, (socket) => {
                let received = 0;
                socket.on("data", (chunk: Buffer) => (received += chunk.length));
                socket.on("end", () => socket.end(Buffer.concat([Buffer.from(`received ${received}\n`), Buffer.alloc(1 << 20, "b")])));
            })
        );
        const client = `const socket = require("node:net").connect(${sandbox.port}, "127.0.0.1", () => socket.end(Buffer.alloc(1 << 20, "a")));
            const chunks = []; socket.on("data", (c) => chunks.push(c));
            socket.on("end", () => { const all = Buffer.concat(chunks).toString(); console.log(all.split("\\n")[0], all.length); });`;
        const result = await sandbox.run(process.execPath, ["-e", client]);
        expect(result.exitCode, result.stderr).toBe(0);
        expect(result.stdout.trim()).toBe(`received ${1 << 20} ${"received 1048576\n".length + (1 << 20)}`);
    }, 120_000);

    it.each([
        ["SIGTERM", 42],
        ["SIGINT", 130],
        ["SIGHUP", 129]
    ] as const)("passes %s on to the agent and exits with what the agent did (%i)", async (signal, expected) => {
        // The agent ends its own way on SIGTERM (exit 42) and dies of SIGINT and SIGHUP; unsignalled, it exits 0 after 30 s.
        const agent = signal === "SIGTERM" ? 'trap "exit 42" TERM; echo ready; i=0; while [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done' : "echo ready; exec sleep 30";
        let sent = false;
        const result = await runForwarder(native, ["/bin/sh", "-c", agent], {
            onStdout: (text, child) => {
                if (!sent && text.includes("ready")) sent = child.kill(signal);
            }
        });
        expect(result).toMatchObject({code: expected, signal: null});
    }, 60_000);
});

describe.skipIf(process.platform !== "linux")("the native forwarder killed", () => {
    it("takes the agent with it, as bwrap takes the forwarder (--die-with-parent)", async () => {
        let agentPid = 0;
        try {
            const result = await runForwarder(native, ["/bin/sh", "-c", "echo $$; exec sleep 300 > /dev/null 2>&1"], {
                onStdout: (text, child) => {
                    if (!agentPid && /^\d+\n/.test(text)) {
                        agentPid = Number(text.trim());
                        child.kill("SIGKILL");
                    }
                }
            });
            expect(result.signal).toBe("SIGKILL");
            await expect.poll(() => isAlive(agentPid), {timeout: 60_000}).toBe(false);
        } finally {
            if (agentPid && isAlive(agentPid)) process.kill(agentPid, "SIGKILL");
        }
    }, 120_000);
});

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    } catch {
        return false;
    }
}

/** A sandbox (real bwrap, `forwarder` prepared in its scratch folder) whose proxy socket a test serves. */
async function sandboxWithSocket(forwarder: SandboxForwarder) {
    const workspace = tempFolder("agentfit-eval-forwarder-");
    const scratch = tempFolder("agentfit-agent-forwarder-");
    const env = prepareSandbox(scratch, forwarder);
    // The sandbox's network namespace is its own: any port is free there.
    const layout = {workspace, scratch, port: 40_123, node: process.execPath};
    let server: net.Server | undefined;
    return {
        port: layout.port,
        async serve(listener: net.Server) {
            server = listener;
            await new Promise<void>((resolve) => listener.listen(path.join(scratch, SANDBOX_FILES.socket), resolve));
        },
        run: (command: string, args: string[]) => runCommand("bwrap", bwrapArguments(layout, command, args), {cwd: workspace, env, timeoutMs: 90_000}),
        async [Symbol.asyncDispose]() {
            if (server) await new Promise((resolve) => server!.close(resolve));
        }
    };
}

/** Runs the forwarder itself (no sandbox) on a socket nobody serves, as bwrapArguments would start it. */
function runForwarder(
    forwarder: SandboxForwarder,
    agent: string[],
    options: {port?: number; onStdout?: (text: string, child: ChildProcess) => void} = {}
): Promise<{code: number | null; signal: NodeJS.Signals | null; stderr: string}> {
    const scratch = tempFolder("agentfit-agent-forwarder-");
    const env = prepareSandbox(scratch, forwarder);
    const args = bwrapArguments({workspace: scratch, scratch, port: options.port ?? 0, node: process.execPath}, agent[0]!, agent.slice(1));
    const [command, ...rest] = args.slice(args.indexOf("--") + 1);
    return new Promise((resolve, reject) => {
        const child = spawn(command!, rest, {env: {...process.env, ...env}, stdio: ["ignore", "pipe", "pipe"]});
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
            options.onStdout?.(stdout, child);
        });
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code, signal) => resolve({code, signal, stderr}));
    });
}
