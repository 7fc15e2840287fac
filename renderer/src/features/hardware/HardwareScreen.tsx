import {useEffect, useMemo, useRef, useState} from "react";
import type {GpuInfo, HardwareSnapshot} from "../../../../electron/api/HardwareApi.ts";
import {backendLabel, formatBytes, formatDuration} from "../../../../electron/shared/format.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {activatable} from "../../components/activatable.ts";
import {Badge} from "../../components/Badge.tsx";
import {BandwidthCard} from "./BandwidthCard.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {Meter} from "../../components/Meter.tsx";
import {PageHeader} from "../../components/PageHeader.tsx";
import "./HardwareScreen.css";

export function HardwareScreen() {
    const snapshots = useApiQuery("hardware.snapshots", {limit: 50});
    const probe = useApiAction("hardware.probe");
    const [selectedId, setSelectedId] = useState<number | undefined>();
    const autoProbed = useRef(false);

    useApiEvent("hardware.probed", () => void snapshots.reload());

    // First visit on a machine with no snapshot yet: probe right away rather than show an empty page.
    useEffect(() => {
        if (!autoProbed.current && snapshots.data && snapshots.data.length === 0) {
            autoProbed.current = true;
            void probe.run({}).then(() => snapshots.reload());
        }
    }, [snapshots.data, probe, snapshots]);

    const list = useMemo(() => snapshots.data ?? [], [snapshots.data]);
    const selected = useMemo(() => list.find((s) => s.id === selectedId) ?? list[0], [list, selectedId]);

    const onProbe = async () => {
        const fresh = await probe.run({});
        if (fresh) setSelectedId(fresh.id);
        await snapshots.reload();
    };

    return (
        <div className="page hardware-page">
            <PageHeader
                title="Hardware"
                subtitle="What this machine brings to local inference: the numbers every fit and speed estimate starts from."
                actions={
                    <button className="button primary" onClick={onProbe} disabled={probe.running} data-testid="probe-button">
                        <Icon name="refresh" size={16} />
                        {probe.running ? "Probing…" : "Probe again"}
                    </button>
                }
            />
            <ErrorBanner error={probe.error ?? snapshots.error} title="The probe failed" />
            {!selected && (snapshots.loading || probe.running) && <div className="empty">Reading this machine…</div>}
            {selected && <SnapshotView snapshot={selected} isLatest={selected.id === list[0]?.id} />}
            {selected && <BandwidthCard />}
            {list.length > 0 && (
                <Card title="Snapshots" subtitle="Every probe is kept, so you can see what changed between runs." testId="snapshot-history">
                    <table className="table">
                        <thead>
                            <tr>
                                <th>#</th>
                                <th>Taken</th>
                                <th>Host</th>
                                <th className="num">RAM</th>
                                <th className="num">Available</th>
                                <th>Backend</th>
                                <th>GPUs</th>
                                <th className="num">Probe time</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.map((s) => (
                                <tr
                                    key={s.id}
                                    className={s.id === selected?.id ? "selected clickable" : "clickable"}
                                    {...activatable(() => setSelectedId(s.id))}
                                    data-testid="snapshot-row"
                                >
                                    <td>{s.id}</td>
                                    <td>{new Date(s.takenAt).toLocaleString()}</td>
                                    <td>{s.os.hostname}</td>
                                    <td className="num">{formatBytes(s.memory.totalBytes)}</td>
                                    <td className="num">{formatBytes(s.memory.availableBytes)}</td>
                                    <td>{backendLabel(s.backend.selected)}</td>
                                    <td>{s.gpus.length === 0 ? "none" : s.gpus.map((g) => g.model).join(", ")}</td>
                                    <td className="num">{formatDuration(s.durationMs)}</td>
                                </tr>
                            ))}
                        </tbody>
                    </table>
                </Card>
            )}
        </div>
    );
}

