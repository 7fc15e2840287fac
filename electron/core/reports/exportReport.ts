import type {ReportExport, ReportFile, ReportFormat} from "../../api/VerdictApi.ts";
import {toLlamaBenchJson} from "../bench/toLlamaBenchJson.ts";
import {collectReportData, type ReportSources} from "./collectReportData.ts";
import {measurementsCsv} from "./measurementsCsv.ts";
import {renderHtml} from "./renderHtml.ts";
import {renderMarkdown} from "./renderMarkdown.ts";

export const reportFormats = ["md", "html", "csv", "json", "llama-bench", "inspect"] as const satisfies readonly ReportFormat[];

/**
 * A report of this machine's results. md and html summarise (the verdict, comparisons, charts);
 * csv and json carry every measurement; llama-bench is the benchmark contract's `-o json` shape
 * over all runs; inspect is one Inspect AI log per eval run (the eval's own exporter).
 */
export async function exportReport(format: ReportFormat, sources: ReportSources): Promise<ReportExport> {
    const data = await collectReportData(sources);
    const stamp = data.generatedAt.slice(0, 10);
    const file = (extension: string, mimeType: string, content: string): ReportFile[] => [{name: `agentfit-report-${stamp}.${extension}`, mimeType, content}];
    let files: ReportFile[];
    switch (format) {
        case "md":
            files = file("md", "text/markdown", renderMarkdown(data));
            break;
        case "html":
            files = file("html", "text/html", renderHtml(data));
            break;
        case "csv":
            files = file("csv", "text/csv", measurementsCsv(data));
            break;
        case "json":
            files = file("json", "application/json", `${JSON.stringify(data, null, 2)}\n`);
            break;
        case "llama-bench":
            files = [
                {
                    name: `agentfit-llama-bench-${stamp}.json`,
                    mimeType: "application/json",
                    content: `${JSON.stringify(data.bench.runs.flatMap((run) => toLlamaBenchJson(run, run.results)), null, 2)}\n`
                }
            ];
            break;
        case "inspect":
            files = [];
            for (const run of data.evals.runs.filter((r) => r.samples.some((s) => s.score !== null))) {
                const log = await sources.app["eval.exportInspect"]({runId: run.id});
                files.push({name: `agentfit-eval-${run.id}-${run.spec.task}.json`, mimeType: "application/json", content: `${JSON.stringify(log, null, 2)}\n`});
            }
            break;
    }
    return {format, generatedAt: data.generatedAt, files};
}
