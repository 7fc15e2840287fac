import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {recoverOrphanedJobs, type JobOwner} from "./JobOwner.ts";

/** A temporary folder that says who uses it, so a later process can remove it once that owner is gone. */
export interface OwnedTempFolder extends Disposable {
    readonly path: string;
    /** Removes the folder and its owner mark. Idempotent. */
    remove(): void;
    /**
     * Removes them off the caller's path (the file system's thread pool): for a folder of many files
     * nobody waits for. Never rejects; should this process die first, the mark makes the folder an
     * orphan a later process removes.
     */
    removeInBackground(): Promise<void>;
}

/** The owner mark sits next to the folder (`<folder>.owner`), never inside what the folder holds. */
const markOf = (folder: string) => `${folder}.owner`;

/** Creates `<tmp>/<prefix>XXXXXX` marked with `owner`. */
export function createOwnedTempFolder(prefix: string, owner: JobOwner, parent = os.tmpdir()): OwnedTempFolder {
    const folder = fs.mkdtempSync(path.join(parent, prefix));
    fs.writeFileSync(markOf(folder), owner.id);
    const remove = () => {
        fs.rmSync(folder, {recursive: true, force: true});
        fs.rmSync(markOf(folder), {force: true});
    };
    const removeInBackground = async () => {
        try {
            await fs.promises.rm(folder, {recursive: true, force: true});
            await fs.promises.rm(markOf(folder), {force: true});
        } catch {}
    };
    return {path: folder, remove, removeInBackground, [Symbol.dispose]: remove};
}

/**
 * Removes the folders named `<prefix>…` whose owner is gone (a killed process leaves them behind),
 * with their marks; folders of live owners, and folders without a mark, are left alone. `beforeRemove`
 * gets each orphaned folder first (to stop what its owner left running). Returns the removed folders.
 */
export function removeOrphanedTempFolders(prefix: string, parent = os.tmpdir(), beforeRemove?: (folder: string) => void): string[] {
    let names: string[];
    try {
        names = fs.readdirSync(parent);
    } catch {
        return [];
    }
    const marked = names
        .filter((name) => name.startsWith(prefix) && name.endsWith(".owner"))
        .map((mark) => ({folder: path.join(parent, mark.slice(0, -".owner".length)), owner: readMark(path.join(parent, mark))}));
    return recoverOrphanedJobs(marked, (entry) => entry.owner, (entry) => {
        beforeRemove?.(entry.folder);
        fs.rmSync(entry.folder, {recursive: true, force: true});
        fs.rmSync(markOf(entry.folder), {force: true});
    }).map((entry) => entry.folder);
}

function readMark(file: string): string | null {
    try {
        return fs.readFileSync(file, "utf8").trim();
    } catch {
        return null;
    }
}
