/**
 * Ready-to-paste set-up for the clients people point at a local OpenAI-compatible server by hand
 * (editors, R, curl: the ones `agentfit launch` does not start), with the real base URL, model id
 * and key filled in. All of them speak chat completions. Pure: the UI and CLI share it.
 */

export interface AgentSnippet {
    id: "continue" | "cline" | "qwen-code" | "positron" | "ellmer" | "curl";
    label: string;
    /** Where the text goes, e.g. "settings.json", "shell". */
    where: string;
    language: "json" | "yaml" | "shell" | "r" | "text";
    code: string;
    /** One line on what to do with it. */
    note: string;
}

export function agentSnippets(endpoint: {baseUrl: string; model: string; apiKey?: string | null}): AgentSnippet[] {
    const {baseUrl, model} = endpoint;
    // Clients insist on some key; any non-empty value works when the server requires none.
    const key = endpoint.apiKey || "agentfit";
    const quotedJson = (value: string) => JSON.stringify(value);
    return [
        {
            id: "continue",
            label: "Continue",
            where: "~/.continue/config.yaml",
            language: "yaml",
            code: [
                "models:",
                `  - name: ${model} (AgentFit)`,
                "    provider: openai",
                `    model: ${model}`,
                `    apiBase: ${baseUrl}`,
                `    apiKey: ${key}`,
                "    roles: [chat, edit, apply]",
                "    capabilities: [tool_use]"
            ].join("\n"),
            note: "Add the entry under models: and pick it in Continue's model menu."
        },
        {
            id: "cline",
            label: "Cline",
            where: "Cline's settings (the gear in its panel), API Configuration",
            language: "text",
            code: [`API Provider: OpenAI Compatible`, `Base URL: ${baseUrl}`, `API Key: ${key}`, `Model ID: ${model}`].join("\n"),
            note: "Cline's system prompt and tools are long: serve with a context of 32k or more."
        },
        {
            id: "qwen-code",
            label: "Qwen Code",
            where: "shell",
            language: "shell",
            code: [`export OPENAI_BASE_URL=${baseUrl}`, `export OPENAI_API_KEY=${key}`, `export OPENAI_MODEL=${model}`, "qwen"].join("\n"),
            note: "Run in your project folder; Qwen Code reads these variables for an OpenAI-compatible provider."
        },
        {
            id: "positron",
            label: "Positron Assistant",
            where: "settings.json (Preferences: Open User Settings (JSON))",
            language: "json",
            code: [
                `"positron.assistant.enable": true,`,
                `"positron.assistant.provider.customProvider.enable": true,`,
                `"positron.assistant.enabledProviders": ["openai-compatible"],`,
                `"authentication.openai-compatible.baseUrl": ${quotedJson(baseUrl)}`
            ].join("\n"),
            note: `Then run "Positron Assistant: Configure Language Model Providers", pick Custom Provider, sign in with the key ${quotedJson(key)} and choose ${quotedJson(model)}.`
        },
        {
            id: "ellmer",
            label: "ellmer (R)",
            where: "R",
            language: "r",
            code: [
                "library(ellmer)",
                "chat <- chat_openai_compatible(",
                `  base_url = ${quotedJson(baseUrl)},`,
                `  model = ${quotedJson(model)},`,
                `  credentials = function() ${quotedJson(key)}`,
                ")",
                'chat$chat("Hello")'
            ].join("\n"),
            note: "Needs ellmer 0.4 or later (chat_openai_compatible)."
        },
        {
            id: "curl",
            label: "curl",
            where: "shell",
            language: "shell",
            code: [
                `curl ${baseUrl}/chat/completions \\`,
                `  -H "Content-Type: application/json" \\`,
                ...(endpoint.apiKey ? [`  -H "Authorization: Bearer ${endpoint.apiKey}" \\`] : []),
                `  -d '{"model": ${quotedJson(model)}, "messages": [{"role": "user", "content": "Hello"}]}'`
            ].join("\n"),
            note: "Add \"stream\": true for Server-Sent Events."
        }
    ];
}
