import {BandwidthUnderLoadNotice} from "../../components/BandwidthUnderLoadNotice.tsx";
import {Fragment, useMemo, useState} from "react";
import type {
    FitEstimate,
    HardwareOverrides,
    HardwareProfile,
    InspectReport,
    KvCacheType,
    ModelRecommendation,
    QuantizationOption,
    RecommendRequest,
    SpeedPrediction
} from "../../../../electron/api/ModelsApi.ts";
import type {VerdictCriterion} from "../../../../electron/api/VerdictApi.ts";
import {formatBytes, formatKTokens, formatParameterCount} from "../../../../electron/shared/format.ts";
import {formatSeconds} from "../../../../electron/shared/verdictFormat.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {activatable} from "../../components/activatable.ts";
import {Badge, type Tone} from "../../components/Badge.tsx";
import {LevelBadge, LevelLegend} from "../../components/LevelBadge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {Meter, type MeterSegment} from "../../components/Meter.tsx";
import {PageHeader} from "../../components/PageHeader.tsx";
import {screenLinkParams} from "../../components/screenLink.ts";
import {DownloadButton, useDownloadedCatalogReferences} from "../../components/DownloadButton.tsx";
import "./ModelsScreen.css";

const standardContexts = [8192, 16384, 32768, 65536, 131072];
const kvChoices: KvCacheType[] = ["f16", "q8_0", "q4_0"];

const tps = (n: number | null | undefined) => (n == null ? "–" : n >= 10 ? n.toFixed(0) : n.toFixed(1));

export function fitBadge(fit: FitEstimate): {label: string; tone: Tone} {
    switch (fit.fitClass) {
        case "gpu-full":
            return {label: "Full GPU offload", tone: "good"};
        case "gpu-partial":
            return {label: `Partial GPU · ${fit.gpuLayers}/${fit.totalLayers} layers`, tone: "warn"};
        case "cpu-only":
            return {label: "CPU only", tone: "info"};
        default:
            return {label: "Will not fit", tone: "bad"};
    }
}

/** The memory placement, or the trained context when that is what fails the fit. */
function fitBadgeOf(fit: FitEstimate, criteria: readonly VerdictCriterion[]): {label: string; tone: Tone} {
    const context = criteria.find((c) => c.cause === "trained-context");
    return context && fit.fitClass !== "no-fit" ? {label: `Context: ${context.value}`, tone: "bad"} : fitBadge(fit);
}

const partTone: Record<string, Tone> = {weights: "accent", "kv-cache": "info", compute: "warn", overhead: "neutral"};

function MemoryBarRow({name, segments, used, capacity, testId}: {name: string; segments: MeterSegment[]; used: number; capacity: number; testId: string}) {
    return (
        <div className="memory-bar-row">
            <span className="memory-bar-label">{name}</span>
            <Meter segments={segments} capacity={capacity} label={`${name} ${formatBytes(used)} of ${formatBytes(capacity)}`} testId={testId} />
            <span className="memory-bar-value">
                {formatBytes(used)} <span className="muted">/ {formatBytes(capacity)}</span>
            </span>
        </div>
    );
}

/** RAM and VRAM bars: each part of the estimate against what the machine can give a model. */
export function MemoryBars({fit, compact}: {fit: FitEstimate; compact?: boolean}) {
    const segments = (device: "ramBytes" | "vramBytes"): MeterSegment[] =>
        fit.parts.filter((p) => p[device] > 0).map((p) => ({label: `${p.label}: ${formatBytes(p[device])}`, value: p[device], tone: partTone[p.kind]!}));
    const vram = segments("vramBytes");
    return (
        <div className={`memory-bars ${compact ? "compact" : ""}`} data-testid="memory-bars">
            <MemoryBarRow name="RAM" segments={segments("ramBytes")} used={fit.ramNeededBytes} capacity={fit.ramCapacityBytes} testId="ram-bar" />
            {fit.vramCapacityBytes > 0 && vram.length > 0 && <MemoryBarRow name="VRAM" segments={vram} used={fit.vramNeededBytes} capacity={fit.vramCapacityBytes} testId="vram-bar" />}
        </div>
    );
}

