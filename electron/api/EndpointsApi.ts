/**
 * Benchmarks of a model served somewhere else: any OpenAI-compatible endpoint (llama-server, vLLM,
 * SGLang, Ollama, LM Studio, another `agentfit serve`), measured through its API the way a coding
 * agent uses it, and stored per endpoint, never mixed with this machine's results. Types only.
 */

/** The wire protocol of the endpoint: OpenAI chat completions (`/chat/completions`) or Anthropic Messages (`/messages`). */
export type EndpointProtocol = "openai" | "anthropic";

/** Which server answered, as far as its API tells (the eval's `ServedModelFacts.server`, read by the same detector). */
export type EndpointServerKind = "ollama" | "lm-studio" | "llama-server" | "agentfit" | "openai-compatible";

/** `endpoints.bench`: what to measure. Every field but `baseUrl` and `model` has a default. */
export interface EndpointBenchRequest extends EndpointConnectRequest {
    /** Model id as the server names it (`GET /models`). */
    model: string;
    /** Approximate prompt sizes of the time-to-first-token test, tokens. Default [128, 512, 2048]. */
    promptSizes?: number[];
    /** Tokens generated per request in the generation test. Default 128. */
    generatedTokens?: number;
    /** Timed repetitions of the TTFT and generation tests. Default 3. 1–20. */
    repetitions?: number;
    /** Agent turns with a growing shared prefix. Default 4; 0 skips the test. */
    agentTurns?: number;
    /** Simultaneous streams to try. Default [1, 2, 4, 8]; [] skips the test. */
    concurrency?: number[];
    /** Tokens generated per stream in the concurrency test. Default 64. */
    concurrencyTokens?: number;
    /** The server's GPU type (`models.serverPresets` gpus, e.g. "l4"), when known: the run then calibrates predictions for that GPU's presets. */
    serverGpu?: string;
}

/** Where an endpoint is and how to reach it. */
export interface EndpointConnectRequest {
    /**
     * The API's base URL, ending before `/chat/completions` or `/messages`, e.g. "http://gpu-box:8080/v1".
     * For the Anthropic protocol a URL without a version (Anthropic's own convention, "http://gpu-box:8080") gets `/v1`.
     */
    baseUrl: string;
    /** Default "openai". */
    protocol?: EndpointProtocol;
    /** Name of the environment variable holding the API key (read when the run starts, never stored). Default: no key. */
    apiKeyEnv?: string;
    /** The key itself, for this request only: held in memory while the run measures, never stored or logged. Not with `apiKeyEnv`. */
    apiKey?: string;
}

/** `endpoints.connect`: what the endpoint serves, before anything is measured. */
export interface EndpointConnectResult {
    /** The base URL as runs will store it. */
    baseUrl: string;
    protocol: EndpointProtocol;
    /** Model ids `GET /models` lists. */
    models: string[];
    /** What the server says about the first listed model, null when it lists none. */
    server: EndpointServerInfo | null;
}

/** The request with defaults filled in, as stored with the run (the key's variable name, never the key). */
export interface EndpointBenchSpec {
    baseUrl: string;
    model: string;
    protocol: EndpointProtocol;
    apiKeyEnv: string | null;
    /** A key was given with the request (kept in memory for the run, never stored). Absent in older runs. */
    apiKeyInMemory?: boolean;
    promptSizes: number[];
    generatedTokens: number;
    repetitions: number;
    agentTurns: number;
    concurrency: number[];
    concurrencyTokens: number;
    serverGpu: string | null;
}

/** What the server says about itself and the model. */
export interface EndpointServerInfo {
    kind: EndpointServerKind;
    /** Model ids `GET /models` lists. */
    models: string[];
    /** The model file or name the server reports for the benchmarked id (llama-server's `model_path`, AgentFit's `meta.path`). */
    reportedModel: string | null;
    /** Quantization the server reports (Ollama, LM Studio, AgentFit) or read from the reported file name or id (e.g. "Q4_K_M"), null when none is named. */
    quantization: string | null;
    /** The context the model was trained for, tokens, when the server says. Absent in runs stored before it was read. */
    trainedContextSize?: number | null;
    /** Context per sequence the server reports, tokens. */
    contextSize: number | null;
    /** Parallel sequences (slots) the server reports. */
    parallelSlots: number | null;
}

/** Timings a llama.cpp-based server reports with a completion (`timings`), in its own units. */
export interface EndpointServerTimings {
    promptTokens: number;
    promptMs: number;
    cachedTokens: number;
    generatedTokens: number;
    generationMs: number;
}

/** One streamed request as the client saw it. */
export interface EndpointRequestSample {
    /** Prompt tokens the server counted (`usage.prompt_tokens`), or null when it reports no usage. */
    promptTokens: number | null;
    /** Prompt tokens reused from the server's cache (`usage.prompt_tokens_details.cached_tokens` or `timings.cache_n`), null when not reported. */
    cachedTokens: number | null;
    /** Generated tokens (`usage.completion_tokens`, else streamed content chunks). */
    generatedTokens: number;
    /** Request sent → first streamed token, ms. */
    timeToFirstTokenMs: number;
    /** Request sent → stream ended, ms. */
    totalMs: number;
    /** Generated tokens after the first ÷ time from the first to the last token; null with fewer than 2 tokens. */
    generationTps: number | null;
    /** The server's own timings, when it reports them. */
    server: EndpointServerTimings | null;
}

