import type {EvalHarnessId} from "../../api/EvalApi.ts";
import type {LocalModelVerdict, VerdictThresholds} from "../../api/VerdictApi.ts";
import {formatCost, formatInterval, formatPercent, formatScore} from "../../shared/evalFormat.ts";
import {bandwidthUnderLoadWarning, formatBandwidth} from "../../shared/bandwidthFormat.ts";
import {formatBytes, formatKTokens} from "../../shared/format.ts";
import {describeAgentTurn} from "../../shared/agentTurn.ts";
import {strictScoreMeaning} from "../../shared/evalFormat.ts";
import {levelLabels} from "../../shared/verdictLevels.ts";
import {engineBinaryLabels, formatSeconds, formatTps} from "../../shared/verdictFormat.ts";
import {codingAgents} from "../agents/codingAgents.ts";
import type {ReportData} from "./collectReportData.ts";

export interface ReportTable {
    columns: string[];
    rows: string[][];
}

/** One section of a report, in a form both the Markdown and the HTML renderer lay out. */
export interface ReportSection {
    id: string;
    heading: string;
    paragraphs?: string[];
    bullets?: string[];
    table?: ReportTable;
    /** Sub-tables with their own captions (the quantization ladders). */
    subtables?: {caption: string; table: ReportTable}[];
}

export const thresholdLabels: Record<keyof VerdictThresholds, {label: string; format: (v: number) => string}> = {
    contextSize: {label: "Agent context (fit is judged at it)", format: (v) => `${v.toLocaleString("en")} tokens`},
    usableSuccessRate: {label: "Success rate for usable", format: (v) => `≥ ${formatPercent(v)}`},
    almostSuccessRate: {label: "Success rate for almost", format: (v) => `≥ ${formatPercent(v)}`},
    minRuns: {label: "Eval runs before usable", format: (v) => `≥ ${v}`},
    usableGenerationTps: {label: "Generation for usable", format: (v) => `≥ ${v} tok/s`},
    almostGenerationTps: {label: "Generation for almost", format: (v) => `≥ ${v} tok/s`},
    usableTurnSeconds: {label: "Time per agent turn for usable", format: (v) => `≤ ${v} s`},
    almostTurnSeconds: {label: "Time per agent turn for almost", format: (v) => `≤ ${v} s`}
};

export const memoryText = (l: LocalModelVerdict) =>
    l.memory ? `${l.memory.fitClass === "no-fit" ? "no fit: " : ""}${formatBytes(l.memory.ramNeededBytes + l.memory.vramNeededBytes)}${l.memory.measured ? ` (a load at ${l.memory.measured.contextSize ? formatKTokens(l.memory.measured.contextSize) : "?"} took ${formatBytes(l.memory.measured.residentBytes + l.memory.measured.vramBytes)})` : ""}` : "–";
export const successText = (l: LocalModelVerdict) => (l.eval ? formatScore(l.eval.successes, l.eval.samples, l.eval.interval) : "not evaluated");
/** "AgentFit engine (prebuilt)", "local server (ollama, 127.0.0.1:11434)": where it ran, and which engine binary measured its speed. */
export const whereText = (l: LocalModelVerdict) =>
    l.location === "local-server" ? `local server (${l.server?.server ?? "?"}, ${hostOf(l.server?.baseUrl)})` : `AgentFit engine${l.speed.binary ? ` (${engineBinaryLabels[l.speed.binary]})` : ""}`;

function hostOf(baseUrl: string | undefined): string {
    try {
        return baseUrl ? new URL(baseUrl).host : "?";
    } catch {
        return baseUrl ?? "?";
    }
}

