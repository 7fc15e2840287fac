import fs from "node:fs";
import {spawn} from "node:child_process";
import path from "node:path";
import {projectRoot} from "./runCli.ts";

export interface ServeCli extends AsyncDisposable {
    /** e.g. "http://127.0.0.1:40123/v1" */
    baseUrl: string;
    /** The CLI's process id. */
    pid: number;
    /** The engine process it runs now (its one child process). */
    enginePid(): number;
    /** What the command printed to stderr so far. */
    stderr(): string;
    /** Stops it with Ctrl-C and resolves its exit code. */
    stop(): Promise<number | null>;
    /** Stops it with Ctrl-C and waits for it to exit. */
    dispose(): Promise<void>;
}

/** `agentfit serve <args> --port 0` as a user starts it (the real bin), ready once it prints its base URL. */
export async function startServeCli(args: string[], env: NodeJS.ProcessEnv): Promise<ServeCli> {
    const child = spawn(process.execPath, [path.join(projectRoot, "bin", "agentfit.js"), "serve", ...args, "--port", "0"], {cwd: projectRoot, env: {...env, NO_COLOR: "1"}});
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const baseUrl = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
            stdout += d.toString();
            const match = /^(http:\/\/127\.0\.0\.1:\d+\/v1)$/m.exec(stdout);
            if (match) resolve(match[1]!);
        });
        void exited.then((code) => reject(new Error(`agentfit serve exited with ${code}: ${stderr}`)));
    });
    let stopped: Promise<number | null> | undefined;
    const stop = () =>
        (stopped ??= (async () => {
            if (child.exitCode === null) child.kill("SIGINT");
            return exited;
        })());
    const dispose = async () => void (await stop());
    const enginePid = () => {
        const children = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
        if (children.length !== 1) throw new Error(`agentfit serve runs ${children.length} child processes, not one engine: ${children.join(", ")}`);
        return children[0]!;
    };
    return {baseUrl, pid: child.pid!, enginePid, stderr: () => stderr, stop, dispose, [Symbol.asyncDispose]: dispose};
}
