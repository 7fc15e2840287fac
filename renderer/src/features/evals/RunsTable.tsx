import type {EvalRunSummary} from "../../../../electron/api/EvalApi.ts";
import {formatCost, formatFailureModes, formatInterval, formatPercent, strictScoreMeaning} from "../../../../electron/shared/evalFormat.ts";
import {formatDuration} from "../../../../electron/shared/format.ts";
import {activatable} from "../../components/activatable.ts";
import {Badge} from "../../components/Badge.tsx";
import {Meter} from "../../components/Meter.tsx";
import {locationLabels, runStatusTone} from "./evalLabels.ts";

/** Every run with its live progress and headline numbers; a row opens the run. */
export function RunsTable(props: {runs: EvalRunSummary[]; selectedId: number | undefined; onSelect: (id: number) => void}) {
    return (
        <table className="table runs-table" data-testid="runs-table">
            <thead>
                <tr>
                    <th>#</th>
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
