import fs from "node:fs";
import path from "node:path";
import {InvalidArgumentError, type Command} from "commander";
import type {ReportFormat, Verdict, VerdictChangeAction, VerdictThresholds, VerdictThresholdsState} from "../../api/VerdictApi.ts";
import {formatCost, formatScore} from "../../shared/evalFormat.ts";
import {levelLabels} from "../../shared/verdictLevels.ts";
import {formatSeconds, formatTps} from "../../shared/verdictFormat.ts";
import {memoryText, thresholdLabels, whereText} from "../../core/reports/reportSections.ts";
import {VerdictError} from "../../core/verdict/VerdictError.ts";
import {describeAgentTurn} from "../../shared/agentTurn.ts";
import {bold, dim, green, keyValues, table, yellow} from "../utils/format.ts";
import {withAppService} from "../utils/withAppService.ts";
import {criteriaLines, legendLines, paintLevel} from "../utils/levelFormat.ts";
import {formatKTokens} from "../../shared/format.ts";

export function registerVerdictCommands(program: Command) {
    const verdict = program
        .command("verdict")
        .description("Can this machine run a usable coding agent? The answer, with its evidence")
        .option("--task <name>", "judge on this eval task (default: the one with the most results)")
        .option("--json", "print the verdict as JSON")
        .action(async (options: {task?: string; json?: boolean}) => {
            const result = await withAppService((app) => app["verdict.get"]({task: options.task}));
            if (options.json) return console.log(JSON.stringify(result, null, 2));
            console.log(describeVerdict(result));
        });

    verdict
        .command("thresholds")
        .description("Show or edit the verdict's thresholds, e.g. usableSuccessRate=0.9 minRuns=5")
        .argument("[settings...]", "name=value pairs (rates as fractions: 0.8 = 80%)")
        .option("--reset", "restore every default")
        .option("--json", "print the thresholds as JSON")
        .action(async (settings: string[], options: {reset?: boolean; json?: boolean}) => {
            const patch = Object.fromEntries(settings.map(parseSetting));
            const state = await withAppService((app) =>
                settings.length || options.reset ? app["verdict.setThresholds"]({...patch, ...(options.reset ? {reset: true} : {})}) : app["verdict.thresholds"]({})
            );
            if (options.json) return console.log(JSON.stringify(state, null, 2));
            console.log(describeThresholds(state));
        });

    program
        .command("report")
        .description("Export this machine's results: a Markdown or HTML report, or every measurement as CSV or JSON")
        .option("--format <format>", "md, html, csv, json, llama-bench or inspect", "md")
        .option("--out <path>", "write to this file (a folder for inspect); default: stdout")
        .option("--task <name>", "the eval task the verdict reads")
        .action(async (options: {format: string; out?: string; task?: string}) => {
            const exported = await withAppService((app) => app["reports.export"]({format: options.format as ReportFormat, task: options.task}));
            if (!options.out) {
                if (exported.files.length !== 1) throw new InvalidArgumentError(`The ${exported.format} export is ${exported.files.length} files: give --out <folder>.`);
                process.stdout.write(exported.files[0]!.content);
                return;
            }
            const out = path.resolve(options.out);
            const intoFolder = exported.format === "inspect" || (fs.existsSync(out) && fs.statSync(out).isDirectory());
            if (intoFolder) fs.mkdirSync(out, {recursive: true});
            else fs.mkdirSync(path.dirname(out), {recursive: true});
            for (const file of exported.files) {
                const target = intoFolder ? path.join(out, file.name) : out;
                fs.writeFileSync(target, file.content);
                console.error(`${green("✓")} ${target} ${dim(`(${Buffer.byteLength(file.content)} bytes)`)}`);
            }
            if (exported.files.length === 0) console.error(dim("No eval runs to export yet."));
        });
}

/** "usableSuccessRate=0.9", "usableSuccessRate=90%": anything else is refused with the thresholds' own code. */
function parseSetting(text: string): [string, number] {
    const match = /^([A-Za-z]+)=(.+)$/.exec(text);
    if (!match) throw new VerdictError("VERDICT_THRESHOLDS_INVALID", `"${text}" is not name=value (e.g. usableSuccessRate=0.9).`);
    if (!(match[1]! in thresholdLabels))
        throw new VerdictError("VERDICT_THRESHOLDS_INVALID", `There is no threshold "${match[1]}"; thresholds: ${Object.keys(thresholdLabels).join(", ")}.`);
    const raw = match[2]!.trim();
    const value = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?%?$/i.test(raw) ? Number(raw.replace(/%$/, "")) / (raw.endsWith("%") ? 100 : 1) : Number.NaN;
    if (!Number.isFinite(value)) throw new VerdictError("VERDICT_THRESHOLDS_INVALID", `${match[1]}: "${raw}" is not a number.`);
    return [match[1]!, value];
}

