import type {EvalRunSummary} from "../../../../electron/api/EvalApi.ts";
import {formatCost, formatFailureModes, formatInterval, formatPercent, strictScoreMeaning} from "../../../../electron/shared/evalFormat.ts";
import {formatDuration, formatElapsedAndEta, remainingSeconds} from "../../../../electron/shared/format.ts";
import {activatable} from "../../components/activatable.ts";
import {Badge} from "../../components/Badge.tsx";
import {Meter} from "../../components/Meter.tsx";
import {useNow} from "../../components/useNow.ts";
import {locationLabels, runStatusTone} from "./evalLabels.ts";

/** Every run with its live progress and headline numbers; a row opens the run. */
export function RunsTable(props: {runs: EvalRunSummary[]; selectedId: number | undefined; onSelect: (id: number) => void}) {
    const now = useNow(props.runs.some((r) => r.status === "running"));
    return (
        <table className="table runs-table" data-testid="runs-table">
            <thead>
                <tr>
                    <th>#</th>
                    <th>Harness</th>
                    <th>Model</th>
                    <th>Where</th>
                    <th>Task</th>
                    <th>Status</th>
                    <th>Progress</th>
                    <th className="num">Passed</th>
                    <th className="num">95% CI</th>
                    <th className="num" title={strictScoreMeaning}>
                        Strict passed
                    </th>
                    <th className="num">Cost/run</th>
                    <th className="num">Time/run</th>
                    <th>Failures</th>
                </tr>
            </thead>
            <tbody>
                {props.runs.map((run) => (
                    <tr key={run.id} className={run.id === props.selectedId ? "selected clickable" : "clickable"} {...activatable(() => props.onSelect(run.id))} data-testid="run-row">
                        <td>{run.id}</td>
                        <td data-testid="run-harness">{run.spec.harness && run.spec.harness.id !== "builtin" ? `${run.spec.harness.id} ${run.spec.harness.version ?? ""}` : "builtin"}</td>
                        <td className="mono">{run.modelLabel}</td>
                        <td data-testid="run-where">{locationLabels[run.location]}</td>
                        <td>{run.spec.task}</td>
                        <td>
                            <Badge tone={runStatusTone[run.status]}>{run.status}</Badge>
                        </td>
                        <td className="progress-cell">
                            <Meter
                                capacity={run.progress.total}
                                segments={[
                                    {label: "Passed", value: run.stats.successes, tone: "good"},
                                    {label: "Failed", value: run.progress.completed - run.stats.successes, tone: "bad"},
                                    {label: "Running", value: run.progress.running, tone: "info"}
                                ]}
                                label={`${run.progress.completed} of ${run.progress.total} samples done`}
                            />
                            <span className="muted small">
                                {run.progress.completed}/{run.progress.total}
                                {run.activity && run.status === "running" ? ` · ${run.activity}` : ""}
                            </span>
                            {run.status === "running" && run.startedAt && <RunTiming run={run} now={now} />}
                        </td>
                        <td className="num">{run.stats.samples ? `${run.stats.successes}/${run.stats.samples} · ${formatPercent(run.stats.successRate)}` : "–"}</td>
                        <td className="num">{formatInterval(run.stats.interval)}</td>
                        <td className="num">{run.stats.samples ? `${run.stats.strictSuccesses}/${run.stats.samples}` : "–"}</td>
                        <td className="num">{formatCost(run.stats.costPerRun)}</td>
                        <td className="num">{formatDuration(run.stats.meanWallMs)}</td>
                        <td className="small">{formatFailureModes(run.stats.failureModes)}</td>
                    </tr>
                ))}
            </tbody>
        </table>
    );
}

/** Elapsed time and ETA of a running run, extrapolated from the samples done. */
function RunTiming({run, now}: {run: EvalRunSummary; now: number}) {
    const elapsed = Math.max(0, (now - Date.parse(run.startedAt!)) / 1000);
    const done = run.progress.total > 0 ? run.progress.completed / run.progress.total : null;
    return (
        <span className="muted small run-timing" data-testid="run-timing">
            {formatElapsedAndEta(elapsed, remainingSeconds(elapsed, done))}
        </span>
    );
}
