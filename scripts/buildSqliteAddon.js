// Builds better-sqlite3's native addon for another runtime (Electron, another Node.js) in a scratch
// copy of the installed package, and copies the result to its target file. The build in
// node_modules, which the CLI and tests load with the machine's Node, is never touched.
import {spawnSync} from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** node-gyp: the one npm bundles (npm sets npm_config_node_gyp for scripts; else beside this Node's npm), else npx. */
export function nodeGypCommand(args) {
    const candidates = [process.env.npm_config_node_gyp, path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js")];
    const bundled = candidates.find((file) => file && fs.existsSync(file));
    if (bundled) return [process.execPath, [bundled, ...args]];
    return ["npx", ["--yes", "node-gyp", ...args]];
}

/**
 * @param {{root: string, target: string, label: string, env?: NodeJS.ProcessEnv, attempts: [string, string[]][], log?: (line: string) => void}} options
 *   attempts: commands tried in order inside the scratch copy until one leaves build/Release/better_sqlite3.node.
 * @returns {boolean} whether `target` now exists
 */
export function buildSqliteAddon({root, target, label, env = process.env, attempts, log = console.log}) {
    if (fs.existsSync(target)) return true;
    log(`Preparing better-sqlite3 for ${label} (once)…`);
    const scratch = path.join(path.dirname(target), `build-${path.basename(target, ".node")}`);
    const work = path.join(scratch, "better-sqlite3");
    fs.rmSync(scratch, {recursive: true, force: true});
    fs.mkdirSync(work, {recursive: true});
    fs.cpSync(path.join(root, "node_modules", "better-sqlite3"), work, {recursive: true, filter: (file) => !file.includes(`${path.sep}build${path.sep}`) && !file.endsWith(`${path.sep}build`)});
    try {
        for (const [command, args] of attempts) {
            const result = spawnSync(command, args, {cwd: work, env, stdio: "inherit", shell: process.platform === "win32"});
            const built = path.join(work, "build", "Release", "better_sqlite3.node");
            if (result.status === 0 && fs.existsSync(built)) {
                fs.mkdirSync(path.dirname(target), {recursive: true});
                fs.copyFileSync(built, target);
                return true;
            }
        }
        return false;
    } finally {
        fs.rmSync(scratch, {recursive: true, force: true});
    }
}
