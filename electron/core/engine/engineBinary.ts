import {execFile, spawn, type ChildProcess} from "node:child_process";
import fs from "node:fs";
import {createRequire} from "node:module";
import os from "node:os";
import path from "node:path";
import {promisify} from "node:util";
import type {EngineBinaryStatus, EngineBuildJob, EngineBuildOfferSurface, EngineBuildRequirement, LocalEngineBuild} from "../../api/EngineApi.ts";
import {EngineError} from "./EngineError.ts";
import {stopProcessTree} from "../processes/signalProcessTree.ts";
import {notifyListener} from "../../shared/notifyListener.ts";
import {dismissOffer, engineBuildOffer, offerDismissedAt, type OfferMemory} from "./engineBuildOffer.ts";

const run = promisify(execFile);
const LOG_TAIL_LINES = 40;
/** The build runs in a process group of its own, so cancelling ends cmake and the compilers too. */
const BUILD_DETACHED = process.platform !== "win32";
/** How long a cancelled build gets to end after SIGTERM before it is killed, ms. */
const BUILD_STOP_GRACE_MS = 5000;

/** Where node-llama-cpp lives and keeps its local builds (its own layout, see its `source` CLI). */
export interface NodeLlamaCppLayout {
    packageDir: string;
    cliPath: string;
    llamaDir: string;
    localBuildsDir: string;
    /** The llama.cpp source `source download` clones from the package's git bundle. */
    sourceDir: string;
}

export function nodeLlamaCppLayout(packageDir?: string): NodeLlamaCppLayout {
    // The package's exports hide package.json; the entry point sits in dist/.
    const dir = packageDir ?? path.resolve(path.dirname(createRequire(import.meta.url).resolve("node-llama-cpp")), "..");
    const llamaDir = path.join(dir, "llama");
    return {
        packageDir: dir,
        cliPath: path.join(dir, "dist", "cli", "cli.js"),
        llamaDir,
        localBuildsDir: path.join(llamaDir, "localBuilds"),
        sourceDir: path.join(llamaDir, "llama.cpp")
    };
}

/** The installed node-llama-cpp's version: the package the engine process loads. */
export function nodeLlamaCppVersion(layout = nodeLlamaCppLayout()): string {
    try {
        return (JSON.parse(fs.readFileSync(path.join(layout.packageDir, "package.json"), "utf8")) as {version: string}).version;
    } catch {
        return "unknown";
    }
}

/** node-llama-cpp's name for its platform (its `getPlatform`). */
function nodeLlamaCppPlatform(): string {
    if (process.platform === "win32" || process.platform === "cygwin") return "win";
    if (process.platform === "darwin") return "mac";
    if (process.platform === "android") return "linux";
    return process.platform;
}

/**
 * The folder node-llama-cpp loads a CPU build from: its name for a build without GPU, custom CMake
 * options or another llama.cpp release than the one it ships (`getBuildFolderNameForBuildOptions`).
 */
export function liveBuildFolder(layout: NodeLlamaCppLayout): string {
    return path.join(layout.localBuildsDir, `${nodeLlamaCppPlatform()}-${process.arch}`);
}

/**
 * Environment that makes node-llama-cpp build into a folder of its own. A custom CMake option puts
 * the build in `<platform>-<arch>-<hash of the options>` with its lockfile there, so engine processes,
 * which look only at the live folder, neither wait for the build nor load it half-done. The option
 * is the one node-llama-cpp sets anyway when building on the machine it runs on (`-march=native`).
 */
export const STAGED_BUILD_ENV = {NODE_LLAMA_CPP_CMAKE_OPTION_GGML_NATIVE: "ON"} as const;

/**
 * The CPU build compiled on this machine that engine processes load, if a complete one is in place.
 * node-llama-cpp loads it instead of its prebuilt binaries whenever the build options match (CPU
 * only here), so it is what the next engine process runs.
 */
export function findLocalCpuBuild(layout: NodeLlamaCppLayout): LocalEngineBuild | null {
    return readCpuBuild(liveBuildFolder(layout));
}

/** Complete CPU builds in folders other than the live one: builds waiting to be put in place. */
export function findStagedCpuBuilds(layout: NodeLlamaCppLayout): LocalEngineBuild[] {
    return stagingFolders(layout)
        .map((dir) => readCpuBuild(dir))
        .filter((build): build is LocalEngineBuild => build !== null);
}