function MemoryLegend() {
    return (
        <div className="memory-legend">
            {[
                ["weights", "Weights"],
                ["kv-cache", "KV cache"],
                ["compute", "Compute buffers"],
                ["overhead", "Engine process"]
            ].map(([kind, label]) => (
                <span key={kind}>
                    <i className={`swatch tone-${partTone[kind!]}`} />
                    {label}
                </span>
            ))}
            <span>
                <i className="swatch capacity" />
                Capacity
            </span>
        </div>
    );
}

/** Predicted generation at the agent's depth and time per agent turn: the two speeds a level judges. */
function Speed({speed}: {speed: SpeedPrediction}) {
    const measured = speed.measured?.generationTokensPerSecond;
    return (
        <div className="speed" title={speed.basis}>
            <div data-testid="predicted-speed">
                <span className="speed-value">{tps(speed.generationAtDepthTokensPerSecond)}</span>
                <span className="speed-unit">tok/s</span>
                <div className="speed-detail" title={`${tps(speed.generationTokensPerSecond)} tok/s with an empty context`}>
                    predicted at {formatKTokens(speed.depth)} ·{" "}
                    <span data-testid="calibration-label" title={speed.calibrationLabel}>{speed.calibration ? "calibrated here" : "uncalibrated"}</span>
                    {measured != null && <span className="measured"> · measured {tps(measured)}</span>}
                </div>
            </div>
            <div className="speed-turn" data-testid="predicted-turn">
                <strong>~{formatSeconds(speed.agentTurnSeconds)}</strong> per agent turn
                <div className="speed-detail">first turn {formatSeconds(speed.firstTurnSeconds)}</div>
            </div>
        </div>
    );
}

function QuantizationTable({modelId, options, best, downloaded}: {modelId: string; options: QuantizationOption[]; best: string | null; downloaded: ReadonlySet<string>}) {
    return (
        <table className="table quant-table" data-testid="quant-table">
            <thead>
                <tr>
                    <th>Quantization</th>
                    <th className="num">File</th>
                    <th>Verdict</th>
                    <th>Fit</th>
                    <th className="memory-col">Memory (RAM / VRAM)</th>
                    <th className="num">Generation*</th>
                    <th className="num">Per agent turn*</th>
                    <th />
                </tr>
            </thead>
            <tbody>
                {options.map((o) => {
                    const badge = fitBadgeOf(o.fit, o.criteria);
                    return (
                        <tr key={o.quantization} className={o.quantization === best ? "selected" : ""} data-testid="quant-row">
                            <td>
                                <strong>{o.quantization}</strong> {o.quantization === best && <Badge tone="accent">Best here</Badge>}
                            </td>
                            <td className="num nowrap" title={o.sizeEstimated ? "Estimated from parameters × bits per weight" : "Published file size"}>
                                {formatBytes(o.sizeBytes)}
                                {o.sizeEstimated && <span className="muted"> est.</span>}
                            </td>
                            <td>
                                <LevelBadge level={o.verdict} criteria={o.criteria} testId="quant-verdict" />
                            </td>
                            <td>
                                <Badge tone={badge.tone}>{badge.label}</Badge>
                            </td>
                            <td className="memory-col">
                                <MemoryBars fit={o.fit} compact />
                            </td>
                            <td className="num">
                                {tps(o.speed.generationAtDepthTokensPerSecond)} tok/s
                                {o.speed.measured?.generationTokensPerSecond != null && <div className="measured">measured {tps(o.speed.measured.generationTokensPerSecond)}</div>}
                            </td>
                            <td className="num">
                                ~{formatSeconds(o.speed.agentTurnSeconds)}
                                <div className="muted small">first {formatSeconds(o.speed.firstTurnSeconds)}</div>
                            </td>
                            <td className="num">{o.fit.fitClass !== "no-fit" && <DownloadButton reference={`${modelId}:${o.quantization}`} downloaded={downloaded} />}</td>
                        </tr>
                    );
                })}
            </tbody>
        </table>
    );
}

