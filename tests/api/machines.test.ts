import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {startApp} from "../utils/startApp.ts";
import {benchQuickly, writeComparedModel, writeOtherMachineReport} from "../utils/machineReports.ts";
import {runCli} from "../utils/runCli.ts";

describe("comparing machines through imported JSON reports", () => {
    it("shows a report from another hardware key as a second machine, side by side per model; re-importing changes nothing", {timeout: 400_000}, async () => {
        await using app = await startApp();
        const team = path.join(app.home.home, "team");
        await writeOtherMachineReport(path.join(team, "laptop-a.json"));
        fs.writeFileSync(path.join(team, "notes.json"), JSON.stringify({hello: "not a report"}));
        await benchQuickly(app, writeComparedModel(app.home.models));

        const first = await app.client.call("machines.import", {path: team});
        expect(first.imported).toHaveLength(1);
        expect(first.imported[0]!.label).toBe("test-laptop: Ryzen 7 7840U, 32 GB RAM");
        expect(first.skipped).toEqual([{path: path.join(team, "notes.json"), code: "REPORT_IMPORT_INVALID", message: expect.stringContaining("schema")}]);
        const again = await app.client.call("machines.import", {path: path.join(team, "laptop-a.json")});
        expect(again.imported).toEqual([]);
        expect(again.alreadyImported.map((r) => r.id)).toEqual([first.imported[0]!.id]);
        expect(await app.client.call("machines.list", {})).toHaveLength(1);

        const comparison = await app.client.call("machines.compare", {});
        expect(comparison.machines.map((m) => [m.kind, m.sameHardwareAsThis])).toEqual([
            ["this", true],
            ["imported", false]
        ]);
        expect(comparison.machines[1]!.hardwareKey).not.toBe(comparison.machines[0]!.hardwareKey);
        const row = comparison.rows.find((r) => r.label.includes("team-tiny"))!;
        expect(row.quantization).toBe("Q8_0");
        // Both machines measured the model: each cell holds that machine's own numbers.
        expect(row.cells.map((c) => c?.verdict)).toEqual(["untested", "untested"]);
        expect(row.cells.every((c) => c!.generationTps! > 0)).toBe(true);
        expect(row.cells.map((c) => c!.fit.status)).toEqual(["pass", "pass"]);

        // This machine's own report imported back is kept apart and marked, never merged into the live column.
        const own = await app.client.call("reports.export", {format: "json"});
        fs.writeFileSync(path.join(app.home.home, "own.json"), own.files[0]!.content);
        await app.client.call("machines.import", {path: path.join(app.home.home, "own.json")});
        const withOwn = await app.client.call("machines.compare", {});
        expect(withOwn.machines.map((m) => [m.kind, m.sameHardwareAsThis])).toEqual([
            ["this", true],
            ["imported", false],
            ["imported", true]
        ]);

        const cli = await runCli(["machines", "compare"], app.home.env);
        expect(cli.code).toBe(0);
        expect(cli.stdout).toContain("Ryzen 7 7840U");
        expect(cli.stdout).toMatch(/team-tiny.*untested · \d/);
    });

    it("refuses a path that does not exist and a file that is not a report, storing nothing", async () => {
        await using app = await startApp();
        await expect(app.client.call("machines.import", {path: path.join(app.home.home, "missing.json")})).rejects.toMatchObject({code: "REPORT_IMPORT_NOT_FOUND"});
        const notJson = path.join(app.home.home, "report.json");
        fs.writeFileSync(notJson, "{ truncated");
        await expect(app.client.call("machines.import", {path: notJson})).rejects.toMatchObject({code: "REPORT_IMPORT_INVALID", message: expect.stringContaining("is not JSON")});
        fs.writeFileSync(notJson, JSON.stringify({schema: "agentfit-report/1", generatedAt: "2026-12-01T10:00:00.000Z", appVersion: "0.1.0", verdict: {machine: {label: "x", hardwareKey: ""}, answer: {verdict: "no"}, local: []}}));
        await expect(app.client.call("machines.import", {path: notJson})).rejects.toMatchObject({code: "REPORT_IMPORT_INVALID", message: expect.stringContaining("hardwareKey")});
        const empty = path.join(app.home.home, "empty");
        fs.mkdirSync(empty);
        await expect(app.client.call("machines.import", {path: empty})).rejects.toMatchObject({code: "REPORT_IMPORT_INVALID"});
        expect(await app.client.call("machines.list", {})).toEqual([]);
    });
});