/** Time to first token at one prompt size. */
export interface EndpointTtftResult {
    /** Prompt size asked for (approximate tokens). */
    targetTokens: number;
    samples: EndpointRequestSample[];
    /** Median TTFT, ms. */
    timeToFirstTokenMs: number;
    /** Prompt tokens the server counted (median). */
    promptTokens: number | null;
}

export interface EndpointAgentTurn extends EndpointRequestSample {
    turn: number;
}

/** Whether the server reuses the shared prefix of an agent's growing conversation. */
export interface EndpointPrefixCache {
    /** "detected" when the server reports cached tokens or warm turns start much faster than the same prompt cold. */
    status: "detected" | "not-detected";
    /** "server": cached tokens the server reported; "timing": warm against cold time to first token. */
    evidence: "server" | "timing";
    /** Of the prompt tokens of turns after the first, the share the server reported cached; null when not reported. */
    reportedCachedShare: number | null;
    /** Median TTFT of turns after the first ÷ TTFT of the last turn's prompt sent cold (unique prefix). */
    warmToColdTtftRatio: number | null;
    /** One sentence for people. */
    summary: string;
}

export interface EndpointAgentResult {
    turns: EndpointAgentTurn[];
    /** The last turn's whole prompt with a fresh prefix, timed like a first request. */
    cold: EndpointRequestSample;
    prefixCache: EndpointPrefixCache;
    /** Mean time per turn (request to last token), seconds. */
    turnSeconds: number;
}

/** One level of concurrency: `streams` requests sent at once. */
export interface EndpointConcurrencyResult {
    streams: number;
    samples: EndpointRequestSample[];
    /** All generated tokens ÷ wall time from the first request to the last token, tok/s. */
    aggregateTps: number;
    /** Median of each stream's generation speed, tok/s. */
    perStreamTps: number | null;
    /** Request latency (send → last token) percentiles, ms. */
    latencyP50Ms: number;
    latencyP95Ms: number;
    /** Most streams seen generating at the same moment (first to last token overlapping): the server's effective parallelism. */
    observedParallel: number;
}

/** The run's figures in one place, client-side and (when reported) server-side. */
export interface EndpointBenchSummary {
    /** Prompt processing from the client: prompt-token difference ÷ TTFT difference between the smallest and largest sizes, tok/s. */
    promptTps: number | null;
    /** The server's own prompt speed (its `timings`), median over the TTFT test, tok/s. */
    serverPromptTps: number | null;
    /** Generation speed from streamed token timing, median, tok/s. */
    generationTps: number | null;
    /** The server's own generation speed, median, tok/s. */
    serverGenerationTps: number | null;
    /** TTFT at the smallest prompt size, ms. */
    timeToFirstTokenMs: number | null;
    turnSeconds: number | null;
    prefixCache: EndpointPrefixCache["status"] | null;
    /** Highest aggregate tok/s over the concurrency levels, and at how many streams. */
    bestAggregateTps: number | null;
    bestAggregateStreams: number | null;
    observedParallel: number | null;
}

export type EndpointRunStatus = "running" | "completed" | "failed" | "cancelled" | "interrupted";

export type EndpointPhase = "ttft" | "generation" | "agent" | "concurrency";

export interface EndpointBenchRun {
    id: number;
    createdAt: string;
    completedAt: string | null;
    status: EndpointRunStatus;
    spec: EndpointBenchSpec;
    /** Stable key of the endpoint (`endpoint:<base URL>`): what keeps its results apart from any machine's. */
    endpointKey: string;
    server: EndpointServerInfo;
    /** Phase measuring now, null when none. */
    phase: EndpointPhase | null;
    /** Phases finished, in order. */
    phasesDone: EndpointPhase[];
    ttft: EndpointTtftResult[];
    generation: EndpointRequestSample[];
    agent: EndpointAgentResult | null;
    concurrency: EndpointConcurrencyResult[];
    summary: EndpointBenchSummary;
    error: {code: string; message: string} | null;
    appVersion: string;
}

export interface EndpointsApi {
    /** Checks an endpoint (reachable, key accepted) and lists its models with what the server says about them; stores nothing. */
    "endpoints.connect": (arg: EndpointConnectRequest) => Promise<EndpointConnectResult>;
    /**
     * Checks the endpoint (reachable, key accepted, model listed, streams well-formed SSE), then starts
     * a run in the background and returns it (status "running"). A check that fails stores nothing.
     */
    "endpoints.bench": (arg: EndpointBenchRequest) => Promise<EndpointBenchRun>;
    "endpoints.cancel": (arg: {runId: number}) => Promise<EndpointBenchRun>;
    /** Runs, newest first. */
    "endpoints.runs": (arg: {limit?: number}) => Promise<EndpointBenchRun[]>;
    "endpoints.run": (arg: {runId: number}) => Promise<EndpointBenchRun>;
}

export interface EndpointsEvents {
    /** A run's status or phase changed. */
    "endpoints.progress": EndpointBenchRun;
}
