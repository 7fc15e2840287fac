import path from "node:path";
import {describe, expect, it} from "vitest";
import type {CodingAgentInfo} from "../../electron/api/AgentsApi.ts";
import {agentBinDirs, pinnedAgents} from "../../testkit/codingAgentsCache.ts";
import {createTempHome} from "../../testkit/tempHome.ts";
import {runCli} from "../utils/runCli.ts";

// `agentfit agents` as a real process, finding the pinned agents of the cache (AGENTFIT_AGENT_DIRS)
// and asking each its version; then with no agent anywhere it says how to install each.

describe("agentfit agents", () => {
    it("lists the installed agents with their versions, protocols and how they connect", async () => {
        using home = createTempHome();
        const result = await runCli(["agents", "--json"], {...home.env, AGENTFIT_AGENT_DIRS: agentBinDirs().join(path.delimiter)}, {timeoutMs: 120_000});
        expect(result.code, result.stderr).toBe(0);
        const agents = JSON.parse(result.stdout) as CodingAgentInfo[];
        const byId = Object.fromEntries(agents.map((a) => [a.id, a]));
        expect(Object.keys(byId).sort()).toEqual(["aider", "claude-code", "codex", "opencode"]);
        expect(byId["claude-code"]).toMatchObject({installed: true, version: pinnedAgents.npm["@anthropic-ai/claude-code"], protocol: "anthropic-messages"});
        expect(byId.codex).toMatchObject({installed: true, version: pinnedAgents.npm["@openai/codex"], protocol: "openai-responses"});
        expect(byId.opencode).toMatchObject({installed: true, version: pinnedAgents.npm["opencode-ai"], protocol: "openai-chat"});
        expect(byId.aider).toMatchObject({installed: true, version: pinnedAgents.pypi["aider-chat"], protocol: "openai-chat"});
        for (const agent of agents) {
            expect(agent.path).toContain(path.sep);
            expect(agent.contextSize).toBeGreaterThan(agent.firstRequestTokens);
        }
    });

    it("says how to install each agent when none is installed", async () => {
        using home = createTempHome();
        const result = await runCli(["agents"], {...home.env, PATH: path.dirname(process.execPath), HOME: home.home}, {timeoutMs: 60_000});
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toMatch(/Claude Code \(claude-code\)\s+no/);
        expect(result.stdout).toContain("Install Claude Code: npm install -g @anthropic-ai/claude-code");
        expect(result.stdout).toContain("Install Aider:");
    });
});
