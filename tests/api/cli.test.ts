import fs from "node:fs";
import {describe, expect, it} from "vitest";
import type {HardwareSnapshot} from "../../electron/api/HardwareApi.ts";
import {openSqliteDatabase} from "../../electron/core/store/openSqliteDatabase.ts";
import {runCli} from "../utils/runCli.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

describe("agentfit CLI", () => {
    it("probe --json prints the saved snapshot", async () => {
        using home = createTempHome();
        const result = await runCli(["probe", "--json"], home.env);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        const snapshot = JSON.parse(result.stdout) as HardwareSnapshot;
        expect(snapshot.id).toBe(1);
        expect(snapshot.memory.totalBytes).toBeGreaterThan(0);
        expect(snapshot.disk?.path).toBe(home.models);
        expect(fs.existsSync(home.database)).toBe(true);
    });

    it("probe prints a readable summary", async () => {
        using home = createTempHome();
        const result = await runCli(["probe"], home.env);
        expect(result.code).toBe(0);
        for (const label of ["CPU", "Cores", "Instruction sets", "RAM", "Swap", "Backend", "Model storage"]) expect(result.stdout).toContain(label);
        expect(result.stdout).toMatch(/GB total/);
    });

    it("explains a database from a newer version instead of overwriting it", async () => {
        using home = createTempHome();
        fs.mkdirSync(home.home, {recursive: true});
        const db = openSqliteDatabase(home.database);
        db.pragma("user_version = 4242");
        db.close();
        const result = await runCli(["probe"], home.env);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain("STORE_SCHEMA_TOO_NEW");
        expect(result.stderr).toContain(home.database);
    });

    it("rejects an unknown command with help", async () => {
        using home = createTempHome();
        const result = await runCli(["frobnicate"], home.env);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/unknown command/);
    });
});
