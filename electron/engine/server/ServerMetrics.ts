import type {EngineMetrics} from "../../api/EngineApi.ts";

/** Counters of the OpenAI-compatible server, readable as JSON and as Prometheus text. */
export class ServerMetrics {
    requestsTotal = 0;
    requestsFailed = 0;
    requestsCancelled = 0;
    promptTokensTotal = 0;
    promptEvaluatedTokensTotal = 0;
    cachedTokensTotal = 0;
    completionTokensTotal = 0;
    promptMsTotal = 0;
    generationMsTotal = 0;
    lastTokensPerSecond: number | null = null;
    lastPromptTokensPerSecond: number | null = null;
    /** Errors by OpenAI error code (or HTTP status when there is none). */
    readonly errorsByCode = new Map<string, number>();

    constructor(private readonly live: () => {active: number; queued: number}) {}

    recordCompletion(usage: {promptTokens: number; cachedTokens: number; completionTokens: number; promptMs: number; generationMs: number}) {
        this.promptTokensTotal += usage.promptTokens;
        this.cachedTokensTotal += usage.cachedTokens;
        this.promptEvaluatedTokensTotal += usage.promptTokens - usage.cachedTokens;
        this.completionTokensTotal += usage.completionTokens;
        this.promptMsTotal += usage.promptMs;
        this.generationMsTotal += usage.generationMs;
        if (usage.generationMs > 0 && usage.completionTokens > 1) this.lastTokensPerSecond = ((usage.completionTokens - 1) * 1000) / usage.generationMs;
        if (usage.promptMs > 0) this.lastPromptTokensPerSecond = ((usage.promptTokens - usage.cachedTokens) * 1000) / usage.promptMs;
    }

    recordError(code: string) {
        this.requestsFailed++;
        this.errorsByCode.set(code, (this.errorsByCode.get(code) ?? 0) + 1);
    }

    snapshot(): EngineMetrics {
        const {active, queued} = this.live();
        return {
            requestsTotal: this.requestsTotal,
            requestsFailed: this.requestsFailed,
            requestsCancelled: this.requestsCancelled,
            active,
            queued,
            promptTokensTotal: this.promptTokensTotal,
            cachedTokensTotal: this.cachedTokensTotal,
            completionTokensTotal: this.completionTokensTotal,
            lastTokensPerSecond: this.lastTokensPerSecond,
            lastPromptTokensPerSecond: this.lastPromptTokensPerSecond
        };
    }

    /** Prometheus text exposition format 0.0.4, metric names in llama-server's style. */
    prometheus(): string {
        const {active, queued} = this.live();
        const lines: string[] = [];
        const metric = (name: string, type: "counter" | "gauge", help: string, value: number | string, labels?: string) => {
            lines.push(`# HELP agentfit:${name} ${help}`, `# TYPE agentfit:${name} ${type}`, `agentfit:${name}${labels ?? ""} ${value}`);
        };
        metric("requests_total", "counter", "Chat completion requests received.", this.requestsTotal);
        metric("requests_failed_total", "counter", "Requests answered with an error.", this.requestsFailed);
        metric("requests_cancelled_total", "counter", "Requests whose client disconnected before the end.", this.requestsCancelled);
        metric("prompt_tokens_total", "counter", "Prompt tokens of completed requests.", this.promptTokensTotal);
        metric("prompt_tokens_cached_total", "counter", "Prompt tokens reused from a sequence cache.", this.cachedTokensTotal);
        metric("prompt_tokens_evaluated_total", "counter", "Prompt tokens evaluated.", this.promptEvaluatedTokensTotal);
        metric("tokens_predicted_total", "counter", "Generated tokens.", this.completionTokensTotal);
        metric("prompt_seconds_total", "counter", "Prompt evaluation time.", (this.promptMsTotal / 1000).toFixed(6));
        metric("tokens_predicted_seconds_total", "counter", "Generation time.", (this.generationMsTotal / 1000).toFixed(6));
        metric(
            "prompt_tokens_seconds",
            "gauge",
            "Average prompt throughput in tokens/s.",
            this.promptMsTotal > 0 ? ((this.promptEvaluatedTokensTotal * 1000) / this.promptMsTotal).toFixed(3) : 0
        );
        metric(
            "predicted_tokens_seconds",
            "gauge",
            "Average generation throughput in tokens/s.",
            this.generationMsTotal > 0 ? ((this.completionTokensTotal * 1000) / this.generationMsTotal).toFixed(3) : 0
        );
        metric("requests_processing", "gauge", "Requests generating now.", active);
        metric("requests_deferred", "gauge", "Requests waiting for a free sequence (queue depth).", queued);
        lines.push("# HELP agentfit:errors_total Errors by code.", "# TYPE agentfit:errors_total counter");
        for (const [code, count] of this.errorsByCode) lines.push(`agentfit:errors_total{code="${code.replace(/["\\\n]/g, "_")}"} ${count}`);
        return lines.join("\n") + "\n";
    }
}
