import type Database from "better-sqlite3";
import type {ModelLoadRecord} from "../../api/EngineApi.ts";

export interface ModelLoadRepository {
    /** Records a load (or a failed one) and returns it with its id. */
    save(record: Omit<ModelLoadRecord, "id">): ModelLoadRecord;
    /** Newest first. */
    list(limit: number): ModelLoadRecord[];
}

interface Row {
    id: number;
    loaded_at: string;
    model_path: string;
    file_bytes: number;
    outcome: "loaded" | "failed";
    hardware_snapshot_id: number | null;
    data: string;
}

export function createModelLoadRepository(db: Database.Database): ModelLoadRepository {
    const insert = db.prepare<[string, string, number, string, number | null, string]>(
        "INSERT INTO model_loads (loaded_at, model_path, file_bytes, outcome, hardware_snapshot_id, data) VALUES (?, ?, ?, ?, ?, ?)"
    );
    const selectRecent = db.prepare<[number], Row>("SELECT * FROM model_loads ORDER BY id DESC LIMIT ?");
    return {
        save(record) {
            const {loadedAt, modelPath, fileBytes, outcome, hardwareSnapshotId, ...data} = record;
            const result = insert.run(loadedAt, modelPath, fileBytes, outcome, hardwareSnapshotId, JSON.stringify(data));
            return {...record, id: Number(result.lastInsertRowid)};
        },
        list(limit) {
            return selectRecent.all(limit).map((row) => ({
                ...(JSON.parse(row.data) as Pick<ModelLoadRecord, "settings" | "loadMs" | "memory" | "error">),
                id: row.id,
                loadedAt: row.loaded_at,
                modelPath: row.model_path,
                fileBytes: row.file_bytes,
                outcome: row.outcome,
                hardwareSnapshotId: row.hardware_snapshot_id
            }));
        }
    };
}
