import type {LocalModelEndpoints} from "../../api/EngineApi.ts";
import type {EvalModelSpec} from "../../api/EvalApi.ts";
import {errorMessage} from "../../shared/AppError.ts";
import {EvalError} from "./EvalError.ts";
import type {ModelEndpoint} from "./EvalSolver.ts";
import {checkBaseUrl, providerDefinitions, resolveBaseUrl} from "./providers.ts";
import type {SecretStore} from "./SecretStore.ts";

/** Reaches a run's model when the run starts (loading a local model takes a while); `onProgress` says what it is doing. */
export type EndpointResolver = (signal: AbortSignal, onProgress: (activity: string) => void) => Promise<ModelEndpoint>;

export interface ModelEndpointSources {
    /** Provider API keys. */
    secrets: SecretStore;
    /** The local engine; absent when this host has none. */
    localModels?: LocalModelEndpoints;
    /** Base URL overrides (AGENTFIT_<PROVIDER>_BASE_URL). */
    env: NodeJS.ProcessEnv;
}

/**
 * Checks everything a model needs before a run is queued (the engine and the model file for a local
 * model, a key and a base URL for a provider) and returns how to reach it once the run starts.
 */
export async function prepareModelEndpoint(spec: EvalModelSpec, sources: ModelEndpointSources): Promise<EndpointResolver> {
    if (spec.provider === "local") {
        const engine = sources.localModels;
        if (!engine)
            throw new EvalError(
                "EVAL_LOCAL_ENGINE_UNAVAILABLE",
                "Local models need AgentFit's engine, which is not running in this app. Evaluate the model through an OpenAI-compatible server instead (provider \"openai-compatible\" with its base URL), or use a build with the engine."
            );
        try {
            engine.locate?.(spec.model);
        } catch (error) {
            throw new EvalError("EVAL_LOCAL_MODEL_NOT_FOUND", errorMessage(error), {cause: error});
        }
        return async (signal, onProgress) => {
            try {
                const endpoint = await engine.ensure(
                    {model: spec.model, settings: spec.settings},
                    {signal, onProgress: (p) => onProgress(p.progress === undefined ? p.phase : `${p.phase} (${Math.round(p.progress * 100)}%)`)}
                );
                return {provider: "local", baseUrl: checkBaseUrl(endpoint.baseUrl), apiKey: endpoint.apiKey, model: endpoint.model};
            } catch (error) {
                signal.throwIfAborted();
                if (error instanceof EvalError) throw error;
                throw new EvalError("EVAL_LOCAL_MODEL_FAILED", `The engine could not load ${spec.model}: ${errorMessage(error)}`, {cause: error});
            }
        };
    }
    const definition = providerDefinitions[spec.provider];
    const baseUrl = resolveBaseUrl(spec, sources.env);
    const apiKey = await sources.secrets.get(spec.provider);
    if (!apiKey && !definition.keyOptional)
        throw new EvalError(
            "EVAL_API_KEY_MISSING",
            sources.secrets.storage === "keychain"
                ? `No API key for ${definition.label}: add one in Evaluate → Providers (kept in the OS keychain), or set ${definition.keyEnvVars.join(" or ")}.`
                : `No API key for ${definition.label}: set ${definition.keyEnvVars.join(" or ")} in the environment.`
        );
    return async () => ({provider: spec.provider, baseUrl, apiKey, model: spec.model});
}
