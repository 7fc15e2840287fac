import type {EvalRunDetail} from "../../../../electron/api/EvalApi.ts";
import {confinementLabel, formatCost, formatFailureModes, formatInterval, formatPercent, formatTokens, scoreWord, strictScoreMeaning, unconfinedNotice} from "../../../../electron/shared/evalFormat.ts";
import {formatDuration, formatModelFile} from "../../../../electron/shared/format.ts";
import {api} from "../../api/client.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {activatable} from "../../components/activatable.ts";
import {Badge} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {locationLabels, runStatusTone, sampleTone} from "./evalLabels.ts";

async function downloadInspectLog(run: EvalRunDetail) {
    const log = await api.call("eval.exportInspect", {runId: run.id});
    const url = URL.createObjectURL(new Blob([JSON.stringify(log, null, 2)], {type: "application/json"}));
    const link = document.createElement("a");
    link.href = url;
    link.download = `agentfit-run-${run.id}-${run.spec.task}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** One run: headline statistics, a live tile per sample, and the samples table. */
export function RunDetail({runId, selectedSampleId, onSelectSample}: {runId: number; selectedSampleId: number | undefined; onSelectSample: (id: number) => void}) {
    const run = useApiQuery("eval.run", {runId});
    const cancel = useApiAction("eval.cancel");
    const resume = useApiAction("eval.resume");
    useApiEvent("eval.run.updated", (r) => r.id === runId && void run.reload());
    useApiEvent("eval.sample.updated", (s) => s.runId === runId && void run.reload());
    const r = run.data;
    if (!r) return <ErrorBanner error={run.error} />;
    const s = r.stats;
    const local = r.location !== "cloud";
    return (
        <Card
            title={
                <>
                    Run #{r.id} · <span className="mono">{r.modelLabel}</span>
                </>
            }
            subtitle={`${locationLabels[r.location]}${r.location === "local-server" && r.spec.model.baseUrl ? ` at ${r.spec.model.baseUrl}` : ""}${r.spec.server?.quantization ? ` (${r.spec.server.server} reports ${r.spec.server.quantization})` : ""} · ${r.taskTitle} · ${r.spec.harness && r.spec.harness.id !== "builtin" ? `harness ${r.spec.harness.id} ${r.spec.harness.version ?? ""}${r.spec.harness.confinement ? ` (${confinementLabel(r.spec.harness.confinement)})` : ""} · ` : ""}${r.spec.epochs} runs · ${r.spec.systemPrompt} prompt · up to ${r.spec.limits.maxTurns} turns · ${new Date(r.createdAt).toLocaleString()}`}
            actions={
                <>
                    <Badge tone={runStatusTone[r.status]} testId="run-status">
                        {r.status}
                    </Badge>
                    {(r.status === "running" || r.status === "queued") && (
                        <button className="button" onClick={() => void cancel.run({runId}).then(() => run.reload())} disabled={cancel.running} data-testid="cancel-run">
                            Cancel
                        </button>
                    )}
                    {(r.status === "interrupted" || r.status === "failed" || r.status === "cancelled") && (
                        <button className="button" onClick={() => void resume.run({runId}).then(() => run.reload())} disabled={resume.running} data-testid="resume-run">
                            <Icon name="play" size={14} /> Resume
                        </button>
                    )}
                    <button className="button" onClick={() => void downloadInspectLog(r)} data-testid="export-run" title="An Inspect AI log that `inspect view` opens">
                        <Icon name="download" size={14} /> Inspect log
                    </button>
                </>
            }
            testId="run-detail"
        >
            <ErrorBanner error={cancel.error ?? resume.error} />
            {r.error && (
                <div className={`notice ${r.status === "interrupted" ? "warn" : "bad"}`} data-testid="run-error">
                    <Icon name="warn" />
                    <div>
                        <strong>{r.error.code}</strong> {r.error.message}
                    </div>
                </div>
            )}
            {unconfinedNotice(r.spec.harness) && (
                <div className="notice warn" data-testid="run-unconfined">
                    <Icon name="warn" />
                    <div>{unconfinedNotice(r.spec.harness)}</div>
                </div>
            )}
            {r.spec.modelFile && (
                <div className="muted small path" data-testid="run-model-file">
                    Model file: {formatModelFile(r.spec.modelFile)}
                </div>
            )}
            <div className="stat-grid" data-testid="run-stats">
                <div className="stat">
                    <div className="stat-label">Passed</div>
                    <div className="stat-value" data-testid="success-rate">
                        {formatPercent(s.successRate)}
                    </div>
                    <div className="stat-note">
                        {s.successes}/{s.samples} · 95% CI {formatInterval(s.interval)}
                    </div>
                </div>
                <div className="stat">
                    <div className="stat-label" title={strictScoreMeaning}>
                        Strict passed
                    </div>
                    <div className="stat-value">{formatPercent(s.strictRate)}</div>
                    <div className="stat-note">
                        {s.strictSuccesses}/{s.samples} · 95% CI {formatInterval(s.strictInterval)}
                    </div>
                </div>
                <div className="stat">
                    <div className="stat-label">{local ? "Energy per run" : "Cost per run"}</div>
                    <div className="stat-value" data-testid="run-energy">{local ? (s.energyWhPerRun ? `${s.energyWhPerRun.toFixed(1)} Wh` : "not measured") : formatCost(s.costPerRun)}</div>
                    <div className="stat-note">
                        {local
                            ? s.energyWhPerRun
                                ? `estimated from the watts given, ${r.location === "local-server" ? "local server" : "local model"}`
                                : "no per-token price; give the machine's watts to estimate energy"
                            : s.costPerRun === null
                              ? "no price set for this model"
                              : "from the price table"}
                    </div>
                </div>
                <div className="stat">
                    <div className="stat-label">Time per run</div>
                    <div className="stat-value">{formatDuration(s.meanWallMs)}</div>
                    <div className="stat-note">{s.outputTokensPerSecond ? `${s.outputTokensPerSecond.toFixed(1)} output tok/s` : "–"}</div>
                </div>
                <div className="stat">
                    <div className="stat-label">Tokens per run</div>
                    <div className="stat-value">{formatTokens((s.meanInputTokens ?? 0) + (s.meanCachedInputTokens ?? 0))}</div>
                    <div className="stat-note">
                        in ({formatTokens(s.meanCachedInputTokens)} cached) · {formatTokens(s.meanOutputTokens)} out · {s.meanTurns?.toFixed(1) ?? "–"} turns
                    </div>
                </div>
            </div>
            <div className="sample-tiles" data-testid="sample-tiles">
                {r.samples.map((sample) => (
                    <button
                        key={sample.id}
                        className={`sample-tile tone-border-${sampleTone(sample)} ${sample.id === selectedSampleId ? "selected" : ""}`}
                        onClick={() => onSelectSample(sample.id)}
                        disabled={sample.status === "pending"}
                        data-testid="sample-tile"
                        title={sample.failureDetail ?? undefined}
                    >
                        <span className="tile-epoch">#{sample.epoch}</span>
                        <span className="tile-score">{sample.status === "completed" ? scoreWord(sample.score) : sample.status === "pending" ? "…" : sample.status === "scoring" ? "grading" : `turn ${sample.turns + 1}`}</span>
                    </button>
                ))}
            </div>
            {s.samples > 0 && <p className="muted small">Failures: {formatFailureModes(s.failureModes)}</p>}
            <p className="muted small" data-testid="score-legend">
                Passed: the target file changed, parses and the whole test suite passes. {strictScoreMeaning}
            </p>
            <table className="table" data-testid="samples-table">
                <thead>
                    <tr>
                        <th>Sample</th>
                        <th>Status</th>
                        <th>Score</th>
                        <th title={strictScoreMeaning}>Strict score</th>
                        <th className="num">Turns</th>
                        <th className="num">Tool calls</th>
                        <th className="num">Tool errors</th>
                        <th className="num">Input</th>
                        <th className="num">Output</th>
                        <th className="num">Time</th>
                        <th>Why</th>
                    </tr>
                </thead>
                <tbody>
                    {r.samples.map((x) => (
                        <tr
                            key={x.id}
                            className={`${x.status === "pending" ? "" : "clickable"} ${x.id === selectedSampleId ? "selected" : ""}`}
                            {...(x.status === "pending" ? {} : activatable(() => onSelectSample(x.id)))}
                            data-testid="sample-row"
                        >
                            <td>#{x.epoch}</td>
                            <td>{x.status}</td>
                            <td>{x.score ? <Badge tone={x.score === "C" ? "good" : "bad"}>{scoreWord(x.score)}</Badge> : "–"}</td>
                            <td>{x.strictScore ? <Badge tone={x.strictScore === "C" ? "good" : "bad"}>{scoreWord(x.strictScore)}</Badge> : "–"}</td>
                            <td className="num">{x.turns}</td>
                            <td className="num">{x.toolCalls}</td>
                            <td className="num">{x.toolErrors.unknownTool + x.toolErrors.badArguments + x.toolErrors.failed}</td>
                            <td className="num">{formatTokens(x.usage.inputTokens + x.usage.cachedInputTokens)}</td>
                            <td className="num">{formatTokens(x.usage.outputTokens)}</td>
                            <td className="num">{formatDuration(x.wallMs)}</td>
                            <td className="small">{x.failureMode ? <strong>{x.failureMode.replaceAll("_", " ")}</strong> : null} {x.failureDetail}</td>
                        </tr>
                    ))}
                </tbody>
            </table>
        </Card>
    );
}
