import {EvalError} from "./EvalError.ts";
import {isProviderId, providerDefinitions} from "./providers.ts";
import type {SecretStore} from "./SecretStore.ts";

/** API keys from environment variables (OPENAI_API_KEY…): the CLI's and browser mode's store. */
export function createEnvironmentSecretStore(env: NodeJS.ProcessEnv = process.env): SecretStore {
    return {
        storage: "environment",
        async get(name) {
            if (!isProviderId(name)) return undefined;
            for (const variable of providerDefinitions[name].keyEnvVars) if (env[variable]) return env[variable];
            return undefined;
        },
        async set(name) {
            const variables = isProviderId(name) ? providerDefinitions[name].keyEnvVars : [];
            throw new EvalError(
                "EVAL_KEYS_READ_ONLY",
                `Here API keys come from environment variables${variables.length ? `: set ${variables.join(" or ")}` : ""} before starting AgentFit. The desktop app keeps keys in the OS keychain.`
            );
        }
    };
}
