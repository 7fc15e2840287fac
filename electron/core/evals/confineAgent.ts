import {execFile} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type {EvalConfinement, EvalConfinePolicy} from "../../api/EvalApi.ts";
import {errorMessage} from "../../shared/AppError.ts";
import {EvalError} from "./EvalError.ts";
import {commandEnvironment} from "./process/runCommand.ts";
import {resolveSandboxForwarder, type SandboxForwarder} from "./sandboxForwarder.ts";

/**
 * Runs inside the agent's network namespace, where only loopback exists: listens on
 * 127.0.0.1:<port> and pipes every connection to the recording proxy's Unix socket (bound into the
 * sandbox), then runs the agent and exits with its status. Plain CommonJS so the same Node (or
 * Electron as Node) that runs AgentFit runs it, whatever bundles AgentFit's own code. The native
 * forwarder (sandboxForwarder.ts) does the same without a Node start-up; this one is the fallback.
 */
const FORWARDER_SOURCE = String.raw`"use strict";
const net = require("node:net");
const os = require("node:os");
const {spawn} = require("node:child_process");
const [socketPath, port, command, ...args] = process.argv.slice(2);
const server = net.createServer((client) => {
    const upstream = net.connect(socketPath);
    const close = () => { client.destroy(); upstream.destroy(); };
    client.on("error", close);
    upstream.on("error", close);
    client.pipe(upstream).pipe(client);
});
server.on("error", (error) => {
    process.stderr.write("AgentFit's sandbox could not listen on 127.0.0.1:" + port + ": " + error.message + "\n");
    process.exit(125);
});
server.listen(Number(port), "127.0.0.1", () => {
    if (process.env.AGENTFIT_FORWARDER_AS_NODE) { delete process.env.ELECTRON_RUN_AS_NODE; delete process.env.AGENTFIT_FORWARDER_AS_NODE; }
    const child = spawn(command, args, {stdio: "inherit"});
    child.on("error", (error) => {
        process.stderr.write("Could not start " + command + ": " + error.message + "\n");
        process.exit(127);
    });
    child.on("exit", (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] ?? 1)));
});
`;

/**
 * In the agent's scratch folder: the forwarder (the Node one's script, or a copy of the native one:
 * the data folder may be hidden inside the sandbox, e.g. under /tmp), the proxy's socket and the
 * folder seen as /tmp inside the sandbox.
 */
export const SANDBOX_FILES = {forwarder: "loopback-forwarder.cjs", nativeForwarder: "loopback-forwarder", socket: "proxy.sock", privateTmp: "private-tmp"} as const;

export interface SandboxLayout {
    /** The sample's workspace: the agent's cwd, writable. */
    workspace: string;
    /** The sample's scratch folder (HOME, config, TMPDIR, the proxy's socket), writable. */
    scratch: string;
    /** Port the agent's base URL names on 127.0.0.1 (the recording proxy's own port). */
    port: number;
    /** The Node binary that runs the Node forwarder (AgentFit's own), when prepareSandbox chose that one. */
    node: string;
}

/**
 * The `bwrap` argument list that runs `command args` confined: the whole filesystem read-only, the
 * workspace and the scratch folder writable, fresh /dev and /proc, /tmp replaced by a folder of the
 * scratch (what lands there is reported, then discarded), and a network namespace of its own whose
 * only way out is the forwarder to the recording proxy's socket. The process dies with AgentFit.
 * The forwarder is the one prepareSandbox put in the scratch folder.
 */
export function bwrapArguments(layout: SandboxLayout, command: string, args: readonly string[]): string[] {
    return [
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--bind", path.join(layout.scratch, SANDBOX_FILES.privateTmp), "/tmp",
        "--bind", layout.workspace, layout.workspace,
        "--bind", layout.scratch, layout.scratch,
        "--unshare-net",
        "--die-with-parent",
        "--chdir", layout.workspace,
        "--",
        ...forwarderCommand(layout), path.join(layout.scratch, SANDBOX_FILES.socket), String(layout.port),
        command, ...args
    ];
}

function forwarderCommand(layout: SandboxLayout): string[] {
    const native = path.join(layout.scratch, SANDBOX_FILES.nativeForwarder);
    return fs.existsSync(native) ? [native] : [layout.node, path.join(layout.scratch, SANDBOX_FILES.forwarder)];
}

/**
 * Writes what the sandbox needs into the scratch folder (the forwarder, the private /tmp); returns
 * the environment the forwarder needs. `forwarder`: the one the run's record names
 * (confinementOfRun). A native one whose file is gone since (the data folder's bin/ removed) is
 * EVAL_SANDBOX_FORWARDER_UNAVAILABLE: the sample never starts through another than its run records.
 */
