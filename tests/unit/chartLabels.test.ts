import {describe, expect, it} from "vitest";
import {scatterSvg} from "../../electron/core/reports/scatterSvg.ts";
import {labelWidthShare, placeChartLabels, type ChartPoint} from "../../electron/shared/verdictCharts.ts";

const point = (label: string, successRate: number, tokensPerSecond: number, group: ChartPoint["group"] = "local"): ChartPoint => ({
    key: label,
    label,
    shortLabel: label,
    group,
    level: "no",
    successRate,
    tokensPerSecond,
    costPerRun: 0,
    secondsPerRun: null
});

/** The label texts of an SVG chart with their positions. */
function labels(svg: string): {text: string; x: number; y: number}[] {
    return [...svg.matchAll(/<g><title>[^<]*<\/title><(?:circle|rect)[^>]*\/><text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)<\/text><\/g>/g)].map((m) => ({x: Number(m[1]), y: Number(m[2]), text: m[3]!}));
}

describe("chart labels", () => {
    it("gives labels of points close together different lines, and leaves distant points on the first", () => {
        const placed = placeChartLabels([
            {x: 0.2, y: 0.5},
            {x: 0.22, y: 0.51},
            {x: 0.21, y: 0.52},
            {x: 0.9, y: 0.9}
        ]);
        expect(placed.map((p) => p.dy)).toEqual([-8, 16, -21, -8]);
        // At the bottom edge no label goes below the plot: the second takes the line further above.
        expect(placeChartLabels([{x: 0.2, y: 0}, {x: 0.2, y: 0}], 200).map((p) => p.dy)).toEqual([-8, -21]);
        // At the top edge none goes above it.
        expect(placeChartLabels([{x: 0.2, y: 1}], 200)[0]!.dy).toBe(16);
        expect(placed.map((p) => p.anchor)).toEqual(["start", "start", "start", "end"]);
    });

    it("gives labels that run towards each other from distant points different lines when their text would overlap", () => {
        // A slow model left of the middle (label to its right) and a fast one right of it (label to its left), at the same height.
        const slow = {x: 0.21, y: 0, width: labelWidthShare("SmolLM2-135M-Instruct.Q4_1", 320)};
        const fast = {x: 0.79, y: 0, width: labelWidthShare("random-guided:q8_0", 320)};
        const placed = placeChartLabels([slow, fast], 200);
        expect(placed.map((p) => p.anchor)).toEqual(["start", "end"]);
        expect(placed[0]!.dy).not.toBe(placed[1]!.dy);
        // Short labels that do not reach each other keep the first line.
        const short = placeChartLabels([{...slow, width: labelWidthShare("a:q4", 320)}, {...fast, width: labelWidthShare("b:q8", 320)}], 200);
        expect(short[0]!.dy).toBe(short[1]!.dy);
    });

    it("in the HTML report, names model and quantization and keeps labels apart, inside the plot and off the legend row", () => {
        const svg = scatterSvg({
            title: "Accuracy against speed",
            xLabel: "tokens/s",
            yLabel: "success",
            points: [point("SmolLM2-135M-Instruct.Q4_0", 0, 32), point("SmolLM2-135M-Instruct.Q8_0", 0, 30), point("gpt-4.1", 1, 60, "cloud")],
            x: (p) => p.tokensPerSecond,
            y: (p) => p.successRate,
            xLog: true,
            yDomain: [0, 1],
            formatX: String,
            formatY: String
        });
        const placed = labels(svg);
        expect(placed.map((l) => l.text)).toEqual(["SmolLM2-135M-Instruct.Q4_0", "SmolLM2-135M-Instruct.Q8_0", "gpt-4.1"]);
        // The two local models sit on one spot: their labels are on different lines.
        expect(Math.abs(placed[0]!.y - placed[1]!.y)).toBeGreaterThanOrEqual(12);
        // Every label is below the title and legend row (y ≤ 22) and above the x tick labels (the plot ends at 274).
        for (const l of placed) {
            expect(l.y).toBeGreaterThan(30);
            expect(l.y).toBeLessThanOrEqual(270);
        }
    });
});