/** Build folders beside the live one (staging folders, leftovers of a swap), not lockfiles. */
function stagingFolders(layout: NodeLlamaCppLayout): string[] {
    let names: string[];
    try {
        names = fs.readdirSync(layout.localBuildsDir);
    } catch {
        return [];
    }
    const live = liveBuildFolder(layout);
    return names
        .map((name) => path.join(layout.localBuildsDir, name))
        .filter((dir) => dir !== live && !dir.endsWith(".lock") && fs.statSync(dir, {throwIfNoEntry: false})?.isDirectory());
}

/**
 * True while a process holds node-llama-cpp's lockfile on a build folder: proper-lockfile's
 * `<folder>.lock` directory, whose modification time its owner refreshes every 5 s (stale after 10 s).
 */
export function buildFolderLocked(dir: string, now = Date.now()): boolean {
    const lock = fs.statSync(`${dir}.lock`, {throwIfNoEntry: false});
    return lock !== undefined && now - lock.mtimeMs < 15_000;
}

/**
 * Removes what interrupted builds left beside the live build (folders and stale lockfiles). A folder
 * whose lock is held belongs to a build running in another process: it is left alone, and reported,
 * unless `evenLocked` (the build that held it has just been ended by this process).
 */
export function clearStagedBuilds(layout: NodeLlamaCppLayout, options: {evenLocked?: boolean} = {}): {busy: string[]} {
    const busy: string[] = [];
    for (const dir of stagingFolders(layout)) {
        if (!options.evenLocked && buildFolderLocked(dir)) {
            busy.push(dir);
            continue;
        }
        fs.rmSync(dir, {recursive: true, force: true});
        fs.rmSync(`${dir}.lock`, {recursive: true, force: true});
    }
    return {busy};
}

/**
 * Puts a finished build in the live folder in two renames, so an engine process that looks at the
 * live folder meanwhile finds either a complete build or none (and loads the prebuilt binary). A
 * process that already loaded the old build keeps its mapped files; the old folder is deleted after.
 */
export function promoteStagedBuild(layout: NodeLlamaCppLayout, stagedDir: string): LocalEngineBuild {
    if (!readCpuBuild(stagedDir)) throw new EngineError("ENGINE_BUILD_FAILED", `${stagedDir} holds no complete CPU build to put in place.`);
    const live = liveBuildFolder(layout);
    const retired = `${live}.replaced-${process.pid}-${Date.now()}`;
    const hadLive = fs.existsSync(live);
    if (hadLive) fs.renameSync(live, retired);
    try {
        fs.renameSync(stagedDir, live);
    } catch (error) {
        if (hadLive) fs.renameSync(retired, live);
        throw new EngineError("ENGINE_BUILD_FAILED", `The new build could not be moved into place: ${(error as Error).message}`, {cause: error});
    }
    if (hadLive) fs.rmSync(retired, {recursive: true, force: true});
    fs.rmSync(`${stagedDir}.lock`, {recursive: true, force: true});
    // node-llama-cpp's own CLI (`chat`, `lastBuild`) follows lastBuild.json to the folder it built.
    const lastBuild = path.join(layout.llamaDir, "lastBuild.json");
    try {
        const info = JSON.parse(fs.readFileSync(lastBuild, "utf8")) as {folderName?: string};
        if (info.folderName === path.basename(stagedDir)) fs.writeFileSync(lastBuild, JSON.stringify({...info, folderName: path.basename(live)}, null, 4));
    } catch {}
    return readCpuBuild(live)!;
}

/**
 * Loads a build's addon in a throwaway process (a build that crashes on this CPU must not take the
 * app down) and returns the build description llama.cpp reports (`llama_print_system_info`).
 */
export async function verifyEngineBuild(releaseDir: string, runtime = thisRuntime): Promise<string> {
    const addon = path.join(releaseDir, "llama-addon.node");
    const script = `
        const binding = require(process.argv[1]);
        binding.loadBackends();
        if (!binding.getGpuType()) binding.loadBackends(require("node:path").dirname(process.argv[1]));
        binding.init().then(async () => {
            process.stdout.write(JSON.stringify({systemInfo: binding.systemInfo()}));
            await binding.dispose();
            process.exit(0);
        }, (error) => { console.error(String(error)); process.exit(1); });
    `;
    try {
        const {stdout} = await run(runtime.execPath, ["-e", script, addon], {env: cliEnv(), timeout: 120_000, maxBuffer: 1 << 20});
        const systemInfo = (JSON.parse(stdout) as {systemInfo: string}).systemInfo.trim();
        if (!systemInfo) throw new Error("it reported no build information");
        return systemInfo;
    } catch (error) {
        const detail = (error as {stderr?: string}).stderr?.trim().split("\n").at(-1) || (error as Error).message;
        throw new EngineError("ENGINE_BUILD_FAILED", `The new build does not load on this machine (${detail}). The binary in use stays.`, {cause: error});
    }
}