export function prepareSandbox(scratch: string, forwarder: SandboxForwarder): NodeJS.ProcessEnv {
    fs.mkdirSync(path.join(scratch, SANDBOX_FILES.privateTmp), {recursive: true});
    const native = path.join(scratch, SANDBOX_FILES.nativeForwarder);
    fs.rmSync(native, {force: true});
    if (forwarder.kind === "native") {
        try {
            fs.copyFileSync(forwarder.binary, native);
            fs.chmodSync(native, 0o755);
        } catch (error) {
            fs.rmSync(native, {force: true});
            throw new EvalError(
                "EVAL_SANDBOX_FORWARDER_UNAVAILABLE",
                `This run's agents start through the native sandbox forwarder, which could not be copied into the sample's sandbox (${errorMessage(error)}). Resume the run: AgentFit builds the forwarder again, or goes on with the Node one and records it.`
            );
        }
        return {};
    }
    fs.writeFileSync(path.join(scratch, SANDBOX_FILES.forwarder), FORWARDER_SOURCE);
    // Electron's binary runs plain Node scripts only when told; the forwarder clears it before starting the agent.
    return process.versions.electron ? {ELECTRON_RUN_AS_NODE: "1", AGENTFIT_FORWARDER_AS_NODE: "1"} : {};
}

/**
 * Files left in the sandbox's private /tmp (written by absolute path, outside the workspace; TMPDIR
 * points elsewhere), as the paths the agent saw; the mount points bwrap made for the workspace and
 * scratch folder do not count.
 */
export function privateTmpWrites(layout: Pick<SandboxLayout, "workspace" | "scratch">): string[] {
    const root = path.join(layout.scratch, SANDBOX_FILES.privateTmp);
    const mountPoints = new Set([layout.workspace, layout.scratch].filter((p) => p.startsWith("/tmp/")).flatMap(ancestorsUnderTmp));
    const out: string[] = [];
    const walk = (dir: string, seen: string) => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(dir, {withFileTypes: true});
        } catch {
            return;
        }
        for (const entry of entries) {
            const inside = `${seen}/${entry.name}`;
            if (mountPoints.has(inside)) {
                if (entry.isDirectory()) walk(path.join(dir, entry.name), inside);
                continue;
            }
            if (entry.isDirectory() && out.length < 100) {
                const before = out.length;
                walk(path.join(dir, entry.name), inside);
                if (out.length === before) out.push(`${inside}/`);
            } else out.push(inside);
        }
    };
    walk(root, "/tmp");
    return out.slice(0, 100);
}

/** "/tmp/a/b" → ["/tmp/a", "/tmp/a/b"]. */
function ancestorsUnderTmp(folder: string): string[] {
    const parts = folder.slice("/tmp/".length).split("/");
    return parts.map((_, i) => `/tmp/${parts.slice(0, i + 1).join("/")}`);
}

let probed: Promise<EvalConfinement> | undefined;

/**
 * Whether agents can be confined here: Linux with bubblewrap (`bwrap`) that can make a read-only
 * root and a network namespace (a trial run; it fails where user namespaces are disabled). Asked
 * once per process; `bwrap` is looked up on PATH, or AGENTFIT_BWRAP.
 */
export function probeConfinement(env: NodeJS.ProcessEnv = process.env): Promise<EvalConfinement> {
    probed ??= detectBubblewrap(env);
    return probed;
}

/** Forgets the probe's and the forwarders' answers (tests that change PATH, AGENTFIT_BWRAP or the forwarder). */
export function forgetConfinementProbe(): void {
    probed = undefined;
    forwarders.clear();
}

const forwarders = new Map<string, Promise<SandboxForwarder>>();

/**
 * The forwarder confined agents start through (resolveSandboxForwarder), asked once per process for
 * a folder, PATH and AGENTFIT_SANDBOX_FORWARDER — again when the native one found before has been
 * removed since; a fallback to the Node one that was not asked for is said once in the log, with why.
 */
