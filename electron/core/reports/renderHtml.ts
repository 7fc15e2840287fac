import {formatCost, formatPercent} from "../../shared/evalFormat.ts";
import {chartPoints, levelColors} from "../../shared/verdictCharts.ts";
import {levelLabels} from "../../shared/verdictLevels.ts";
import {formatTps} from "../../shared/verdictFormat.ts";
import type {ReportData} from "./collectReportData.ts";
import {reportSections, type ReportTable} from "./reportSections.ts";
import {esc, scatterSvg} from "./scatterSvg.ts";

/** The report's stylesheet (exported for the contrast check in tests/unit/stylesheets.test.ts). */
export const reportCss = `
body{margin:0;background:#f4f6f9;color:#17202e;font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:1080px;margin:0 auto;padding:32px 28px 64px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:0 0 12px}h3{font-size:14px;margin:16px 0 8px;color:#5f6b7d}
.sub{color:#5f6b7d;margin:0 0 24px}
section{background:#fff;border:1px solid #e3e8ef;border-radius:10px;padding:18px 20px;margin:0 0 18px;box-shadow:0 1px 2px rgba(16,24,40,.05)}
.answer{border-left:6px solid var(--c);font-size:16px}
.answer p{font-weight:600;margin:0 0 10px}
.pill{display:inline-block;padding:2px 10px;border-radius:999px;color:#fff;font-size:12px;font-weight:700;text-transform:uppercase;letter-spacing:.4px;background:var(--c)}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:7px 8px;border-bottom:1px solid #eef1f5;vertical-align:top}
th{color:#5f6b7d;font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.3px}
ul{margin:8px 0 0;padding-left:20px}li{margin:3px 0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:12px}.charts svg{width:100%;height:auto}
footer{color:#5f6b7d;font-size:12px;text-align:center}
`;

/**
 * A self-contained HTML report: inline CSS and inline SVG charts, no scripts and no external
 * requests, so it opens anywhere and can be mailed or archived as one file.
 */
export function renderHtml(data: ReportData): string {
    const v = data.verdict;
    const points = chartPoints(v);
    const charts = [
        scatterSvg({
            title: "Accuracy against speed",
            xLabel: "generation speed, tokens/s (log scale)",
            yLabel: "refactor success",
            points,
            x: (p) => p.tokensPerSecond,
            y: (p) => p.successRate,
            xLog: true,
            yDomain: [0, 1],
            formatX: (x) => formatTps(x).replace(" tok/s", ""),
            formatY: (y) => formatPercent(y)
        }),
        scatterSvg({
            title: "Cost against accuracy",
            xLabel: "refactor success",
            yLabel: "dollars per run",
            points,
            x: (p) => p.successRate,
            y: (p) => p.costPerRun,
            formatX: (x) => formatPercent(x),
            formatY: (y) => formatCost(y).replace("free", "$0")
        })
    ];
    const body = reportSections(data)
        .map((section) => {
            const color = levelColors[v.answer.verdict];
            const head =
                section.id === "answer"
                    ? `<h2><span class="pill" data-verdict="${v.answer.verdict}">${esc(levelLabels[v.answer.verdict])}</span> ${esc(section.heading)}</h2>`
                    : `<h2>${esc(section.heading)}</h2>`;
            const parts = [
                head,
                ...(section.paragraphs ?? []).map((p) => `<p>${esc(p)}</p>`),
                section.table ? table(section.table) : "",
                ...(section.subtables ?? []).map((s) => `<h3>${esc(s.caption)}</h3>${table(s.table)}`),
                section.bullets?.length ? `<ul>${section.bullets.map((b) => `<li>${esc(b)}</li>`).join("")}</ul>` : ""
            ];
            const extra = section.id === "cloud" ? `<div class="charts">${charts.join("")}</div>` : "";
            return `<section id="${section.id}"${section.id === "answer" ? ` class="answer" style="--c:${color}"` : ""}>${parts.join("")}${extra}</section>`;
        })
        .join("\n");
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>AgentFit report — ${esc(v.machine.label)}</title><style>${reportCss}</style></head>
<body><main><h1>Can this machine run a usable coding agent?</h1><p class="sub">AgentFit report · ${esc(v.machine.label)} · ${esc(data.generatedAt)}</p>
${body}
<footer>AgentFit ${esc(data.appVersion)} · report schema ${esc(data.schema)}</footer></main></body></html>
`;
}

function table(t: ReportTable): string {
    return `<table><thead><tr>${t.columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead><tbody>${t.rows
        .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
        .join("")}</tbody></table>`;
}
