import {useCallback, useEffect, useState, type FormEvent} from "react";
import type {DownloadJob, DownloadState, ImportResult, RegisteredModel} from "../../../../electron/api/DownloadsApi.ts";
import {formatBytes, formatParameterCount, formatTransfer} from "../../../../electron/shared/format.ts";
import {api} from "../../api/client.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {Badge, type Tone} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {Meter} from "../../components/Meter.tsx";
import {PageHeader} from "../../components/PageHeader.tsx";
import "./DownloadsScreen.css";

const STATE_LABELS: Record<DownloadState, [string, Tone]> = {
    queued: ["Queued", "neutral"],
    downloading: ["Downloading", "info"],
    retrying: ["Reconnecting", "warn"],
    verifying: ["Verifying", "accent"],
    paused: ["Paused", "warn"],
    completed: ["Done", "good"],
    failed: ["Failed", "bad"],
    cancelled: ["Cancelled", "neutral"]
};

const RUNNING_STATES: ReadonlySet<DownloadState> = new Set(["queued", "downloading", "retrying", "verifying"]);

const EXAMPLES = ["hf:bartowski/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M", "hf:user/repo/file.gguf", "https://example.com/model.gguf"];

export function DownloadsScreen() {
    const models = useApiQuery("models.list", {});
    const reloadModels = models.reload;
    const jobs = useJobs(useCallback(() => void reloadModels(), [reloadModels]));
    useApiEvent("models.changed", () => void models.reload());

    return (
        <div className="page downloads-page">
            <PageHeader
                title="Downloads"
                subtitle="GGUF models from Hugging Face or any URL. Downloads resume by themselves after a dropped connection or a restart, and every file is checked (size, SHA-256, GGUF header) before it becomes a model."
            />
            <StartDownload onStarted={jobs.reload} />
            <Card title={<><Icon name="download" /> Queue</>} subtitle="One download runs at a time; the rest wait their turn." testId="download-queue">
                <ErrorBanner error={jobs.error} title="Could not read the downloads" />
                {jobs.list.length === 0 ? (
                    <div className="empty-inline" data-testid="queue-empty">
                        Nothing downloading. Pick a model above, or from the catalog.
                    </div>
                ) : (
                    <div className="download-list">
                        {jobs.list.map((job) => (
                            <DownloadRow key={job.id} job={job} onChanged={jobs.reload} />
                        ))}
                    </div>
                )}
            </Card>
            <ModelsCard models={models.data ?? []} error={models.error} onChanged={models.reload} />
            <ImportCard onImported={models.reload} />
        </div>
    );
}

/**
 * The download list, kept current by progress and state events; while something is running it is
 * also re-read every few seconds, so an event lost to a reconnecting stream never leaves it stale.
 */
function useJobs(onFinished: () => void) {
    const query = useApiQuery("downloads.list", {});
    const [list, setList] = useState<DownloadJob[]>([]);
    useEffect(() => setList(query.data ?? []), [query.data]);
    const merge = useCallback(
        (job: DownloadJob) => {
            if (job.state === "completed") onFinished();
            setList((current) => {
                if (!current.some((j) => j.id === job.id)) {
                    void query.reload();
                    return current;
                }
                return current.map((j) => (j.id === job.id ? job : j));
            });
        },
        [query, onFinished]
    );
    useApiEvent("downloads.progress", merge);
    useApiEvent("downloads.updated", merge);
    const running = list.some((job) => RUNNING_STATES.has(job.state));
    const {reload} = query;
    useEffect(() => {
        if (!running) return;
        const timer = setInterval(() => void reload(), 3000);
        return () => clearInterval(timer);
    }, [running, reload]);
    return {list, error: query.error, reload: query.reload};
}

function StartDownload({onStarted}: {onStarted: () => Promise<void>}) {
    const [reference, setReference] = useState("");
    const start = useApiAction("downloads.start");
    const submit = async (event: FormEvent) => {
        event.preventDefault();
        if (!reference.trim()) return;
        const job = await start.run({reference: reference.trim()});
        if (job) {
            setReference("");
            await onStarted();
        }
    };
    return (
        <Card title={<><Icon name="download" /> Download a model</>} testId="start-download">
            <form className="download-form" onSubmit={submit}>
                <input
                    className="text-input"
                    value={reference}
                    onChange={(e) => setReference(e.target.value)}
                    placeholder="catalog id[:QUANT], hf:user/repo:Q4_K_M, hf:user/repo/file.gguf or https://…"
                    aria-label="Model to download"
                    spellCheck={false}
                    data-testid="download-reference"
                />
                <button className="button primary" type="submit" disabled={start.running || !reference.trim()} data-testid="download-button">
                    <Icon name="download" size={16} />
                    {start.running ? "Looking it up…" : "Download"}
                </button>
            </form>
            <p className="muted form-hint">
                For example <code>{EXAMPLES[0]}</code>. Without a quantization, Q4_K_M is picked. Gated repositories need <code>HF_TOKEN</code> set where AgentFit runs.
            </p>
            <ErrorBanner error={start.error} title="Cannot download that" />
        </Card>
    );
}

