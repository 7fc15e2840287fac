import {useEffect, useState} from "react";
import type {EngineMetrics, EngineStatus, LocalModelSettings, ModelLoadRecord} from "../../../../electron/api/EngineApi.ts";
import {formatBytes, formatDuration, plural} from "../../../../electron/shared/format.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {Badge, type Tone} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {CopyButton} from "../../components/CopyButton.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {Meter} from "../../components/Meter.tsx";
import {PageHeader} from "../../components/PageHeader.tsx";
import "./ServeScreen.css";

const OTHER_FILE = "__other__";

const stateLabel: Record<EngineStatus["state"], {label: string; tone: Tone}> = {
    stopped: {label: "Stopped", tone: "neutral"},
    starting: {label: "Starting engine", tone: "info"},
    loading: {label: "Loading model", tone: "info"},
    ready: {label: "Serving", tone: "good"},
    failed: {label: "Failed", tone: "bad"},
    crashed: {label: "Engine crashed", tone: "bad"},
    restarting: {label: "Restarting", tone: "warn"}
};

/** The badge: an automatic restart after a crash names its attempt through every state it passes. */
function stateBadge(status: EngineStatus | undefined): {label: string; tone: Tone} {
    const pending = status?.restarts.pending;
    if (pending) return {label: `Restarting (attempt ${pending.attempt} of ${pending.of})…`, tone: "warn"};
    return stateLabel[status?.state ?? "stopped"];
}

interface Form {
    model: string;
    otherPath: string;
    contextSize: string;
    parallel: string;
    kvCacheType: NonNullable<LocalModelSettings["kvCacheType"]>;
    threads: string;
    gpuLayers: string;
    batchSize: string;
    flashAttention: boolean;
    host: string;
    port: string;
    apiKey: string;
}

const defaultForm: Form = {
    model: "",
    otherPath: "",
    contextSize: "32768",
    parallel: "1",
    kvCacheType: "f16",
    threads: "",
    gpuLayers: "auto",
    batchSize: "",
    flashAttention: false,
    host: "127.0.0.1",
    port: "8723",
    apiKey: ""
};

const optionalNumber = (text: string) => (text.trim() === "" ? undefined : Number(text));

