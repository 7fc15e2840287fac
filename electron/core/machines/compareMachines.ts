import type {ImportedReport, MachineColumn, MachineComparison, MachineComparisonCell, MachineComparisonRow} from "../../api/MachinesApi.ts";
import type {LocalModelVerdict, Verdict} from "../../api/VerdictApi.ts";

/** Rows group the same model and quantization across machines: by catalog id when known, else by the model's label. */
export function comparisonKey(model: Pick<LocalModelVerdict, "catalogModelId" | "familyLabel" | "quantization">): string {
    return `${(model.catalogModelId ?? model.familyLabel).toLowerCase()}:${(model.quantization ?? "?").toUpperCase()}`;
}

function cellOf(model: LocalModelVerdict): MachineComparisonCell {
    const fit = model.criteria.find((c) => c.id === "fit");
    return {
        verdict: model.verdict,
        fit: {status: fit?.status ?? "unknown", value: fit?.value ?? "–"},
        generationTps: model.speed.generationTps,
        turnSeconds: model.speed.turnSeconds,
        eval: model.eval ? {successes: model.eval.successes, samples: model.eval.samples, successRate: model.eval.successRate} : null
    };
}

/**
 * This machine's live verdict and the newest report of every imported machine, side by side. Each
 * machine keeps its own column (a report of this machine's own hardware key too, marked), so no
 * number of one machine is ever read as another's.
 */
export function compareMachines(here: Verdict, imported: readonly ImportedReport[], hereLabel: string = here.machine.label): MachineComparison {
    const columns: {column: MachineColumn; verdict: Verdict}[] = [
        {
            column: {
                kind: "this",
                hardwareKey: here.machine.hardwareKey,
                label: hereLabel,
                generatedAt: here.generatedAt,
                answer: here.answer.verdict,
                sameHardwareAsThis: true,
                reportId: null
            },
            verdict: here
        },
        ...imported.map((report) => ({
            column: {
                kind: "imported" as const,
                hardwareKey: report.hardwareKey,
                label: report.label,
                generatedAt: report.generatedAt,
                answer: report.verdict.answer.verdict,
                sameHardwareAsThis: report.hardwareKey === here.machine.hardwareKey,
                reportId: report.id
            },
            verdict: report.verdict
        }))
    ];
    const rows = new Map<string, MachineComparisonRow>();
    columns.forEach(({verdict}, index) => {
        for (const model of verdict.local) {
            const key = comparisonKey(model);
            const row = rows.get(key) ?? {key, label: model.label, quantization: model.quantization, cells: columns.map(() => null)};
            // A machine with two files of the same model and quantization shows its better verdict.
            row.cells[index] ??= cellOf(model);
            rows.set(key, row);
        }
    });
    const order: Record<LocalModelVerdict["verdict"], number> = {usable: 0, almost: 1, untested: 2, no: 3, "no-fit": 4};
    const bestLevel = (row: MachineComparisonRow) => Math.min(...row.cells.map((c) => (c ? order[c.verdict] : 5)));
    return {
        machines: columns.map((c) => c.column),
        rows: [...rows.values()].sort((a, b) => bestLevel(a) - bestLevel(b) || b.cells.filter(Boolean).length - a.cells.filter(Boolean).length || a.label.localeCompare(b.label))
    };
}