function ModelDetails({rec}: {rec: ModelRecommendation}) {
    const downloaded = useDownloadedCatalogReferences();
    const m = rec.model;
    return (
        <div className="model-details" data-testid="model-details">
            <div className="model-details-grid">
                <div>
                    <h3>Why</h3>
                    <ul className="reasons">
                        {rec.reasons.map((r) => (
                            <li key={r}>{r}</li>
                        ))}
                    </ul>
                    {rec.bestQuantization && (
                        <p className="muted download-best">
                            <DownloadButton reference={`${m.id}:${rec.bestQuantization}`} label={`Download ${rec.bestQuantization}`} downloaded={downloaded} /> or{" "}
                            <code>agentfit pull {m.id}:{rec.bestQuantization}</code>
                        </p>
                    )}
                </div>
                <div>
                    <h3>Facts</h3>
                    <dl className="facts">
                        <dt>Parameters</dt>
                        <dd>
                            {formatParameterCount(m.architecture.parameters)}
                            {m.architecture.activeParameters && ` (${formatParameterCount(m.architecture.activeParameters)} active, ${m.architecture.expertsUsed} of ${m.architecture.experts} experts)`}
                        </dd>
                        <dt>Layers · heads</dt>
                        <dd>
                            {m.architecture.layers} · {m.architecture.headCount} / {m.architecture.headCountKv} KV × {m.architecture.headDim}
                        </dd>
                        <dt>Trained context</dt>
                        <dd>
                            {m.architecture.contextLength.toLocaleString()} tokens{m.architecture.slidingWindow ? ` · window ${m.architecture.slidingWindow} on ${m.architecture.slidingWindowLayers} layers` : ""}
                        </dd>
                        <dt>Tool calling</dt>
                        <dd>{m.toolCallingNote}</dd>
                        <dt>License</dt>
                        <dd>{m.license}</dd>
                        <dt>Files</dt>
                        <dd className="path">{m.huggingFaceRepo}</dd>
                    </dl>
                </div>
            </div>
            <QuantizationTable modelId={m.id} options={rec.options} best={rec.bestQuantization} downloaded={downloaded} />
            <details className="sources">
                <summary>Sources</summary>
                <ul>
                    {Object.entries(m.sources).map(([k, v]) => (
                        <li key={k}>
                            <strong>{k}</strong>: {v}
                        </li>
                    ))}
                    {m.evals.map((e) => (
                        <li key={e.name + e.date}>
                            <strong>
                                {e.name} {e.correct}/{e.runs}
                            </strong>
                            : {e.source}
                        </li>
                    ))}
                </ul>
            </details>
        </div>
    );
}

function ModelRow({rec, open, onToggle}: {rec: ModelRecommendation; open: boolean; onToggle: () => void}) {
    const best = rec.best;
    const trainedTooShort = !best && rec.options[0]?.criteria.some((c) => c.cause === "trained-context");
    const badge = best ? fitBadgeOf(best.fit, best.criteria) : trainedTooShort ? fitBadgeOf(rec.options[0]!.fit, rec.options[0]!.criteria) : {label: "Will not fit", tone: "bad" as Tone};
    const helper = rec.model.evals[0];
    return (
        <>
            <tr className={`clickable model-row verdict-${rec.verdict} ${open ? "open" : ""}`} {...activatable(onToggle, {expanded: open})} data-testid="model-row" data-model-id={rec.model.id}>
                <td className="rank">{rec.rank}</td>
                <td className="model-col">
                    <div className="model-name">{rec.model.name}</div>
                    <div className="model-meta">
                        {rec.model.publisher} · {rec.model.license}
                        {rec.model.architecture.activeParameters ? " · MoE" : ""}
                    </div>
                </td>
                <td>
                    <div className="badges stacked">
                        <LevelBadge level={rec.verdict} criteria={best?.criteria ?? rec.options[0]?.criteria} testId="verdict-badge" />
                        <Badge tone={badge.tone} testId="fit-badge">
                            {badge.label}
                        </Badge>
                    </div>
                </td>
                <td>
                    <strong>{rec.bestQuantization ?? "–"}</strong>
                    {best && <div className="model-meta">{formatBytes(best.sizeBytes)}</div>}
                </td>
                <td className="memory-col">
                    {best ? <MemoryBars fit={best.fit} compact /> : <span className="muted">{trainedTooShort ? rec.reasons[0] : "needs more memory than this machine has"}</span>}
                </td>
                <td>{best ? <Speed speed={best.speed} /> : <span className="muted">–</span>}</td>
                <td>
                    <div className="badges stacked">
                        {helper ? (
                            <Badge tone={helper.accuracy >= 0.7 ? "good" : helper.accuracy > 0 ? "warn" : "bad"} title={`${helper.name}, ${helper.date}: ${helper.setup}`}>
                                helperbench {helper.correct}/{helper.runs}
                            </Badge>
                        ) : (
                            <span className="muted small">no published eval</span>
                        )}
                        {rec.model.toolCalling !== "native" && <Badge tone="warn">No native tools</Badge>}
                    </div>
                </td>
            </tr>
            {open && (
                <tr className="details-row">
                    <td colSpan={7}>
                        <ModelDetails rec={rec} />
                    </td>
                </tr>
            )}
        </>
    );
}

