import {spawn} from "node:child_process";
import path from "node:path";
import {fileURLToPath} from "node:url";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface CliResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs `agentfit <args>` as a user would (the real bin), with the given environment; `nodeOptions` go to Node itself. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, options: {timeoutMs?: number; nodeOptions?: string[]} = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [...(options.nodeOptions ?? []), path.join(projectRoot, "bin", "agentfit.js"), ...args], {
            cwd: projectRoot,
            env: {...env, NO_COLOR: "1"}
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({code, stdout, stderr});
        });
    });
}
