import {execFileSync, spawn, spawnSync} from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * llama.cpp's own `llama-server`, built from the llama.cpp source node-llama-cpp ships (its git
 * bundle, no network), as a real third-party server the endpoint benchmark measures. Built once into
 * a cache outside the repository (AGENTFIT_LLAMA_SERVER_CACHE, default
 * ~/.cache/agentfit-llama-server/<llama.cpp tag>/), by scripts/build-llama-server.ts in CI.
 */

const projectRoot = path.resolve(import.meta.dirname, "..");
const nodeLlamaCppLlama = path.join(projectRoot, "node_modules", "node-llama-cpp", "llama");

/** The llama.cpp release node-llama-cpp ships (its llama.cpp.info.json), e.g. "b6500". */
export function llamaCppTag(): string {
    // The same release names node-llama-cpp's prebuilt binaries; that file stays when a cancelled source build removed the other.
    const info = path.join(nodeLlamaCppLlama, "llama.cpp.info.json");
    if (fs.existsSync(info)) return (JSON.parse(fs.readFileSync(info, "utf8")) as {tag: string}).tag;
    return (JSON.parse(fs.readFileSync(path.join(nodeLlamaCppLlama, "binariesGithubRelease.json"), "utf8")) as {release: string}).release;
}

export function llamaServerCacheDir(): string {
    return process.env.AGENTFIT_LLAMA_SERVER_CACHE ?? path.join(os.homedir(), ".cache", "agentfit-llama-server", llamaCppTag());
}

/** Where the cached binary lives (shared libraries, when it has any, beside it). */
export const llamaServerBinaryPath = () => path.join(llamaServerCacheDir(), "bin", "llama-server");

/** The binary's folder holds the shared libraries of a shared-library build; the loader is told so. */
const runEnv = (binary: string): NodeJS.ProcessEnv => ({
    ...process.env,
    LD_LIBRARY_PATH: [path.dirname(binary), process.env.LD_LIBRARY_PATH].filter(Boolean).join(path.delimiter)
});

/** The cached llama-server, or why there is none (a reason a skipped test prints). */
export function findLlamaServer(): {binary: string} | {missing: string} {
    const binary = llamaServerBinaryPath();
    if (!fs.existsSync(binary))
        return {missing: `llama-server is not built at ${binary}; run \`node bin/run-ts.js scripts/build-llama-server.ts\` (needs cmake and a C++ compiler; tens of minutes on 2 cores)`};
    const version = spawnSync(binary, ["--version"], {env: runEnv(binary), encoding: "utf8", timeout: 60_000});
    if (version.status !== 0) return {missing: `${binary} does not run (${version.error?.message ?? (version.stderr || version.stdout).trim().split("\n").at(-1)}); delete ${llamaServerCacheDir()} and build it again`};
    return {binary};
}

const hasCommand = (command: string, args: string[] = ["--version"]) => spawnSync(command, args, {stdio: "ignore"}).status === 0;

/** Whether this machine can build llama-server, and if not why. */
export function llamaServerBuildTools(): {ok: true} | {ok: false; reason: string} {
    const missing = [
        hasCommand("cmake") ? null : "cmake",
        hasCommand("c++") || hasCommand("g++") || hasCommand("clang++") ? null : "a C++ compiler",
        hasCommand("git") ? null : "git",
        fs.existsSync(path.join(nodeLlamaCppLlama, "gitRelease.bundle")) ? null : "node-llama-cpp's llama.cpp source (llama/gitRelease.bundle)"
    ].filter((m) => m !== null);
    return missing.length === 0 ? {ok: true} : {ok: false, reason: `missing ${missing.join(", ")}`};
}

export interface BuildLlamaServerResult {
    binary: string;
    /** Wall time of configure + build, seconds. */
    seconds: number;
}

/**
 * Builds llama-server into the cache: clone node-llama-cpp's bundle, configure a static Release build
 * for this CPU without curl, OpenSSL or the web UI download (nothing reaches the network), build only
 * the `llama-server` target with every core, keep the binary, delete the sources and objects.
 */
