import {useState} from "react";
import type {MachineComparisonCell, MachinesImportResult} from "../../../../electron/api/MachinesApi.ts";
import {levelLabels} from "../../../../electron/shared/verdictLevels.ts";
import {formatSeconds, formatTps} from "../../../../electron/shared/verdictFormat.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {Badge} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {PageHeader} from "../../components/PageHeader.tsx";
import {levelTone} from "../../components/LevelBadge.tsx";
import "./MachinesScreen.css";

/** This machine beside machines whose JSON reports were imported: one row per model and quantization. */
export function MachinesScreen() {
    const comparison = useApiQuery("machines.compare", {});
    const importReports = useApiAction("machines.import");
    const [source, setSource] = useState("");
    const [result, setResult] = useState<MachinesImportResult | undefined>();
    useApiEvent("machines.imported", () => void comparison.reload());
    const run = async () => {
        const imported = await importReports.run({path: source.trim()});
        if (imported) {
            setResult(imported);
            await comparison.reload();
        }
    };
    const c = comparison.data;
    return (
        <div className="page machines-page">
            <PageHeader
                title="Machines"
                subtitle="This machine beside your team's: import the JSON report of another laptop or server (agentfit report --format json) and compare models side by side."
            />
            <Card title={<><Icon name="folder" /> Import reports</>} subtitle="A report file, or a folder of them (one per machine). Importing the same report again changes nothing." testId="machines-import">
                <div className="machines-import-form">
                    <input
                        data-testid="machines-path"
                        placeholder="/path/to/agentfit-report.json or /path/to/team-reports/"
                        value={source}
                        onChange={(e) => setSource(e.target.value)}
                        onKeyDown={(e) => e.key === "Enter" && source.trim() && void run()}
                    />
                    <button className="button primary" onClick={() => void run()} disabled={!source.trim() || importReports.running} data-testid="machines-import-button">
                        {importReports.running ? "Importing…" : "Import"}
                    </button>
                </div>
                <ErrorBanner error={importReports.error} title="Cannot import" />
                {result && (
                    <ul className="machines-import-result" data-testid="machines-import-result">
                        {result.imported.map((r) => (
                            <li key={`new-${r.id}`}>
                                <Badge tone="good">imported</Badge> {r.label} <span className="muted">· report of {r.generatedAt.slice(0, 10)}</span>
                            </li>
                        ))}
                        {result.alreadyImported.map((r) => (
                            <li key={`old-${r.id}`}>
                                <Badge>unchanged</Badge> {r.label} <span className="muted">· already imported</span>
                            </li>
                        ))}
                        {result.skipped.map((s) => (
                            <li key={s.path}>
                                <Badge tone="warn">skipped</Badge> {s.path} <span className="muted">· {s.message}</span>
                            </li>
                        ))}
                    </ul>
                )}
            </Card>
            <ErrorBanner error={comparison.error} title="Cannot compare machines" />
            {!c && comparison.loading && <div className="empty-inline">Weighing this machine's results…</div>}
            {c && (
                <Card
                    title={<><Icon name="chip" /> Side by side</>}
                    subtitle="Each machine's own measurements and verdict; a model not tried on a machine is left empty, never filled from another."
                    testId="machines-comparison"
                >
                    {c.machines.length === 1 && <div className="empty-inline">Only this machine so far: import a teammate's report to compare.</div>}
                    {c.rows.length === 0 ? (
                        <div className="empty-inline">No model has been benchmarked or evaluated on any machine yet.</div>
                    ) : (
                        <div className="machines-table-wrap">
                            <table className="table machines-table">
                                <thead>
                                    <tr>
                                        <th>Model</th>
                                        {c.machines.map((m, i) => (
                                            <th key={i} data-testid="machine-column">
                                                <div className="machine-name">{m.label}</div>
                                                <div className="machine-meta">
                                                    <Badge tone={m.kind === "this" ? "accent" : m.sameHardwareAsThis ? "warn" : "info"}>
                                                        {m.kind === "this" ? "this machine" : m.sameHardwareAsThis ? "same hardware, imported" : "imported"}
                                                    </Badge>{" "}
                                                    <Badge tone={levelTone[m.answer]}>{levelLabels[m.answer]}</Badge>
                                                </div>
                                                <div className="muted small">{m.kind === "this" ? "now" : `report of ${m.generatedAt.slice(0, 10)}`}</div>
                                            </th>
                                        ))}
                                    </tr>
                                </thead>
                                <tbody>
                                    {c.rows.map((row) => (
                                        <tr key={row.key} data-testid="machine-row">
                                            <td className="machine-model">{row.label}</td>
                                            {row.cells.map((cell, i) => (
                                                <td key={i}>
                                                    <MachineCell cell={cell} />
                                                </td>
                                            ))}
                                        </tr>
                                    ))}
                                </tbody>
                            </table>
                        </div>
                    )}
                </Card>
            )}
        </div>
    );
}

function MachineCell({cell}: {cell: MachineComparisonCell | null}) {
    if (!cell) return <span className="muted">not tried</span>;
    return (
        <div className="machine-cell">
            <Badge tone={levelTone[cell.verdict]}>{levelLabels[cell.verdict]}</Badge>
            <div>{formatTps(cell.generationTps)} · {formatSeconds(cell.turnSeconds)} per turn</div>
            {/* An untested cell's badge already says "Not evaluated". */}
            {cell.eval ? <div>{`${cell.eval.successes}/${cell.eval.samples} refactors`}</div> : cell.verdict !== "untested" && <div>not evaluated</div>}
            <div className="muted small">{cell.fit.value}</div>
        </div>
    );
}