function DownloadRow({job, onChanged}: {job: DownloadJob; onChanged: () => Promise<void>}) {
    const [label, tone] = STATE_LABELS[job.state];
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<Error | undefined>();
    const act = (method: "downloads.pause" | "downloads.resume" | "downloads.cancel" | "downloads.redownload" | "downloads.dismiss") => async () => {
        setBusy(true);
        setError(undefined);
        try {
            await api.call(method, {id: job.id});
            await onChanged();
        } catch (e) {
            setError(e as Error);
        } finally {
            setBusy(false);
        }
    };
    const active = RUNNING_STATES.has(job.state);
    const progressTone: Tone = job.state === "failed" ? "bad" : job.state === "completed" ? "good" : job.state === "paused" || job.state === "retrying" ? "warn" : "info";
    const capacity = job.totalBytes ?? Math.max(job.downloadedBytes, 1);
    return (
        <div className={`download-row state-${job.state}`} data-testid="download-row" data-state={job.state}>
            <div className="download-head">
                <div className="download-title">
                    <strong>{job.name}</strong>
                    <Badge tone={tone} testId="download-state">
                        {label}
                    </Badge>
                </div>
                <div className="download-actions">
                    {(job.state === "downloading" || job.state === "retrying" || job.state === "queued") && (
                        <button className="button small" onClick={act("downloads.pause")} disabled={busy} data-testid="pause-button">
                            <Icon name="pause" size={14} /> Pause
                        </button>
                    )}
                    {job.canResume && (
                        <button className="button small" onClick={act("downloads.resume")} disabled={busy} data-testid="resume-button">
                            <Icon name="play" size={14} /> Resume
                        </button>
                    )}
                    {job.state === "failed" && job.canRedownload && (
                        <button className="button small" onClick={act("downloads.redownload")} disabled={busy} data-testid="redownload-button">
                            <Icon name="refresh" size={14} /> Re-download
                        </button>
                    )}
                    {(active || job.state === "paused" || job.state === "failed") && (
                        <button className="button small danger" onClick={act("downloads.cancel")} disabled={busy} title="Stop and delete the partial files" data-testid="cancel-button">
                            <Icon name="close" size={14} /> Cancel
                        </button>
                    )}
                    {(job.state === "completed" || job.state === "cancelled") && (
                        <button className="button small ghost" onClick={act("downloads.dismiss")} disabled={busy} data-testid="dismiss-button">
                            Dismiss
                        </button>
                    )}
                </div>
            </div>
            <Meter capacity={capacity} segments={[{label: "Downloaded", value: job.downloadedBytes, tone: progressTone}]} label={`${label}: ${formatTransfer(job)}`} testId="download-progress" />
            <div className="download-meta">
                <span data-testid="download-transfer">
                    {job.totalBytes ? `${Math.floor((job.downloadedBytes / job.totalBytes) * 100)}% · ` : ""}
                    {formatTransfer(job)}
                </span>
                <span className="muted">
                    {job.files.length > 1 ? `${job.files.length} parts · ` : ""}
                    {job.files.every((f) => f.expectedSha256) ? "SHA-256 published" : "no published SHA-256: size and GGUF header checked"}
                </span>
                <code className="muted download-reference">{job.reference}</code>
            </div>
            {job.state === "retrying" && job.error && (
                <div className="download-note warn" data-testid="download-note">
                    {job.error.message} Resuming{job.retryAt ? ` at ${new Date(job.retryAt).toLocaleTimeString()}` : " shortly"} from the bytes already downloaded (attempt {job.attempt + 1}).
                </div>
            )}
            {job.state === "failed" && job.error && (
                <div className="download-note bad" role="alert" data-testid="download-error">
                    <code>{job.error.code}</code> {job.error.message}
                </div>
            )}
            {job.state === "completed" && job.modelId && (
                <div className="download-note good">
                    Registered as <code>{job.modelId}</code>
                </div>
            )}
            <ErrorBanner error={error} title="That did not work" />
        </div>
    );
}

