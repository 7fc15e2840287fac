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
        version: 5,
        name: "recommendations: measured bandwidth and catalog refreshes",
        sql: `
            CREATE TABLE bandwidth_measurements (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                hardware_key TEXT NOT NULL,
                measured_at TEXT NOT NULL,
                data TEXT NOT NULL
            );
            CREATE INDEX bandwidth_measurements_key ON bandwidth_measurements (hardware_key, id);
            CREATE TABLE catalog_refreshes (
                model_id TEXT NOT NULL,
                quantization TEXT NOT NULL,
                refreshed_at TEXT NOT NULL,
                data TEXT NOT NULL,
                PRIMARY KEY (model_id, quantization)
            );
        `
    }
];

export const latestSchemaVersion = migrations.at(-1)!.version;
