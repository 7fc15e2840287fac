import {spawnSync, type ChildProcess} from "node:child_process";

/**
 * A process AgentFit started, and how: `detached` means it was spawned with `detached: true`, so on
 * POSIX it leads a process group of its own, and what it starts belongs to that group unless it
 * moves itself out (setsid).
 */
export interface ProcessTree {
    pid: number;
    detached: boolean;
}

/** taskkill's exit status when no process has the pid. */
const TASKKILL_NOT_FOUND = 128;

/**
 * Sends `signal` to a process AgentFit started and to what it started where that can be reached:
 * - POSIX, detached: the whole process group (the process and its children, grandchildren…);
 * - POSIX, not detached: the process alone (its group is AgentFit's own);
 * - Windows, which has no process groups and no signals (any signal terminates at once, so the
 *   process never gets to end its own children): `taskkill /T /F`, which ends the process and its
 *   descendants, detached or not; the process alone if taskkill cannot run.
 * Returns false when nothing was there to signal (it already exited); any other failure (EPERM, an
 * unknown signal) is thrown, naming the process.
 */
export function signalProcessTree(tree: ProcessTree, signal: NodeJS.Signals): boolean {
    // 0 and 1 would name AgentFit's own group and every process or init: never a process AgentFit started.
    if (!Number.isInteger(tree.pid) || tree.pid <= 1) throw new Error(`${tree.pid} is not the pid of a process AgentFit started.`);
    if (process.platform === "win32") {
        const taskkill = spawnSync("taskkill", ["/pid", String(tree.pid), "/T", "/F"], {windowsHide: true, timeout: 10_000, encoding: "utf8"});
        if (taskkill.status === 0) return true;
        if (taskkill.status === TASKKILL_NOT_FOUND) return false;
        if (!taskkill.error) throw new Error(`taskkill could not end process ${tree.pid} and its children: ${taskkill.stderr.trim() || `exit status ${taskkill.status}`}`);
        return killOrGone(tree.pid, signal, "process");
    }
    return tree.detached ? killOrGone(-tree.pid, signal, "process group") : killOrGone(tree.pid, signal, "process");
}

function killOrGone(target: number, signal: NodeJS.Signals, what: string): boolean {
    try {
        process.kill(target, signal);
        return true;
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ESRCH") return false;
        throw Object.assign(new Error(`Could not send ${signal} to ${what} ${Math.abs(target)}: ${(error as Error).message}`, {cause: error}), {code});
    }
}

export interface StopProcessTreeOptions {
    /** Spawned with `detached: true` (see ProcessTree). */
    detached: boolean;
    /** Sent first. Default SIGTERM. */
    signal?: NodeJS.Signals;
    /** How long the process gets to exit after `signal` before SIGKILL, ms. */
    graceMs: number;
}

/**
 * Stops a child process and what it started: `signal` to its tree (signalProcessTree), SIGKILL when
 * it has not exited after the grace period, and once it has exited, SIGKILL to what is left of its
 * group (children that ignored the signal, or that it left behind). Resolves once it has exited;
 * rejects only when a signal cannot be sent (other than to a process already gone).
 */
export async function stopProcessTree(child: ChildProcess, options: StopProcessTreeOptions): Promise<void> {
    if (child.pid === undefined) return;
    const tree: ProcessTree = {pid: child.pid, detached: options.detached};
    if (!hasExited(child)) {
        const exited = new Promise<"exited">((resolve) => child.once("exit", () => resolve("exited")));
        let timer: NodeJS.Timeout | undefined;
        const graceOver = new Promise<"grace over">((resolve) => (timer = setTimeout(resolve, options.graceMs, "grace over")));
        try {
            signalProcessTree(tree, options.signal ?? "SIGTERM");
            if ((await Promise.race([exited, graceOver])) === "grace over") {
                signalProcessTree(tree, "SIGKILL");
                await exited;
            }
        } finally {
            clearTimeout(timer);
        }
    }
    // On Windows taskkill /T has ended the descendants already (and a pid reused since must not be walked).
    if (options.detached && process.platform !== "win32") signalProcessTree(tree, "SIGKILL");
}

/** Whether a child process has exited (Node sets its exit code or signal before it emits "exit"). */
export function hasExited(child: ChildProcess): boolean {
    return child.exitCode !== null || child.signalCode !== null;
}
