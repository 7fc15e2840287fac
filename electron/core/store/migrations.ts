/**
 * Ordered schema migrations. Append only: never edit a migration that has shipped. The database's
 * `PRAGMA user_version` is the number of the last one applied.
 */
export interface Migration {
    version: number;
    name: string;
    sql: string;
}

export const migrations: readonly Migration[] = [
    {
        version: 1,
        name: "hardware snapshots",
        sql: `
            CREATE TABLE hardware_snapshots (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                taken_at TEXT NOT NULL,
                hostname TEXT NOT NULL,
                data TEXT NOT NULL
            );
            CREATE INDEX hardware_snapshots_taken_at ON hardware_snapshots (taken_at);
        `
    },
    {
        version: 3,
        name: "model loads (settings and measured memory)",
        sql: `
            CREATE TABLE model_loads (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                loaded_at TEXT NOT NULL,
                model_path TEXT NOT NULL,
                file_bytes INTEGER NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('loaded', 'failed')),
                hardware_snapshot_id INTEGER REFERENCES hardware_snapshots (id),
                data TEXT NOT NULL
            );
            CREATE INDEX model_loads_model_path ON model_loads (model_path, loaded_at);
        `
    }
];

export const latestSchemaVersion = migrations.at(-1)!.version;
