import {execFileSync} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** The coding agents the tests drive, pinned; installed once into a cache outside the repository. */
export const pinnedAgents = {
    npm: {"@anthropic-ai/claude-code": "2.1.328", "@openai/codex": "0.169.0", "opencode-ai": "1.18.33"},
    pypi: {"aider-chat": "0.86.2"}
} as const;

/** Official SDKs the protocol tests drive from Python, pinned, in their own venv in the same cache. */
export const pinnedPythonSdks = {anthropic: "2.10.0"} as const;

/** ~/.cache/agentfit-agents, or AGENTFIT_AGENTS_CACHE. */
export function agentsCacheDir(): string {
    return process.env.AGENTFIT_AGENTS_CACHE ?? path.join(os.homedir(), ".cache", "agentfit-agents");
}

/** The folders holding the pinned agents' executables: what AGENTFIT_AGENT_DIRS is set to in tests. */
export function agentBinDirs(cache = agentsCacheDir()): string[] {
    return [path.join(cache, "npm", "node_modules", ".bin"), path.join(cache, "aider-venv", "bin")];
}

/** The executable of a pinned agent in the cache, or null when it is not installed there. */
export function cachedAgent(executable: "claude" | "codex" | "opencode" | "aider", cache = agentsCacheDir()): string | null {
    for (const dir of agentBinDirs(cache)) {
        const file = path.join(dir, executable);
        if (fs.existsSync(file)) return file;
    }
    return null;
}

function installedNpmVersion(cache: string, name: string): string | null {
    try {
        return (JSON.parse(fs.readFileSync(path.join(cache, "npm", "node_modules", name, "package.json"), "utf8")) as {version: string}).version;
    } catch {
        return null;
    }
}

/**
 * Installs the pinned agents and Python SDKs into the cache unless they are there at those versions
 * (then it does nothing): the npm ones with `npm install --prefix`, Aider and the `anthropic` SDK
 * each in its own venv with pip. Needs the npm registry and PyPI only when something is missing.
 */
export function ensureCodingAgents(cache = agentsCacheDir(), log: (line: string) => void = () => {}): void {
    const npmPrefix = path.join(cache, "npm");
    const missingNpm = Object.entries(pinnedAgents.npm).filter(([name, version]) => installedNpmVersion(cache, name) !== version);
    if (missingNpm.length > 0) {
        fs.mkdirSync(npmPrefix, {recursive: true});
        log(`npm install ${missingNpm.map(([n, v]) => `${n}@${v}`).join(" ")}`);
        execFileSync("npm", ["install", "--prefix", npmPrefix, "--save-exact", "--no-audit", "--no-fund", ...Object.entries(pinnedAgents.npm).map(([n, v]) => `${n}@${v}`)], {stdio: "inherit"});
    }
    ensureVenvPackage(path.join(cache, "aider-venv"), "aider-chat", pinnedAgents.pypi["aider-chat"], log);
    ensureVenvPackage(path.join(cache, "anthropic-venv"), "anthropic", pinnedPythonSdks.anthropic, log);
}

/** The Python of the venv holding the pinned `anthropic` SDK (installed by ensureCodingAgents). */
export function anthropicSdkPython(cache = agentsCacheDir()): string {
    return path.join(cache, "anthropic-venv", "bin", "python");
}

/** `pkg==version` in the venv at `venv` (created when missing), unless it is there already. */
function ensureVenvPackage(venv: string, pkg: string, version: string, log: (line: string) => void): void {
    const python = path.join(venv, "bin", "python");
    let installed: string | null = null;
    try {
        installed = execFileSync(python, ["-c", `import importlib.metadata as m; print(m.version(${JSON.stringify(pkg)}))`], {encoding: "utf8"}).trim();
    } catch {}
    if (installed === version) return;
    if (!fs.existsSync(python)) {
        log(`python3 -m venv ${venv}`);
        execFileSync("python3", ["-m", "venv", venv], {stdio: "inherit"});
    }
    log(`pip install ${pkg}==${version}`);
    execFileSync(path.join(venv, "bin", "pip"), ["install", "--quiet", `${pkg}==${version}`], {stdio: "inherit"});
}
