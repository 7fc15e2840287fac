import type Database from "better-sqlite3";
import type {HardwareSnapshot} from "../../api/HardwareApi.ts";
import type {HardwareSnapshotRepository} from "./Store.ts";

interface Row {
    id: number;
    data: string;
}

export function createHardwareSnapshotRepository(db: Database.Database): HardwareSnapshotRepository {
    const insert = db.prepare<[string, string, string]>("INSERT INTO hardware_snapshots (taken_at, hostname, data) VALUES (?, ?, ?)");
    const selectRecent = db.prepare<[number], Row>("SELECT id, data FROM hardware_snapshots ORDER BY id DESC LIMIT ?");
    const toSnapshot = (row: Row): HardwareSnapshot => ({...(JSON.parse(row.data) as HardwareSnapshot), id: row.id});

    return {
        save(snapshot) {
            const {id: _unsaved, ...data} = snapshot;
            const result = insert.run(snapshot.takenAt, snapshot.os.hostname, JSON.stringify(data));
            return {...snapshot, id: Number(result.lastInsertRowid)};
        },
        list(limit) {
            return selectRecent.all(limit).map(toSnapshot);
        },
        latest() {
            const row = selectRecent.get(1);
            return row ? toSnapshot(row) : undefined;
        }
    };
}
