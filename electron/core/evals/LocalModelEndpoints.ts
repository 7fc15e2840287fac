import type {LocalModelSettings} from "../../api/EvalApi.ts";

export type {LocalModelSettings};

/**
 * What the eval needs from the local engine: a model loaded with the given settings behind an
 * OpenAI-compatible endpoint. The engine implements it; the eval then talks to the endpoint
 * exactly as it talks to a cloud provider.
 */
export interface LocalModelEndpoints {
    ensure(
        request: {model: string; settings?: LocalModelSettings},
        options?: {signal?: AbortSignal; onProgress?: (p: {phase: string; progress?: number}) => void}
    ): Promise<{baseUrl: string /* ends with /v1 */; apiKey?: string; model: string}>;
}
