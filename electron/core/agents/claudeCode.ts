import path from "node:path";
import type {CodingAgent} from "./CodingAgent.ts";
import {rootUrl} from "./CodingAgent.ts";

/**
 * Claude Code (`claude`): Anthropic Messages API. ANTHROPIC_BASE_URL points it at the server,
 * CLAUDE_CONFIG_DIR keeps its settings and history out of ~/.claude. As root it refuses
 * `bypassPermissions`, so the eval allows edits (`acceptEdits`) and names the tools it may run.
 */
export const claudeCode: CodingAgent = {
    id: "claude-code",
    label: "Claude Code",
    protocol: "anthropic-messages",
    executable: "claude",
    usualPlaces: (home) => [path.join(home, ".claude", "local"), path.join(home, ".local", "bin"), path.join(home, ".npm-global", "bin")],
    testedVersion: "2.1.328",
    install: "npm install -g @anthropic-ai/claude-code",
    firstRequestTokens: 12_500,
    contextSize: 32_768,
    connectVariables: ["ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_MODEL", "ANTHROPIC_SMALL_FAST_MODEL", "CLAUDE_CONFIG_DIR"],
    configFiles: [],
    quietEnv: {
        DISABLE_AUTOUPDATER: "1",
        DISABLE_TELEMETRY: "1",
        DISABLE_ERROR_REPORTING: "1",
        DISABLE_BUG_COMMAND: "1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        DISABLE_NON_ESSENTIAL_MODEL_CALLS: "1"
    },
    connect(target, configDir) {
        return {
            env: {
                ...this.quietEnv,
                ANTHROPIC_BASE_URL: rootUrl(target.baseUrl),
                ANTHROPIC_API_KEY: target.apiKey,
                ANTHROPIC_MODEL: target.model,
                ANTHROPIC_SMALL_FAST_MODEL: target.model,
                ANTHROPIC_DEFAULT_HAIKU_MODEL: target.model,
                CLAUDE_CONFIG_DIR: configDir,
                ...(target.maxOutputTokens ? {CLAUDE_CODE_MAX_OUTPUT_TOKENS: String(target.maxOutputTokens)} : {})
            },
            files: [],
            args: ["--model", target.model]
        };
    },
    headless(target, configDir, task) {
        const setup = this.connect(target, configDir);
        return {
            ...setup,
            args: [
                ...setup.args,
                "-p",
                task.prompt,
                "--output-format",
                "json",
                "--max-turns",
                String(task.maxTurns),
                "--permission-mode",
                "acceptEdits",
                "--allowedTools",
                "Bash,Edit,MultiEdit,Write,Read,Glob,Grep,LS"
            ]
        };
    }
};