function readCpuBuild(dir: string): LocalEngineBuild | null {
    const finished = readFinishedBuild(dir);
    if (!finished) {
        releaseSizes.delete(dir);
        return null;
    }
    const {metadata, done} = finished;
    if (metadata.buildOptions?.gpu !== false) return null;
    const cache = readCmakeCache(path.join(dir, "CMakeCache.txt"));
    return {
        folder: dir,
        builtAt: done.mtime.toISOString(),
        llamaCppRelease: metadata.buildOptions.llamaCpp?.release ?? "unknown",
        native: cache.GGML_NATIVE === "ON",
        openmp: cache.OpenMP_FOUND === "TRUE" || cache.GGML_OPENMP === "ON",
        compiler: cache.CMAKE_CXX_COMPILER ? path.basename(cache.CMAKE_CXX_COMPILER) : null,
        bytes: releaseBytes(dir, done)
    };
}

/** A build node-llama-cpp finished in `dir`: its build metadata and its `buildDone.status` file's stats. */
function readFinishedBuild(dir: string): {metadata: {buildOptions?: {gpu?: unknown; llamaCpp?: {release?: string}}}; done: fs.Stats} | null {
    try {
        const metadata = JSON.parse(fs.readFileSync(path.join(dir, "Release", "_nlcBuildMetadata.json"), "utf8"));
        const done = fs.statSync(path.join(dir, "buildDone.status"), {throwIfNoEntry: false});
        return done && fs.existsSync(path.join(dir, "Release", "llama-addon.node")) ? {metadata, done} : null;
    } catch {
        return null;
    }
}

/**
 * The size of each build folder's Release folder, with the build it was measured on: the engine's
 * status is polled, and walking hundreds of files at each poll is what the cache spares. A build is
 * known by its `buildDone.status`: its modification time (the build's `builtAt`) and its inode (a
 * rebuild moved into place, or a folder removed and built again, is a new file), so a changed build
 * is measured again.
 */
const releaseSizes = new Map<string, {build: string; bytes: number}>();

function releaseBytes(dir: string, done: fs.Stats): number {
    const build = `${done.dev}:${done.ino}:${done.mtimeMs}`;
    const known = releaseSizes.get(dir);
    if (known?.build === build) return known.bytes;
    const bytes = folderBytes(path.join(dir, "Release"));
    releaseSizes.set(dir, {build, bytes});
    return bytes;
}

function readCmakeCache(file: string): Record<string, string> {
    const values: Record<string, string> = {};
    try {
        for (const line of fs.readFileSync(file, "utf8").split("\n")) {
            const match = /^([A-Za-z_][\w]*):[A-Z]+=(.*)$/.exec(line);
            if (match) values[match[1]!] = match[2]!;
        }
    } catch {}
    // GGML_OPENMP defaults to ON and is only cached when set; OpenMP_FOUND is not cached at all.
    if (values.GGML_OPENMP === undefined && values.OpenMP_CXX_FLAGS) values.GGML_OPENMP = "ON";
    return values;
}

function folderBytes(dir: string): number {
    let total = 0;
    for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
        const full = path.join(dir, entry.name);
        total += entry.isDirectory() ? folderBytes(full) : fs.statSync(full).size;
    }
    return total;
}

async function firstLine(command: string, args: string[]): Promise<string | null> {
    try {
        const {stdout} = await run(command, args, {timeout: 10_000});
        return stdout.split("\n")[0]!.trim() || null;
    } catch {
        return null;
    }
}

/** cmake-js's header cache for a Node version (what it would otherwise download from nodejs.org). */
function cmakeJsHeadersDir(version: string, arch: string): string {
    return path.join(os.homedir(), ".cmake-js", `node-${arch}`, version);
}

/** Headers that ship with this Node installation (`<prefix>/include/node`), when present. */
function installedNodeHeaders(execPath: string): string | null {
    const include = path.resolve(path.dirname(execPath), "..", "include");
    return fs.existsSync(path.join(include, "node", "node.h")) ? include : null;
}

