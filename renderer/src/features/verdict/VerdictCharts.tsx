import {CartesianGrid, Cell, LabelList, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis, type LabelProps} from "recharts";
import type {Verdict} from "../../../../electron/api/VerdictApi.ts";
import {formatCost, formatPercent} from "../../../../electron/shared/evalFormat.ts";
import {ASSUMED_SCREEN_PLOT_WIDTH, chartPoints, labelWidthShare, levelColors, placeChartLabels, type ChartPoint} from "../../../../electron/shared/verdictCharts.ts";
import {levelLabels} from "../../../../electron/shared/verdictLevels.ts";
import {formatTps} from "../../../../electron/shared/verdictFormat.ts";

/** The chart's height and the plot's inside it (less the margins and the x axis), px. */
const CHART_HEIGHT = 280;
const PLOT_HEIGHT = 200;

interface Plotted extends ChartPoint {
    x: number;
    y: number;
}

function Chart(props: {
    title: string;
    subtitle: string;
    testId: string;
    points: Plotted[];
    xLabel: string;
    yLabel: string;
    xLog?: boolean;
    xDomain?: [number, number];
    yDomain?: [number, number];
    formatX: (v: number) => string;
    formatY: (v: number) => string;
}) {
    // A log axis gets one tick per power of ten, so it reads at a glance.
    const xs = props.points.map((p) => p.x).filter((x) => x > 0);
    const logTicks =
        props.xLog && xs.length
            ? Array.from({length: Math.ceil(Math.log10(Math.max(...xs))) - Math.floor(Math.log10(Math.min(...xs))) + 1}, (_, i) => 10 ** (Math.floor(Math.log10(Math.min(...xs))) + i))
            : undefined;
    // Labels of points in the right part of the plot go to their left, so none runs off the edge.
    const xMax = Math.max(...props.points.map((p) => p.x), 0);
    const xMin = logTicks?.[0] ?? 0;
    const xRange = props.xDomain ? props.xDomain[1] : xMax;
    const share = (x: number) => (logTicks ? (Math.log10(x) - Math.log10(xMin)) / (Math.log10(logTicks.at(-1)!) - Math.log10(xMin) || 1) : x / (xRange || 1));
    // Labels of points close together take different lines (placeChartLabels, as in the HTML report).
    const yMax = props.yDomain?.[1] ?? Math.max(...props.points.map((p) => p.y), 0);
    const placements = placeChartLabels(
        props.points.map((p) => ({x: share(p.x), y: yMax > 0 ? p.y / yMax : 0, width: labelWidthShare(p.shortLabel, ASSUMED_SCREEN_PLOT_WIDTH)})),
        PLOT_HEIGHT
    );
    const placementOf = new Map(props.points.map((p, i) => [p.key, placements[i]!]));
    const label = (data: Plotted[]) => (labelProps: LabelProps) => {
        const point = data[Number(labelProps.index)];
        if (!point) return null;
        const cx = Number(labelProps.x) + Number(labelProps.width ?? 0) / 2;
        const cy = Number(labelProps.y) + Number(labelProps.height ?? 0) / 2;
        const {dy, anchor} = placementOf.get(point.key)!;
        return (
            <text x={cx + (anchor === "end" ? -9 : 9)} y={cy + dy} textAnchor={anchor} fontSize={11} fill="#17202e">
                {point.shortLabel}
            </text>
        );
    };
    const groups = [
        {name: "local", shape: "circle" as const, data: props.points.filter((p) => p.group === "local")},
        {name: "cloud", shape: "square" as const, data: props.points.filter((p) => p.group === "cloud")}
    ];
    return (
        <div className="verdict-chart" data-testid={props.testId} data-points={props.points.length}>
            <div className="chart-title">{props.title}</div>
            <div className="muted small">{props.subtitle}</div>
            {props.points.length === 0 ? (
                <div className="empty-inline">Nothing to plot yet: run the eval on a local and a cloud model.</div>
            ) : (
                <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
                    <ScatterChart margin={{top: 20, right: 36, bottom: 28, left: 8}}>
                        <CartesianGrid stroke="#e3e8ef" />
                        <XAxis
                            type="number"
                            dataKey="x"
                            scale={props.xLog ? "log" : "auto"}
                            domain={logTicks ? [logTicks[0]!, logTicks.at(-1)!] : (props.xDomain ?? [0, "auto"])}
                            ticks={logTicks}
                            tickFormatter={props.formatX}
                            label={{value: props.xLabel, position: "insideBottom", offset: -16, fontSize: 12}}
                            fontSize={11}
                            allowDataOverflow={false}
                        />
                        <YAxis type="number" dataKey="y" domain={props.yDomain ?? [0, "auto"]} tickFormatter={props.formatY} label={{value: props.yLabel, angle: -90, position: "insideLeft", fontSize: 12}} fontSize={11} width={78} />
                        <ZAxis range={[90, 90]} />
                        <Tooltip
                            cursor={{strokeDasharray: "3 3"}}
                            formatter={(value, name) => [name === "x" ? props.formatX(Number(value)) : props.formatY(Number(value)), name === "x" ? props.xLabel : props.yLabel]}
                            labelFormatter={() => ""}
                        />
                        {groups.map((g) => (
                            <Scatter key={g.name} name={g.name} data={g.data} shape={g.shape} legendType={g.shape} fill="#5f6b7d" isAnimationActive={false}>
                                {g.data.map((p) => (
                                    <Cell key={p.key} fill={levelColors[p.level]} />
                                ))}
                                <LabelList dataKey="shortLabel" content={label(g.data)} />
                            </Scatter>
                        ))}
                    </ScatterChart>
                </ResponsiveContainer>
            )}
            <div className="chart-key muted small">
                <span>● local</span>
                <span>■ cloud</span>
                {(["usable", "almost", "no", "no-fit"] as const).map((level) => (
                    <span key={level}>
                        <i style={{background: levelColors[level]}} /> {levelLabels[level]}
                    </span>
                ))}
            </div>
        </div>
    );
}

