import type Database from "better-sqlite3";
import type {ImportedReport} from "../../api/MachinesApi.ts";

/** Reports imported from other machines (machines). One row per hardware key and report time, so importing the same report twice changes nothing. */
export interface ImportedReportRepository {
    /** Adds the report unless one with the same hardware key and time is stored; `added` says which. */
    add(report: Omit<ImportedReport, "id">): {report: ImportedReport; added: boolean};
    /** Oldest import first. */
    list(): ImportedReport[];
    /** The newest report per hardware key. */
    latestPerMachine(): ImportedReport[];
}

interface Row {
    id: number;
    data: string;
}

export function createImportedReportRepository(db: Database.Database): ImportedReportRepository {
    const insert = db.prepare<[string, string, string, string, string]>(
        "INSERT INTO imported_reports (hardware_key, generated_at, imported_at, source, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hardware_key, generated_at) DO NOTHING"
    );
    const selectOne = db.prepare<[string, string], Row>("SELECT id, data FROM imported_reports WHERE hardware_key = ? AND generated_at = ?");
    const selectAll = db.prepare<[], Row>("SELECT id, data FROM imported_reports ORDER BY id");
    const selectLatest = db.prepare<[], Row>(
        `SELECT id, data FROM imported_reports r
         WHERE generated_at = (SELECT MAX(generated_at) FROM imported_reports WHERE hardware_key = r.hardware_key)
         ORDER BY id`
    );
    const toReport = (row: Row): ImportedReport => ({...(JSON.parse(row.data) as Omit<ImportedReport, "id">), id: row.id});
    return {
        add(report) {
            const inserted = insert.run(report.hardwareKey, report.generatedAt, report.importedAt, report.source, JSON.stringify(report));
            return {report: toReport(selectOne.get(report.hardwareKey, report.generatedAt)!), added: inserted.changes > 0};
        },
        list() {
            return selectAll.all().map(toReport);
        },
        latestPerMachine() {
            return selectLatest.all().map(toReport);
        }
    };
}
