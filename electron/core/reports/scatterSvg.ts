import type {ChartPoint} from "../../shared/verdictCharts.ts";
import {labelWidthShare, levelColors, placeChartLabels} from "../../shared/verdictCharts.ts";

export interface ScatterOptions {
    title: string;
    xLabel: string;
    yLabel: string;
    points: readonly ChartPoint[];
    x: (p: ChartPoint) => number | null;
    y: (p: ChartPoint) => number | null;
    /** Logarithmic x axis (speeds span orders of magnitude). */
    xLog?: boolean;
    formatX: (v: number) => string;
    formatY: (v: number) => string;
    yDomain?: [number, number];
}

const W = 560;
const H = 320;
/** The top margin leaves the title and legend a row of their own, so no point label reaches them. */
const M = {top: 48, right: 24, bottom: 46, left: 78};

/**
 * A scatter plot as standalone SVG markup (no scripts, no external references): local models as
 * circles, cloud models as squares, coloured by verdict, each labelled.
 */
export function scatterSvg(o: ScatterOptions): string {
    const pts = o.points.map((p) => ({p, x: o.x(p), y: o.y(p)})).filter((d): d is {p: ChartPoint; x: number; y: number} => d.x !== null && d.y !== null && (!o.xLog || d.x > 0));
    const title = `<text x="${M.left}" y="20" font-size="14" font-weight="600" fill="#17202e">${esc(o.title)}</text>`;
    if (pts.length === 0)
        return svg(`${title}<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="13" fill="#5f6b7d">Nothing to plot yet</text>`, o.title);
    const xs = pts.map((d) => d.x);
    let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    if (o.xLog) {
        x0 = 10 ** Math.floor(Math.log10(x0));
        x1 = 10 ** Math.ceil(Math.log10(x1));
        if (x0 === x1) x1 = x0 * 10;
    } else {
        x0 = Math.min(0, x0);
        x1 = x1 === x0 ? x0 + 1 : x1 * 1.1;
    }
    const [y0, y1] = o.yDomain ?? [0, Math.max(...pts.map((d) => d.y)) * 1.1 || 1];
    const sx = (v: number) => M.left + (o.xLog ? (Math.log10(v) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0)) : (v - x0) / (x1 - x0)) * (W - M.left - M.right);
    const sy = (v: number) => H - M.bottom - ((v - y0) / (y1 - y0)) * (H - M.top - M.bottom);
    const xTicks = o.xLog ? range(Math.log10(x0), Math.log10(x1)).map((e) => 10 ** e) : linearTicks(x0, x1);
    const yTicks = linearTicks(y0, y1);
    const grid = [
        ...yTicks.map((v) => `<line x1="${M.left}" x2="${W - M.right}" y1="${sy(v)}" y2="${sy(v)}" stroke="#e3e8ef"/><text x="${M.left - 8}" y="${sy(v) + 4}" text-anchor="end" font-size="11" fill="#5f6b7d">${esc(o.formatY(v))}</text>`),
        ...xTicks.map((v) => `<line x1="${sx(v)}" x2="${sx(v)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#eef1f5"/><text x="${sx(v)}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11" fill="#5f6b7d">${esc(o.formatX(v))}</text>`)
    ].join("");
    const axes = `<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle" font-size="12" fill="#17202e">${esc(o.xLabel)}</text><text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12" fill="#17202e">${esc(o.yLabel)}</text>`;
    const plotWidth = W - M.left - M.right;
    const plotHeight = H - M.top - M.bottom;
    const placements = placeChartLabels(
        pts.map(({p, x, y}) => ({x: (sx(x) - M.left) / plotWidth, y: (H - M.bottom - sy(y)) / plotHeight, width: labelWidthShare(p.shortLabel, plotWidth)})),
        plotHeight
    );
    const marks = pts
        .map(({p, x, y}, i) => {
            const cx = sx(x);
            const cy = sy(y);
            const color = levelColors[p.level];
            const shape = p.group === "local" ? `<circle cx="${cx}" cy="${cy}" r="6" fill="${color}" fill-opacity="0.85"/>` : `<rect x="${cx - 6}" y="${cy - 6}" width="12" height="12" fill="${color}" fill-opacity="0.85"/>`;
            const {dy, anchor} = placements[i]!;
            const dx = anchor === "end" ? -9 : 9;
            return `<g><title>${esc(`${p.label}: ${o.formatY(y)}, ${o.formatX(x)}`)}</title>${shape}<text x="${cx + dx}" y="${cy + dy}" text-anchor="${anchor}" font-size="11" fill="#17202e">${esc(p.shortLabel)}</text></g>`;
        })
        .join("");
    const legend = `<g font-size="11" fill="#5f6b7d"><circle cx="${W - 150}" cy="16" r="5" fill="#5f6b7d"/><text x="${W - 141}" y="20">local</text><rect x="${W - 100}" y="11" width="10" height="10" fill="#5f6b7d"/><text x="${W - 86}" y="20">cloud</text></g>`;
    return svg(`${title}${legend}${grid}${axes}${marks}`, o.title);
}

function svg(body: string, label: string): string {
    return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(label)}" font-family="system-ui, sans-serif">${body}</svg>`;
}

function range(from: number, to: number): number[] {
    const out: number[] = [];
    for (let v = Math.round(from); v <= Math.round(to); v++) out.push(v);
    return out;
}

function linearTicks(min: number, max: number, count = 5): number[] {
    const step = niceStep((max - min) / count);
    const out: number[] = [];
    for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
    return out;
}

function niceStep(raw: number): number {
    const power = 10 ** Math.floor(Math.log10(raw || 1));
    const f = raw / power;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

export function esc(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