export function reportSections(data: ReportData): ReportSection[] {
    const v = data.verdict;
    const ctx = formatKTokens(v.thresholds.contextSize);
    const snapshot = data.machine;
    const sections: ReportSection[] = [
        {id: "answer", heading: "The answer", paragraphs: [v.answer.headline], bullets: v.answer.evidence},
        {
            id: "machine",
            heading: "This machine",
            bullets: [
                snapshot ? `${snapshot.cpu.brand}, ${snapshot.cpu.physicalCores} cores (${snapshot.cpu.logicalCores} threads)` : v.machine.label,
                `RAM ${formatBytes(v.machine.ramBytes)}${v.machine.gpuName ? `, GPU ${v.machine.gpuName} (${formatBytes(v.machine.vramBytes)})` : ", no GPU"}, backend ${v.machine.backend}`,
                `Memory bandwidth ${formatBandwidth(v.machine.bandwidth.bytesPerSecond)} (${v.machine.bandwidth.source})${v.machine.bandwidth.underLoad ? ` — ${bandwidthUnderLoadWarning(v.machine.bandwidth)}` : ""}`,
                snapshot ? `${snapshot.os.distro} ${snapshot.os.release} (${snapshot.os.arch}), probe #${snapshot.id} of ${snapshot.takenAt}` : "not probed",
                `Eval task: ${v.task ?? "none yet"}${v.tasks.length > 1 ? ` (also: ${v.tasks.filter((t) => t !== v.task).join(", ")})` : ""}`
            ]
        },
        {
            id: "local",
            heading: "Local models tried here",
            paragraphs: v.local.length ? [] : ["No local model has been evaluated or benchmarked on this machine yet."],
            table: v.local.length
                ? {
                      columns: ["Model", "Where", "Verdict", `Memory at ${ctx}`, "Generation", "Prompt", "Per turn", "Refactor success (95% CI)", "Cost / run"],
                      rows: v.local.map((l) => [
                          l.label,
                          whereText(l),
                          levelLabels[l.verdict],
                          memoryText(l),
                          formatTps(l.speed.generationTps),
                          formatTps(l.speed.promptTps),
                          formatSeconds(l.speed.turnSeconds),
                          successText(l),
                          l.eval ? formatCost(l.eval.costPerRun) : "–"
                      ])
                  }
                : undefined,
            bullets: v.local.map((l) => `${l.label}: ${l.headline}${l.detail ? ` (${l.detail})` : ""}`)
        },
        {
            id: "legend",
            heading: "What the words mean",
            paragraphs: [
                `Every view judges with these thresholds. ${describeAgentTurn()} Success counts runs that passed: the target file changed, parses and the whole test suite passes. ${strictScoreMeaning}`
            ],
            bullets: v.legend.map((e) => `${e.label}: ${e.meaning}.`)
        }
    ];
    const ladders = v.ladders.filter((ladder) => ladder.entries.length > 1);
    if (ladders.length)
        sections.push({
            id: "ladder",
            heading: "Quantization ladders",
            subtables: ladders.map((ladder) => ({
                caption: ladder.label,
                table: {
                    columns: ["Quantization", "Bits / weight", `Memory at ${ctx}`, "Generation", "Prompt", "Success", "95% CI", "Verdict"],
                    rows: ladder.entries.map((key) => {
                        const l = v.local.find((e) => e.key === key)!;
                        return [
                            l.quantization ?? "?",
                            l.bitsPerWeight ? l.bitsPerWeight.toFixed(2) : "–",
                            memoryText(l),
                            formatTps(l.speed.generationTps),
                            formatTps(l.speed.promptTps),
                            l.eval ? `${l.eval.successes}/${l.eval.samples}` : "–",
                            l.eval ? formatInterval(l.eval.interval) : "–",
                            levelLabels[l.verdict]
                        ];
                    })
                }
            }))
        });
    const compared = [
        ...v.local.filter((l) => l.eval).map((l) => ({label: l.label, where: l.location === "local-server" ? "local server" : "local", e: l.eval!})),
        ...v.cloud.map((c) => ({label: c.label, where: "cloud", e: c.eval}))
    ];
    sections.push({
        id: "cloud",
        heading: "Local against cloud, same eval",
        paragraphs: compared.length ? [] : ["No eval results yet."],
        table: compared.length
            ? {
                  columns: ["Model", "Where", "Passed (95% CI)", "Strict passed", "Cost / run", "Time / run", "Turns", "Output tok/s"],
                  rows: compared.map(({label, where, e}) => [
                      label,
                      where,
                      formatScore(e.successes, e.samples, e.interval),
                      formatPercent(e.strictRate),
                      formatCost(e.costPerRun),
                      formatSeconds(e.meanWallMs !== null ? e.meanWallMs / 1000 : null),
                      e.meanTurns !== null ? e.meanTurns.toFixed(1) : "–",
                      formatTps(e.outputTokensPerSecond)
                  ])
              }
            : undefined
    });
    sections.push(harnessSection(data));
    sections.push({
        id: "changes",
        heading: "What would change the answer",
        paragraphs: v.changes.some((c) => c.decisive)
            ? ["Measurements the answer still lacks, and predictions from the what-if estimates (not measurements). Options that would not change the answer are marked so."]
            : ["Nothing measured or predicted would change the answer as it stands."],
        bullets: v.changes.map((c) => `${c.decisive ? "" : "(would not change the answer) "}${c.text} ${c.why}`)
    });
    sections.push({
        id: "thresholds",
        heading: "Thresholds",
        paragraphs: [
            data.thresholds.edited.length ? `Edited: ${data.thresholds.edited.join(", ")} (defaults in parentheses).` : "Defaults (they mirror helperbench: 10 runs, 8/10 to count as reliable)."
        ],
        table: {
            columns: ["Rule", "Value"],
            rows: (Object.keys(thresholdLabels) as (keyof VerdictThresholds)[]).map((key) => [
                thresholdLabels[key].label,
                `${thresholdLabels[key].format(v.thresholds[key])}${data.thresholds.edited.includes(key) ? ` (${thresholdLabels[key].format(data.thresholds.defaults[key])})` : ""}`
            ])
        }
    });
    const samples = data.evals.runs.reduce((n, r) => n + r.samples.filter((s) => s.score !== null).length, 0);
    const benchResults = data.bench.runs.reduce((n, r) => n + r.results.filter((x) => x.status === "completed").length, 0);
    sections.push({
        id: "measurements",
        heading: "Measurements",
        paragraphs: [
            `${data.evals.runs.length} eval runs (${samples} scored samples), ${data.bench.runs.length} benchmark runs (${benchResults} results), ${data.modelLoads.filter((l) => l.outcome === "loaded").length} recorded model loads. Every value is in the CSV and JSON exports ("agentfit report --format csv" or "json").`,
            `AgentFit ${data.appVersion}, generated ${data.generatedAt}.`
        ]
    });
    return sections;
}

