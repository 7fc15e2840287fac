import path from "node:path";
import type {CodingAgent} from "./CodingAgent.ts";

const tomlString = (value: string) => JSON.stringify(value);

/**
 * Codex CLI (`codex`): OpenAI Responses API through a custom provider whose `wire_api` is
 * "responses", declared in a config.toml under CODEX_HOME (a temporary folder, never ~/.codex).
 * Its own sandbox needs Landlock/seccomp, which containers often lack, so the eval bypasses it and
 * relies on AgentFit's confinement (the sample's workspace as cwd, a temporary HOME). It has no
 * setting for output tokens per call (0.169 warns that `model_max_output_tokens` is unknown), so a
 * cap reaches it only through the eval's recording proxy.
 */
export const codex: CodingAgent = {
    id: "codex",
    label: "Codex CLI",
    protocol: "openai-responses",
    executable: "codex",
    usualPlaces: (home) => [path.join(home, ".local", "bin"), path.join(home, ".npm-global", "bin"), "/opt/homebrew/bin"],
    testedVersion: "0.169.0",
    install: "npm install -g @openai/codex",
    firstRequestTokens: 6_500,
    contextSize: 32_768,
    connectVariables: ["CODEX_HOME", "AGENTFIT_API_KEY"],
    configFiles: ["config.toml"],
    quietEnv: {CODEX_DISABLE_UPDATE_CHECK: "1"},
    connect(target, configDir) {
        const config = [
            `model = ${tomlString(target.model)}`,
            `model_provider = "agentfit"`,
            `model_context_window = ${target.contextSize}`,
            `check_for_update_on_startup = false`,
            "",
            "[model_providers.agentfit]",
            `name = "AgentFit"`,
            `base_url = ${tomlString(target.baseUrl)}`,
            `wire_api = "responses"`,
            `env_key = "AGENTFIT_API_KEY"`,
            "",
            "[analytics]",
            "enabled = false",
            ""
        ].join("\n");
        return {
            env: {...this.quietEnv, CODEX_HOME: configDir, AGENTFIT_API_KEY: target.apiKey},
            files: [{path: "config.toml", content: config}],
            args: []
        };
    },
    headless(target, configDir, task) {
        const setup = this.connect(target, configDir);
        return {...setup, args: ["exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", task.prompt]};
    }
};