function randomKey(): string {
    const bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return "sk-local-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function ServeScreen() {
    const statusQuery = useApiQuery("engine.status", {});
    const models = useApiQuery("engine.localModels", {});
    const loads = useApiQuery("engine.loads", {limit: 10});
    const start = useApiAction("engine.start");
    const stop = useApiAction("engine.stop");
    const [status, setStatus] = useState<EngineStatus | undefined>();
    const [metrics, setMetrics] = useState<EngineMetrics | null>(null);
    const [form, setForm] = useState<Form>(defaultForm);

    useEffect(() => {
        if (statusQuery.data) {
            setStatus(statusQuery.data);
            setMetrics(statusQuery.data.metrics);
        }
    }, [statusQuery.data]);
    useApiEvent("engine.status", (next) => {
        if (next.model?.loadId !== status?.model?.loadId || (next.error && !status?.error)) void loads.reload();
        setStatus(next);
        setMetrics(next.metrics);
    });
    useApiEvent("engine.metrics", setMetrics);

    // Pick the first model found, or the one being served, once the lists arrive.
    useEffect(() => {
        if (form.model !== "") return;
        const serving = status?.model?.path;
        const first = models.data?.[0]?.path;
        if (serving || first) setForm((f) => ({...f, model: serving ?? first!}));
    }, [models.data, status?.model?.path, form.model]);

    const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({...f, [key]: value}));
    const busy = start.running || stop.running || status?.state === "starting" || status?.state === "loading";
    const running = status?.state === "ready" || status?.state === "loading" || status?.state === "starting" || status?.state === "restarting";

    const onStart = async () => {
        const model = form.model === OTHER_FILE ? form.otherPath.trim() : form.model;
        const gpuLayers = form.gpuLayers === "auto" || form.gpuLayers === "max" ? form.gpuLayers : optionalNumber(form.gpuLayers);
        await start.run({
            model,
            settings: {
                contextSize: optionalNumber(form.contextSize),
                parallel: optionalNumber(form.parallel),
                kvCacheType: form.kvCacheType,
                threads: optionalNumber(form.threads),
                gpuLayers,
                batchSize: optionalNumber(form.batchSize),
                ...(form.flashAttention ? {flashAttention: true} : {})
            },
            server: {host: form.host.trim() || undefined, port: optionalNumber(form.port), apiKey: form.apiKey.trim() || undefined}
        });
        void models.reload();
    };

    const label = stateBadge(status);
    return (
        <div className="page serve-page">
            <PageHeader
                title="Serve"
                subtitle="Run a local model behind an OpenAI-compatible API that any coding agent can use, exactly as it uses a cloud model."
                actions={
                    running ? (
                        <button className="button" onClick={() => void stop.run({})} disabled={stop.running} data-testid="stop-button">
                            <Icon name="stop" size={16} />
                            {stop.running ? "Stopping…" : "Stop"}
                        </button>
                    ) : null
                }
            />
            <ErrorBanner error={start.error ?? stop.error ?? statusQuery.error} title="The engine could not do that" />
            {status?.crash && (
                <div className={`notice ${status.state === "ready" ? "warn" : "bad"}`} data-testid="crash-notice">
                    <Icon name="warn" />
                    <div>
                        <strong>{status.crash.reason}</strong>
                        <div className="muted" data-testid="crash-outcome">
                            {new Date(status.crash.at).toLocaleString()} · {crashOutcome(status)}
                        </div>
                        {status.crash.stderrTail.length > 0 && (
                            <details>
                                <summary>Last output of the engine</summary>
                                <pre className="code-block">{status.crash.stderrTail.join("\n")}</pre>
                            </details>
                        )}
                    </div>
                </div>
            )}
            <div className="grid grid-split">
                <Card title={<><Icon name="cube" /> Model and settings</>} testId="serve-form">
                    <div className="form">
                        <label className="field wide">
                            <span>Model</span>
                            <select value={form.model} onChange={(e) => set("model", e.target.value)} data-testid="model-select">
                                {(models.data ?? []).map((m) => (
                                    <option key={m.path} value={m.path}>
                                        {m.name} · {formatBytes(m.bytes)}
                                    </option>
                                ))}
                                <option value={OTHER_FILE}>Another GGUF file…</option>
                            </select>
                            {models.data?.length === 0 && <small className="muted">No GGUF files in the models folder yet; give a path below.</small>}
                        </label>
                        {(form.model === OTHER_FILE || models.data?.length === 0) && (
                            <label className="field wide">
                                <span>GGUF file path</span>
                                <input
                                    value={form.otherPath}
                                    placeholder="/path/to/model.gguf"
                                    onChange={(e) => {
                                        set("otherPath", e.target.value);
                                        set("model", OTHER_FILE);
                                    }}
                                    data-testid="model-path"
                                />
                            </label>
                        )}
                        <label className="field">
                            <span>Context (tokens)</span>
                            <input type="number" min={64} step={1024} value={form.contextSize} onChange={(e) => set("contextSize", e.target.value)} data-testid="ctx-input" />
                        </label>
                        <label className="field">
                            <span>Parallel requests</span>
                            <input type="number" min={1} max={64} value={form.parallel} onChange={(e) => set("parallel", e.target.value)} data-testid="parallel-input" />
                        </label>
                        <label className="field">
                            <span>KV cache</span>
                            <select value={form.kvCacheType} onChange={(e) => set("kvCacheType", e.target.value as Form["kvCacheType"])} data-testid="kv-select">
                                <option value="f16">f16 (full precision)</option>
                                <option value="q8_0">q8_0 (half the memory)</option>
                                <option value="q4_0">q4_0 (a quarter)</option>
                            </select>
                        </label>
                        <label className="field">
                            <span>GPU layers</span>
                            <input value={form.gpuLayers} onChange={(e) => set("gpuLayers", e.target.value)} placeholder="auto, max or a number" data-testid="gpu-input" />
                        </label>
                        <label className="field">
                            <span>Threads</span>
                            <input type="number" min={1} value={form.threads} placeholder="physical cores" onChange={(e) => set("threads", e.target.value)} data-testid="threads-input" />
                        </label>
                        <label className="field">
                            <span>Batch size</span>
                            <input type="number" min={1} value={form.batchSize} placeholder="512" onChange={(e) => set("batchSize", e.target.value)} />
                        </label>
                        <label className="field check wide">
                            <input type="checkbox" checked={form.flashAttention || form.kvCacheType !== "f16"} disabled={form.kvCacheType !== "f16"} onChange={(e) => set("flashAttention", e.target.checked)} />
                            <span>Flash attention {form.kvCacheType !== "f16" && <small className="muted">(needed for a quantized KV cache)</small>}</span>
                        </label>
                        <div className="form-section wide">Server</div>
                        <label className="field">
                            <span>Host</span>
                            <input value={form.host} onChange={(e) => set("host", e.target.value)} data-testid="host-input" />
                        </label>
                        <label className="field">
                            <span>Port</span>
                            <input type="number" min={0} max={65535} value={form.port} onChange={(e) => set("port", e.target.value)} data-testid="port-input" />
                        </label>
                        <label className="field wide">
                            <span>API key (optional)</span>
                            <div className="input-row">
                                <input value={form.apiKey} placeholder="none: any client on this machine may connect" onChange={(e) => set("apiKey", e.target.value)} data-testid="key-input" />
                                <button type="button" className="button" onClick={() => set("apiKey", randomKey())}>
                                    Generate
                                </button>
                            </div>
                        </label>
                    </div>
                    <div className="form-actions">
                        <button className="button primary" onClick={() => void onStart()} disabled={busy || (form.model === OTHER_FILE ? form.otherPath.trim() === "" : form.model === "")} data-testid="start-button">
                            <Icon name="play" size={16} />
                            {busy ? "Working…" : running ? "Apply and restart" : "Start serving"}
                        </button>
                    </div>
                </Card>
                <div className="stack">
                    <Card title={<><Icon name="bolt" /> Status</>} actions={<Badge tone={label.tone} testId="engine-state">{label.label}</Badge>} testId="status-card">
                        <StatusView status={status} />
                    </Card>
                    <Card title={<><Icon name="history" /> Live traffic</>} subtitle="Since the engine started; updates while requests run." testId="traffic-card">
                        <TrafficView metrics={metrics} />
                    </Card>
                </div>
            </div>
            {status?.state === "ready" && status.server && status.model && (
                <Card title={<><Icon name="plug" /> Connect your agent</>} testId="connect-link-card">
                    <p>
                        Claude Code, Codex CLI, OpenCode, Aider, Continue, Cline, Qwen Code, Positron Assistant and ellmer can use {status.model.id} now:{" "}
                        <a href="#/connect" data-testid="connect-link">the Connect screen</a> has the exact set-up for each, with a connection test.
                    </p>
                </Card>
            )}
            {(loads.data?.length ?? 0) > 0 && <LoadHistory loads={loads.data!} />}
        </div>
    );
}

