import {spawn} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import {describe, expect, it} from "vitest";
import path from "node:path";
import {claimJobOwner, describeOwner, isOwnerAlive, recoverOrphanedJobs} from "../../electron/core/jobs/JobOwner.ts";
import {createOwnedTempFolder, removeOrphanedTempFolders} from "../../electron/core/jobs/ownedTempFolder.ts";

describe("job ownership", () => {
    it("an owner is alive until released, in this process", () => {
        const owner = claimJobOwner();
        const other = claimJobOwner();
        expect(owner.id).toMatch(new RegExp(`^${process.pid}@${os.hostname()}@\\d*#`));
        expect(isOwnerAlive(owner.id)).toBe(true);
        expect(owner.owns(owner.id)).toBe(true);
        expect(owner.owns(other.id)).toBe(false);
        owner.release();
        expect(isOwnerAlive(owner.id)).toBe(false);
        expect(isOwnerAlive(other.id)).toBe(true);
        other.release();
    });

    // Process start times come from Linux's /proc; elsewhere a live pid counts as the owner.
    it.runIf(fs.existsSync("/proc/self/stat"))("another process's owner is alive while that process runs, and not once it is killed or its pid is reused", async () => {
        const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
        await new Promise((resolve) => child.once("spawn", resolve));
        const startTime = fs.readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ")[19];
        const ownerOfChild = `${child.pid}@${os.hostname()}@${startTime}#instance`;
        expect(isOwnerAlive(ownerOfChild)).toBe(true);
        // The same pid with another start time is another process that reused the pid.
        expect(isOwnerAlive(`${child.pid}@${os.hostname()}@1#instance`)).toBe(false);
        child.kill("SIGKILL");
        await new Promise((resolve) => child.once("close", resolve));
        expect(isOwnerAlive(ownerOfChild)).toBe(false);
    });

    it("an owner on another host is assumed alive; none, or an unreadable one, is not", () => {
        expect(isOwnerAlive(`1@another-host-${os.hostname()}@5#x`)).toBe(true);
        expect(describeOwner(`1234@another-host@5#x`)).toBe("pid 1234 on another-host");
        expect(describeOwner(`1234@${os.hostname()}@5#x`)).toBe("pid 1234");
        expect(isOwnerAlive(null)).toBe(false);
        expect(isOwnerAlive("garbage")).toBe(false);
        // Owners recorded before process start times were (downloads' pid@host#id) still parse.
        expect(isOwnerAlive(`${process.pid}@${os.hostname()}#old`)).toBe(false);
    });

    it("recovers exactly the jobs whose owner is gone", () => {
        const live = claimJobOwner();
        const gone = claimJobOwner();
        gone.release();
        const jobs = [{id: 1, owner: live.id}, {id: 2, owner: gone.id}, {id: 3, owner: null}];
        const recovered: number[] = [];
        expect(recoverOrphanedJobs(jobs, (job) => job.owner, (job) => recovered.push(job.id)).map((j) => j.id)).toEqual([2, 3]);
        expect(recovered).toEqual([2, 3]);
        live.release();
    });

    it("an owned temporary folder removed in the background is gone with its mark once that settles; until then it is its live owner's", async () => {
        const owner = claimJobOwner();
        const parent = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-owned-test-"));
        try {
            const folder = createOwnedTempFolder("scratch-", owner, parent);
            for (let i = 0; i < 50; i++) {
                fs.mkdirSync(path.join(folder.path, "skills", String(i)), {recursive: true});
                fs.writeFileSync(path.join(folder.path, "skills", String(i), "SKILL.md"), "x");
            }
            const removal = folder.removeInBackground();
            expect(removeOrphanedTempFolders("scratch-", parent)).toEqual([]);
            await removal;
            expect(fs.readdirSync(parent)).toEqual([]);
            // Idempotent, and never rejects.
            await expect(folder.removeInBackground()).resolves.toBeUndefined();
        } finally {
            owner.release();
            fs.rmSync(parent, {recursive: true, force: true});
        }
    });
});
