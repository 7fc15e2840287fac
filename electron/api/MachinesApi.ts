/**
 * Other machines' results side by side with this one's: JSON reports (`agentfit report --format
 * json`) imported from teammates' laptops or servers, kept per hardware key. Types only.
 */
import type {CriterionStatus, Verdict, VerdictLevel} from "./VerdictApi.ts";

/** One imported report: the verdict it carried and the machine it came from. */
export interface ImportedReport {
    id: number;
    /** The machine's key (VerdictMachine.hardwareKey): what keeps machines apart. */
    hardwareKey: string;
    /** The machine as its report names it, e.g. "AMD Ryzen 7 7840U · 32 GB". */
    label: string;
    /** When the report was made (ISO 8601); with the key, what makes a re-import of the same report a no-op. */
    generatedAt: string;
    importedAt: string;
    /** The file it was imported from. */
    source: string;
    appVersion: string;
    verdict: Verdict;
}

export interface MachinesImportResult {
    /** Reports stored by this import. */
    imported: ImportedReport[];
    /** Reports that were already stored (same machine, same time): nothing changed. */
    alreadyImported: ImportedReport[];
    /** Files of a folder that are not AgentFit JSON reports, with why. */
    skipped: {path: string; code: string; message: string}[];
}

/** One machine column of the comparison. */
export interface MachineColumn {
    /** "this": this machine's live verdict; "imported": the newest report of another hardware key. */
    kind: "this" | "imported";
    hardwareKey: string | null;
    label: string;
    /** When its numbers were made: now for this machine, the report's time for imported ones. */
    generatedAt: string;
    answer: VerdictLevel;
    /** A report of this machine's own hardware key is shown apart, and says so. */
    sameHardwareAsThis: boolean;
    reportId: number | null;
}

/** One model and quantization on one machine. */
export interface MachineComparisonCell {
    verdict: VerdictLevel;
    fit: {status: CriterionStatus; value: string};
    generationTps: number | null;
    turnSeconds: number | null;
    /** Eval success: successes of samples, null when not evaluated there. */
    eval: {successes: number; samples: number; successRate: number} | null;
}

/** One model and quantization across machines (cells in the order of `machines`, null where it was not tried). */
export interface MachineComparisonRow {
    /** Catalog id and quantization when known, else the model's label. */
    key: string;
    label: string;
    quantization: string | null;
    cells: (MachineComparisonCell | null)[];
}

export interface MachineComparison {
    machines: MachineColumn[];
    rows: MachineComparisonRow[];
}

export interface MachinesApi {
    /** Imports a JSON report, or every JSON report in a folder (and its subfolders). Idempotent per machine and report time. */
    "machines.import": (arg: {path: string}) => Promise<MachinesImportResult>;
    /** Every imported report, oldest first. */
    "machines.list": (arg: Record<string, never>) => Promise<ImportedReport[]>;
    /** This machine and the newest report of every other machine, side by side per model and quantization. */
    "machines.compare": (arg: {task?: string}) => Promise<MachineComparison>;
}

export interface MachinesEvents {
    /** Reports were imported. */
    "machines.imported": MachinesImportResult;
}