/** The Node runtime that runs node-llama-cpp's CLI, whose headers the build compiles against. */
const thisRuntime = {execPath: process.execPath, version: process.version, arch: process.arch};

/** Environment for node-llama-cpp's CLI: plain output, and plain Node when the app runs in Electron. */
function cliEnv(): NodeJS.ProcessEnv {
    return {...process.env, ...(process.versions.electron ? {ELECTRON_RUN_AS_NODE: "1"} : {}), FORCE_COLOR: "0", NO_COLOR: "1"};
}

/** What building needs, each with what to do when it is missing. */
async function checkBuildRequirements(layout: NodeLlamaCppLayout, runtime = thisRuntime): Promise<EngineBuildRequirement[]> {
    const compiler = (await firstLine("c++", ["--version"])) ?? (await firstLine("g++", ["--version"])) ?? (await firstLine("clang++", ["--version"]));
    const cmake = await firstLine("cmake", ["--version"]);
    const cached = fs.existsSync(path.join(cmakeJsHeadersDir(runtime.version, runtime.arch), "include", "node", "node.h"));
    const installed = installedNodeHeaders(runtime.execPath);
    let writable = true;
    try {
        fs.accessSync(layout.llamaDir, fs.constants.W_OK);
    } catch {
        writable = false;
    }
    const insideAsar = layout.packageDir.includes(".asar");
    return [
        {
            name: "C++ compiler",
            ok: compiler !== null,
            required: true,
            detail: compiler ?? "None found (c++, g++ or clang++). Install one: apt install g++ · xcode-select --install · Visual Studio Build Tools."
        },
        {
            name: "CMake",
            ok: cmake !== null,
            required: false,
            detail: cmake ?? "Not installed: node-llama-cpp downloads its own CMake, which needs internet. Or install it: apt install cmake · brew install cmake."
        },
        {
            name: "Node.js headers",
            ok: cached || installed !== null,
            required: false,
            detail: cached
                ? `In cmake-js's cache for Node ${runtime.version}.`
                : installed
                  ? `Taken from this Node installation (${installed}).`
                  : `Not on this machine: cmake-js downloads them for Node ${runtime.version} from nodejs.org, which needs internet.`
        },
        {
            name: "Writable engine folder",
            ok: writable && !insideAsar,
            required: true,
            detail: insideAsar
                ? "The packaged app's engine is read-only. Build from the CLI of a source checkout (agentfit engine build)."
                : writable
                  ? layout.llamaDir
                  : `${layout.llamaDir} is not writable by this user.`
        }
    ];
}

/**
 * cmake-js downloads Node's headers unless its cache has them. This machine's own Node installation
 * carries the same headers, so the cache points at them and the build works offline.
 */
