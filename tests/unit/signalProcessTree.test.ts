import {spawn, type ChildProcess} from "node:child_process";
import fs from "node:fs";
import {afterEach, describe, expect, it} from "vitest";
import {signalProcessTree, stopProcessTree} from "../../electron/core/processes/signalProcessTree.ts";

// Real process trees: a shell that starts a background `sleep`, then waits on a second one. Linux's
// /proc says which processes of a group are still alive (zombies waiting for a parent to reap them
// are gone for this purpose: they run nothing).

/** Live (not zombie) processes whose process group is `pgid`. */
function aliveInGroup(pgid: number): number[] {
    return fs.readdirSync("/proc").flatMap((entry) => {
        if (!/^\d+$/.test(entry)) return [];
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            // After the command name: state, ppid, pgrp…
            const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            return state !== "Z" && Number(pgrp) === pgid ? [Number(entry)] : [];
        } catch {
            return [];
        }
    });
}

function alive(pid: number): boolean {
    try {
        return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
        return false;
    }
}

/** Processes start and end slowly on a busy machine: each test may wait for them this long. */
const slow = {timeout: 120_000};

const started: number[] = [];
afterEach(() => {
    // Whatever a failed test left running.
    for (const pid of started.splice(0))
        try {
            process.kill(pid, "SIGKILL");
        } catch {}
});

/** `sh -c script` whose script prints the background sleep's pid first; resolves once both run. */
async function startTree(script: string, options: {detached: boolean}): Promise<{child: ChildProcess; background: number}> {
    const child = spawn("sh", ["-c", script], {detached: options.detached, stdio: ["ignore", "pipe", "ignore"]});
    started.push(child.pid!);
    let output = "";
    child.stdout!.on("data", (data: Buffer) => (output += data.toString()));
    await expect.poll(() => output, {timeout: 30_000}).toMatch(/^\d+\n/);
    const background = Number(output.trim().split("\n")[0]);
    started.push(background);
    await expect.poll(() => alive(background) && alive(child.pid!), {timeout: 30_000}).toBe(true);
    return {child, background};
}

const exitOf = (child: ChildProcess) =>
    new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));

describe.runIf(process.platform === "linux")("signalProcessTree: one way to signal what AgentFit started", () => {
    it("reaches every process of a detached child's group", slow, async () => {
        const {child, background} = await startTree("sleep 30 & echo $!; sleep 30", {detached: true});
        expect(aliveInGroup(child.pid!).sort()).toEqual(expect.arrayContaining([child.pid!, background]));

        expect(signalProcessTree({pid: child.pid!, detached: true}, "SIGKILL")).toBe(true);
        await expect.poll(() => aliveInGroup(child.pid!), {timeout: 30_000}).toEqual([]);
    });

    it("reaches only the process when it was not detached: its group is the caller's", slow, async () => {
        const {child, background} = await startTree("sleep 30 & echo $!; wait", {detached: false});
        expect(signalProcessTree({pid: child.pid!, detached: false}, "SIGKILL")).toBe(true);
        await exitOf(child);
        expect(child.signalCode).toBe("SIGKILL");
        // The shell's background sleep shares this test's group, which was not signalled.
        expect(alive(background)).toBe(true);
        expect(signalProcessTree({pid: background, detached: false}, "SIGKILL")).toBe(true);
        await expect.poll(() => alive(background), {timeout: 30_000}).toBe(false);
    });

    it("reports a process that already exited as gone, without an error", slow, async () => {
        for (const detached of [true, false]) {
            const child = spawn("true", [], {detached, stdio: "ignore"});
            await exitOf(child);
            expect(signalProcessTree({pid: child.pid!, detached}, "SIGCONT")).toBe(false);
        }
    });

    it("surfaces any other failure, naming the process", slow, async () => {
        const {child} = await startTree("sleep 30 & echo $!; sleep 30", {detached: true});
        expect(() => signalProcessTree({pid: child.pid!, detached: true}, "SIGNOTONE" as NodeJS.Signals)).toThrow(
            new RegExp(`Could not send SIGNOTONE to process group ${child.pid}`)
        );
        signalProcessTree({pid: child.pid!, detached: true}, "SIGKILL");
        await expect.poll(() => aliveInGroup(child.pid!), {timeout: 30_000}).toEqual([]);
    });

    it("refuses pids that cannot be a process AgentFit started (0 is the caller's own group, 1 is init)", () => {
        for (const pid of [0, 1, -4, 2.5]) expect(() => signalProcessTree({pid, detached: true}, "SIGKILL")).toThrow(/not the pid of a process AgentFit started/);
    });
});

describe.runIf(process.platform === "linux")("stopProcessTree: signal, wait, then SIGKILL", () => {
    it("ends a tree that obeys SIGTERM without escalating", slow, async () => {
        const {child} = await startTree("sleep 30 & echo $!; sleep 30", {detached: true});
        await stopProcessTree(child, {detached: true, graceMs: 120_000});
        expect(child.signalCode).toBe("SIGTERM");
        await expect.poll(() => aliveInGroup(child.pid!), {timeout: 30_000}).toEqual([]);
    });

    it("kills a tree that ignores SIGTERM once the grace period is over", slow, async () => {
        // An ignored signal stays ignored in the children and through exec.
        const {child} = await startTree("trap '' TERM; sleep 30 & echo $!; sleep 30", {detached: true});
        await stopProcessTree(child, {detached: true, graceMs: 300});
        expect(child.signalCode).toBe("SIGKILL");
        await expect.poll(() => aliveInGroup(child.pid!), {timeout: 30_000}).toEqual([]);
    });

    it("kills what is left of the group once the process itself exited", slow, async () => {
        // The background sleep ignores SIGTERM; the shell's own last command (exec'd) does not.
        const {child, background} = await startTree("trap '' TERM; sleep 30 & echo $!; trap - TERM; exec sleep 30", {detached: true});
        await stopProcessTree(child, {detached: true, graceMs: 120_000});
        expect(child.signalCode).toBe("SIGTERM");
        await expect.poll(() => alive(background), {timeout: 30_000}).toBe(false);
        await expect.poll(() => aliveInGroup(child.pid!), {timeout: 30_000}).toEqual([]);
    });

    it("resolves for a process that already exited, without waiting for the grace period", slow, async () => {
        const child = spawn("true", [], {detached: true, stdio: "ignore"});
        await exitOf(child);
        await expect(stopProcessTree(child, {detached: true, graceMs: 600_000})).resolves.toBeUndefined();
    });
});
