import {execFile} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type {EvalConfinement, EvalConfinePolicy} from "../../api/EvalApi.ts";
import {EvalError} from "./EvalError.ts";
import {commandEnvironment} from "./process/runCommand.ts";

/**
 * Runs inside the agent's network namespace, where only loopback exists: listens on
 * 127.0.0.1:<port> and pipes every connection to the recording proxy's Unix socket (bound into the
 * sandbox), then runs the agent and exits with its status. Plain CommonJS so the same Node (or
 * Electron as Node) that runs AgentFit runs it, whatever bundles AgentFit's own code.
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

/** In the agent's scratch folder: the forwarder's file, the proxy's socket and the folder seen as /tmp inside the sandbox. */
export const SANDBOX_FILES = {forwarder: "loopback-forwarder.cjs", socket: "proxy.sock", privateTmp: "private-tmp"} as const;

export interface SandboxLayout {
    /** The sample's workspace: the agent's cwd, writable. */
    workspace: string;
    /** The sample's scratch folder (HOME, config, TMPDIR, the proxy's socket), writable. */
    scratch: string;
    /** Port the agent's base URL names on 127.0.0.1 (the recording proxy's own port). */
    port: number;
    /** The Node binary that runs the forwarder (AgentFit's own). */
    node: string;
}

/**
 * The `bwrap` argument list that runs `command args` confined: the whole filesystem read-only, the
 * workspace and the scratch folder writable, fresh /dev and /proc, /tmp replaced by a folder of the
 * scratch (what lands there is reported, then discarded), and a network namespace of its own whose
 * only way out is the forwarder to the recording proxy's socket. The process dies with AgentFit.
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
        layout.node, path.join(layout.scratch, SANDBOX_FILES.forwarder), path.join(layout.scratch, SANDBOX_FILES.socket), String(layout.port),
        command, ...args
    ];
}

/** Writes what the sandbox needs into the scratch folder (the forwarder, the private /tmp); returns the environment the forwarder needs. */
export function prepareSandbox(scratch: string): NodeJS.ProcessEnv {
    fs.mkdirSync(path.join(scratch, SANDBOX_FILES.privateTmp), {recursive: true});
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

/** Forgets the probe's answer (tests that change PATH or AGENTFIT_BWRAP). */
export function forgetConfinementProbe(): void {
    probed = undefined;
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
 * start (EVAL_CONFINEMENT_UNAVAILABLE) when it cannot.
 */
export async function resolveConfinement(policy: EvalConfinePolicy, env: NodeJS.ProcessEnv = process.env): Promise<EvalConfinement> {
    if (policy === "off") return {mode: "none", reason: "confinement was turned off for this run (--confine off)."};
    const found = await probeConfinement(env);
    if (found.mode === "none" && policy === "required")
        throw new EvalError("EVAL_CONFINEMENT_UNAVAILABLE", `Confinement is required but impossible here: ${found.reason} Or run with --confine auto to let agents run unconfined (recorded with the run).`);
    return found;
}