function linkInstalledNodeHeaders(runtime = thisRuntime) {
    const target = cmakeJsHeadersDir(runtime.version, runtime.arch);
    if (fs.existsSync(path.join(target, "include", "node", "node.h"))) return;
    const installed = installedNodeHeaders(runtime.execPath);
    if (!installed) return;
    fs.mkdirSync(target, {recursive: true});
    fs.rmSync(path.join(target, "include"), {recursive: true, force: true});
    fs.symlinkSync(installed, path.join(target, "include"), "dir");
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Ninja's and CMake's "[12/153]" progress, as a fraction. */
export function buildProgressOf(line: string): number | null {
    const match = /^\[(\d+)\/(\d+)\]/.exec(line.trim());
    if (!match) return null;
    const done = Number(match[1]);
    const total = Number(match[2]);
    return total > 0 ? Math.min(1, done / total) : null;
}

export interface EngineBinaryManagerOptions {
    layout?: NodeLlamaCppLayout;
    /** Told of every change: a build's progress, its end, a removal. */
    onChange?: (status: EngineBinaryStatus) => void;
    /** Called after the local build appeared or went away: the engine process must restart to load it. */
    onBinaryChanged?: () => Promise<void> | void;
    /** Which binary the running engine loaded, when one runs. */
    activeBinary?: () => "prebuilt" | "local" | null;
    /** Where dismissals of the offer to build are remembered (the Store's settings). */
    settings?: OfferMemory;
}

/**
 * Builds node-llama-cpp's engine from the llama.cpp source it ships, for this machine's CPU
 * (`-march=native`, OpenMP), using node-llama-cpp's own `source download` (a local git bundle, no
 * network). The prebuilt binaries are portable builds with every CPU variant and no OpenMP; on a
 * CPU the local build runs as fast as llama.cpp's own tools compiled here (see docs/benchmark.md,
 * "Checking the benchmark against llama-bench").
 */
export class EngineBinaryManager {
    readonly layout: NodeLlamaCppLayout;
    private job: EngineBuildJob | null = null;
    private child: ChildProcess | null = null;
    private cancelled = false;
    private finished: Promise<void> | null = null;
    /** Checking tools spawns processes: at most every 30 s (progress events ask several times a second). */
    private requirements: {checkedAt: number; value: Promise<EngineBuildRequirement[]>} | null = null;

    constructor(private readonly options: EngineBinaryManagerOptions = {}) {
        this.layout = options.layout ?? nodeLlamaCppLayout();
    }

    private checkRequirements(fresh = false): Promise<EngineBuildRequirement[]> {
        if (fresh || !this.requirements || Date.now() - this.requirements.checkedAt > 30_000)
            this.requirements = {checkedAt: Date.now(), value: checkBuildRequirements(this.layout)};
        return this.requirements.value;
    }

    /**
     * An identity of the binary the next engine process loads: the prebuilt one, or the local build
     * as of when it was put in place (a rebuild is a different binary).
     */
    nextBinaryId(): string {
        const local = findLocalCpuBuild(this.layout);
        return local ? `local@${local.builtAt}` : "prebuilt";
    }

    async status(): Promise<EngineBinaryStatus> {
        const local = findLocalCpuBuild(this.layout);
        const requirements = await this.checkRequirements();
        const building = this.job?.state === "running";
        return {
            next: local ? "local" : "prebuilt",
            running: this.options.activeBinary?.() ?? null,
            local,
            requirements,
            canBuild: requirements.every((r) => r.ok || !r.required),
            build: this.job ? {...this.job, logTail: [...this.job.logTail]} : null,
            offer: local || building ? null : engineBuildOffer(requirements, os.availableParallelism(), offerDismissedAt(this.options.settings))
        };
    }

    async dismissOffer(surface: EngineBuildOfferSurface): Promise<EngineBinaryStatus> {
        if (!this.options.settings) throw new EngineError("ENGINE_BUILD_UNAVAILABLE", "This engine manager has no settings store to remember the dismissal in.");
        dismissOffer(this.options.settings, surface);
        return this.emit();
    }

    /** Tells `onChange` the current status, and returns it. */
    private async emit(): Promise<EngineBinaryStatus> {
        const status = await this.status();
        notifyListener(this.options.onChange, status);
        return status;
    }

    /** Starts a build unless one runs; resolves once it has started (follow it with status or onChange). */
    async build(): Promise<EngineBinaryStatus> {
        if (this.job?.state === "running") throw new EngineError("ENGINE_BUILD_BUSY", "A build is already running. Cancel it or wait for it to finish.");
        const requirements = await this.checkRequirements(true);
        const missing = requirements.filter((r) => r.required && !r.ok);
        if (missing.length > 0)
            throw new EngineError("ENGINE_BUILD_UNAVAILABLE", `The engine cannot be built here: ${missing.map((r) => `${r.name}: ${r.detail}`).join(" ")}`);
        const {busy} = clearStagedBuilds(this.layout);
        if (busy.length > 0)
            throw new EngineError("ENGINE_BUILD_BUSY", `Another AgentFit process is building the engine (${busy.join(", ")}). Wait for it to finish, or cancel it there.`);
        try {
            linkInstalledNodeHeaders();
        } catch {}

        this.cancelled = false;
        const sourceInfo = readSourceInfo(this.layout);
        const job: EngineBuildJob = {
            state: "running",
            phase: "preparing",
            progress: null,
            startedAt: new Date().toISOString(),
            finishedAt: null,
            logTail: [],
            error: null,
            systemInfo: null
        };
        this.job = job;
        const child = spawn(thisRuntime.execPath, [this.layout.cliPath, "source", "download", "--gpu", "false", "--noUsageExample"], {
            cwd: this.layout.packageDir,
            env: {...cliEnv(), ...STAGED_BUILD_ENV},
            stdio: ["ignore", "pipe", "pipe"],
            detached: BUILD_DETACHED
        });
        this.child = child;
        let lastEmit = 0;
        let partial = "";
        const onOutput = (data: Buffer) => {
            const lines = (partial + data.toString()).split(/[\r\n]+/);
            partial = lines.pop() ?? "";
            for (const raw of lines) {
                const line = raw.replace(ANSI, "").trimEnd();
                if (!line.trim()) continue;
                job.logTail.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
                if (job.logTail.length > LOG_TAIL_LINES) job.logTail.splice(0, job.logTail.length - LOG_TAIL_LINES);
                const progress = buildProgressOf(line);
                if (progress !== null) {
                    job.phase = "compiling";
                    job.progress = progress;
                }
            }
            if (Date.now() - lastEmit > 250) {
                lastEmit = Date.now();
                void this.emit();
            }
        };
        child.stdout?.on("data", onOutput);
        child.stderr?.on("data", onOutput);
        this.finished = new Promise<void>((resolve) => {
            let ended = false;
            const end = async (code: number | null, error?: Error) => {
                // A process that cannot start reports "error" and may still report "exit".
                if (ended) return;
                ended = true;
                this.child = null;
                restoreSourceInfo(this.layout, sourceInfo);
                const fail = (message: string) => {
                    job.state = "failed";
                    job.error = {code: "ENGINE_BUILD_FAILED", message};
                };
                if (this.cancelled) job.state = "cancelled";
                else if (error) fail(`The build could not start: ${error.message}. The binary in use stays.`);
                else if (code !== 0) {
                    const lastError = [...job.logTail].reverse().find((line) => /error|failed|not found/i.test(line));
                    fail(`The build ended with exit code ${code}${lastError ? `: ${lastError.trim()}` : ""}. The binary in use stays.`);
                } else {
                    const [staged] = findStagedCpuBuilds(this.layout);
                    if (!staged) fail("The build reported success but left no complete CPU build. The binary in use stays.");
                    else {
                        job.phase = "verifying";
                        void this.emit();
                        try {
                            job.systemInfo = await verifyEngineBuild(path.join(staged.folder, "Release"));
                            promoteStagedBuild(this.layout, staged.folder);
                            job.state = "completed";
                            job.progress = 1;
                        } catch (failure) {
                            fail((failure as Error).message);
                        }
                    }
                }
                job.finishedAt = new Date().toISOString();
                job.phase = "done";
                // What is not in place is not kept: a cancelled or failed build leaves only the binary in use.
                try {
                    clearStagedBuilds(this.layout, {evenLocked: true});
                } catch {}
                // Not awaited: an engine busy with a benchmark switches once it is free, and the build has ended now.
                if (job.state === "completed") void Promise.resolve(this.options.onBinaryChanged?.()).catch(() => {});
                await this.emit();
                resolve();
            };
            child.once("error", (error) => void end(null, error));
            child.once("exit", (code) => void end(code));
        });
        return this.emit();
    }

    async cancel(): Promise<EngineBinaryStatus> {
        const child = this.child;
        if (child && this.job?.state === "running") {
            this.cancelled = true;
            await stopProcessTree(child, {detached: BUILD_DETACHED, graceMs: BUILD_STOP_GRACE_MS});
            await this.finished;
        }
        return this.status();
    }

    /** Removes the local build and the cloned source; the engine goes back to the prebuilt binaries. */
    async removeLocal(): Promise<EngineBinaryStatus> {
        if (this.job?.state === "running") throw new EngineError("ENGINE_BUILD_BUSY", "A build is running. Cancel it first.");
        const had = findLocalCpuBuild(this.layout) !== null;
        await this.clearBuilds();
        fs.rmSync(this.layout.sourceDir, {recursive: true, force: true});
        if (had) await this.options.onBinaryChanged?.();
        return this.emit();
    }

    private async clearBuilds() {
        await run(thisRuntime.execPath, [this.layout.cliPath, "source", "clear", "--type", "builds"], {cwd: this.layout.packageDir, env: cliEnv(), timeout: 120_000});
    }

    async dispose() {
        if (this.job?.state === "running") await this.cancel();
    }
}

/**
 * node-llama-cpp's `source download` deletes the package's `llama.cpp.info.json` (which llama.cpp
 * release it ships) before cloning and writes it back only when the clone finishes: a build cancelled
 * or failed meanwhile would leave the package without it.
 */
function readSourceInfo(layout: NodeLlamaCppLayout): string | null {
    try {
        return fs.readFileSync(path.join(layout.llamaDir, "llama.cpp.info.json"), "utf8");
    } catch {
        return null;
    }
}

function restoreSourceInfo(layout: NodeLlamaCppLayout, content: string | null) {
    const file = path.join(layout.llamaDir, "llama.cpp.info.json");
    if (content === null || fs.existsSync(file)) return;
    try {
        fs.writeFileSync(file, content);
    } catch {}
}