/** Accuracy against generation speed (log scale): up and to the right is better. */
export function AccuracySpeedChart({verdict}: {verdict: Verdict}) {
    const points = chartPoints(verdict)
        .filter((p) => p.tokensPerSecond !== null && p.tokensPerSecond > 0)
        .map((p) => ({...p, x: p.tokensPerSecond!, y: p.successRate}));
    return (
        <Chart
            title="Accuracy against speed"
            subtitle="Up and right is better. Local: measured generation here; cloud: output rate in the eval."
            testId="chart-accuracy-speed"
            points={points}
            xLabel="tokens/s (log)"
            yLabel="success"
            xLog
            yDomain={[0, 1]}
            formatX={(v) => formatTps(v).replace(" tok/s", "")}
            formatY={(v) => formatPercent(v)}
        />
    );
}

/** Cost per run against accuracy: down and to the right is better (local runs cost nothing per token). */
export function CostAccuracyChart({verdict}: {verdict: Verdict}) {
    const points = chartPoints(verdict)
        .filter((p) => p.costPerRun !== null)
        .map((p) => ({...p, x: p.successRate, y: p.costPerRun!}));
    return (
        <Chart
            title="Cost against accuracy"
            subtitle="Down and right is better. Local models cost nothing per token."
            testId="chart-cost-accuracy"
            points={points}
            xLabel="success"
            yLabel="$ per run"
            xDomain={[0, 1]}
            // With only free (local) runs, a cent keeps the axis from inventing dollars.
            yDomain={[0, Math.max(0.01, ...points.map((p) => p.y * 1.1))]}
            formatX={(v) => formatPercent(v)}
            formatY={(v) => formatCost(v).replace("free", "$0")}
        />
    );
}
