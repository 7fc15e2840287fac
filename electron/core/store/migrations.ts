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
    }
];

export const latestSchemaVersion = migrations.at(-1)!.version;
