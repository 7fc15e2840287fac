import fs from "node:fs";
import path from "node:path";
import type Database from "better-sqlite3";
import {openSqliteDatabase} from "./openSqliteDatabase.ts";
import {StoreError} from "./StoreError.ts";
import {migrations as appMigrations, type Migration} from "./migrations.ts";

export interface OpenDatabaseOptions {
    /** Path of the SQLite file; created (with its folder) when missing. */
    file: string;
    /**
     * Path of a better-sqlite3 native addon to load instead of the default one. The desktop app
     * passes its Electron build here; Node (CLI, tests) leaves it undefined: node_modules' build,
     * or the copy for this Node's ABI that `scripts/prepareNodeSqlite.js` puts beside it.
     */
    nativeBinding?: string;
    /** How long a writer waits for another process's lock, ms. Default 5000. */
    busyTimeoutMs?: number;
    /** Migrations to apply, in order. Default: the app's own. */
    migrations?: readonly Migration[];
}

/**
 * Opens a SQLite file in WAL mode with a busy timeout and applies the migrations it has not seen,
 * each in its own transaction. Refuses (StoreError, file untouched) a corrupt file or a schema
 * newer than the migrations known here.
 */
export function openMigratedDatabase(options: OpenDatabaseOptions): {db: Database.Database; file: string; schemaVersion: number} {
    const file = path.resolve(options.file);
    const migrations = options.migrations ?? appMigrations;
    const knownVersion = migrations.at(-1)?.version ?? 0;
    fs.mkdirSync(path.dirname(file), {recursive: true});

    let db: Database.Database;
    try {
        db = openSqliteDatabase(file, {nativeBinding: options.nativeBinding, timeout: options.busyTimeoutMs ?? 5000});
    } catch (error) {
        if (error instanceof StoreError) throw error;
        throw new StoreError("STORE_OPEN_FAILED", file, `Cannot open the database at ${file}: ${(error as Error).message}`, {cause: error});
    }
    try {
        const version = readSchemaVersion(db, file);
        if (version > knownVersion)
            throw new StoreError(
                "STORE_SCHEMA_TOO_NEW",
                file,
                `The database at ${file} was written by a newer AgentFit (schema version ${version}; this version knows up to ${knownVersion}). ` +
                    "It was left untouched: update AgentFit, or set AGENTFIT_HOME to another folder."
            );
        db.pragma("journal_mode = WAL");
        db.pragma("foreign_keys = ON");
        db.pragma("synchronous = NORMAL");
        for (const migration of migrations.filter((m) => m.version > version)) applyMigration(db, file, migration);
    } catch (error) {
        db.close();
        throw error;
    }

    return {db, file, schemaVersion: knownVersion};
}

function readSchemaVersion(db: Database.Database, file: string): number {
    try {
        // Reading the schema forces SQLite to parse the file header and schema table.
        db.prepare("SELECT count(*) FROM sqlite_master").get();
        return db.pragma("user_version", {simple: true}) as number;
    } catch (error) {
        const code = (error as {code?: string}).code ?? "";
        if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT"))
            throw new StoreError(
                "STORE_CORRUPT",
                file,
                `The database at ${file} is damaged or is not an AgentFit database (${(error as Error).message}). ` +
                    "It was left untouched: move it aside (AgentFit then starts a new one) or restore a backup.",
                {cause: error}
            );
        throw new StoreError("STORE_OPEN_FAILED", file, `Cannot read the database at ${file}: ${(error as Error).message}`, {cause: error});
    }
}

function applyMigration(db: Database.Database, file: string, migration: Migration) {
    try {
        db.transaction(() => {
            db.exec(migration.sql);
            db.pragma(`user_version = ${migration.version}`);
        })();
    } catch (error) {
        throw new StoreError(
            "STORE_MIGRATION_FAILED",
            file,
            `Updating the database at ${file} to schema ${migration.version} (${migration.name}) failed: ${(error as Error).message}. Nothing was changed.`,
            {cause: error}
        );
    }
}