function HardwareLine({hardware}: {hardware: HardwareProfile}) {
    return (
        <div className="hardware-line" data-testid="hardware-label">
            <Badge tone={hardware.hardwareKey ? "accent" : "warn"}>{hardware.hardwareKey ? "This machine" : "What if"}</Badge>
            <strong>{hardware.hardwareKey ? hardware.label.replace(/^this machine\s*/, "") : hardware.label}</strong>
            <span>
                {formatBytes(hardware.ramBytes)} RAM ({formatBytes(hardware.ramBytes - hardware.ramReserveBytes)} for models)
                {hardware.vramBytes > 0
                    ? ` · ${hardware.gpuName ?? "GPU"} ${hardware.unifiedMemory ? `(${formatBytes(hardware.vramBytes)} of unified memory)` : `${formatBytes(hardware.vramBytes)} VRAM`}`
                    : " · no GPU offload"}
                {` · ${((hardware.vramBytes > 0 ? hardware.gpuBandwidthBytesPerSecond : hardware.cpuBandwidthBytesPerSecond) / 1e9).toFixed(0)} GB/s`}
            </span>
            <span className="muted small">{hardware.bandwidthSource}</span>
            <BandwidthUnderLoadNotice underLoad={hardware.bandwidthUnderLoad} chosen={hardware.bandwidthMeasurement} />
        </div>
    );
}

function WhatIfPanel({value, onChange}: {value: HardwareOverrides | undefined; onChange: (v: HardwareOverrides | undefined) => void}) {
    const presets = useApiQuery("models.presets", {});
    const [custom, setCustom] = useState({ram: "", vram: "", gpu: "", bandwidth: ""});
    const applyCustom = () => {
        const overrides: HardwareOverrides = {
            ...(custom.ram ? {ram: custom.ram} : {}),
            ...(custom.vram ? {vram: custom.vram} : {}),
            ...(custom.gpu ? {gpu: custom.gpu} : {}),
            ...(custom.bandwidth ? {bandwidthGBps: Number(custom.bandwidth)} : {})
        };
        onChange(Object.keys(overrides).length > 0 ? overrides : undefined);
    };
    return (
        <Card title={<><Icon name="system" /> What if</>} subtitle="Answer for another machine: pick a laptop or set RAM, VRAM, GPU and bandwidth." testId="whatif-panel">
            <div className="whatif">
                <label className="field">
                    <span>Machine</span>
                    <select data-testid="whatif-preset" value={value?.preset ?? (value ? "custom" : "")} onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value === "custom" ? value : {preset: e.target.value})}>
                        <option value="">This machine</option>
                        {presets.data?.map((p) => (
                            <option key={p.id} value={p.id}>
                                {p.label}
                            </option>
                        ))}
                        {value && !value.preset && <option value="custom">Custom</option>}
                    </select>
                </label>
                <div className="whatif-custom">
                    {(
                        [
                            ["ram", "RAM", "32GB"],
                            ["vram", "VRAM", "8GB or 0"],
                            ["gpu", "GPU / chip", "RTX 4060 Laptop"],
                            ["bandwidth", "Bandwidth GB/s", "100"]
                        ] as const
                    ).map(([key, label, placeholder]) => (
                        <label className="field" key={key}>
                            <span>{label}</span>
                            <input data-testid={`whatif-${key}`} placeholder={placeholder} value={custom[key]} onChange={(e) => setCustom({...custom, [key]: e.target.value})} />
                        </label>
                    ))}
                    <button className="button" onClick={applyCustom} data-testid="whatif-apply">
                        Apply
                    </button>
                </div>
            </div>
        </Card>
    );
}

