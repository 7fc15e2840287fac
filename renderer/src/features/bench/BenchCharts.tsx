import {useState} from "react";
import {Bar, BarChart, CartesianGrid, LabelList, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis} from "recharts";
import type {BenchResult} from "../../../../electron/api/BenchApi.ts";

const palette = ["#4f46e5", "#14875a", "#b86e00", "#c2323c", "#2374c6", "#7c3aed", "#0f766e", "#9d174d"];

/** A short name per configuration that shows only what differs between the run's configurations. */
function configurationNames(results: BenchResult[]): Map<number, string> {
    const byConfiguration = new Map<number, BenchResult>();
    for (const r of results) if (!byConfiguration.has(r.configuration)) byConfiguration.set(r.configuration, r);
    const all = [...byConfiguration.values()];
    const varies = (pick: (r: BenchResult) => unknown) => new Set(all.map((r) => JSON.stringify(pick(r)))).size > 1;
    const fileVaries = varies((r) => r.model.path);
    const quantVaries = varies((r) => r.model.quantization);
    const names = new Map<number, string>();
    for (const [index, r] of byConfiguration) {
        const parts: string[] = [];
        if (fileVaries) parts.push(quantVaries && r.model.quantization ? r.model.quantization : r.model.fileName.replace(/\.gguf$/i, ""));
        if (varies((x) => x.requested.threads)) parts.push(`${r.requested.threads}t`);
        if (varies((x) => x.requested.kvCacheType)) parts.push(`KV ${r.requested.kvCacheType}`);
        if (varies((x) => x.requested.flashAttention)) parts.push(`FA ${r.requested.flashAttention ? "on" : "off"}`);
        if (varies((x) => x.requested.gpuLayers)) parts.push(`ngl ${r.requested.gpuLayers}`);
        names.set(index, parts.join(" · ") || r.model.quantization || r.model.fileName);
    }
    return names;
}

const tooltipFormat = (value: unknown) => [typeof value === "number" ? `${value.toFixed(value >= 100 ? 0 : 1)} tok/s` : String(value), undefined] as [string, undefined];

/**
 * Prompt processing and generation tokens/s at depth 0, one bar per quantization (or configuration),
 * in two panels: they differ by orders of magnitude (500 tok/s against 8), so one panel with two
 * axes would draw them at the same height. Each panel has one unit on one axis, starting at zero.
 */
export function QuantizationChart({results}: {results: BenchResult[]}) {
    const names = configurationNames(results);
    const rows = [...names.entries()].map(([configuration, name]) => {
        const at = (kind: "pp" | "tg") => results.find((r) => r.configuration === configuration && r.kind === kind && r.depth === 0 && r.status === "completed")?.avgTs ?? null;
        return {name, pp: at("pp"), tg: at("tg")};
    });
    const panels = [
        {key: "pp" as const, title: "Prompt processing (pp)", color: "#4f46e5"},
        {key: "tg" as const, title: "Generation (tg)", color: "#14875a"}
    ];
    return (
        <div className="chart chart-panels" data-testid="quantization-chart">
            {panels.map((panel) => (
                <figure key={panel.key} className="chart-panel" data-testid={`quantization-chart-${panel.key}`}>
                    <figcaption className="chart-panel-title">{panel.title}, tok/s</figcaption>
                    <ResponsiveContainer width="100%" height={220}>
                        <BarChart data={rows} margin={{top: 18, right: 8, bottom: 4, left: 0}}>
                            <CartesianGrid strokeDasharray="3 3" stroke="#e3e8ef" vertical={false} />
                            <XAxis dataKey="name" tick={{fontSize: 12}} interval={0} />
                            <YAxis tick={{fontSize: 12}} width={48} domain={[0, "auto"]} />
                            <Tooltip formatter={tooltipFormat} />
                            <Bar dataKey={panel.key} name={panel.title} fill={panel.color} radius={[4, 4, 0, 0]} isAnimationActive={false}>
                                <LabelList dataKey={panel.key} position="top" fontSize={11} fill="#17202e" formatter={(value: unknown) => (typeof value === "number" ? value.toFixed(value >= 100 ? 0 : 1) : "")} />
                            </Bar>
                        </BarChart>
                    </ResponsiveContainer>
                </figure>
            ))}
        </div>
    );
}

/** Tokens/s against the context depth, one line per configuration; generation or prompt processing. */
export function DepthChart({results}: {results: BenchResult[]}) {
    const [metric, setMetric] = useState<"tg" | "pp">("tg");
    const names = configurationNames(results);
    const depths = [...new Set(results.filter((r) => r.kind === metric).map((r) => r.depth))].sort((a, b) => a - b);
    const rows = depths.map((depth) => {
        const row: Record<string, number | null> = {depth};
        for (const [configuration, name] of names)
            row[name] = results.find((r) => r.configuration === configuration && r.kind === metric && r.depth === depth && r.status === "completed")?.avgTs ?? null;
        return row;
    });
    return (
        <div className="chart" data-testid="depth-chart">
            <div className="tabs" role="tablist">
                {(["tg", "pp"] as const).map((m) => (
                    <button key={m} role="tab" aria-selected={m === metric} className={`tab ${m === metric ? "active" : ""}`} onClick={() => setMetric(m)}>
                        {m === "tg" ? "Generation" : "Prompt processing"}
                    </button>
                ))}
            </div>
            {depths.length < 2 ? (
                <div className="empty-inline">Measure at two depths or more (e.g. 0,4096,16384) to see how speed falls as the context fills.</div>
            ) : (
                <ResponsiveContainer width="100%" height={248}>
                    <LineChart data={rows} margin={{top: 8, right: 16, bottom: 16, left: 8}}>
                        <CartesianGrid strokeDasharray="3 3" stroke="#e3e8ef" />
                        <XAxis dataKey="depth" type="number" domain={["dataMin", "dataMax"]} ticks={depths} tick={{fontSize: 12}} label={{value: "tokens in context", position: "insideBottom", offset: -4, fontSize: 12, fill: "#5f6b7d"}} />
                        <YAxis tick={{fontSize: 12}} label={{value: "tok/s", angle: -90, position: "insideLeft", fontSize: 12, fill: "#5f6b7d"}} />
                        <Tooltip formatter={tooltipFormat} labelFormatter={(depth) => `depth ${depth}`} />
                        {/* Above the plot: below it, the legend ran into the x axis title. */}
                        <Legend verticalAlign="top" height={28} />
                        {[...names.values()].map((name, i) => (
                            <Line key={name} type="monotone" dataKey={name} stroke={palette[i % palette.length]} strokeWidth={2} dot={{r: 3}} connectNulls isAnimationActive={false} />
                        ))}
                    </LineChart>
                </ResponsiveContainer>
            )}
        </div>
    );
}
