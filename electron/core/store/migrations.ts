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
        version: 2,
        name: "model registry and download queue",
        sql: `
            CREATE TABLE models (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                path TEXT NOT NULL UNIQUE,
                files TEXT NOT NULL,
                size_bytes INTEGER NOT NULL,
                sha256 TEXT,
                source_kind TEXT NOT NULL,
                source TEXT NOT NULL,
                managed INTEGER NOT NULL,
                architecture TEXT NOT NULL,
                quantization TEXT,
                parameter_count INTEGER NOT NULL,
                facts TEXT NOT NULL,
                added_at TEXT NOT NULL
            );
            CREATE TABLE downloads (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                reference TEXT NOT NULL,
                name TEXT NOT NULL,
                state TEXT NOT NULL,
                plan TEXT NOT NULL,
                position INTEGER NOT NULL,
                error_code TEXT,
                error_message TEXT,
                model_id TEXT REFERENCES models (id) ON DELETE SET NULL,
                owner TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX downloads_state ON downloads (state);
        `
    }
];

export const latestSchemaVersion = migrations.at(-1)!.version;
