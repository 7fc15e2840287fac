import {Fragment, useEffect, useMemo, useState} from "react";
import type {CriterionStatus, LocalModelVerdict, ReportFormat, Verdict, VerdictChange, VerdictChangeAction, VerdictLevel} from "../../../../electron/api/VerdictApi.ts";
import {describeAgentTurn} from "../../../../electron/shared/agentTurn.ts";
import {formatCost, formatPercent, formatScore, strictScoreMeaning} from "../../../../electron/shared/evalFormat.ts";
import {formatBytes, formatKTokens} from "../../../../electron/shared/format.ts";
import {levelLabels} from "../../../../electron/shared/verdictLevels.ts";
import {engineBinaryLabels, formatSeconds, formatTps} from "../../../../electron/shared/verdictFormat.ts";
import {api} from "../../api/client.ts";
import {useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {activatable} from "../../components/activatable.ts";
import {Badge, type Tone} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {LevelBadge, LevelLegend, levelTone} from "../../components/LevelBadge.tsx";
import {Meter} from "../../components/Meter.tsx";
import {PageHeader} from "../../components/PageHeader.tsx";
import {benchmarkLink, evaluateLink, screenLink} from "../../components/screenLink.ts";
import {DownloadButton, useDownloadedCatalogReferences} from "../../components/DownloadButton.tsx";
import {ThresholdsCard} from "./ThresholdsCard.tsx";
import {AccuracySpeedChart, CostAccuracyChart} from "./VerdictCharts.tsx";
import "./VerdictScreen.css";

const statusTone: Record<CriterionStatus, Tone> = {pass: "good", near: "warn", fail: "bad", unknown: "neutral"};
const statusMark: Record<CriterionStatus, string> = {pass: "✓", near: "~", fail: "✗", unknown: "?"};

const exportFormats: {format: ReportFormat; label: string}[] = [
    {format: "html", label: "HTML report"},
    {format: "md", label: "Markdown"},
    {format: "csv", label: "CSV"},
    {format: "json", label: "JSON"},
    {format: "llama-bench", label: "llama-bench JSON"},
    {format: "inspect", label: "Inspect logs"}
];

export function VerdictScreen() {
    const [task, setTask] = useState<string | undefined>();
    const verdict = useApiQuery("verdict.get", task ? {task} : {});
    useApiEvent("verdict.thresholdsChanged", () => void verdict.reload());
    useApiEvent("eval.run.updated", (run) => {
        if (run.status === "completed") void verdict.reload();
    });
    useApiEvent("bench.progress", (run) => {
        if (run.status === "completed") void verdict.reload();
    });
    const v = verdict.data;
    return (
        <div className="page verdict-page">
            <PageHeader
                title="Verdict"
                subtitle="Can this machine run a usable coding agent on a local model? Every measurement, weighed against explicit thresholds."
                actions={
                    v && v.tasks.length > 1 ? (
                        <label className="field inline">
                            <span>Eval task</span>
                            <select value={v.task ?? ""} onChange={(e) => setTask(e.target.value)} data-testid="verdict-task">
                                {v.tasks.map((t) => (
                                    <option key={t} value={t}>
                                        {t}
                                    </option>
                                ))}
                            </select>
                        </label>
                    ) : undefined
                }
            />
            <ErrorBanner error={verdict.error} title="The verdict could not be computed" />
            {!v && verdict.loading && <VerdictWaiting />}
            {v && <VerdictView verdict={v} task={task} />}
        </div>
    );
}

/**
 * While the verdict is computed: what it waits for, each part shown as soon as its own (fast) query
 * answers, and the seconds so far, so the page never sits on one spinner.
 */
function VerdictWaiting() {
    const status = useApiQuery("verdict.status", {});
    const snapshot = useApiQuery("hardware.snapshots", {limit: 1});
    const [seconds, setSeconds] = useState(0);
    useEffect(() => {
        const timer = setInterval(() => setSeconds((n) => n + 1), 1000);
        return () => clearInterval(timer);
    }, []);
    const machine = snapshot.data?.[0];
    const parts: {label: string; ready: boolean; text: string}[] = [
        {
            label: "This machine",
            ready: machine !== undefined,
            text: machine ? `${machine.cpu.brand}, ${formatBytes(machine.memory.totalBytes)} RAM (probed ${new Date(machine.takenAt).toLocaleString()})` : snapshot.loading ? "reading the last probe…" : "probing the hardware: the first probe takes seconds, up to a minute on a busy machine"
        },
        {label: "Eval results", ready: status.data !== undefined, text: status.data ? `${status.data.evalRuns} eval run${status.data.evalRuns === 1 ? "" : "s"} stored` : "counting…"},
        {label: "Benchmark results", ready: status.data !== undefined, text: status.data ? `${status.data.benchResults} benchmark result${status.data.benchResults === 1 ? "" : "s"} stored` : "counting…"},
        {label: "Each model against the thresholds, and the what-if estimates", ready: false, text: `reading model headers and predicting other models and machines… ${seconds} s`}
    ];
    return (
        <Card title="Weighing the evidence" subtitle="The verdict appears as soon as every part is read." testId="verdict-waiting">
            <ul className="waiting-list">
                {parts.map((part) => (
                    <li key={part.label} data-testid="waiting-part" data-ready={part.ready}>
                        <Badge tone={part.ready ? "good" : "info"}>{part.ready ? "ready" : "waiting"}</Badge> <strong>{part.label}</strong>: {part.text}
                    </li>
                ))}
            </ul>
        </Card>
    );
}

function VerdictView({verdict: v, task}: {verdict: Verdict; task: string | undefined}) {
    const [open, setOpen] = useState<string | null>(null);
    const best = v.local.find((l) => l.key === v.answer.best);
    return (
        <>
            <section className={`verdict-hero tone-border-${levelTone[v.answer.verdict]}`} data-testid="verdict-answer" data-verdict={v.answer.verdict}>
                <div className={`verdict-level tone-${levelTone[v.answer.verdict]}`} data-testid="verdict-level">
                    {levelLabels[v.answer.verdict]}
                </div>
                <div className="verdict-hero-body">
                    <h2 data-testid="verdict-headline">{v.answer.headline}</h2>
                    <ul className="verdict-evidence">
                        {v.answer.evidence.map((line) => (
                            <li key={line}>{line}</li>
                        ))}
                    </ul>
                    {v.harnesses.length > 0 && (
                        <ul className="verdict-evidence" data-testid="verdict-harnesses">
                            {v.harnesses.map((h) => (
                                <li key={h.harness}>
                                    <Badge tone={levelTone[h.verdict]}>{levelLabels[h.verdict]}</Badge> {h.sentence}
                                </li>
                            ))}
                        </ul>
                    )}
                    <div className="muted verdict-machine">
                        {v.machine.label} · {formatBytes(v.machine.ramBytes)} RAM · {v.machine.gpuName ?? "no GPU"} · task {v.task ?? "–"} · agent context {formatKTokens(v.thresholds.contextSize)}
                    </div>
                </div>
                {best && (
                    <div className="verdict-hero-stats">
                        <HeroStat label="Refactor success" value={best.eval ? formatPercent(best.eval.successRate) : "–"} note={best.eval ? `${best.eval.successes}/${best.eval.samples} runs` : "not evaluated"} />
                        <HeroStat label="Generation" value={formatTps(best.speed.generationTps)} note={best.speed.generationSource === "bench" ? "benchmark" : best.speed.generationSource === "eval" ? "in the eval" : "not measured"} />
                        <HeroStat label="Per agent turn" value={formatSeconds(best.speed.turnSeconds)} note={best.speed.turnSource ?? "not measured"} />
                    </div>
                )}
            </section>

            <Card title="Models tried on this machine" subtitle="Each model and quantization against the thresholds. Click one for its evidence." testId="verdict-models">
                <LevelLegend
                    legend={v.legend}
                    note={`Success counts runs that passed (the target changed, parses, every test passes). ${strictScoreMeaning} ${describeAgentTurn()} Predictions are shown with "~" and never decide a verdict.`}
                    testId="verdict-legend"
                />
                {v.local.length === 0 ? (
                    <div className="empty-inline">
                        Nothing measured here yet. <a href="#/evaluate">Evaluate a local model</a> (and a cloud one to compare) to get the answer.
                    </div>
                ) : (
                    <table className="table verdict-table">
                        <thead>
                            <tr>
                                <th>Verdict</th>
                                <th>Model</th>
                                <th>Fit</th>
                                <th>Success</th>
                                <th>Generation</th>
                                <th>Per turn</th>
                                <th className="num">Memory at {formatKTokens(v.thresholds.contextSize)}</th>
                                <th className="num">Success rate (95% CI)</th>
                            </tr>
                        </thead>
                        <tbody>
                            {v.local.map((l) => (
                                <Fragment key={l.key}>
                                    <tr className={`clickable ${open === l.key ? "selected" : ""}`} {...activatable(() => setOpen(open === l.key ? null : l.key), {expanded: open === l.key})} data-testid="verdict-row" data-key={l.key}>
                                        <td>
                                            <LevelBadge level={l.verdict} criteria={l.criteria} testId="row-verdict" />
                                        </td>
                                        <td>
                                            <div className="model-name" data-testid="row-name">
                                                {l.label}
                                                {l.location === "local-server" && (
                                                    <>
                                                        {" "}
                                                        <Badge tone="info" testId="row-local-server">local server</Badge>
                                                    </>
                                                )}
                                            </div>
                                            <div className="muted small">{l.headline}</div>
                                            {l.detail && <div className="muted small" data-testid="row-detail">{l.detail}</div>}
                                        </td>
                                        {l.criteria.map((c) => (
                                            <td key={c.id} title={c.detail} data-testid={`criterion-${c.id}`}>
                                                <span className={`criterion tone-${statusTone[c.status]}`}>{statusMark[c.status]}</span>{" "}
                                                {c.id === "fit" ? (c.status === "fail" ? (c.cause === "memory" ? "no" : c.value) : c.status === "pass" ? "yes" : "?") : c.value.split(" (")[0]}
                                            </td>
                                        ))}
                                        <td className="num">{l.memory ? formatBytes(l.memory.ramNeededBytes + l.memory.vramNeededBytes) : "–"}</td>
                                        <td className="num" data-testid="row-success">
                                            {l.eval ? formatScore(l.eval.successes, l.eval.samples, l.eval.interval) : "not evaluated"}
                                        </td>
                                    </tr>
                                    {open === l.key && (
                                        <tr className="details-row">
                                            <td colSpan={8}>
                                                <ModelEvidence model={l} />
                                            </td>
                                        </tr>
                                    )}
                                </Fragment>
                            ))}
                        </tbody>
                    </table>
                )}
            </Card>

            {(v.local.length > 0 || v.cloud.length > 0) && <Comparisons verdict={v} />}

            {v.servers.length > 0 && (
                <Card title={<><Icon name="server" /> On servers</>} subtitle="Benchmarked through their endpoints; judged apart from this machine's answer." testId="verdict-servers">
                    <ul className="criteria-list">
                        {v.servers.map((server) => (
                            <li key={server.key} data-testid="server-verdict" data-verdict={server.verdict}>
                                <Badge tone={levelTone[server.verdict]}>{levelLabels[server.verdict]}</Badge> <strong>{server.label}</strong>
                                <div>{server.headline}</div>
                                <div className="muted small">
                                    {server.criteria.map((c) => `${statusMark[c.status]} ${c.label}: ${c.value}`).join(" · ")}
                                </div>
                            </li>
                        ))}
                    </ul>
                </Card>
            )}

            <div className="grid grid-2">
                <ChangesCard changes={v.changes} answer={v.answer.verdict} />
                <ThresholdsCard />
            </div>

            <ExportCard task={task} />
        </>
    );
}

const changeBadges: Record<VerdictChange["kind"], {label: string; tone: Tone}> = {
    bench: {label: "measure", tone: "accent"},
    eval: {label: "evaluate", tone: "accent"},
    model: {label: "try", tone: "accent"},
    ram: {label: "RAM", tone: "info"},
    gpu: {label: "laptop", tone: "info"},
    settings: {label: "settings", tone: "neutral"}
};

/** Decisive changes first, each with the action that tests it; the rest apart, with why they would not change the answer. */
function ChangesCard({changes, answer}: {changes: VerdictChange[]; answer: Verdict["answer"]["verdict"]}) {
    const downloaded = useDownloadedCatalogReferences();
    const decisive = changes.filter((c) => c.decisive);
    const others = changes.filter((c) => !c.decisive);
    const item = (c: VerdictChange) => (
        <li key={c.text} data-testid="change" data-kind={c.kind} data-decisive={c.decisive}>
            <Badge tone={changeBadges[c.kind].tone}>{changeBadges[c.kind].label}</Badge>
            <div className="change-body">
                <span>{c.text}</span>
                <div className="muted small" data-testid="change-why">
                    {c.why}
                </div>
                <div className="change-action" data-testid="change-action">
                    <ChangeAction action={c.action} downloaded={downloaded} />
                </div>
            </div>
        </li>
    );
    return (
        <Card
            title={<><Icon name="bolt" /> What would change the answer</>}
            subtitle="Measurements the answer still lacks, then what-if estimates (predictions, not measurements). Each links to what tests it."
            testId="verdict-changes"
        >
            {decisive.length === 0 ? (
                <div className="empty-inline" data-testid="no-decisive-change">
                    {answer === "usable" ? "The answer is Yes; nothing here would change it." : "Nothing measured or predicted would change the answer as it stands."}
                </div>
            ) : (
                <ul className="change-list">{decisive.map(item)}</ul>
            )}
            {others.length > 0 && (
                <details className="other-changes" data-testid="other-changes">
                    <summary>
                        {others.length} other option{others.length === 1 ? "" : "s"} that would not change the answer
                    </summary>
                    <ul className="change-list">{others.map(item)}</ul>
                </details>
            )}
        </Card>
    );
}

function ChangeAction({action, downloaded}: {action: VerdictChangeAction; downloaded: ReadonlySet<string>}) {
    if (action.kind === "download") return <DownloadButton reference={action.reference} downloaded={downloaded} label={`Download ${action.reference}`} />;
    if (action.kind === "bench")
        return (
            <a className="button small" href={benchmarkLink(action)}>
                <Icon name="gauge" size={14} /> Benchmark it at {formatKTokens(action.contextSize)}{action.kvCacheType ? ` with a ${action.kvCacheType} KV cache` : ""}
            </a>
        );
    if (action.kind === "eval")
        return (
            <a className="button small" href={evaluateLink(action)}>
                <Icon name="flask" size={14} /> Evaluate it at {formatKTokens(action.contextSize)} ({action.runs} run{action.runs === 1 ? "" : "s"})
            </a>
        );
    return (
        <a className="button small ghost" href={screenLink("models", {ram: action.ram, preset: action.preset})}>
            See the what-if estimate
        </a>
    );
}

function HeroStat(props: {label: string; value: string; note: string}) {
    return (
        <div className="stat">
            <div className="stat-label">{props.label}</div>
            <div className="stat-value">{props.value}</div>
            <div className="stat-note">{props.note}</div>
        </div>
    );
}

function ModelEvidence({model: l}: {model: LocalModelVerdict}) {
    const memory = l.memory;
    return (
        <div className="verdict-evidence-grid" data-testid="model-evidence">
            <div>
                <div className="section-title">Criteria</div>
                <ul className="criteria-list">
                    {l.criteria.map((c) => (
                        <li key={c.id}>
                            <Badge tone={statusTone[c.status]}>{c.status}</Badge> <strong>{c.label}</strong>: {c.value}
                            <div className="muted small">
                                {c.detail}
                                {c.source ? ` · ${c.source}` : ""}
                            </div>
                        </li>
                    ))}
                </ul>
            </div>
            <div>
                <div className="section-title">Memory at {formatKTokens(memory?.contextSize ?? 0)} context</div>
                {memory ? (
                    <>
                        <Meter
                            capacity={memory.ramCapacityBytes + memory.vramCapacityBytes}
                            segments={memory.parts.map((p, i) => ({label: `${p.label}: ${formatBytes(p.ramBytes + p.vramBytes)}`, value: p.ramBytes + p.vramBytes, tone: (["accent", "info", "warn", "neutral"] as Tone[])[i % 4]!}))}
                            label="memory breakdown"
                        />
                        <ul className="plain-list small">
                            {memory.parts.map((p) => (
                                <li key={p.label}>
                                    {p.label}: {formatBytes(p.ramBytes + p.vramBytes)}
                                </li>
                            ))}
                            <li>
                                needs {formatBytes(memory.ramNeededBytes + memory.vramNeededBytes)} of {formatBytes(memory.ramCapacityBytes + memory.vramCapacityBytes)} usable
                            </li>
                            {memory.measured && (
                                <li data-testid="measured-load">
                                    measured load at {memory.measured.contextSize ?? "?"} tokens: {formatBytes(memory.measured.residentBytes + memory.measured.vramBytes)}
                                </li>
                            )}
                        </ul>
                    </>
                ) : (
                    <div className="muted">No estimate.</div>
                )}
            </div>
            <div>
                <div className="section-title">Speed and cost</div>
                <ul className="plain-list small">
                    <li>prompt processing: {formatTps(l.speed.promptTps)}</li>
                    <li>
                        generation: {formatTps(l.speed.generationTps)}
                        {l.speed.generationDepth !== null ? ` at depth ${l.speed.generationDepth}` : ""} (predicted {formatTps(l.speed.predictedGenerationTps)})
                    </li>
                    <li>
                        per agent turn: {formatSeconds(l.speed.turnSeconds)}
                        {l.speed.predictedTurnSeconds !== null ? ` (predicted ~${formatSeconds(l.speed.predictedTurnSeconds)})` : ""}
                    </li>
                    {l.speed.settings && <li>settings: {l.speed.settings}</li>}
                    {l.speed.binary && <li data-testid="speed-binary">measured with: {engineBinaryLabels[l.speed.binary]}</li>}
                    {l.eval && <li>cost per run: {formatCost(l.eval.costPerRun)}{l.eval.energyWhPerRun !== null ? ` (${l.eval.energyWhPerRun.toFixed(2)} Wh)` : ""}</li>}
                    {l.versusCloud && (
                        <li data-testid="versus-cloud">
                            vs {l.versusCloud.label}: {formatPercent(l.versusCloud.successRate)} at {formatCost(l.versusCloud.costPerRun)} per run
                        </li>
                    )}
                    {l.server && (
                        <li data-testid="served-by">
                            served by {l.server.server} at {l.server.baseUrl}
                            {l.server.quantization ? ` · ${l.server.quantization}` : ""}
                        </li>
                    )}
                    {l.path && <li className="path mono">{l.path}</li>}
                </ul>
            </div>
        </div>
    );
}

function Comparisons({verdict: v}: {verdict: Verdict}) {
    const ladders = v.ladders.filter((l) => l.entries.length > 1);
    const [tab, setTab] = useState<"ladder" | "cloud">(ladders.length ? "ladder" : "cloud");
    const [family, setFamily] = useState<string | undefined>();
    const ladder = ladders.find((l) => l.family === family) ?? ladders[0];
    const byKey = useMemo(() => new Map(v.local.map((l) => [l.key, l])), [v.local]);
    const compared = [
        ...v.local.filter((l) => l.eval).map((l) => ({key: l.key, label: l.label, where: l.location === "local-server" ? "local server" : "local", e: l.eval!, level: l.verdict})),
        ...v.cloud.map((c) => ({key: c.key, label: c.label, where: "cloud", e: c.eval, level: c.level as VerdictLevel}))
    ];
    return (
        <Card title="Comparisons" subtitle="Quantizations of one model side by side, and local against cloud on the same eval." testId="verdict-comparisons">
            <div className="tabs" role="tablist">
                <button role="tab" className={`tab ${tab === "ladder" ? "active" : ""}`} aria-selected={tab === "ladder"} onClick={() => setTab("ladder")} data-testid="tab-ladder">
                    Quantization ladder
                </button>
                <button role="tab" className={`tab ${tab === "cloud" ? "active" : ""}`} aria-selected={tab === "cloud"} onClick={() => setTab("cloud")} data-testid="tab-cloud">
                    Local vs cloud
                </button>
            </div>
            {tab === "ladder" &&
                (ladder ? (
                    <div data-testid="ladder">
                        {ladders.length > 1 && (
                            <select value={ladder.family} onChange={(e) => setFamily(e.target.value)} data-testid="ladder-family">
                                {ladders.map((l) => (
                                    <option key={l.family} value={l.family}>
                                        {l.label}
                                    </option>
                                ))}
                            </select>
                        )}
                        <h3 className="ladder-title">{ladder.label}</h3>
                        <table className="table">
                            <thead>
                                <tr>
                                    <th>Quantization</th>
                                    <th className="num">Bits / weight</th>
                                    <th className="num">Memory</th>
                                    <th className="num">Prompt</th>
                                    <th className="num">Generation</th>
                                    <th className="num">Success</th>
                                    <th className="num">95% CI</th>
                                    <th>Verdict</th>
                                </tr>
                            </thead>
                            <tbody>
                                {ladder.entries.map((key) => {
                                    const l = byKey.get(key)!;
                                    return (
                                        <tr key={key} data-testid="ladder-row">
                                            <td className="mono">{l.quantization ?? "?"}</td>
                                            <td className="num">{l.bitsPerWeight?.toFixed(2) ?? "–"}</td>
                                            <td className="num">{l.memory ? formatBytes(l.memory.ramNeededBytes + l.memory.vramNeededBytes) : "–"}</td>
                                            <td className="num">{formatTps(l.speed.promptTps)}</td>
                                            <td className="num" data-testid="ladder-generation">
                                                {formatTps(l.speed.generationTps)}
                                            </td>
                                            <td className="num">{l.eval ? `${l.eval.successes}/${l.eval.samples}` : "–"}</td>
                                            <td className="num">{l.eval?.interval ? `${Math.round(l.eval.interval.low * 100)}–${Math.round(l.eval.interval.high * 100)}%` : "–"}</td>
                                            <td>
                                                <LevelBadge level={l.verdict} criteria={l.criteria} />
                                            </td>
                                        </tr>
                                    );
                                })}
                            </tbody>
                        </table>
                    </div>
                ) : (
                    <div className="empty-inline">Measure two or more quantizations of one model to compare them here.</div>
                ))}
            {tab === "cloud" && compared.length === 0 && <div className="empty-inline">No eval results yet: evaluate a local and a cloud model on the same task.</div>}
            {tab === "cloud" && compared.length > 0 && (
                <table className="table" data-testid="local-vs-cloud">
                    <thead>
                        <tr>
                            <th>Model</th>
                            <th>Where</th>
                            <th className="num">Passed (95% CI)</th>
                            <th className="num">Strict passed</th>
                            <th className="num">Cost / run</th>
                            <th className="num">Time / run</th>
                            <th className="num">Turns</th>
                        </tr>
                    </thead>
                    <tbody>
                        {compared.map((c) => (
                            <tr key={c.key} data-testid="compare-row">
                                <td>
                                    <LevelBadge level={c.level} /> {c.label}
                                </td>
                                <td data-testid="compare-where">{c.where}</td>
                                <td className="num">{formatScore(c.e.successes, c.e.samples, c.e.interval)}</td>
                                <td className="num" title={strictScoreMeaning}>
                                    {formatPercent(c.e.strictRate)}
                                </td>
                                <td className="num" data-testid="compare-cost">
                                    {formatCost(c.e.costPerRun)}
                                </td>
                                <td className="num">{formatSeconds(c.e.meanWallMs !== null ? c.e.meanWallMs / 1000 : null)}</td>
                                <td className="num">{c.e.meanTurns?.toFixed(1) ?? "–"}</td>
                            </tr>
                        ))}
                    </tbody>
                </table>
            )}
            <div className="grid grid-2 verdict-charts">
                <AccuracySpeedChart verdict={v} />
                <CostAccuracyChart verdict={v} />
            </div>
        </Card>
    );
}

function ExportCard({task}: {task: string | undefined}) {
    const [busy, setBusy] = useState<ReportFormat | null>(null);
    const [error, setError] = useState<Error | undefined>();
    const [done, setDone] = useState<string | null>(null);
    const download = async (format: ReportFormat) => {
        setBusy(format);
        setError(undefined);
        try {
            const result = await api.call("reports.export", task ? {format, task} : {format});
            for (const file of result.files) {
                const url = URL.createObjectURL(new Blob([file.content], {type: file.mimeType}));
                const a = document.createElement("a");
                a.href = url;
                a.download = file.name;
                document.body.append(a);
                a.click();
                a.remove();
                setTimeout(() => URL.revokeObjectURL(url), 10_000);
            }
            setDone(result.files.length === 0 ? "Nothing to export yet." : `Saved ${result.files.map((f) => f.name).join(", ")}`);
        } catch (e) {
            setError(e as Error);
        } finally {
            setBusy(null);
        }
    };
    return (
        <Card title={<><Icon name="download" /> Export</>} subtitle="A self-contained report to share, or every measurement for your own analysis." testId="verdict-export">
            <ErrorBanner error={error} title="The export failed" />
            <div className="export-buttons">
                {exportFormats.map((f) => (
                    <button key={f.format} className={`button ${f.format === "html" ? "primary" : ""}`} onClick={() => void download(f.format)} disabled={busy !== null} data-testid={`export-${f.format}`}>
                        <Icon name="download" size={16} />
                        {busy === f.format ? "Exporting…" : f.label}
                    </button>
                ))}
            </div>
            {done && (
                <div className="muted small" data-testid="export-done">
                    {done}
                </div>
            )}
        </Card>
    );
}