/** What became of the engine after its crash, for the crash notice. */
function crashOutcome(status: EngineStatus): string {
    const {pending, gaveUp, count} = status.restarts;
    if (gaveUp) return `${gaveUp} The port stays held (clients get 503 until you start the model again).`;
    if (pending) return `the app kept running and is restarting the engine with the same model and settings (attempt ${pending.attempt} of ${pending.of}); clients get 503 meanwhile.`;
    if (status.state === "ready" && count > 0) return `the app restarted the engine with the same model and settings (${count === 1 ? "1 restart" : `${count} restarts`} since you started it).`;
    return "the app kept running; start the model again when ready.";
}

/** The URL clients use; the front holds it while the engine is down or restarting. */
function BaseUrl({server}: {server: NonNullable<EngineStatus["server"]>}) {
    return (
        <div className="url-row">
            <code data-testid="base-url">{server.baseUrl}</code>
            <CopyButton text={server.baseUrl} />
        </div>
    );
}

function StatusView({status}: {status: EngineStatus | undefined}) {
    if (!status) return <div className="empty-inline">Reading the engine state…</div>;
    const restarting = status.restarts.pending;
    if (status.state === "loading" || status.state === "starting")
        return (
            <div data-testid="load-progress">
                {restarting && status.server && <BaseUrl server={status.server} />}
                <Meter capacity={1} segments={[{label: "Loaded", value: status.loadProgress ?? 0, tone: "info"}]} label="Load progress" />
                <span className="muted">{status.state === "starting" ? "Starting the engine process…" : `Loading ${Math.round((status.loadProgress ?? 0) * 100)}%`}</span>
            </div>
        );
    if (!status.model)
        return status.server ? (
            <div data-testid="held-url">
                <BaseUrl server={status.server} />
                <span className="muted">
                    {restarting
                        ? `The engine stopped; restarting it (attempt ${restarting.attempt} of ${restarting.of}) at ${new Date(restarting.at).toLocaleTimeString()}. This URL stays the same.`
                        : "No engine serves this URL now; clients get 503 until the model is started again."}
                </span>
            </div>
        ) : (
            <div className="empty-inline">No model loaded. Pick one and start serving.</div>
        );
    const m = status.model;
    const estimate = m.memory.estimatedRamBytes + m.memory.estimatedVramBytes;
    const used = m.memory.residentBytes + m.memory.vramBytes;
    return (
        <>
            <div className="big-value" data-testid="served-model">{m.id}</div>
            {status.server && <BaseUrl server={status.server} />}
            <dl className="facts">
                <dt>Memory used</dt>
                <dd data-testid="memory-used">
                    {formatBytes(m.memory.residentBytes)} RAM{m.memory.vramBytes > 0 ? ` + ${formatBytes(m.memory.vramBytes)} VRAM` : ""}{" "}
                    <span className="muted">(estimated {formatBytes(estimate)}{estimate > 0 ? `, ${Math.round((used / estimate) * 100)}%` : ""})</span>
                </dd>
                <dt>Context</dt>
                <dd>
                    {m.settings.contextSize.toLocaleString()} tokens × {m.settings.parallel} parallel <span className="muted">(trained {m.trainedContextSize.toLocaleString()})</span>
                    {m.contextLimit && (
                        <div className={`context-limit ${m.contextLimit.action}`} data-testid="context-limit" data-action={m.contextLimit.action}>
                            <Badge tone="warn">{m.contextLimit.action === "capped" ? "capped" : "beyond trained"}</Badge> {m.contextLimit.message}
                        </div>
                    )}
                </dd>
                <dt>Settings</dt>
                <dd>
                    {plural(m.settings.threads, "thread")} · batch {m.settings.batchSize} · KV {m.settings.kvCacheType} · flash attention {m.settings.flashAttention ? "on" : "off"} · {plural(m.settings.gpuLayers, "GPU layer")}
                </dd>
                <dt>Loaded in</dt>
                <dd>{formatDuration(m.loadMs)}</dd>
                <dt>API key</dt>
                <dd data-testid="api-key">
                    {status.server?.apiKeyGenerated
                        ? `${status.server.apiKey} — generated: ${status.server.host} is reachable from the network, so clients must send it`
                        : status.server?.apiKey
                          ? "required"
                          : "none (loopback only)"}
                </dd>
                <dt>Engine process</dt>
                <dd data-testid="engine-process">
                    pid {status.pid} · {m.binary === "local" ? "llama.cpp built for this CPU" : "node-llama-cpp's prebuilt llama.cpp"}
                    {status.restarts.count > 0 && <span data-testid="restart-count"> · restarted {status.restarts.count === 1 ? "once" : `${status.restarts.count} times`} after a crash</span>}
                </dd>
                <dt>File</dt>
                <dd className="path">{m.path}</dd>
            </dl>
        </>
    );
}

