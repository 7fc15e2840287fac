import fs from "node:fs";
import path from "node:path";
import {createTwoFilesPatch} from "diff";
import type {EvalFileDiff} from "../../api/EvalApi.ts";

/** A tool call the workspace refused (path outside it, missing file, too large…). Goes back to the model. */
export class WorkspaceError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "WorkspaceError";
    }
}

/** Folders never copied, listed or diffed: caches and dependencies, not the project. */
export const IGNORED_DIRS = new Set([".git", "node_modules", "__pycache__", ".Rproj.user", ".pytest_cache"]);

/**
 * Resolves a path the model gave to an absolute path inside `root`, or throws WorkspaceError:
 * no `..` escapes, no absolute paths outside, no symlink that leads outside (checked on the real
 * path of the file, or of its nearest existing folder for a file about to be created).
 */
export function resolveInWorkspace(root: string, requested: unknown): {absolute: string; relative: string} {
    if (typeof requested !== "string" || requested.trim() === "") throw new WorkspaceError("The path is empty: give a path relative to the project root, e.g. \"src/index.js\".");
    if (requested.includes("\0")) throw new WorkspaceError("The path contains a NUL character.");
    const realRoot = fs.realpathSync(root);
    const absolute = path.resolve(root, requested.trim());
    const inside = (candidate: string, base: string) => {
        const relative = path.relative(base, candidate);
        return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
    };
    if (!inside(absolute, root) && !inside(absolute, realRoot))
        throw new WorkspaceError(`"${requested}" is outside the project. Use paths relative to the project root.`);
    let existing = absolute;
    while (!fs.existsSync(existing) && existing !== path.dirname(existing)) existing = path.dirname(existing);
    let real: string;
    try {
        real = fs.realpathSync(existing);
    } catch {
        throw new WorkspaceError(`"${requested}" leads through a broken link.`);
    }
    if (!inside(real, realRoot)) throw new WorkspaceError(`"${requested}" leads outside the project through a symbolic link.`);
    // A dangling symlink is not "existing" to existsSync: refuse it rather than write through it.
    if (!fs.existsSync(absolute) && isSymlink(absolute)) throw new WorkspaceError(`"${requested}" is a symbolic link to a missing file.`);
    const relative = path.relative(inside(absolute, root) ? root : realRoot, absolute).split(path.sep).join("/");
    return {absolute, relative: relative || "."};
}

function isSymlink(file: string): boolean {
    try {
        return fs.lstatSync(file).isSymbolicLink();
    } catch {
        return false;
    }
}

/** Copies a project, leaving out ignored folders. */
export function copyProject(from: string, to: string): void {
    fs.cpSync(from, to, {recursive: true, filter: (source) => !IGNORED_DIRS.has(path.basename(source))});
}

/** Regular files under `root` (relative, "/" separators, sorted); symlinks are neither followed nor listed. */
export function listFiles(root: string, under = "."): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (!IGNORED_DIRS.has(entry.name)) walk(full);
            } else if (entry.isFile()) out.push(path.relative(root, full).split(path.sep).join("/"));
        }
    };
    walk(path.resolve(root, under));
    return out;
}

function readText(file: string): string | null {
    try {
        const buffer = fs.readFileSync(file);
        return buffer.includes(0) ? null : buffer.toString("utf8");
    } catch {
        return null;
    }
}

/** Unified diffs of every file the agent added, changed or deleted, against the pristine project. */
export function diffProjects(originalDir: string, workDir: string, sourceDir: string): EvalFileDiff[] {
    const before = new Set(listFiles(originalDir));
    const after = new Set(listFiles(workDir));
    const diffs: EvalFileDiff[] = [];
    for (const file of [...new Set([...before, ...after])].sort()) {
        const old = before.has(file) ? readText(path.join(originalDir, file)) : null;
        const now = after.has(file) ? readText(path.join(workDir, file)) : null;
        if (before.has(file) && after.has(file) && old === now) continue;
        const status = !before.has(file) ? "added" : !after.has(file) ? "deleted" : "modified";
        const diff = createTwoFilesPatch(
            before.has(file) ? `a/${file}` : "/dev/null",
            after.has(file) ? `b/${file}` : "/dev/null",
            old ?? "",
            now ?? "",
            undefined,
            undefined,
            {context: 3}
        );
        diffs.push({path: file, status, diff, insideSource: file === sourceDir || file.startsWith(`${sourceDir}/`)});
    }
    return diffs;
}