export async function sandboxForwarder(folder: string, env: NodeJS.ProcessEnv = process.env): Promise<SandboxForwarder> {
    const key = [folder, env.PATH, env.AGENTFIT_SANDBOX_FORWARDER].join("\0");
    const known = forwarders.get(key);
    if (known) {
        const forwarder = await known;
        if (forwarder.kind === "node" || fs.existsSync(forwarder.binary)) return forwarder;
        if (forwarders.get(key) === known) forwarders.delete(key);
        return sandboxForwarder(folder, env);
    }
    const found = resolveSandboxForwarder({folder, env}).then((forwarder) => {
        if (forwarder.kind === "node" && !env.AGENTFIT_SANDBOX_FORWARDER)
            console.error(`[agentfit] confined coding agents start through the Node forwarder, a Node start-up slower per sample: ${forwarder.reason}`);
        return forwarder;
    });
    forwarders.set(key, found);
    found.catch(() => forwarders.delete(key));
    return found;
}

async function detectBubblewrap(env: NodeJS.ProcessEnv): Promise<EvalConfinement> {
    if (process.platform !== "linux")
        return {mode: "none", reason: `confinement needs Linux's bubblewrap; on ${process.platform === "darwin" ? "macOS" : process.platform === "win32" ? "Windows" : process.platform} AgentFit has none.`};
    const bwrap = env.AGENTFIT_BWRAP || "bwrap";
    const run = (args: string[]) =>
        new Promise<{ok: boolean; output: string; missing: boolean}>((resolve) =>
            execFile(bwrap, args, {env: commandEnvironment({PATH: env.PATH}), timeout: 30_000}, (error, stdout, stderr) =>
                resolve({ok: !error, output: `${stdout}${stderr}`.trim(), missing: (error as NodeJS.ErrnoException | null)?.code === "ENOENT"})
            )
        );
    const version = await run(["--version"]);
    if (version.missing) return {mode: "none", reason: "bubblewrap (bwrap) is not installed: install it (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)."};
    const trial = await run(["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net", "--die-with-parent", "--", "true"]);
    if (!trial.ok)
        return {
            mode: "none",
            reason: `bubblewrap could not make a sandbox here (${trial.output.split("\n")[0] || "it failed"}); user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1, or an AppArmor profile for bwrap).`
        };
    return {mode: "bwrap", version: /(\d+\.\d+(\.\d+)?)/.exec(version.output)?.[1] ?? null, executable: bwrap};
}

/**
 * The confinement a run of a coding agent gets under a policy: "auto" confines when it can and
 * otherwise runs unconfined (recorded with the reason), "off" never confines, "required" refuses to
 * start (EVAL_CONFINEMENT_UNAVAILABLE) when it cannot. Confined, it names the forwarder the
 * sandboxes start through (sandboxForwarder, built into `programsFolder`).
 */
export async function resolveConfinement(policy: EvalConfinePolicy, env: NodeJS.ProcessEnv, programsFolder: string): Promise<EvalConfinement> {
    if (policy === "off") return {mode: "none", reason: "confinement was turned off for this run (--confine off)."};
    const found = await probeConfinement(env);
    if (found.mode === "none" && policy === "required")
        throw new EvalError("EVAL_CONFINEMENT_UNAVAILABLE", `Confinement is required but impossible here: ${found.reason} Or run with --confine auto to let agents run unconfined (recorded with the run).`);
    if (found.mode === "none") return found;
    return {...found, forwarder: (await sandboxForwarder(programsFolder, env)).kind};
}

/** A run's confinement as its agents start under it: the record, and when confined, the forwarder program the record names. */
export type RunConfinement = {mode: "none"; record: Extract<EvalConfinement, {mode: "none"}>} | {mode: "bwrap"; record: Extract<EvalConfinement, {mode: "bwrap"}>; forwarder: SandboxForwarder};

/**
 * What a run's record of its confinement means here and now: unconfined, or bubblewrap with the
 * forwarder the record names — the Node one for "node" (and runs recorded before there was a
 * choice), this machine's native one for "native" (sandboxForwarder, built into `programsFolder`),
 * else EVAL_SANDBOX_FORWARDER_UNAVAILABLE: a run never starts a sample through another forwarder
 * than it records (resuming it records the one this machine has; harnessToResume).
 */
export async function confinementOfRun(record: EvalConfinement, programsFolder: string, env: NodeJS.ProcessEnv): Promise<RunConfinement> {
    if (record.mode === "none") return {mode: "none", record};
    if (record.forwarder !== "native") return {mode: "bwrap", record, forwarder: {kind: "node", reason: "the run records the Node forwarder."}};
    const forwarder = await sandboxForwarder(programsFolder, env);
    if (forwarder.kind === "node")
        throw new EvalError(
            "EVAL_SANDBOX_FORWARDER_UNAVAILABLE",
            `This run records the native sandbox forwarder, which this machine cannot give now: ${forwarder.reason} Resume the run to go on with the Node forwarder (recorded with the run).`
        );
    return {mode: "bwrap", record, forwarder};
}
