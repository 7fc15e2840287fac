import type {ServedModelFacts} from "../../api/EvalApi.ts";
import {quantizationInFileName} from "../gguf/ggufFileNames.ts";

/** What a server says about itself and one model it serves: the eval's facts plus what the endpoint benchmark needs. */
export interface ServedModelDetection extends ServedModelFacts {
    /** Model ids `GET /v1/models` lists; [] when it lists none or did not answer. */
    models: string[];
    /** The model file or name the server reports for the id (llama-server's `model_path`, AgentFit's `meta.path`). */
    reportedModel: string | null;
    /** Parallel sequences (slots) the server reports. */
    parallelSlots: number | null;
}

export interface DetectServedModelOptions {
    /** Sent as `Authorization: Bearer` unless `authHeaders` says how the server takes its key. */
    apiKey?: string | null;
    /** The key as the server's protocol sends it (Anthropic: `x-api-key`); replaces the bearer header. */
    authHeaders?: Record<string, string>;
    signal?: AbortSignal;
    /** Per request, ms. Default 3000: a server answers its metadata at once or not at all. */
    timeoutMs?: number;
    /** The answer of `GET /v1/models` when the caller fetched it already (the endpoint benchmark checks it strictly first). */
    modelList?: unknown;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const positive = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null);
const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value.trim() : null);
/** Ollama and LM Studio write "Q4_K_M"; llama.cpp's file types read "MOSTLY_Q4_K_M". */
const quantizationOf = (value: unknown): string | null => {
    const name = text(value);
    return name ? name.replace(/^MOSTLY_/i, "").toUpperCase() : null;
};
const quantizationInName = (value: unknown): string | null => {
    const name = text(value);
    return name ? quantizationInFileName(name) : null;
};

/**
 * The one reading of a server's metadata, for the eval (where a local server's model runs, its
 * quantization and context) and the endpoint benchmark (which server answered, its slots):
 *
 * - `GET /v1/models`: every server. llama-server (`owned_by: "llamacpp"`) adds `meta.n_ctx_train`;
 *   `agentfit serve` (`owned_by: "agentfit"`) adds `meta.{quantization, n_ctx, n_ctx_train, path, parallel}`;
 *   otherwise the model id (often a file name) may carry the quantization.
 * - Ollama: `POST /api/show {model}` → `details.quantization_level`, `model_info["<arch>.context_length"]`;
 *   `GET /api/ps` → `context_length` of the loaded model.
 * - LM Studio: `GET /api/v0/models/{model}` → `quantization`, `max_context_length`, `loaded_context_length`.
 * - llama-server: `GET /props` → `model_path` (a file name with the quantization), `total_slots`,
 *   `default_generation_settings.n_ctx` (the context of one slot).
 *
 * Each request is best effort: a server that does not answer one just leaves its fields null.
 */
