import type {ReportData} from "./collectReportData.ts";

/** Columns of the long-format CSV: one row per measured value, so any tool can pivot it. */
export const csvColumns = [
    "source",
    "run_id",
    "item_id",
    "provider",
    "model",
    "quantization",
    "task",
    "test",
    "settings",
    "metric",
    "value",
    "unit",
    "detail",
    "measured_at"
] as const;

type Row = Record<(typeof csvColumns)[number], string | number | null>;

/**
 * Every measurement in the store as CSV (RFC 4180): each eval sample's scores, turns, tokens and
 * times; each benchmark result's speeds; each model load's memory.
 */
export function measurementsCsv(data: ReportData): string {
    const rows: Row[] = [];
    for (const run of data.evals.runs) {
        const m = run.spec.model;
        for (const s of run.samples) {
            if (s.score === null) continue;
            const base = {
                source: "eval_sample",
                run_id: run.id,
                item_id: s.id,
                provider: m.provider,
                model: m.model,
                quantization: m.quantization ?? null,
                task: run.spec.task,
                test: `epoch ${s.epoch}`,
                settings: run.spec.systemPrompt,
                detail: s.failureMode,
                measured_at: s.completedAt
            };
            const add = (metric: string, value: number | null, unit: string) => rows.push({...base, metric, value, unit});
            add("score", s.score === "C" ? 1 : 0, "1 = passed");
            add("strict_score", s.strictScore === "C" ? 1 : 0, "1 = passed");
            add("turns", s.turns, "count");
            add("input_tokens", s.usage.inputTokens, "tokens");
            add("cached_input_tokens", s.usage.cachedInputTokens, "tokens");
            add("output_tokens", s.usage.outputTokens, "tokens");
            add("tool_calls", s.toolCalls, "count");
            add("wall_ms", s.wallMs, "ms");
            add("model_ms", s.modelMs, "ms");
        }
    }
    for (const run of data.bench.runs) {
        for (const r of run.results) {
            if (r.status !== "completed") continue;
            const settings = r.settings
                ? `threads=${r.settings.threads} gpu_layers=${r.settings.gpuLayers} kv=${r.settings.kvCacheType} fa=${r.settings.flashAttention ? 1 : 0} ctx=${r.settings.contextSize} batch=${r.settings.batchSize}${run.engine?.binary ? ` engine=${run.engine.binary}` : ""}`
                : null;
            const base = {
                source: "bench",
                run_id: run.id,
                item_id: r.id,
                provider: "local",
                model: r.model.path,
                quantization: r.model.quantization,
                task: null,
                test: `${r.kind} p${r.promptTokens} g${r.generatedTokens} d${r.depth}`,
                settings,
                detail: null,
                measured_at: r.measuredAt
            };
            const add = (metric: string, value: number | null, unit: string) => rows.push({...base, metric, value, unit});
            add("avg_ts", r.avgTs, "tokens/s");
            add("stddev_ts", r.stddevTs, "tokens/s");
            add("avg_ns", r.avgNs, "ns");
            if (r.timeToFirstTokenMs.length) add("ttft_ms", r.timeToFirstTokenMs.reduce((a, b) => a + b, 0) / r.timeToFirstTokenMs.length, "ms");
            if (r.agentTurns.length) add("agent_turn_ms", r.agentTurns.reduce((a, b) => a + b.totalMs, 0) / r.agentTurns.length, "ms");
        }
    }
    for (const load of data.modelLoads) {
        if (load.outcome !== "loaded" || !load.memory) continue;
        const base = {
            source: "model_load",
            run_id: null,
            item_id: load.id,
            provider: "local",
            model: load.modelPath,
            quantization: null,
            task: null,
            test: "load",
            settings: load.settings ? `ctx=${load.settings.contextSize} kv=${load.settings.kvCacheType} gpu_layers=${load.settings.gpuLayers}` : null,
            detail: null,
            measured_at: load.loadedAt
        };
        const add = (metric: string, value: number | null, unit: string) => rows.push({...base, metric, value, unit});
        add("resident_bytes", load.memory.residentBytes, "bytes");
        add("vram_bytes", load.memory.vramBytes, "bytes");
        add("estimated_ram_bytes", load.memory.estimatedRamBytes, "bytes");
        add("load_ms", load.loadMs, "ms");
    }
    return [csvColumns.join(","), ...rows.map((row) => csvColumns.map((c) => csvField(row[c])).join(","))].join("\r\n") + "\r\n";
}

function csvField(value: string | number | null): string {
    if (value === null) return "";
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
