import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A program in a coding agent's place whose one job is to say which sandbox forwarder started it:
 * installed as `aider` (its `--version` answers like Aider's), it prints its parent's command line —
 * inside the sandbox, the forwarder — then waits while `hold` exists, so a test can stop a sample in
 * flight. It lives outside /tmp, which the sandbox replaces with a private folder.
 */
export interface ForwarderProbeAgent extends Disposable {
    /** The folder to name in AGENTFIT_AGENT_DIRS. */
    dir: string;
    executable: string;
    /** While this file exists, the agent waits after printing. */
    hold: string;
}

export function createForwarderProbeAgent(): ForwarderProbeAgent {
    fs.mkdirSync(path.join(os.homedir(), ".cache"), {recursive: true});
    const dir = fs.mkdtempSync(path.join(os.homedir(), ".cache", "agentfit-test-probe-agent-"));
    const executable = path.join(dir, "aider");
    const hold = path.join(dir, "hold");
    fs.writeFileSync(
        executable,
        ["#!/bin/sh", 'if [ "$1" = --version ]; then echo "aider 0.86.1"; exit 0; fi', "tr '\\0' ' ' < /proc/$PPID/cmdline", "echo", `while [ -e '${hold}' ]; do sleep 0.1; done`, ""].join("\n"),
        {mode: 0o755}
    );
    return {dir, executable, hold, [Symbol.dispose]: () => fs.rmSync(dir, {recursive: true, force: true})};
}

/** The forwarder the probe agent's output names as its parent: "native", "node", or null when neither. */
export function forwarderNamed(output: string): "native" | "node" | null {
    if (/\/loopback-forwarder\.cjs /.test(output)) return "node";
    if (/\/loopback-forwarder /.test(output)) return "native";
    return null;
}
