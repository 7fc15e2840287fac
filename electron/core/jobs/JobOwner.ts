import {randomUUID} from "node:crypto";
import fs from "node:fs";
import os from "node:os";

/**
 * Who runs a long job (a download, an eval run, a benchmark run). Recorded with the job in SQLite
 * so that another AgentFit process sharing the data folder (the desktop app, a CLI command, the
 * browser mode) leaves it alone while its owner lives, and recovers it once the owner is gone.
 */
export interface JobOwner {
    /** What is recorded with a job: `pid@host@startTime#instance` (startTime empty where unknown). */
    readonly id: string;
    /** Whether a recorded owner id is this owner. */
    owns(ownerId: string | null | undefined): boolean;
    /** From now on this owner's jobs count as orphaned, in this process too. Idempotent. */
    release(): void;
}

/** Owners claimed in this process and not released: a pid alone cannot tell two AppServices of one process apart. */
const liveInstances = new Set<string>();
const ownerPattern = /^(\d+)@([^@#]*)(?:@(\d*))?#(.+)$/;

/** A new owner for the jobs this process (one AppService) runs. */
export function claimJobOwner(): JobOwner {
    const instance = randomUUID();
    const id = `${process.pid}@${os.hostname()}@${processStartTime(process.pid) ?? ""}#${instance}`;
    liveInstances.add(instance);
    return {
        id,
        owns: (ownerId) => ownerId === id,
        release: () => void liveInstances.delete(instance)
    };
}

/**
 * Whether the process that recorded `ownerId` still runs it. On this host: its pid exists and
 * started when the owner recorded (so a reused pid is not mistaken for it); in this process: the
 * owner was not released. An owner on another host (a shared folder) is assumed alive: nothing
 * here can tell. No owner, or one that cannot be read, is not alive.
 */
export function isOwnerAlive(ownerId: string | null | undefined): boolean {
    const owner = ownerId ? ownerPattern.exec(ownerId) : null;
    if (!owner) return false;
    const [, pidText, host, startTime, instance] = owner;
    const pid = Number(pidText);
    if (host !== os.hostname()) return true;
    if (pid === process.pid) return liveInstances.has(instance!);
    if (!processExists(pid)) return false;
    const startedAt = startTime ? processStartTime(pid) : null;
    return startedAt === null || startedAt === startTime;
}

/** For messages: "pid 1234" (and the host when it is another one). */
export function describeOwner(ownerId: string): string {
    const owner = ownerPattern.exec(ownerId);
    if (!owner) return "an unknown process";
    return owner[2] === os.hostname() ? `pid ${owner[1]}` : `pid ${owner[1]} on ${owner[2]}`;
}

/**
 * Crash recovery, the same for every kind of job: calls `recover` for each job whose owner is gone
 * (killed, crashed, or closed without finishing it) and returns those jobs.
 */
export function recoverOrphanedJobs<Job>(jobs: Iterable<Job>, ownerOf: (job: Job) => string | null, recover: (job: Job) => void): Job[] {
    const orphans = [...jobs].filter((job) => !isOwnerAlive(ownerOf(job)));
    for (const job of orphans) recover(job);
    return orphans;
}

function processExists(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** When a process started, in clock ticks since boot (Linux's /proc); null where the system does not say. */
export function processStartTime(pid: number): string | null {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        // Fields after the command name (which may hold spaces and parentheses); starttime is field 22.
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
    } catch {
        return null;
    }
}
