import type {EndpointServerInfo} from "../../api/EndpointsApi.ts";
import {EndpointError} from "./EndpointError.ts";
import {getEndpointJson, type EndpointConnection} from "./streamChatCompletion.ts";

/** "Qwen3-8B-Q4_K_M.gguf" → "Q4_K_M"; an Ollama tag such as "qwen3:8b-q4_K_M" → "Q4_K_M". */
export function quantizationFromName(name: string | null): string | null {
    if (!name) return null;
    const match = /(?:^|[-_.:/])(I?Q\d(?:_[A-Z0-9]+)*|MXFP4|BF16|F16|F32)(?=$|[-_.:/]|\.gguf)/i.exec(name.replace(/\.gguf$/i, ""));
    return match ? match[1]!.toUpperCase() : null;
}

interface ModelList {
    data?: {id?: string; meta?: {path?: string; n_ctx?: number; parallel?: number}}[];
}

interface LlamaServerProps {
    model_path?: string;
    total_slots?: number;
    default_generation_settings?: {n_ctx?: number};
}

/**
 * What the server says about itself: its model list (the model must be in it when it lists any),
 * AgentFit's `meta` on a model, or llama-server's `/props` (at the server's root), from which the
 * model file, its quantization, the context and the parallel slots are read.
 */
export async function describeEndpoint(connection: EndpointConnection, model: string): Promise<EndpointServerInfo> {
    const list = (await getEndpointJson(connection, "/models")) as ModelList | null;
    const entries = Array.isArray(list?.data) ? list.data.filter((m) => typeof m?.id === "string") : [];
    const models = entries.map((m) => m.id!);
    if (models.length > 0 && !models.includes(model))
        throw new EndpointError("ENDPOINT_MODEL_NOT_FOUND", `${connection.baseUrl} does not serve a model "${model}"; it lists: ${models.join(", ")}.`);
    const entry = entries.find((m) => m.id === model);
    if (entry?.meta?.path)
        return {
            kind: "agentfit",
            models,
            reportedModel: entry.meta.path,
            quantization: quantizationFromName(entry.meta.path) ?? quantizationFromName(model),
            contextSize: entry.meta.n_ctx ?? null,
            parallelSlots: entry.meta.parallel ?? null
        };
    const root = connection.baseUrl.replace(/\/v\d+$/, "");
    let props: LlamaServerProps | null = null;
    try {
        props = (await getEndpointJson({...connection, baseUrl: root}, "/props")) as LlamaServerProps | null;
    } catch (error) {
        // /props is llama-server's own; another server may refuse it in any way, which only means it is not llama-server.
        if ((error as {code?: string}).code === "ENDPOINT_UNREACHABLE") throw error;
    }
    if (props && typeof props === "object" && (props.model_path !== undefined || props.total_slots !== undefined))
        return {
            kind: "llama-server",
            models,
            reportedModel: props.model_path ?? null,
            quantization: quantizationFromName(props.model_path ?? null) ?? quantizationFromName(model),
            contextSize: props.default_generation_settings?.n_ctx ?? null,
            parallelSlots: props.total_slots ?? null
        };
    return {kind: "openai-compatible", models, reportedModel: null, quantization: quantizationFromName(model), contextSize: null, parallelSlots: null};
}