function TrafficView({metrics}: {metrics: EngineMetrics | null}) {
    if (!metrics) return <div className="empty-inline">No requests yet.</div>;
    const cachedShare = metrics.promptTokensTotal > 0 ? metrics.cachedTokensTotal / metrics.promptTokensTotal : null;
    const tiles: [string, string, string, string?][] = [
        ["Requests", String(metrics.requestsTotal), "requests-total"],
        ["Running / queued", `${metrics.active} / ${metrics.queued}`, "active-queued"],
        ["Generation", speed(metrics.lastTokensPerSecond), "gen-speed", "tok/s"],
        ["Prompt", speed(metrics.lastPromptTokensPerSecond), "prompt-speed", "tok/s"],
        ["Tokens generated", metrics.completionTokensTotal.toLocaleString(), "tokens-total"],
        ["Prompt from cache", cachedShare != null ? `${Math.round(cachedShare * 100)}%` : "–", "cached-share"],
        ["Errors", String(metrics.requestsFailed), "errors"],
        ["Cancelled", String(metrics.requestsCancelled), "cancelled"]
    ];
    return (
        <div className="tiles">
            {tiles.map(([title, value, id, unit]) => (
                <div className="tile" key={id}>
                    <div className="tile-label">{title}</div>
                    <div className="tile-value" data-testid={id}>
                        {value}
                        {unit && value !== "–" && <small> {unit}</small>}
                    </div>
                </div>
            ))}
        </div>
    );
}

