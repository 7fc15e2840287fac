import fs from "node:fs";
import {describe, expect, it} from "vitest";
import {explainSigkill, systemKillEvidence, type KillEvidenceSources} from "../../electron/core/engine/killEvidence.ts";

// The kernel's OOM killer cannot be made to fire safely on a shared machine, so its two traces
// (the /proc/vmstat count and the kernel log) are given here; the real sources are read below.
function sources(counts: (number | null)[], log: string[] | null): KillEvidenceSources & {logReads: number} {
    const result = {
        logReads: 0,
        oomKillCount: () => counts.shift() ?? null,
        kernelLog: async () => {
            result.logReads++;
            return log;
        }
    };
    return result;
}

describe("why a SIGKILL happened", () => {
    it("names the OOM killer only with evidence", async () => {
        const victim = sources([3], ["[ 12.5] Out of memory: Killed process 4242 (node) total-vm:9000kB"]);
        await expect(explainSigkill(4242, 2, victim)).resolves.toEqual({
            text: `was killed by the kernel's out-of-memory killer (SIGKILL; kernel log: "Out of memory: Killed process 4242 (node) total-vm:9000kB")`,
            outOfMemory: true
        });
        await expect(explainSigkill(4242, 2, sources([3], ["Out of memory: Killed process 99 (other)"]))).resolves.toEqual({
            text: expect.stringMatching(/while the kernel's out-of-memory killer was killing processes \(oom_kill in \/proc\/vmstat went from 2 to 3\): memory most likely ran out/),
            outOfMemory: true
        });
        await expect(explainSigkill(4242, 2, sources([3], null))).resolves.toEqual({text: expect.stringMatching(/memory most likely ran out/), outOfMemory: true});
    });

    it("says another process sent it when the OOM count did not move, and that it cannot tell when nothing is readable", async () => {
        const unchanged = sources([2], ["Out of memory: Killed process 4242 (node) from an earlier process with this pid"]);
        const {text, outOfMemory} = await explainSigkill(4242, 2, unchanged);
        expect(text).toMatch(/^was killed by SIGKILL from another process, not by the kernel's out-of-memory killer/);
        expect(outOfMemory).toBe(false);
        expect(unchanged.logReads).toBe(0);
        await expect(explainSigkill(4242, null, sources([null], null))).resolves.toEqual({
            text: "was killed by SIGKILL (by another process or the system; AgentFit cannot tell which)",
            outOfMemory: false
        });
        await expect(explainSigkill(4242, null, sources([null], ["Out of memory: Killed process 4242 (node)"]))).resolves.toEqual({
            text: expect.stringMatching(/^was killed by the kernel's out-of-memory killer/),
            outOfMemory: true
        });
    });

    it("reads this machine's counter as a number when Linux offers it", () => {
        const count = systemKillEvidence.oomKillCount();
        if (fs.existsSync("/proc/vmstat")) expect(Number.isInteger(count)).toBe(true);
        else expect(count).toBeNull();
    });
});
