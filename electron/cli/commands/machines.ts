import type {Command} from "commander";
import type {MachineComparison, MachinesImportResult} from "../../api/MachinesApi.ts";
import {levelLabels} from "../../shared/verdictLevels.ts";
import {machineCellText} from "../../shared/verdictFormat.ts";
import {bold, dim, table, yellow} from "../utils/format.ts";
import {withAppService} from "../utils/withAppService.ts";

function describeImport(result: MachinesImportResult): string {
    const lines = [
        ...result.imported.map((r) => `imported  ${r.label}  ${dim(`(${r.generatedAt}, ${r.verdict.local.length} models) from ${r.source}`)}`),
        ...result.alreadyImported.map((r) => `unchanged ${r.label}  ${dim(`(${r.generatedAt}) already imported`)}`),
        ...result.skipped.map((s) => yellow(`skipped   ${s.path}: [${s.code}] ${s.message}`))
    ];
    return lines.join("\n");
}

/** The comparison as a table: one row per model and quantization, one column per machine. */
export function describeComparison(comparison: MachineComparison): string {
    const header = ["MODEL", ...comparison.machines.map((m) => `${m.kind === "this" ? "this machine: " : ""}${m.label}${m.kind === "imported" && m.sameHardwareAsThis ? " (same hardware, imported)" : ""}`)];
    const answers = ["answer", ...comparison.machines.map((m) => `${levelLabels[m.answer]} ${dim(`(${m.generatedAt.slice(0, 10)})`)}`)];
    const rows = comparison.rows.map((row) => [row.label, ...row.cells.map((cell) => (cell ? `${machineCellText(cell)} · ${cell.fit.value}` : dim("not tried")))]);
    return [table(header, [answers, ...rows]), dim("Each cell: verdict · generation · eval successes/runs · memory at the agent context. Each machine's numbers are its own.")].join("\n");
}

export function registerMachinesCommand(program: Command) {
    const machines = program.command("machines").description("Compare machines: import other machines' JSON reports and see them side by side");

    machines
        .command("import <path>")
        .description("Import a JSON report (agentfit report --format json), or every report in a folder; importing the same report again changes nothing")
        .option("--json", "print JSON")
        .action(async (target: string, options: {json?: boolean}) => {
            const result = await withAppService((app) => app["machines.import"]({path: target}));
            console.log(options.json ? JSON.stringify(result, null, 2) : describeImport(result));
        });

    machines
        .command("compare")
        .description("This machine and every imported machine side by side per model and quantization (fit, speed, eval success, verdict)")
        .option("--task <name>", "the eval task the verdicts read")
        .option("--json", "print JSON")
        .action(async (options: {task?: string; json?: boolean}) => {
            const comparison = await withAppService((app) => app["machines.compare"](options.task ? {task: options.task} : {}));
            if (options.json) return console.log(JSON.stringify(comparison, null, 2));
            if (comparison.machines.length === 1) console.log(dim("No other machine imported yet: agentfit machines import <report.json | folder>\n"));
            console.log(describeComparison(comparison));
        });

    machines
        .command("list", {isDefault: true})
        .description("Imported reports")
        .option("--json", "print JSON")
        .action(async (options: {json?: boolean}) => {
            const reports = await withAppService((app) => app["machines.list"]({}));
            if (options.json) return console.log(JSON.stringify(reports, null, 2));
            if (reports.length === 0) return console.log("No reports imported yet. Try: agentfit machines import <report.json | folder>");
            console.log(
                table(
                    ["id", "machine", "report of", "answer", "models", "source"],
                    reports.map((r) => [String(r.id), bold(r.label), r.generatedAt.replace("T", " ").slice(0, 19), levelLabels[r.verdict.answer.verdict], String(r.verdict.local.length), r.source])
                )
            );
        });
}