function LoadHistory({loads}: {loads: ModelLoadRecord[]}) {
    return (
        <Card title="Recent loads" subtitle="Memory measured after each load, next to the estimate made before it." testId="load-history">
            <table className="table">
                <thead>
                    <tr>
                        <th>When</th>
                        <th>Model</th>
                        <th>Settings</th>
                        <th className="num">Load time</th>
                        <th className="num">Measured</th>
                        <th className="num">Estimated</th>
                        <th>Outcome</th>
                    </tr>
                </thead>
                <tbody>
                    {loads.map((load) => (
                        <tr key={load.id} data-testid="load-row">
                            <td>{new Date(load.loadedAt).toLocaleString()}</td>
                            <td className="path" title={load.modelPath}>
                                {load.modelPath.split(/[\\/]/).pop()}
                            </td>
                            <td>{load.settings ? `${load.settings.contextSize.toLocaleString()} × ${load.settings.parallel} · KV ${load.settings.kvCacheType} · ${plural(load.settings.threads, "thread")}` : "–"}</td>
                            <td className="num">{load.loadMs != null ? formatDuration(load.loadMs) : "–"}</td>
                            <td className="num">{load.memory ? formatBytes(load.memory.residentBytes + load.memory.vramBytes) : "–"}</td>
                            <td className="num">{load.memory ? formatBytes(load.memory.estimatedRamBytes + load.memory.estimatedVramBytes) : "–"}</td>
                            <td>
                                {load.outcome === "loaded" ? (
                                    <Badge tone="good">Loaded</Badge>
                                ) : (
                                    <span title={load.error?.message}>
                                        <Badge tone="bad">{load.error?.code ?? "Failed"}</Badge>
                                    </span>
                                )}
                            </td>
                        </tr>
                    ))}
                </tbody>
            </table>
        </Card>
    );
}

function speed(tokensPerSecond: number | null): string {
    if (tokensPerSecond == null) return "–";
    return tokensPerSecond.toFixed(tokensPerSecond < 100 ? 1 : 0);
}
