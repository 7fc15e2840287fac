import type {EvalModelSpec, EvalProviderId} from "../../api/EvalApi.ts";
import {quantizationInFileName} from "../gguf/ggufFileNames.ts";
import {EvalError} from "./EvalError.ts";

export interface ProviderDefinition {
    id: EvalProviderId;
    label: string;
    /** OpenAI-compatible base URL; null when the user must give one (or the engine provides it). */
    baseUrl: string | null;
    /** Environment variables holding the API key, in order of preference. */
    keyEnvVars: string[];
    /** Whether a request without a key makes sense (local servers). */
    keyOptional: boolean;
    /** How a request caps its output: OpenAI's own API takes only `max_completion_tokens` (its reasoning models refuse `max_tokens`); the OpenAI-compatible APIs of others take `max_tokens`. */
    outputCapField: "max_tokens" | "max_completion_tokens";
    /** Extra headers every request carries (OpenRouter's app attribution). */
    headers?: Record<string, string>;
}

/** Every provider speaks the OpenAI chat-completions protocol; only the base URL and key differ. */
export const providerDefinitions: Record<EvalProviderId, ProviderDefinition> = {
    local: {id: "local", label: "Local (AgentFit engine)", baseUrl: null, keyEnvVars: [], keyOptional: true, outputCapField: "max_tokens"},
    openai: {id: "openai", label: "OpenAI", baseUrl: "https://api.openai.com/v1", keyEnvVars: ["OPENAI_API_KEY"], keyOptional: false, outputCapField: "max_completion_tokens"},
    anthropic: {id: "anthropic", label: "Anthropic", baseUrl: "https://api.anthropic.com/v1/", keyEnvVars: ["ANTHROPIC_API_KEY"], keyOptional: false, outputCapField: "max_tokens"},
    openrouter: {
        id: "openrouter",
        label: "OpenRouter",
        baseUrl: "https://openrouter.ai/api/v1",
        keyEnvVars: ["OPENROUTER_API_KEY"],
        keyOptional: false,
        outputCapField: "max_tokens",
        headers: {"HTTP-Referer": "https://github.com/agentfit", "X-Title": "AgentFit"}
    },
    gemini: {
        id: "gemini",
        label: "Google Gemini",
        baseUrl: "https://generativelanguage.googleapis.com/v1beta/openai/",
        keyEnvVars: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
        keyOptional: false,
        outputCapField: "max_tokens"
    },
    "openai-compatible": {
        id: "openai-compatible",
        label: "OpenAI-compatible server",
        baseUrl: null,
        keyEnvVars: ["AGENTFIT_OPENAI_COMPATIBLE_API_KEY"],
        keyOptional: true,
        outputCapField: "max_tokens"
    }
};

export const providerIds = Object.keys(providerDefinitions) as EvalProviderId[];

export function isProviderId(value: unknown): value is EvalProviderId {
    return typeof value === "string" && Object.hasOwn(providerDefinitions, value);
}

/** `AGENTFIT_<PROVIDER>_BASE_URL` overrides a provider's default base URL (proxies, gateways, tests). */
export function baseUrlEnvVar(provider: EvalProviderId): string {
    return `AGENTFIT_${provider.toUpperCase().replaceAll("-", "_")}_BASE_URL`;
}

/** The base URL a cloud or OpenAI-compatible model is reached at: the spec's, the environment's, or the default. */
export function resolveBaseUrl(spec: EvalModelSpec, env: NodeJS.ProcessEnv): string {
    const definition = providerDefinitions[spec.provider];
    const url = spec.baseUrl ?? env[baseUrlEnvVar(spec.provider)] ?? definition.baseUrl;
    if (!url)
        throw new EvalError(
            "EVAL_BASE_URL_INVALID",
            `${definition.label} needs a base URL, e.g. http://127.0.0.1:11434/v1 (Ollama) or http://127.0.0.1:1234/v1 (LM Studio).`
        );
    return checkBaseUrl(url);
}

export function checkBaseUrl(url: string): string {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new EvalError("EVAL_BASE_URL_INVALID", `"${url}" is not a URL. Give the server's OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1.`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
        throw new EvalError("EVAL_BASE_URL_INVALID", `The base URL must start with http:// or https://, got "${url}".`);
    if (parsed.username || parsed.password)
        throw new EvalError("EVAL_BASE_URL_INVALID", "Put the API key in the key settings or environment, not in the base URL.");
    return url.replace(/\/+$/, "");
}

/**
 * "openai:gpt-4.1", "local:Qwen3-8B-Q4_K_M", "openai-compatible:qwen3:8b (Q4_K_M)": a local model by
 * its one name (the registry's name when given, else the file name without extension).
 */
export function modelLabel(spec: EvalModelSpec, registeredName?: string): string {
    const name = registeredName ?? (spec.provider === "local" ? spec.model.split(/[\\/]/).pop()!.replace(/\.gguf$/i, "") : spec.model);
    return `${spec.provider}:${name}${spec.quantization && !name.toUpperCase().includes(spec.quantization.toUpperCase()) ? ` (${spec.quantization})` : ""}`;
}

/**
 * Parses the CLI's `--model` value: `provider:model` (e.g. `openai:gpt-4.1`,
 * `openrouter:qwen/qwen3-14b`, `openai-compatible:qwen3:8b`), a GGUF path, or a local model id.
 */
export function parseModelArgument(value: string): EvalModelSpec {
    const text = value.trim();
    if (!text) throw new EvalError("EVAL_MODEL_INVALID", "The model is empty: give a GGUF path, a model id, or provider:model.");
    const colon = text.indexOf(":");
    if (colon > 0) {
        const prefix = text.slice(0, colon);
        if (isProviderId(prefix)) {
            const model = text.slice(colon + 1).trim();
            if (!model) throw new EvalError("EVAL_MODEL_INVALID", `"${text}" names no model after "${prefix}:".`);
            return withQuantization({provider: prefix, model});
        }
        // Windows drive letters ("C:\models\x.gguf") and hf: URIs are local models.
        if (!/^[a-zA-Z]$/.test(prefix) && prefix !== "hf")
            throw new EvalError(
                "EVAL_MODEL_INVALID",
                `Unknown provider "${prefix}" in "${text}". Use one of: ${providerIds.join(", ")} (e.g. openai:gpt-4.1), or a GGUF path.`
            );
    }
    return withQuantization({provider: "local", model: text});
}

function withQuantization(spec: EvalModelSpec): EvalModelSpec {
    const quantization = spec.provider === "local" ? quantizationInFileName(spec.model) : null;
    return quantization ? {...spec, quantization} : spec;
}
