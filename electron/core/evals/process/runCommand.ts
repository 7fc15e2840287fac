import {spawn} from "node:child_process";
import {signalProcessTree} from "../../processes/signalProcessTree.ts";

export interface RunCommandOptions {
    cwd: string;
    /** Extra environment on top of the sanitized base (see `commandEnvironment`). */
    env?: NodeJS.ProcessEnv;
    /** Killed (with its process group) after this long, ms. Default 120,000. */
    timeoutMs?: number;
    /** Output kept per stream, bytes; the rest is dropped from the middle. Default 1 MiB. */
    maxOutputBytes?: number;
    signal?: AbortSignal;
    /** Called once the process started, with its pid (also its process group's id where groups exist). */
    onSpawn?: (pid: number) => void;
}

export interface CommandResult {
    /** Null when the process was killed or could not start. */
    exitCode: number | null;
    stdout: string;
    stderr: string;
    durationMs: number;
    timedOut: boolean;
    /** Set when the command could not start at all (ENOENT…). */
    spawnError: string | null;
}

// Variables a runtime needs to find itself and its libraries. Nothing else is passed on, so API
// keys in AgentFit's environment never reach code the model wrote.
const PASSED_VARIABLES = [
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TEMP", "TMP", "SYSTEMROOT", "COMSPEC", "PATHEXT",
    "WINDIR", "APPDATA", "LOCALAPPDATA", "USERPROFILE", "R_HOME", "R_LIBS", "R_LIBS_USER", "R_LIBS_SITE", "PYENV_ROOT", "PYENV_VERSION",
    "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX", "NVM_DIR", "NODE_PATH"
];

/** The environment commands run with: a short allow-list of the app's, plus `extra`. */
export function commandEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const name of PASSED_VARIABLES) if (process.env[name] !== undefined) env[name] = process.env[name];
    return {...env, NO_COLOR: "1", PYTHONDONTWRITEBYTECODE: "1", ...extra};
}

/** Runs a program (no shell) and collects its output, with a timeout and cancellation. */
export function runCommand(command: string, args: readonly string[], options: RunCommandOptions): Promise<CommandResult> {
    const maxBytes = options.maxOutputBytes ?? 1024 * 1024;
    const started = performance.now();
    return new Promise((resolve) => {
        let settled = false;
        let timedOut = false;
        const out = new OutputBuffer(maxBytes);
        const err = new OutputBuffer(maxBytes);
        // A group of its own, so a timeout or a cancel also ends what the command started (test runners, R's workers…).
        const detached = process.platform !== "win32";
        const child = spawn(command, args, {cwd: options.cwd, env: commandEnvironment(options.env), stdio: ["ignore", "pipe", "pipe"], detached, windowsHide: true});
        if (child.pid !== undefined) options.onSpawn?.(child.pid);
        const kill = () => {
            if (child.pid === undefined) return;
            try {
                signalProcessTree({pid: child.pid, detached}, "SIGKILL");
            } catch (error) {
                err.push(Buffer.from(`\n[AgentFit could not stop the command: ${(error as Error).message}]\n`));
            }
        };
        const timer = setTimeout(() => {
            timedOut = true;
            kill();
        }, options.timeoutMs ?? 120_000);
        const onAbort = () => kill();
        options.signal?.addEventListener("abort", onAbort, {once: true});
        const finish = (exitCode: number | null, spawnError: string | null) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            options.signal?.removeEventListener("abort", onAbort);
            resolve({exitCode, stdout: out.text(), stderr: err.text(), durationMs: performance.now() - started, timedOut, spawnError});
        };
        child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
        child.on("error", (error) => finish(null, error.message));
        child.on("close", (code) => finish(code, null));
    });
}

/** Keeps the first and last halves of a stream when it exceeds the limit. */
class OutputBuffer {
    private head: Buffer[] = [];
    private headBytes = 0;
    private tail: Buffer[] = [];
    private tailBytes = 0;
    private dropped = 0;
    constructor(private readonly limit: number) {}
    push(chunk: Buffer) {
        if (this.headBytes < this.limit / 2) {
            this.head.push(chunk);
            this.headBytes += chunk.length;
            return;
        }
        this.tail.push(chunk);
        this.tailBytes += chunk.length;
        while (this.tailBytes > this.limit / 2 && this.tail.length > 1) {
            const first = this.tail.shift()!;
            this.tailBytes -= first.length;
            this.dropped += first.length;
        }
    }
    text(): string {
        const head = Buffer.concat(this.head).toString("utf8");
        const tail = Buffer.concat(this.tail).toString("utf8");
        return this.dropped > 0 ? `${head}\n[… ${this.dropped} bytes of output left out …]\n${tail}` : head + tail;
    }
}