function describeThresholds(state: VerdictThresholdsState): string {
    return keyValues(
        (Object.keys(thresholdLabels) as (keyof VerdictThresholds)[]).map((key) => [
            `${key}`,
            `${thresholdLabels[key].format(state.thresholds[key])}${state.edited.includes(key) ? yellow(` (default ${thresholdLabels[key].format(state.defaults[key])})`) : ""}  ${dim(thresholdLabels[key].label)}`
        ])
    );
}

/** The verdict as a terminal page: the answer, its evidence, each model, cloud, what would change. */
export function describeVerdict(v: Verdict): string {
    const out: string[] = [];
    out.push(`${bold(paintLevel(v.answer.verdict, levelLabels[v.answer.verdict].toUpperCase()))}  ${bold(v.answer.headline)}`, "");
    out.push(...v.answer.evidence.map((line) => `  ${dim("•")} ${line}`), "");
    if (v.harnesses.length) out.push(bold("With coding agents"), ...v.harnesses.map((h) => `  ${paintLevel(h.verdict, levelLabels[h.verdict])}  ${h.sentence}`), "");
    out.push(dim(`Machine: ${v.machine.label} · task: ${v.task ?? "none yet"} · agent context ${formatKTokens(v.thresholds.contextSize)}`), "");
    if (v.local.length) {
        out.push(bold("Local models"));
        out.push(
            table(
                ["VERDICT", "MODEL", "WHERE", "MEMORY", "GEN", "PROMPT", "TURN", "SUCCESS (95% CI)"],
                v.local.map((l) => [
                    paintLevel(l.verdict),
                    l.label,
                    whereText(l),
                    memoryText(l),
                    formatTps(l.speed.generationTps),
                    formatTps(l.speed.promptTps),
                    formatSeconds(l.speed.turnSeconds),
                    l.eval ? formatScore(l.eval.successes, l.eval.samples, l.eval.interval) : "not evaluated"
                ])
            )
        );
        out.push("");
        for (const l of v.local) {
            out.push(`${paintLevel(l.verdict, "■")} ${bold(l.label)}  ${l.headline}`);
            if (l.detail) out.push(dim(`    ${l.detail}`));
            out.push(...criteriaLines(l.criteria));
        }
        out.push("");
    }
    if (v.cloud.length) {
        out.push(bold("Cloud models, same eval"));
        out.push(
            table(
                ["LEVEL", "MODEL", "SUCCESS (95% CI)", "COST/RUN", "TIME/RUN"],
                v.cloud.map((c) => [
                    paintLevel(c.level),
                    c.label,
                    formatScore(c.eval.successes, c.eval.samples, c.eval.interval),
                    formatCost(c.eval.costPerRun),
                    formatSeconds(c.eval.meanWallMs !== null ? c.eval.meanWallMs / 1000 : null)
                ])
            )
        );
        out.push("");
    }
    if (v.servers.length) {
        out.push(bold("On servers") + dim(" (benchmarked through their endpoints; apart from this machine's answer)"));
        for (const server of v.servers) {
            out.push(`${paintLevel(server.verdict, "■")} ${bold(server.label)}  ${server.headline}`);
            out.push(...criteriaLines(server.criteria));
        }
        out.push("");
    }
    const decisive = v.changes.filter((c) => c.decisive);
    const others = v.changes.filter((c) => !c.decisive);
    if (decisive.length) {
        out.push(bold("What would change the answer") + dim(" (measurements it lacks, and what-if predictions)"));
        out.push(...decisive.map((c) => `  ${dim("→")} ${c.text} ${dim(`${c.why} ${changeCommand(c.action)}`)}`), "");
    }
    if (others.length) {
        out.push(bold("Other options") + dim(" (would not change the answer)"));
        out.push(...others.map((c) => `  ${dim("·")} ${c.text} ${dim(c.why)}`), "");
    }
    out.push(...legendLines(v.legend), dim(`${describeAgentTurn()} Edit the thresholds: agentfit verdict thresholds name=value.`));
    return out.join("\n");
}

/** The command that tests a change, as a user would type it. */
function changeCommand(action: VerdictChangeAction): string {
    if (action.kind === "download") return `Try: agentfit pull ${action.reference}`;
    if (action.kind === "bench")
        return `Try: agentfit bench --model ${JSON.stringify(action.model)} --ctx ${action.contextSize} --depth ${action.depth} --agent${action.kvCacheType ? ` --kv-type ${action.kvCacheType}` : ""}`;
    if (action.kind === "eval") return `Try: agentfit eval --model ${JSON.stringify(action.model)} --ctx ${action.contextSize} --runs ${action.runs}${action.task ? ` --task ${action.task}` : ""}`;
    return `See: agentfit recommend ${action.preset ? `--preset ${action.preset}` : `--ram ${action.ram}`}`;
}
