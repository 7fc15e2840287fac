import path from "node:path";
import type {CodingAgent} from "./CodingAgent.ts";

/**
 * OpenCode (`opencode`): OpenAI chat completions through its bundled `@ai-sdk/openai-compatible`
 * provider, declared inline in OPENCODE_CONFIG_CONTENT (no file of the user's is touched). The
 * OPENCODE_DISABLE_* variables stop its models.dev fetch, update check, default plugins (which
 * `npm install` at start) and reading Claude Code's files.
 */
export const openCode: CodingAgent = {
    id: "opencode",
    label: "OpenCode",
    protocol: "openai-chat",
    executable: "opencode",
    usualPlaces: (home) => [path.join(home, ".opencode", "bin"), path.join(home, ".local", "bin"), path.join(home, ".npm-global", "bin"), path.join(home, ".bun", "bin")],
    testedVersion: "1.18.33",
    install: "npm install -g opencode-ai",
    firstRequestTokens: 7_000,
    contextSize: 16_384,
    connectVariables: ["OPENCODE_CONFIG_CONTENT"],
    configFiles: [],
    quietEnv: {
        OPENCODE_DISABLE_AUTOUPDATE: "1",
        OPENCODE_DISABLE_MODELS_FETCH: "1",
        OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
        OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
        OPENCODE_DISABLE_SHARE: "1",
        OPENCODE_DISABLE_CLAUDE_CODE: "1",
        OPENCODE_DISABLE_EXTERNAL_SKILLS: "1"
    },
    connect(target) {
        const config = {
            $schema: "https://opencode.ai/config.json",
            autoupdate: false,
            share: "disabled",
            model: `agentfit/${target.model}`,
            small_model: `agentfit/${target.model}`,
            provider: {
                agentfit: {
                    npm: "@ai-sdk/openai-compatible",
                    name: "AgentFit",
                    options: {baseURL: target.baseUrl, apiKey: target.apiKey},
                    models: {[target.model]: {name: target.model, tool_call: true, limit: {context: target.contextSize, output: target.maxOutputTokens ?? 4096}}}
                }
            },
            permission: {edit: "allow", bash: "allow", webfetch: "deny"}
        };
        return {env: {...this.quietEnv, OPENCODE_CONFIG_CONTENT: JSON.stringify(config)}, files: [], args: []};
    },
    headless(target, configDir, task) {
        const setup = this.connect(target, configDir);
        return {...setup, args: ["run", "--model", `agentfit/${target.model}`, task.prompt]};
    }
};
