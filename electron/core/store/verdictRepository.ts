import type Database from "better-sqlite3";
import type {VerdictThresholds} from "../../api/VerdictApi.ts";

/** The thresholds people edited (the defaults live in code, so a new default reaches everyone who never edited it). */
export interface VerdictRepository {
    /** The edited thresholds, or null when none were ever edited (or they were reset). */
    thresholds(): {values: Partial<VerdictThresholds>; updatedAt: string} | null;
    saveThresholds(values: Partial<VerdictThresholds>, updatedAt: string): void;
    resetThresholds(): void;
}

export function createVerdictRepository(db: Database.Database): VerdictRepository {
    const select = db.prepare<[], {updated_at: string; data: string}>("SELECT updated_at, data FROM verdict_thresholds WHERE id = 1");
    const upsert = db.prepare<[string, string]>(
        "INSERT INTO verdict_thresholds (id, updated_at, data) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, data = excluded.data"
    );
    const remove = db.prepare("DELETE FROM verdict_thresholds WHERE id = 1");
    return {
        thresholds() {
            const row = select.get();
            return row ? {values: JSON.parse(row.data) as Partial<VerdictThresholds>, updatedAt: row.updated_at} : null;
        },
        saveThresholds(values, updatedAt) {
            upsert.run(updatedAt, JSON.stringify(values));
        },
        resetThresholds() {
            remove.run();
        }
    };
}