/** "Claude Code"; "AgentFit's tool loop" for the builtin harness. */
function harnessLabel(harness: EvalHarnessId): string {
    return harness === "builtin" ? "AgentFit's tool loop" : codingAgents[harness].label;
}

/** Results by harness × model × quantization, with the Verdict's answer per coding agent. */
function harnessSection(data: ReportData): ReportSection {
    const results = [...data.evals.results].sort((a, b) => a.harness.localeCompare(b.harness) || a.model.localeCompare(b.model) || (a.quantization ?? "").localeCompare(b.quantization ?? ""));
    const agents = data.verdict.harnesses;
    const perRun = (value: number | null) => (value === null ? "–" : Math.round(value).toLocaleString("en"));
    // Runs whose agents ran unconfined, said once per reason with the runs it covers.
    const unconfined = new Map<string, number[]>();
    for (const run of data.evals.runs) {
        const confinement = run.spec.harness?.confinement;
        if (confinement?.mode === "none") unconfined.set(confinement.reason, [...(unconfined.get(confinement.reason) ?? []), run.id]);
    }
    return {
        id: "harness",
        heading: "By harness: AgentFit's tool loop and coding agents",
        paragraphs: [
            ...(agents.length
                ? agents.map((a) => a.sentence)
                : ["No coding agent has run the eval on a local model here yet (agentfit eval --harness claude-code | codex | opencode | aider)."]),
            ...[...unconfined].map(([reason, runs]) => `Agents ran unconfined in run${runs.length > 1 ? "s" : ""} ${runs.map((id) => `#${id}`).join(", ")}: ${reason}`),
            ...(results.length ? [] : ["No eval results yet."])
        ],
        table: results.length
            ? {
                  columns: ["Harness", "Model", "Quantization", "Where", "Task", "Passed (95% CI)", "Time / run", "Turns", "Input tokens / run (cached)", "Output tokens / run", "Cost / run"],
                  rows: results.map((r) => [
                      harnessLabel(r.harness),
                      r.model,
                      r.quantization ?? "–",
                      {engine: "AgentFit engine", "local-server": "local server", cloud: "cloud"}[r.location],
                      r.task,
                      formatScore(r.stats.successes, r.stats.samples, r.stats.interval),
                      formatSeconds(r.stats.meanWallMs !== null ? r.stats.meanWallMs / 1000 : null),
                      r.stats.meanTurns !== null ? r.stats.meanTurns.toFixed(1) : "–",
                      `${perRun(r.stats.meanInputTokens)} (${perRun(r.stats.meanCachedInputTokens)})`,
                      perRun(r.stats.meanOutputTokens),
                      formatCost(r.stats.costPerRun)
                  ])
              }
            : undefined
    };
}