function InspectPanel({request}: {request: RecommendRequest}) {
    const [source, setSource] = useState("");
    const inspect = useApiAction("models.inspect");
    const [report, setReport] = useState<InspectReport | undefined>();
    const run = async () => {
        setReport(undefined);
        const result = await inspect.run({source, contextSize: request.contextSize, kvCacheType: request.kvCacheType, flashAttention: request.flashAttention, hardware: request.hardware});
        if (result) setReport(result);
    };
    return (
        <Card title={<><Icon name="disk" /> Any GGUF</>} subtitle="A local file, a URL or hf:user/repo:quant — only its header is read (range requests for remote files)." testId="inspect-panel">
            <div className="inspect-form">
                <input
                    data-testid="inspect-input"
                    placeholder="/path/model.gguf, https://…/model.gguf or hf:user/repo:Q4_K_M"
                    value={source}
                    onChange={(e) => setSource(e.target.value)}
                    onKeyDown={(e) => e.key === "Enter" && source && void run()}
                />
                <button className="button primary" onClick={() => void run()} disabled={!source || inspect.running} data-testid="inspect-button">
                    {inspect.running ? "Reading…" : "Inspect"}
                </button>
            </div>
            <ErrorBanner error={inspect.error} title="Cannot estimate this model" />
            {report && (
                <div className="inspect-result" data-testid="inspect-result">
                    <div className="inspect-head">
                        <strong data-testid="inspect-name">{report.name}</strong>
                        <LevelBadge level={report.verdict} criteria={report.criteria} testId="inspect-verdict" />
                        <Badge>{report.facts.architecture}</Badge>
                        {report.facts.quantization && <Badge tone="accent">{report.facts.quantization}</Badge>}
                        <Badge tone={fitBadgeOf(report.fit, report.criteria).tone}>{fitBadgeOf(report.fit, report.criteria).label}</Badge>
                        {report.catalogMatch && <Badge tone="info">catalog: {report.catalogMatch.modelId}</Badge>}
                    </div>
                    <div className="muted small">
                        {report.facts.name && report.facts.name !== report.name ? `GGUF name "${report.facts.name}" · ` : ""}
                        {formatParameterCount(report.facts.parameterCount)} parameters · {formatBytes(report.facts.tensorBytes)} of weights · {report.facts.blockCount} layers ·{" "}
                        {report.facts.contextLength?.toLocaleString() ?? "?"} trained context
                    </div>
                    <ul className="criteria-inline" data-testid="inspect-criteria">
                        {report.criteria.map((c) => (
                            <li key={c.id} className={c.status}>
                                <strong>{c.label}</strong>: {c.status === "pass" ? "pass" : c.status === "near" ? "near" : "fail"} · {c.value} — {c.detail}
                            </li>
                        ))}
                    </ul>
                    <MemoryBars fit={report.fit} />
                    {report.resolver && (
                        <div className="muted small" data-testid="resolver-line">
                            node-llama-cpp's resolver: {formatBytes(report.resolver.ramNeededBytes)} RAM
                            {report.resolver.vramNeededBytes > 0 ? `, ${formatBytes(report.resolver.vramNeededBytes)} VRAM` : ""}, {report.resolver.gpuLayers} GPU layers
                        </div>
                    )}
                    <Speed speed={report.speed} />
                </div>
            )}
        </Card>
    );
}

