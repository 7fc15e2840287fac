import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";
import type {HardwareSnapshot} from "../../electron/api/HardwareApi.ts";
import {openMigratedDatabase} from "../../electron/core/store/openMigratedDatabase.ts";
import {openSqliteDatabase} from "../../electron/core/store/openSqliteDatabase.ts";
import {openStore} from "../../electron/core/store/openStore.ts";
import {latestSchemaVersion, type Migration} from "../../electron/core/store/migrations.ts";
import {StoreError} from "../../electron/core/store/StoreError.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

function snapshot(hostname: string, takenAt: string): HardwareSnapshot {
    return {
        id: 0,
        takenAt,
        durationMs: 12,
        os: {platform: "linux", release: "6", distro: "Debian 12", arch: "x64", hostname},
        cpu: {manufacturer: "AMD", brand: "EPYC", physicalCores: 2, logicalCores: 2, speedGHz: null, instructionSets: ["avx2"]},
        memory: {totalBytes: 1, freeBytes: 1, availableBytes: 1, swapTotalBytes: 0, swapFreeBytes: 0},
        gpus: [],
        backend: {selected: "cpu", available: ["cpu"], reason: "r", deviceMemoryTotalBytes: 0, deviceMemoryFreeBytes: 0, deviceNames: []},
        disk: null,
        appVersion: "0.1.0",
        issues: []
    };
}

describe("store", () => {
    it("creates the database with WAL, a busy timeout and every migration applied", async () => {
        using home = createTempHome();
        await using store = await openStore({file: home.database});
        expect(store.schemaVersion).toBe(latestSchemaVersion);
        const db = openSqliteDatabase(home.database, {readonly: true});
        expect(db.pragma("journal_mode", {simple: true})).toBe("wal");
        expect(db.pragma("user_version", {simple: true})).toBe(latestSchemaVersion);
        db.close();
    });

    it("saves hardware snapshots and lists them newest first, across reopenings", async () => {
        using home = createTempHome();
        {
            await using store = await openStore({file: home.database});
            const first = store.hardware.save(snapshot("a", "2026-01-01T00:00:00.000Z"));
            const second = store.hardware.save(snapshot("b", "2026-01-02T00:00:00.000Z"));
            expect(second.id).toBeGreaterThan(first.id);
        }
        await using store = await openStore({file: home.database});
        expect(store.hardware.list(10).map((s) => s.os.hostname)).toEqual(["b", "a"]);
        expect(store.hardware.latest()?.os.hostname).toBe("b");
        expect(store.hardware.list(1)).toHaveLength(1);
    });

    it("applies only the migrations a database has not seen, in order", async () => {
        using home = createTempHome();
        const v1: Migration[] = [{version: 1, name: "one", sql: "CREATE TABLE one (x INTEGER);"}];
        const v2: Migration[] = [...v1, {version: 2, name: "two", sql: "ALTER TABLE one ADD COLUMN y TEXT;"}];
        openMigratedDatabase({file: home.database, migrations: v1}).db.close();
        const opened = openMigratedDatabase({file: home.database, migrations: v2});
        expect(opened.schemaVersion).toBe(2);
        opened.db.close();
        const db = openSqliteDatabase(home.database, {readonly: true});
        expect(db.prepare("SELECT name FROM pragma_table_info('one')").all()).toEqual([{name: "x"}, {name: "y"}]);
        db.close();
    });

    it("a failing migration changes nothing and says which one failed", async () => {
        using home = createTempHome();
        const good: Migration[] = [{version: 1, name: "one", sql: "CREATE TABLE one (x INTEGER);"}];
        openMigratedDatabase({file: home.database, migrations: good}).db.close();
        const bad = [...good, {version: 2, name: "broken", sql: "CREATE TABLE two (y INTEGER); THIS IS NOT SQL;"}];
        expect(() => openMigratedDatabase({file: home.database, migrations: bad})).toThrow(expect.objectContaining({code: "STORE_MIGRATION_FAILED", message: expect.stringContaining("broken")}));
        const db = openSqliteDatabase(home.database, {readonly: true});
        expect(db.pragma("user_version", {simple: true})).toBe(1);
        expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'two'").get()).toBeUndefined();
        db.close();
    });

    it("refuses a database from a newer AgentFit, naming the file, and leaves it untouched", async () => {
        using home = createTempHome();
        fs.mkdirSync(home.home, {recursive: true});
        const db = openSqliteDatabase(home.database);
        db.exec("CREATE TABLE future (x); PRAGMA user_version = 999;");
        db.close();
        const before = sha256(home.database);
        const error = await openStore({file: home.database}).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreError);
        expect(error).toMatchObject({code: "STORE_SCHEMA_TOO_NEW", file: home.database});
        expect((error as Error).message).toContain(home.database);
        expect((error as Error).message).toMatch(/newer AgentFit.*999/);
        expect(sha256(home.database)).toBe(before);
    });

    it("refuses a corrupt database, naming the file, and never overwrites it", async () => {
        using home = createTempHome();
        fs.mkdirSync(home.home, {recursive: true});
        fs.writeFileSync(home.database, Buffer.concat([Buffer.from("this is not sqlite at all "), crypto.randomBytes(8192)]));
        const before = sha256(home.database);
        const error = await openStore({file: home.database}).catch((e: unknown) => e);
        expect(error).toMatchObject({code: "STORE_CORRUPT", file: home.database});
        expect((error as Error).message).toContain(home.database);
        expect((error as Error).message).toMatch(/left it untouched|left untouched/);
        expect(sha256(home.database)).toBe(before);
        expect(fs.readdirSync(path.dirname(home.database))).toEqual([path.basename(home.database)]);
    });

    it("refuses a database whose pages are damaged", async () => {
        using home = createTempHome();
        {
            await using store = await openStore({file: home.database});
            for (let i = 0; i < 50; i++) store.hardware.save(snapshot(`host-${i}`, new Date().toISOString()));
        }
        // Overwrite the schema page (page 1 after the 100-byte header) with garbage.
        const fd = fs.openSync(home.database, "r+");
        fs.writeSync(fd, crypto.randomBytes(3000), 0, 3000, 100);
        fs.closeSync(fd);
        const before = sha256(home.database);
        await expect(openStore({file: home.database})).rejects.toMatchObject({code: "STORE_CORRUPT"});
        expect(sha256(home.database)).toBe(before);
    });

    it("dispose is idempotent", async () => {
        using home = createTempHome();
        const store = await openStore({file: home.database});
        await store.dispose();
        await store.dispose();
    });
});