export function buildLlamaServer(options: {jobs?: number; log?: (line: string) => void} = {}): BuildLlamaServerResult {
    const log = options.log ?? (() => {});
    const cache = llamaServerCacheDir();
    const work = path.join(cache, "work");
    fs.rmSync(work, {recursive: true, force: true});
    fs.mkdirSync(work, {recursive: true});
    const started = Date.now();
    const run = (command: string, args: string[], cwd = work) => {
        log(`$ ${command} ${args.join(" ")}`);
        execFileSync(command, args, {cwd, stdio: ["ignore", "inherit", "inherit"]});
    };
    try {
        run("git", ["clone", "--quiet", path.join(nodeLlamaCppLlama, "gitRelease.bundle"), "src"]);
        run("cmake", [
            "-S",
            "src",
            "-B",
            "build",
            "-DCMAKE_BUILD_TYPE=Release",
            "-DBUILD_SHARED_LIBS=OFF",
            "-DLLAMA_CURL=OFF",
            "-DLLAMA_OPENSSL=OFF",
            "-DLLAMA_USE_PREBUILT_UI=OFF",
            "-DLLAMA_BUILD_TESTS=OFF",
            "-DLLAMA_BUILD_EXAMPLES=OFF"
        ]);
        run("cmake", ["--build", "build", "--config", "Release", "--target", "llama-server", "-j", String(options.jobs ?? os.availableParallelism())]);
        const built = path.join(work, "build", "bin", "llama-server");
        const binary = llamaServerBinaryPath();
        fs.mkdirSync(path.dirname(binary), {recursive: true});
        fs.copyFileSync(built, `${binary}.partial`);
        fs.chmodSync(`${binary}.partial`, 0o755);
        fs.renameSync(`${binary}.partial`, binary);
        const seconds = Math.round((Date.now() - started) / 1000);
        fs.writeFileSync(path.join(cache, "build.json"), JSON.stringify({tag: llamaCppTag(), seconds, builtAt: new Date().toISOString(), jobs: options.jobs ?? os.availableParallelism()}, null, 2));
        return {binary, seconds};
    } finally {
        fs.rmSync(work, {recursive: true, force: true});
    }
}

export interface LlamaServerOptions {
    binary: string;
    model: string;
    /** Threads for generation and prompt processing (explicit: the machine is shared). */
    threads: number;
    /** Context of the whole server, tokens; llama-server divides it among the slots. */
    contextSize: number;
    /** Slots (`--parallel`). */
    parallel: number;
    /** When set, requests need `Authorization: Bearer <apiKey>`. */
    apiKey?: string;
    /** Model id the server lists (`--alias`). Default: the file name. */
    alias?: string;
}

export interface LlamaServer extends AsyncDisposable {
    /** e.g. "http://127.0.0.1:40123/v1" */
    baseUrl: string;
    /** The server's log so far. */
    log(): string;
    dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const {port} = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

/** Starts llama-server on a free loopback port and waits (generous deadline) until /health says the model is loaded. */
export async function startLlamaServer(options: LlamaServerOptions): Promise<LlamaServer> {
    const port = await freePort();
    const args = [
        ["--model", options.model],
        ["--host", "127.0.0.1"],
        ["--port", String(port)],
        ["--threads", String(options.threads)],
        ["--threads-batch", String(options.threads)],
        ["--ctx-size", String(options.contextSize)],
        ["--parallel", String(options.parallel)],
        ["--no-webui"],
        options.alias ? ["--alias", options.alias] : [],
        options.apiKey ? ["--api-key", options.apiKey] : []
    ].flat();
    const child = spawn(options.binary, args, {env: runEnv(options.binary), stdio: ["ignore", "pipe", "pipe"]});
    let log = "";
    child.stdout.on("data", (d: Buffer) => (log += d.toString()));
    child.stderr.on("data", (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    let stopped: Promise<void> | undefined;
    const dispose = () =>
        (stopped ??= (async () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
            await exited;
            clearTimeout(timer);
        })());
    const baseUrl = `http://127.0.0.1:${port}/v1`;
    const deadline = Date.now() + 180_000;
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));
    for (;;) {
        if (exitCode !== undefined) throw new Error(`llama-server exited with ${exitCode}: ${log.slice(-2000)}`);
        const healthy = await fetch(`http://127.0.0.1:${port}/health`, {headers: options.apiKey ? {Authorization: `Bearer ${options.apiKey}`} : {}})
            .then((r) => r.ok)
            .catch(() => false);
        if (healthy) break;
        if (Date.now() > deadline) {
            await dispose();
            throw new Error(`llama-server did not become healthy within 180 s: ${log.slice(-2000)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return {baseUrl, log: () => log, dispose, [Symbol.asyncDispose]: dispose};
}
