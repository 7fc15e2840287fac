import type {EndpointBenchRun} from "../api/EndpointsApi.ts";

const tps = (value: number | null) => (value === null ? "–" : `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} tok/s`);
const ms = (value: number | null) => (value === null ? "–" : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);

/** "Q4_K_M · llama-server · http://gpu:8080/v1": what a run measured, as one line. */
export function endpointLabel(run: Pick<EndpointBenchRun, "spec" | "server">): string {
    const model = run.server.reportedModel ? run.server.reportedModel.split(/[\\/]/).at(-1)! : run.spec.model;
    return `${model}${run.server.quantization && !model.toUpperCase().includes(run.server.quantization) ? ` (${run.server.quantization})` : ""} · ${run.server.kind} · ${run.spec.baseUrl}`;
}

/** The run's figures as label/value rows (client-side figures with the server's own beside them), for the CLI and the UI. */
export function endpointSummaryRows(run: EndpointBenchRun): [string, string][] {
    const s = run.summary;
    const vsServer = (client: number | null, server: number | null) =>
        server === null ? tps(client) : `${tps(client)} (server reports ${tps(server)}${client !== null && server > 0 ? `, client ÷ server ${(client / server).toFixed(2)}` : ""})`;
    const rows: [string, string][] = [
        ["time to first token", run.ttft.map((t) => `${ms(t.timeToFirstTokenMs)} @ ${t.promptTokens ?? `~${t.targetTokens}`} tokens`).join(", ") || "–"],
        ["prompt processing", vsServer(s.promptTps, s.serverPromptTps)],
        ["generation", vsServer(s.generationTps, s.serverGenerationTps)]
    ];
    if (run.agent) {
        rows.push(["agent turn", `${s.turnSeconds!.toFixed(1)} s mean over ${run.agent.turns.length} turns (prompt ${run.agent.turns.map((t) => t.promptTokens ?? "?").join(" → ")} tokens)`]);
        rows.push(["prefix cache", `${run.agent.prefixCache.status === "detected" ? "works" : "not detected"}: ${run.agent.prefixCache.summary}`]);
    }
    for (const c of run.concurrency)
        rows.push([
            `${c.streams} stream${c.streams === 1 ? "" : "s"}`,
            `${tps(c.aggregateTps)} aggregate, ${tps(c.perStreamTps)} per stream, latency p50 ${ms(c.latencyP50Ms)} / p95 ${ms(c.latencyP95Ms)}, ${c.observedParallel} generating at once`
        ]);
    const slots = run.server.parallelSlots !== null ? `; the server reports ${run.server.parallelSlots} parallel slot${run.server.parallelSlots === 1 ? "" : "s"}` : "";
    if (s.observedParallel !== null) rows.push(["parallelism", `at most ${s.observedParallel} stream${s.observedParallel === 1 ? "" : "s"} generated at once${slots}`]);
    return rows;
}