export function ModelsScreen() {
    // Unset: the Verdict's agent context (its `contextSize` threshold), which the server applies.
    const [contextSize, setContextSize] = useState<number | undefined>();
    const [kvCacheType, setKvCacheType] = useState<KvCacheType>("f16");
    const [flashAttention, setFlashAttention] = useState(true);
    // A link from the Verdict (`#/models?ram=32GiB` or `?preset=…`) opens that what-if machine.
    const [hardware, setHardware] = useState<HardwareOverrides | undefined>(() => {
        const params = screenLinkParams();
        const preset = params.get("preset");
        const ram = params.get("ram");
        return preset ? {preset} : ram ? {ram} : undefined;
    });
    const [showAll, setShowAll] = useState(false);
    const [openId, setOpenId] = useState<string | undefined>();
    const request: RecommendRequest = useMemo(() => ({...(contextSize ? {contextSize} : {}), kvCacheType, flashAttention, ...(hardware ? {hardware} : {})}), [contextSize, kvCacheType, flashAttention, hardware]);
    const report = useApiQuery("models.recommend", request);
    useApiEvent("verdict.thresholdsChanged", () => void report.reload());
    const measure = useApiAction("models.measureBandwidth");
    const calibrate = useApiAction("bench.calibrate");
    const [calibrationRun, setCalibrationRun] = useState<number | undefined>();
    useApiEvent("bench.progress", (run) => {
        if (run.id === calibrationRun && run.status !== "running") {
            setCalibrationRun(undefined);
            void report.reload();
        }
    });
    useApiEvent("models.catalogRefreshed", () => void report.reload());
    useApiEvent("hardware.probed", () => void report.reload());

    const data = report.data;
    const agentContext = data?.thresholds.contextSize ?? 32768;
    const shownContext = data?.settings.contextSize ?? contextSize ?? agentContext;
    const contextChoices = [...new Set([...standardContexts, agentContext])].sort((a, b) => a - b);
    const shown = data ? (showAll ? data.models : data.models.filter((m) => m.verdict !== "no-fit")) : [];
    const hidden = data ? data.models.length - shown.length : 0;
    const top = data?.models.find((m) => m.model.id === data.topPick);

    return (
        <div className="page models-page">
            <PageHeader
                title="Models"
                subtitle="Which open models can drive a coding agent here, at the context an agent needs — what fits, the best quantization, and how fast it will run."
                actions={
                    !hardware && (
                        <>
                        <button
                            className="button"
                            onClick={async () => {
                                await measure.run({});
                                await report.reload();
                            }}
                            disabled={measure.running}
                            data-testid="measure-button"
                            title="Measure this machine's memory bandwidth (about a second)"
                        >
                            <Icon name="bolt" size={16} />
                            {measure.running ? "Measuring…" : "Measure bandwidth"}
                        </button>
                        <button
                            className="button"
                            onClick={async () => setCalibrationRun((await calibrate.run({}))?.id)}
                            disabled={calibrate.running || calibrationRun !== undefined}
                            data-testid="calibrate-button"
                            title="Benchmark one downloaded model per weight type briefly (about a minute each), so speed predictions fit this machine"
                        >
                            <Icon name="refresh" size={16} />
                            {calibrationRun !== undefined ? `Calibrating (benchmark run ${calibrationRun})…` : "Calibrate speed"}
                        </button>
                        </>
                    )
                }
            />
            <ErrorBanner error={report.error ?? measure.error} title="The recommendation failed" />
            <ErrorBanner error={calibrate.error} title="Calibration could not start" />
            {data && <HardwareLine hardware={data.hardware} />}

            <div className="models-top">
                <Card title={<><Icon name="bolt" /> The answer</>} testId="models-summary" className="answer-card">
                    {!data && <div className="empty-inline">Estimating every model at every quantization…</div>}
                    {data && (
                        <>
                            <p className="answer">{data.summary}</p>
                            {top?.best && (
                                <div className="answer-facts">
                                    <Badge tone={fitBadge(top.best.fit).tone}>{fitBadge(top.best.fit).label}</Badge>
                                    <span>
                                        {formatBytes(top.best.fit.ramNeededBytes)} RAM{top.best.fit.vramNeededBytes > 0 ? ` · ${formatBytes(top.best.fit.vramNeededBytes)} VRAM` : ""} ·{" "}
                                        {formatBytes(top.best.fit.headroomBytes)} to spare
                                    </span>
                                    <span data-testid="answer-turn">
                                        ~{formatSeconds(top.best.speed.agentTurnSeconds)} per agent turn (the first, reading the 8k-token agent prompt cold, {formatSeconds(top.best.speed.firstTurnSeconds)})
                                    </span>
                                </div>
                            )}
                            <p className="muted small">Speeds are predictions from memory bandwidth and compute, not measurements. {top?.best?.speed.basis}</p>
                        </>
                    )}
                </Card>
                <Card title={<><Icon name="memory" /> Agent settings</>} testId="settings-panel">
                    <div className="settings">
                        <label className="field">
                            <span>Context</span>
                            <select data-testid="context-select" value={shownContext} onChange={(e) => setContextSize(Number(e.target.value))}>
                                {contextChoices.map((c) => (
                                    <option key={c} value={c}>
                                        {formatKTokens(c)} tokens{c === agentContext ? " (agent context)" : ""}
                                    </option>
                                ))}
                            </select>
                        </label>
                        <div className="field">
                            <span>KV cache</span>
                            <div className="segmented" role="radiogroup" data-testid="kv-select">
                                {kvChoices.map((k) => (
                                    <button key={k} role="radio" aria-checked={kvCacheType === k} className={kvCacheType === k ? "on" : ""} onClick={() => setKvCacheType(k)}>
                                        {k}
                                    </button>
                                ))}
                            </div>
                        </div>
                        <label className="checkbox">
                            <input type="checkbox" checked={flashAttention || kvCacheType !== "f16"} disabled={kvCacheType !== "f16"} onChange={(e) => setFlashAttention(e.target.checked)} data-testid="flash-attention" />
                            Flash attention{kvCacheType !== "f16" ? " (needed by a quantized KV cache)" : ""}
                        </label>
                    </div>
                </Card>
            </div>
            <WhatIfPanel value={hardware} onChange={setHardware} />

            <Card
                title={<><Icon name="chip" /> Recommended for coding agents</>}
                subtitle="Judged with the Verdict's thresholds and ranked: usable first, then almost, no and doesn't fit; within each, by how well the model drives an agent (published eval results first). Click a model for every quantization."
                testId="models-list"
                actions={
                    hidden > 0 || showAll ? (
                        <label className="checkbox">
                            <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} data-testid="show-all" />
                            Show {hidden > 0 ? `${hidden} that do not fit` : "all"}
                        </label>
                    ) : undefined
                }
            >
                {data && <LevelLegend legend={data.legend} note={`The thresholds are the Verdict's (edit them there). ${data.agentTurn}`} testId="models-legend" />}
                {data && <MemoryLegend />}
                <table className="table models-table">
                    <thead>
                        <tr>
                            <th>#</th>
                            <th>Model</th>
                            <th>Verdict · fit</th>
                            <th>Best quant</th>
                            <th className="memory-col">Memory at {formatKTokens(shownContext)}</th>
                            <th>Predicted speed</th>
                            <th>Agent evidence</th>
                        </tr>
                    </thead>
                    <tbody>
                        {shown.map((rec) => (
                            <Fragment key={rec.model.id}>
                                <ModelRow rec={rec} open={openId === rec.model.id} onToggle={() => setOpenId(openId === rec.model.id ? undefined : rec.model.id)} />
                            </Fragment>
                        ))}
                    </tbody>
                </table>
                <p className="muted small">* Predictions. Generation at half the context (the middle of an agent session) and when empty; per agent turn: the mean of a session, first turn shown apart. “est.” file sizes are estimated until the catalog is refreshed from Hugging Face.</p>
            </Card>
            <InspectPanel request={request} />
        </div>
    );
}