function SnapshotView({snapshot: s, isLatest}: {snapshot: HardwareSnapshot; isLatest: boolean}) {
    const usedRam = s.memory.totalBytes - s.memory.availableBytes;
    return (
        <>
            <div className="snapshot-caption" data-testid="snapshot-caption">
                <Badge tone={isLatest ? "accent" : "neutral"}>{isLatest ? "Latest" : "Earlier"} snapshot #{s.id}</Badge>
                <span>
                    {new Date(s.takenAt).toLocaleString()} · {s.os.distro} · {s.os.platform} {s.os.arch} · host {s.os.hostname} · probed in{" "}
                    {formatDuration(s.durationMs)}
                </span>
            </div>
            {s.issues.length > 0 && (
                <div className="notice warn" data-testid="probe-issues">
                    <Icon name="warn" />
                    <div>
                        <strong>Some sources could not be read; the rest of the probe is complete.</strong>
                        <ul>
                            {s.issues.map((issue) => (
                                <li key={issue.source + issue.message}>
                                    <code>{issue.source}</code> {issue.message}
                                </li>
                            ))}
                        </ul>
                    </div>
                </div>
            )}
            <div className="grid grid-3">
                <Card title={<><Icon name="chip" /> CPU</>} testId="cpu-card">
                    <div className="big-value" data-testid="cpu-brand">{s.cpu.brand}</div>
                    <dl className="facts">
                        <dt>Manufacturer</dt>
                        <dd>{s.cpu.manufacturer || "unknown"}</dd>
                        <dt>Cores</dt>
                        <dd data-testid="cpu-cores">
                            {s.cpu.physicalCores} physical · {s.cpu.logicalCores} logical
                        </dd>
                        <dt>Clock</dt>
                        <dd>{s.cpu.speedGHz ? `${s.cpu.speedGHz.toFixed(2)} GHz` : "not reported"}</dd>
                    </dl>
                    <div className="chips" data-testid="instruction-sets">
                        {s.cpu.instructionSets.length === 0 && <span className="muted">Instruction sets unknown</span>}
                        {s.cpu.instructionSets.map((isa) => (
                            <span key={isa} className={`chip ${/avx512|amx|i8mm|sve|dotprod/.test(isa) ? "chip-strong" : ""}`}>
                                {isa}
                            </span>
                        ))}
                    </div>
                </Card>
                <Card title={<><Icon name="memory" /> Memory</>} testId="memory-card">
                    <div className="big-value" data-testid="ram-total">{formatBytes(s.memory.totalBytes)}</div>
                    <Meter
                        capacity={s.memory.totalBytes}
                        segments={[{label: "In use", value: usedRam, tone: "info"}]}
                        label={`${formatBytes(usedRam)} of ${formatBytes(s.memory.totalBytes)} in use`}
                    />
                    <dl className="facts">
                        <dt>Available</dt>
                        <dd data-testid="ram-available">{formatBytes(s.memory.availableBytes)}</dd>
                        <dt>Free</dt>
                        <dd>{formatBytes(s.memory.freeBytes)}</dd>
                        <dt>Swap</dt>
                        <dd data-testid="swap">
                            {s.memory.swapTotalBytes > 0
                                ? `${formatBytes(s.memory.swapFreeBytes)} free of ${formatBytes(s.memory.swapTotalBytes)}`
                                : "none"}
                        </dd>
                    </dl>
                </Card>
                <Card title={<><Icon name="bolt" /> Backend</>} testId="backend-card">
                    <div className="big-value" data-testid="backend">{backendLabel(s.backend.selected)}</div>
                    <p className="muted">{s.backend.reason}</p>
                    <dl className="facts">
                        <dt>Usable here</dt>
                        <dd>{s.backend.available.map(backendLabel).join(", ")}</dd>
                        {s.backend.deviceMemoryTotalBytes > 0 && (
                            <>
                                <dt>Offload memory</dt>
                                <dd>
                                    {formatBytes(s.backend.deviceMemoryFreeBytes)} free of {formatBytes(s.backend.deviceMemoryTotalBytes)}
                                </dd>
                            </>
                        )}
                    </dl>
                </Card>
            </div>
            <div className="grid grid-2">
                <Card title={<><Icon name="gpu" /> GPUs</>} testId="gpu-card">
                    {s.gpus.length === 0 ? (
                        <div className="empty-inline" data-testid="no-gpu">
                            No GPU found. Models run on the CPU, so speed is bound by memory bandwidth and RAM is the limit on model size.
                        </div>
                    ) : (
                        s.gpus.map((gpu, index) => <GpuRow key={index} gpu={gpu} />)
                    )}
                </Card>
                <Card title={<><Icon name="disk" /> Model storage</>} testId="disk-card">
                    {s.disk ? (
                        <>
                            <div className="big-value" data-testid="disk-free">{formatBytes(s.disk.freeBytes)} free</div>
                            <Meter
                                capacity={s.disk.totalBytes}
                                segments={[{label: "Used", value: s.disk.totalBytes - s.disk.freeBytes, tone: "neutral"}]}
                                label="Disk use"
                            />
                            <dl className="facts">
                                <dt>Volume size</dt>
                                <dd>{formatBytes(s.disk.totalBytes)}</dd>
                                <dt>Folder</dt>
                                <dd className="path">{s.disk.path}</dd>
                            </dl>
                        </>
                    ) : (
                        <div className="empty-inline">The free space of the models folder could not be read.</div>
                    )}
                </Card>
            </div>
        </>
    );
}

function GpuRow({gpu}: {gpu: GpuInfo}) {
    return (
        <div className="gpu-row" data-testid="gpu-row">
            <div className="gpu-name">
                <strong>
                    {gpu.vendor} {gpu.model}
                </strong>
                <span className="badges">
                    {gpu.integrated != null && <Badge>{gpu.integrated ? "Integrated" : "Discrete"}</Badge>}
                    {gpu.unifiedMemory && <Badge tone="accent">Unified memory</Badge>}
                </span>
            </div>
            {gpu.vramTotalBytes != null ? (
                <>
                    <Meter
                        capacity={gpu.vramTotalBytes}
                        segments={[{label: "Used", value: gpu.vramTotalBytes - (gpu.vramFreeBytes ?? gpu.vramTotalBytes), tone: "info"}]}
                        label="VRAM use"
                    />
                    <span className="muted">
                        {formatBytes(gpu.vramTotalBytes)} {gpu.unifiedMemory ? "usable by the GPU" : "VRAM"}
                        {gpu.vramFreeBytes != null && ` · ${formatBytes(gpu.vramFreeBytes)} free`} · from {gpu.source}
                    </span>
                </>
            ) : (
                <span className="muted">VRAM not reported · from {gpu.source}</span>
            )}
        </div>
    );
}
