import {execFile} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {CodingAgentId, CodingAgentInfo} from "../../api/AgentsApi.ts";
import {aider} from "./aider.ts";
import {claudeCode} from "./claudeCode.ts";
import type {CodingAgent} from "./CodingAgent.ts";
import {codex} from "./codex.ts";
import {openCode} from "./openCode.ts";
import {minimumContext} from "./planLaunch.ts";

/** Every supported agent, by id. */
export const codingAgents: Record<CodingAgentId, CodingAgent> = {"claude-code": claudeCode, codex, opencode: openCode, aider};

export const codingAgentIds = Object.keys(codingAgents) as CodingAgentId[];

/** Folders searched before PATH (colon-separated), e.g. the pinned agents of the test cache. */
export const AGENT_DIRS_VARIABLE = "AGENTFIT_AGENT_DIRS";

/** The executable of an agent: AGENTFIT_AGENT_DIRS, then PATH, then its usual install places; null when none. */
export function locateAgent(agent: CodingAgent, env: NodeJS.ProcessEnv = process.env): string | null {
    const home = env.HOME ?? os.homedir();
    const dirs = [
        ...(env[AGENT_DIRS_VARIABLE] ?? "").split(path.delimiter),
        ...(env.PATH ?? "").split(path.delimiter),
        ...agent.usualPlaces(home)
    ].filter(Boolean);
    const names = process.platform === "win32" ? [`${agent.executable}.cmd`, `${agent.executable}.exe`, agent.executable] : [agent.executable];
    for (const dir of dirs)
        for (const name of names) {
            const candidate = path.join(dir, name);
            try {
                if (fs.statSync(candidate).isFile()) {
                    fs.accessSync(candidate, fs.constants.X_OK);
                    return candidate;
                }
            } catch {}
        }
    return null;
}

const versions = new Map<string, Promise<string | null>>();

/** What `<agent> --version` prints, as "x.y.z"; cached per executable and modification time. */
export function agentVersion(executable: string): Promise<string | null> {
    let key = executable;
    try {
        key += `\n${fs.statSync(executable).mtimeMs}`;
    } catch {}
    let version = versions.get(key);
    if (!version) {
        version = new Promise((resolve) => {
            execFile(executable, ["--version"], {timeout: 60_000, env: {...process.env, NO_COLOR: "1"}}, (_error, stdout, stderr) =>
                resolve(/\d+\.\d+\.\d+[\w.-]*/.exec(`${stdout}\n${stderr}`)?.[0] ?? null)
            );
        });
        versions.set(key, version);
    }
    return version;
}

/** An agent as the API lists it: installed or not, version, how it connects. */
export async function describeAgent(agent: CodingAgent, env: NodeJS.ProcessEnv = process.env): Promise<CodingAgentInfo> {
    const executable = locateAgent(agent, env);
    return {
        id: agent.id,
        label: agent.label,
        protocol: agent.protocol,
        installed: executable !== null,
        path: executable,
        version: executable ? await agentVersion(executable) : null,
        testedVersion: agent.testedVersion,
        install: agent.install,
        firstRequestTokens: agent.firstRequestTokens,
        contextSize: agent.contextSize,
        minimumContext: minimumContext(agent),
        connectVariables: agent.connectVariables,
        configFiles: agent.configFiles
    };
}
