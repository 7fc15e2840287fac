import path from "node:path";
import type {CodingAgent} from "./CodingAgent.ts";

/**
 * Aider (`aider`): OpenAI chat completions through litellm's `openai/` prefix and OPENAI_API_BASE.
 * A model-metadata file in the temporary config folder tells it the served context (unknown models
 * otherwise get warnings and a guessed window). It edits by answering in its edit format (no tool
 * calls); `--auto-test` runs the project's tests after each edit and feeds failures back.
 */
export const aider: CodingAgent = {
    id: "aider",
    label: "Aider",
    protocol: "openai-chat",
    executable: "aider",
    usualPlaces: (home) => [path.join(home, ".local", "bin"), path.join(home, ".local", "share", "uv", "tools", "aider-chat", "bin")],
    testedVersion: "0.86.2",
    install: "python3 -m pip install aider-install && aider-install   (or: pipx install aider-chat)",
    firstRequestTokens: 2_500,
    contextSize: 8_192,
    connectVariables: ["OPENAI_API_BASE", "OPENAI_API_KEY"],
    configFiles: ["model-metadata.json"],
    quietEnv: {AIDER_ANALYTICS: "false", AIDER_CHECK_UPDATE: "false", AIDER_SHOW_RELEASE_NOTES: "false", LITELLM_LOCAL_MODEL_COST_MAP: "True"},
    connect(target, configDir) {
        const name = `openai/${target.model}`;
        const metadata = {
            [name]: {
                max_input_tokens: target.contextSize,
                max_tokens: target.maxOutputTokens ?? Math.min(4096, target.contextSize),
                max_output_tokens: target.maxOutputTokens ?? Math.min(4096, target.contextSize),
                input_cost_per_token: 0,
                output_cost_per_token: 0,
                litellm_provider: "openai",
                mode: "chat"
            }
        };
        // Aider sends no output cap of its own; a capped target goes in as litellm's max_tokens (JSON is YAML).
        const settings = target.maxOutputTokens ? [{name, extra_params: {max_tokens: target.maxOutputTokens}}] : null;
        return {
            env: {...this.quietEnv, OPENAI_API_BASE: target.baseUrl, OPENAI_API_KEY: target.apiKey},
            files: [
                {path: "model-metadata.json", content: JSON.stringify(metadata, null, 2)},
                ...(settings ? [{path: "model-settings.yml", content: JSON.stringify(settings, null, 2)}] : [])
            ],
            args: [
                "--model",
                name,
                "--model-metadata-file",
                path.join(configDir, "model-metadata.json"),
                "--no-check-update",
                "--analytics-disable",
                "--no-show-model-warnings",
                "--no-show-release-notes",
                ...(settings ? ["--model-settings-file", path.join(configDir, "model-settings.yml")] : [])
            ]
        };
    },
    headless(target, configDir, task) {
        const setup = this.connect(target, configDir);
        return {
            ...setup,
            args: [
                ...setup.args,
                "--message",
                task.prompt,
                "--yes-always",
                "--no-git",
                "--no-pretty",
                "--no-fancy-input",
                "--chat-history-file",
                path.join(configDir, "chat-history.md"),
                "--input-history-file",
                path.join(configDir, "input-history.txt"),
                "--test-cmd",
                task.testCommand,
                "--auto-test",
                task.targetFile
            ]
        };
    }
};