export async function detectServedModel(baseUrl: string, model: string, options: DetectServedModelOptions = {}): Promise<ServedModelDetection> {
    const facts: ServedModelDetection = {
        server: "openai-compatible",
        quantization: null,
        trainedContextSize: null,
        contextSize: null,
        sources: [],
        models: [],
        reportedModel: null,
        parallelSlots: null
    };
    const v1 = baseUrl.replace(/\/+$/, "");
    // The servers' own APIs live beside their OpenAI-compatible /v1.
    const root = v1.replace(/\/v\d+$/, "");
    const request = async (method: "GET" | "POST", url: string, body?: Json): Promise<Json | null> => {
        options.signal?.throwIfAborted();
        try {
            const response = await fetch(url, {
                method,
                headers: {Accept: "application/json", ...(body ? {"Content-Type": "application/json"} : {}), ...(options.authHeaders ?? (options.apiKey ? {Authorization: `Bearer ${options.apiKey}`} : {}))},
                body: body ? JSON.stringify(body) : undefined,
                signal: AbortSignal.any([AbortSignal.timeout(options.timeoutMs ?? 3000), ...(options.signal ? [options.signal] : [])])
            });
            if (!response.ok) {
                await response.body?.cancel();
                return null;
            }
            const json: unknown = await response.json();
            if (!isObject(json)) return null;
            facts.sources.push(`${method} ${url.slice(root.length) || "/"}`);
            return json;
        } catch {
            options.signal?.throwIfAborted();
            return null;
        }
    };
    type Field = "quantization" | "trainedContextSize" | "contextSize" | "reportedModel" | "parallelSlots";
    const fill = (field: Field, value: string | number | null) => {
        if (facts[field] === null && value !== null) (facts as unknown as Record<string, unknown>)[field] = value;
    };

    let list: Json | null;
    if (options.modelList === undefined) list = await request("GET", `${v1}/models`);
    else {
        list = isObject(options.modelList) ? options.modelList : null;
        if (list) facts.sources.push(`GET ${v1.slice(root.length)}/models`);
    }
    const entries = Array.isArray(list?.data) ? (list.data as unknown[]).filter(isObject).filter((m) => typeof m.id === "string") : [];
    facts.models = entries.map((m) => m.id as string);
    const entry = entries.find((m) => m.id === model);
    const owner = text(entry?.owned_by);
    if (owner === "llamacpp") facts.server = "llama-server";
    if (owner === "agentfit") facts.server = "agentfit";
    if (isObject(entry?.meta)) {
        if (facts.server === "openai-compatible" && typeof entry.meta.path === "string") facts.server = "agentfit";
        fill("quantization", quantizationOf(entry.meta.quantization));
        fill("trainedContextSize", positive(entry.meta.n_ctx_train));
        fill("contextSize", positive(entry.meta.n_ctx));
        fill("reportedModel", text(entry.meta.path));
        fill("parallelSlots", positive(entry.meta.parallel));
        fill("quantization", quantizationInName(entry.meta.path));
    }
    // llama-server also lists its model Ollama-style under "models".
    const listed = Array.isArray(list?.models) ? (list.models as unknown[]).filter(isObject).find((m) => m.model === model || m.name === model) : undefined;
    if (isObject(listed?.details)) fill("quantization", quantizationOf(listed.details.quantization_level));

    if (facts.server === "openai-compatible") {
        const show = await request("POST", `${root}/api/show`, {model});
        if (show && (isObject(show.details) || isObject(show.model_info))) {
            facts.server = "ollama";
            if (isObject(show.details)) fill("quantization", quantizationOf(show.details.quantization_level));
            if (isObject(show.model_info)) {
                const architecture = text(show.model_info["general.architecture"]);
                fill("trainedContextSize", positive(architecture ? show.model_info[`${architecture}.context_length`] : null));
            }
            const ps = await request("GET", `${root}/api/ps`);
            const running = Array.isArray(ps?.models) ? (ps.models as unknown[]).filter(isObject).find((m) => m.model === model || m.name === model) : undefined;
            fill("contextSize", positive(running?.context_length));
        }
    }
    if (facts.server === "openai-compatible") {
        const lmStudio = await request("GET", `${root}/api/v0/models/${encodeURIComponent(model)}`);
        if (lmStudio && (lmStudio.id === model || "max_context_length" in lmStudio)) {
            facts.server = "lm-studio";
            fill("quantization", quantizationOf(lmStudio.quantization));
            fill("trainedContextSize", positive(lmStudio.max_context_length));
            fill("contextSize", positive(lmStudio.loaded_context_length));
        }
    }
    if (facts.server === "openai-compatible" || facts.server === "llama-server") {
        const props = await request("GET", `${root}/props`);
        if (props && ("model_path" in props || "default_generation_settings" in props || "total_slots" in props)) {
            facts.server = "llama-server";
            fill("reportedModel", text(props.model_path));
            fill("quantization", quantizationInName(props.model_path));
            fill("parallelSlots", positive(props.total_slots));
            if (isObject(props.default_generation_settings)) fill("contextSize", positive(props.default_generation_settings.n_ctx));
        }
    }
    fill("quantization", quantizationInName(model));
    return facts;
}

/** The facts an eval run keeps of a served model (its spec's `server`). */
export function servedModelFacts(detection: ServedModelDetection): ServedModelFacts {
    const {server, quantization, trainedContextSize, contextSize, sources} = detection;
    return {server, quantization, trainedContextSize, contextSize, sources};
}
