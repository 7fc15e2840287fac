/**
 * The points of the verdict's charts (accuracy against speed, cost against accuracy), the same in
 * the UI (recharts) and the HTML report (inline SVG). Pure: the renderer bundles this file.
 */
import type {Verdict, VerdictLevel} from "../api/VerdictApi.ts";

export interface ChartPoint {
    key: string;
    label: string;
    /** The label next to a point: the model with its quantization for local models, the model without its provider for cloud ones. */
    shortLabel: string;
    group: "local" | "cloud";
    level: VerdictLevel;
    /** Eval success rate, 0–1. */
    successRate: number;
    /** Generation tokens/s: measured on this machine for local models, the eval's output rate for cloud models. */
    tokensPerSecond: number | null;
    /** Dollars per run (0 for local models); null when no price is known. */
    costPerRun: number | null;
    /** Agent wall time per eval run, seconds. */
    secondsPerRun: number | null;
}

/** Every evaluated model of the verdict as a chart point (models without eval results have no accuracy to plot). */
export function chartPoints(verdict: Verdict): ChartPoint[] {
    const evaluated = verdict.local.filter((l) => l.eval);
    const local: ChartPoint[] = evaluated
        .map((l) => ({
            key: l.key,
            label: l.label,
            shortLabel: l.label,
            group: "local",
            level: l.verdict,
            successRate: l.eval!.successRate,
            tokensPerSecond: l.speed.generationTps,
            costPerRun: l.eval!.costPerRun ?? 0,
            secondsPerRun: l.eval!.meanWallMs !== null ? l.eval!.meanWallMs / 1000 : null
        }));
    const cloud: ChartPoint[] = verdict.cloud.map((c) => ({
        key: c.key,
        label: c.label,
        shortLabel: c.model,
        group: "cloud",
        level: c.level,
        successRate: c.eval.successRate,
        tokensPerSecond: c.eval.outputTokensPerSecond,
        costPerRun: c.eval.costPerRun,
        secondsPerRun: c.eval.meanWallMs !== null ? c.eval.meanWallMs / 1000 : null
    }));
    return [...local, ...cloud];
}

/** Colours of the verdict levels (UI badges, charts, the HTML report, whose level pill writes white on them: each is at WCAG AA with white). */
export const levelColors: Record<VerdictLevel, string> = {usable: "#117a50", almost: "#9a5b00", no: "#c2323c", "no-fit": "#7a1f26", untested: "#5f6b7d"};

/** Where a point's label goes: lines above (0, 2, 4…) or below (1, 3…) the point. */
export interface LabelPlacement {
    /** Vertical offset of the label's baseline from the point's centre, px. */
    dy: number;
    /** Right of the point (start) or left of it (end), so no label runs off the plot's right edge. */
    anchor: "start" | "end";
}

/** A label line's height, px (11 px text). */
const LABEL_LINE_PX = 13;

/** Line n's baseline offset from the point's centre: 0 just above the mark, 1 just below, then further out on alternating sides. */
function lineOffset(line: number): number {
    const step = Math.floor(line / 2);
    return line % 2 === 0 ? -8 - LABEL_LINE_PX * step : 16 + LABEL_LINE_PX * step;
}

/** Width of an 11 px label, px per character: generous, so labels estimated apart are apart. */
const LABEL_CHAR_PX = 7;
/** Gap between a point's centre and its label, px. */
const LABEL_GAP_PX = 9;

/**
 * The width the Verdict screen places its chart labels for: recharts' responsive container knows the
 * plot's width only once laid out, so labels are placed as if the plot were this wide (narrower than
 * the screen's layouts draw it; the Verdict e2e test checks) and stand as far apart as placed or further.
 */
export const ASSUMED_SCREEN_PLOT_WIDTH = 320;

/** A label's width as a share of a plot `plotWidth` px wide (for placeChartLabels' `width`). */
export function labelWidthShare(text: string, plotWidth: number): number {
    return (LABEL_GAP_PX + LABEL_CHAR_PX * text.length) / plotWidth;
}

/**
 * Places point labels so that no two labels overlap and none leaves the plot (onto tick labels, axis
 * titles or a legend): each point takes the first line (above, below, further above…) inside the
 * plot that no earlier label it would overlap took. Two labels overlap when their points are close
 * in height and their text spans overlap across: a label runs right of its point (start) or, in the
 * plot's right part, left of it (end), so labels of distant points running towards each other can
 * overlap too. Positions are shares of the plot (0–1 on each axis, y up) with the label's `width` as
 * a share of the plot's width (labelWidthShare; `near.x` when not given); `plotHeight` is the plot's
 * height in px; `near.y` is how close in height two labels must be to collide.
 */
export function placeChartLabels(positions: readonly {x: number; y: number; width?: number}[], plotHeight = 230, near = {x: 0.3, y: 0.09}): LabelPlacement[] {
    const lines: number[] = [];
    const anchorOf = (x: number) => (x > 0.6 ? "end" : "start");
    const spanOf = (p: {x: number; width?: number}): [number, number] => {
        const width = p.width ?? near.x;
        return anchorOf(p.x) === "end" ? [p.x - width, p.x] : [p.x, p.x + width];
    };
    return positions.map((p) => {
        const anchor = anchorOf(p.x);
        const [left, right] = spanOf(p);
        const overlaps = (q: {x: number; y: number; width?: number}) => {
            const [qLeft, qRight] = spanOf(q);
            return Math.abs(q.y - p.y) < near.y && qLeft < right && left < qRight;
        };
        const taken = new Set(lines.filter((_, j) => overlaps(positions[j]!)));
        const top = (1 - p.y) * plotHeight;
        const inside = (line: number) => top + lineOffset(line) >= 4 && top + lineOffset(line) <= plotHeight - 4;
        let line = 0;
        while (taken.has(line) || (!inside(line) && line < 12)) line++;
        lines.push(line);
        return {dy: lineOffset(line), anchor};
    });
}
