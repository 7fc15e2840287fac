import {spawn} from "node:child_process";
import path from "node:path";
import {fileURLToPath} from "node:url";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface CliResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/**
 * Runs `agentfit <args>` as a user would (the real bin, which runs the built CLI), with the given
 * environment. `nodeArgs` go to Node itself (before the script).
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv, options: {timeoutMs?: number; nodeArgs?: string[]} = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(projectRoot, "bin", "agentfit.js"), ...args], {
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
