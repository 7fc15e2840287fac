import fs from "node:fs";
import path from "node:path";
import {z} from "zod";
import type {ImportedReport} from "../../api/MachinesApi.ts";
import type {Verdict, VerdictLevel} from "../../api/VerdictApi.ts";
import {AppError, errorBody} from "../../shared/AppError.ts";
import {describeIssues} from "../../shared/parseArgument.ts";
import {machineLabel} from "./machineLabel.ts";

const level = z.enum(["usable", "almost", "no", "no-fit", "untested"]) satisfies z.ZodType<VerdictLevel>;

/** What comparing machines reads from a report (`agentfit-report/1`); everything else in it is kept as it is. */
const reportSchema = z.looseObject({
    schema: z.literal("agentfit-report/1", {error: 'must be "agentfit-report/1" (a JSON report of \'agentfit report --format json\')'}),
    generatedAt: z.iso.datetime({offset: true, error: "must be the report's ISO 8601 time"}),
    appVersion: z.string(),
    machine: z
        .looseObject({
            os: z.looseObject({hostname: z.string()}),
            cpu: z.looseObject({brand: z.string()}),
            memory: z.looseObject({totalBytes: z.number()}),
            gpus: z.array(z.looseObject({model: z.string()}))
        })
        .nullable()
        .catch(null),
    verdict: z.looseObject({
        machine: z.looseObject({label: z.string(), hardwareKey: z.string().min(1, {error: "is missing: the report does not say which machine made it"})}),
        answer: z.looseObject({verdict: level}),
        local: z.array(
            z.looseObject({
                key: z.string(),
                label: z.string(),
                familyLabel: z.string(),
                catalogModelId: z.string().nullable(),
                quantization: z.string().nullable(),
                verdict: level,
                criteria: z.array(z.looseObject({id: z.string(), status: z.string(), value: z.string()})),
                speed: z.looseObject({generationTps: z.number().nullable(), turnSeconds: z.number().nullable()}),
                eval: z.looseObject({successes: z.number(), samples: z.number(), successRate: z.number()}).nullable()
            })
        )
    })
});

/** One report file as it would be stored; throws REPORT_IMPORT_INVALID naming what is wrong. */
export function readMachineReport(file: string, importedAt: string): Omit<ImportedReport, "id"> {
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new AppError("REPORT_IMPORT_INVALID", `${file} is not JSON (${(error as Error).message}); export a report with 'agentfit report --format json'.`);
    }
    const result = reportSchema.safeParse(parsed, {reportInput: false});
    if (!result.success) throw new AppError("REPORT_IMPORT_INVALID", `${file} is not an AgentFit JSON report: ${describeIssues(result.error.issues)}`);
    const report = result.data;
    return {
        hardwareKey: report.verdict.machine.hardwareKey,
        label: report.machine ? machineLabel(report.machine) : report.verdict.machine.label,
        generatedAt: report.generatedAt,
        importedAt,
        source: path.resolve(file),
        appVersion: report.appVersion,
        verdict: report.verdict as unknown as Verdict
    };
}

/**
 * The reports under `target`: the file itself, or every `.json` file in the folder and its
 * subfolders (files that are not reports are listed with why, so one stray file does not stop a
 * team's folder from importing).
 */
export function readMachineReports(target: string, importedAt: string): {reports: Omit<ImportedReport, "id">[]; skipped: {path: string; code: string; message: string}[]} {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(target);
    } catch {
        throw new AppError("REPORT_IMPORT_NOT_FOUND", `There is no file or folder ${target}.`);
    }
    if (!stat.isDirectory()) return {reports: [readMachineReport(target, importedAt)], skipped: []};
    const files = (fs.readdirSync(target, {recursive: true, withFileTypes: true}) as fs.Dirent[])
        .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith(".json"))
        .map((entry) => path.join(entry.parentPath, entry.name))
        .sort();
    const reports: Omit<ImportedReport, "id">[] = [];
    const skipped: {path: string; code: string; message: string}[] = [];
    for (const file of files) {
        try {
            reports.push(readMachineReport(file, importedAt));
        } catch (error) {
            skipped.push({path: file, ...errorBody(error, "REPORT_IMPORT_INVALID")});
        }
    }
    if (reports.length === 0)
        throw new AppError("REPORT_IMPORT_INVALID", `${target} holds no AgentFit JSON report${files.length ? ` (${files.length} JSON file${files.length === 1 ? "" : "s"} skipped: ${skipped[0]!.message})` : ""}.`);
    return {reports, skipped};
}
