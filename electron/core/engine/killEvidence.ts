import {execFile} from "node:child_process";
import fs from "node:fs";

/** What this machine lets AgentFit read about who sent a SIGKILL. */
export interface KillEvidenceSources {
    /** The kernel's count of out-of-memory kills since boot (/proc/vmstat `oom_kill`), or null when unreadable. */
    oomKillCount(): number | null;
    /** The kernel log's lines (`dmesg`), or null when it cannot be read (most machines restrict it). */
    kernelLog(): Promise<string[] | null>;
}

export const systemKillEvidence: KillEvidenceSources = {
    oomKillCount() {
        try {
            const match = /^oom_kill (\d+)$/m.exec(fs.readFileSync("/proc/vmstat", "utf8"));
            return match ? Number(match[1]) : null;
        } catch {
            return null;
        }
    },
    kernelLog() {
        return new Promise((resolve) => {
            execFile("dmesg", [], {timeout: 2000, maxBuffer: 16 * 1024 * 1024}, (error, stdout) => resolve(error ? null : stdout.split("\n")));
        });
    }
};

/** What is known of a SIGKILL: a clause for people, and whether the kernel's evidence blames memory. */
export interface SigkillExplanation {
    /** e.g. "was killed by the kernel's out-of-memory killer (…)", to follow "The engine process ". */
    text: string;
    /** The kernel log names the process as the OOM killer's victim, or its OOM-kill count rose while it ran. */
    outOfMemory: boolean;
}

/**
 * Why a process died of SIGKILL, saying only what is known: the kernel log naming it as the OOM
 * killer's victim, or the kernel's OOM-kill count rising while it ran (memory most likely ran out),
 * or that count unchanged (another process sent it: a user, a service manager, a userspace OOM
 * daemon), or nothing readable (cannot tell). `oomKillsAtStart` is the count read when it started.
 */
export async function explainSigkill(pid: number | undefined, oomKillsAtStart: number | null, sources: KillEvidenceSources = systemKillEvidence): Promise<SigkillExplanation> {
    const oomKillsNow = sources.oomKillCount();
    const counted = oomKillsAtStart !== null && oomKillsNow !== null;
    // A pid can be reused: a kernel-log line counts only when the OOM-kill count allows it.
    const log = pid === undefined || (counted && oomKillsNow === oomKillsAtStart) ? null : await sources.kernelLog();
    const victimLine = log?.find((line) => new RegExp(`Killed process ${pid}\\b`).test(line));
    if (victimLine)
        return {text: `was killed by the kernel's out-of-memory killer (SIGKILL; kernel log: "${victimLine.replace(/^\[[^\]]*\]\s*/, "").trim().slice(0, 200)}")`, outOfMemory: true};
    if (counted) {
        if (oomKillsNow > oomKillsAtStart)
            return {
                text: `was killed (SIGKILL) while the kernel's out-of-memory killer was killing processes (oom_kill in /proc/vmstat went from ${oomKillsAtStart} to ${oomKillsNow}): memory most likely ran out`,
                outOfMemory: true
            };
        return {
            text: "was killed by SIGKILL from another process, not by the kernel's out-of-memory killer (its count in /proc/vmstat did not change); a user, a service manager or a userspace OOM daemon can send it",
            outOfMemory: false
        };
    }
    return {text: "was killed by SIGKILL (by another process or the system; AgentFit cannot tell which)", outOfMemory: false};
}
