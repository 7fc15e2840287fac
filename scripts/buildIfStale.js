// Builds the app (electron-vite → out/) when a source is newer than the build, so tests, benchmarks
// and `npm run cli` never run an old CLI or engine. `node scripts/buildIfStale.js` from the shell;
// vitest's global setup and the benchmarks import it. Concurrent callers in one checkout wait for
// each other (a lock folder), so two test runs never build over each other.
import {spawnSync} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** What the build reads (folders are walked; a folder's own time changes when a file is added or removed). */
const inputs = ["electron", "renderer", "models/catalog.json", "electron.vite.config.ts", "package.json"];
/** What one build writes; any of them missing means there is no complete build. */
const outputs = ["out/main", "out/engine", "out/cli", "out/preload", "out/renderer"];
const lockDir = path.join(root, ".cache", "build.lock");

function walkTimes(file, visit) {
    const stat = fs.statSync(file, {throwIfNoEntry: false});
    if (!stat) return;
    visit(stat.mtimeMs);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(file)) walkTimes(path.join(file, entry), visit);
}

/** Why the build in out/ cannot be used, or undefined when it is newer than every source. */
export function staleReason() {
    const missing = outputs.find((dir) => !fs.existsSync(path.join(root, dir)));
    if (missing) return `${missing} is missing`;
    let oldestOutput = Infinity;
    for (const dir of outputs) walkTimes(path.join(root, dir), (time) => (oldestOutput = Math.min(oldestOutput, time)));
    let newestInput = 0;
    for (const input of inputs) walkTimes(path.join(root, input), (time) => (newestInput = Math.max(newestInput, time)));
    return newestInput > oldestOutput ? "sources changed since the last build" : undefined;
}

function holderAlive() {
    const pid = Number(fs.readFileSync(path.join(lockDir, "pid"), {encoding: "utf8", flag: "a+"}));
    if (!pid) return true; // the holder has not written its pid yet
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

async function withBuildLock(action) {
    fs.mkdirSync(path.dirname(lockDir), {recursive: true});
    const deadline = Date.now() + 10 * 60_000;
    for (;;) {
        try {
            fs.mkdirSync(lockDir);
            break;
        } catch (error) {
            if (error.code !== "EEXIST") throw error;
            if (!holderAlive()) fs.rmSync(lockDir, {recursive: true, force: true});
            else if (Date.now() > deadline) throw new Error(`Another build has held ${lockDir} for 10 minutes; remove it if no build is running.`);
            else await new Promise((resolve) => setTimeout(resolve, 500));
        }
    }
    try {
        fs.writeFileSync(path.join(lockDir, "pid"), String(process.pid));
        return action();
    } finally {
        fs.rmSync(lockDir, {recursive: true, force: true});
    }
}

/**
 * Builds when out/ is missing or older than a source. Output goes to stderr, so a command's own
 * stdout (`npm run cli -- probe --json`) stays clean. Throws when the build fails.
 */
export async function buildIfStale() {
    if (!staleReason()) return;
    await withBuildLock(() => {
        const reason = staleReason(); // another process may have built while this one waited
        if (!reason) return;
        console.error(`Building AgentFit (${reason})…`);
        const result = spawnSync(process.execPath, [path.join(root, "node_modules", "electron-vite", "bin", "electron-vite.js"), "build", "--logLevel", "warn"], {
            cwd: root,
            stdio: ["ignore", 2, 2]
        });
        if (result.status !== 0) throw new Error(`The build failed (electron-vite exited with ${result.status ?? result.signal}); see the errors above.`);
    });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    try {
        await buildIfStale();
    } catch (error) {
        console.error(error.message);
        process.exit(1);
    }
}