function ModelsCard({models, error, onChanged}: {models: RegisteredModel[]; error: Error | undefined; onChanged: () => Promise<void>}) {
    const remove = useApiAction("models.remove");
    const [confirming, setConfirming] = useState<string | undefined>();
    const onRemove = async (model: RegisteredModel) => {
        if (confirming !== model.id) return setConfirming(model.id);
        setConfirming(undefined);
        await remove.run({reference: model.id});
        await onChanged();
    };
    return (
        <Card title={<><Icon name="disk" /> Models on this machine</>} subtitle="Everything registered: downloaded by AgentFit or imported where it already was." testId="registered-models">
            <ErrorBanner error={error ?? remove.error} title="Models" />
            {models.length === 0 ? (
                <div className="empty-inline" data-testid="models-empty">
                    No models yet. Download one above, or import GGUF files you already have below.
                </div>
            ) : (
                <table className="table models-table">
                    <thead>
                        <tr>
                            <th>Model</th>
                            <th>Quant</th>
                            <th className="num">Params</th>
                            <th className="num">Size</th>
                            <th className="num">Context</th>
                            <th>Source</th>
                            <th>Checked</th>
                            <th />
                        </tr>
                    </thead>
                    <tbody>
                        {models.map((model) => (
                            <tr key={model.id} data-testid="model-row">
                                <td>
                                    <div className="model-id">{model.id}</div>
                                    <div className="path muted" title={model.path}>
                                        {model.path}
                                        {model.files.length > 1 ? ` (+${model.files.length - 1} parts)` : ""}
                                    </div>
                                </td>
                                <td>{model.facts.quantization ?? "?"}</td>
                                <td className="num">{formatParameterCount(model.facts.parameterCount)}</td>
                                <td className="num">{formatBytes(model.sizeBytes)}</td>
                                <td className="num">{model.facts.contextLength?.toLocaleString() ?? "?"}</td>
                                <td>{sourceLabel(model)}</td>
                                <td>
                                    {model.files.every((f) => f.sha256) ? (
                                        <Badge tone="good" title={model.sha256 ?? undefined}>
                                            SHA-256 {model.sha256?.slice(0, 8)}
                                        </Badge>
                                    ) : (
                                        <Badge title="The GGUF header was read and the size checked; no hash is known.">header</Badge>
                                    )}
                                </td>
                                <td className="num">
                                    <button
                                        className={`button small ${confirming === model.id ? "danger" : "ghost"}`}
                                        onClick={() => void onRemove(model)}
                                        title={model.managed ? "Unregister and delete the downloaded files" : "Unregister (the files stay where they are)"}
                                        data-testid="remove-model"
                                    >
                                        {confirming === model.id ? (model.managed ? "Delete files?" : "Unregister?") : "Remove"}
                                    </button>
                                </td>
                            </tr>
                        ))}
                    </tbody>
                </table>
            )}
        </Card>
    );
}

function sourceLabel(model: RegisteredModel) {
    if (model.source.kind === "huggingface") return <span title={model.source.reference}>{model.source.catalogId ?? `hf:${model.source.repo}`}</span>;
    if (model.source.kind === "url") return <span title={model.source.urls[0]}>{new URL(model.source.urls[0]!).host}</span>;
    return <Badge tone="neutral" title={model.source.importedFrom}>imported</Badge>;
}

function ImportCard({onImported}: {onImported: () => Promise<void>}) {
    const locations = useApiQuery("models.importLocations", {});
    const importer = useApiAction("models.import");
    const [folder, setFolder] = useState("");
    const [result, setResult] = useState<ImportResult | undefined>();
    const run = async (target: string) => {
        if (!target.trim()) return;
        const outcome = await importer.run({path: target.trim()});
        setResult(outcome);
        if (outcome) await Promise.all([onImported(), locations.reload()]);
    };
    return (
        <Card
            title={<><Icon name="folder" /> Import models you already have</>}
            subtitle="Registers GGUF files where they are: nothing is copied, and removing an imported model never deletes its files."
            testId="import-models"
        >
            <form
                className="download-form"
                onSubmit={(e) => {
                    e.preventDefault();
                    void run(folder);
                }}
            >
                <input
                    className="text-input"
                    value={folder}
                    onChange={(e) => setFolder(e.target.value)}
                    placeholder="/path/to/model.gguf or a folder to scan"
                    aria-label="File or folder to import"
                    spellCheck={false}
                    data-testid="import-path"
                />
                <button className="button" type="submit" disabled={importer.running || !folder.trim()} data-testid="import-button">
                    <Icon name="folder" size={16} />
                    {importer.running ? "Scanning…" : "Import"}
                </button>
            </form>
            <div className="import-locations" data-testid="import-locations">
                {(locations.data ?? []).map((location) => (
                    <div key={location.path} className={`import-location ${location.exists ? "" : "missing"}`} data-testid="import-location">
                        <div>
                            <strong>{location.label}</strong>
                            <div className="path muted">{location.path}</div>
                        </div>
                        <span className="muted">{location.exists ? `${location.ggufCount} GGUF file${location.ggufCount === 1 ? "" : "s"}` : "not on this machine"}</span>
                        <button className="button small" disabled={!location.exists || location.ggufCount === 0 || importer.running} onClick={() => void run(location.path)} data-testid="scan-location">
                            Scan
                        </button>
                    </div>
                ))}
            </div>
            <ErrorBanner error={importer.error} title="Import failed" />
            {result && (
                <div className="import-result" data-testid="import-result">
                    <strong>
                        {result.imported.length} imported · {result.alreadyRegistered.length} already registered · {result.skipped.length} skipped
                    </strong>
                    {result.skipped.length > 0 && (
                        <ul>
                            {result.skipped.map((s) => (
                                <li key={s.path}>
                                    <code>{s.path}</code> {s.reason}
                                </li>
                            ))}
                        </ul>
                    )}
                </div>
            )}
        </Card>
    );
}
