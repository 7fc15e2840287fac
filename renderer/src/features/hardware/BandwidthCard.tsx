import {describeBandwidthMeasurement, formatBandwidth} from "../../../../electron/shared/bandwidthFormat.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {Badge} from "../../components/Badge.tsx";
import {BandwidthUnderLoadNotice} from "../../components/BandwidthUnderLoadNotice.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";

/** The memory bandwidth predictions use on this machine, every measurement kept, and a button to measure again. */
export function BandwidthCard() {
    const status = useApiQuery("models.bandwidth", {});
    const measure = useApiAction("models.measureBandwidth");
    useApiEvent("models.bandwidthMeasured", () => void status.reload());
    const b = status.data;
    return (
        <Card
            title={<><Icon name="memory" /> Memory bandwidth</>}
            subtitle="What generation speed predictions start from: measured in repeated rounds while AgentFit watches the machine's load."
            testId="bandwidth-card"
        >
            <ErrorBanner error={measure.error ?? status.error} title="The bandwidth measurement failed" />
            {b && (
                <>
                    <div className="big-value" data-testid="bandwidth-value">
                        {formatBandwidth(b.bytesPerSecond)}{" "}
                        <Badge tone={b.underLoad ? "warn" : b.kind === "measured" ? "accent" : "neutral"}>
                            {b.underLoad ? "measured under load" : b.kind === "measured" ? "measured, machine quiet" : "assumed"}
                        </Badge>
                    </div>
                    <p className="muted small" data-testid="bandwidth-source">{b.source}</p>
                    <BandwidthUnderLoadNotice underLoad={b.underLoad} chosen={b.chosen} />
                    {b.measurements.length > 0 && (
                        <table className="table" data-testid="bandwidth-measurements">
                            <thead>
                                <tr>
                                    <th>Measured</th>
                                    <th className="num">Figure</th>
                                    <th className="num">Other processes</th>
                                    <th>Machine</th>
                                </tr>
                            </thead>
                            <tbody>
                                {b.measurements.slice(0, 8).map((m) => (
                                    <tr key={m.measuredAt} className={m === b.chosen || m.measuredAt === b.chosen?.measuredAt ? "selected" : undefined}>
                                        <td>{new Date(m.measuredAt).toLocaleString()}</td>
                                        <td className="num">{describeBandwidthMeasurement(m)}</td>
                                        <td className="num">{m.load ? `${m.load.otherBusyCores.toFixed(1)} of ${m.load.cores} cores` : "not read"}</td>
                                        <td>{m.load ? (m.load.busy ? "busy" : "quiet") : "unknown"}</td>
                                    </tr>
                                ))}
                            </tbody>
                        </table>
                    )}
                </>
            )}
            <button className="button" onClick={() => void measure.run({}).then(() => status.reload())} disabled={measure.running} data-testid="measure-bandwidth">
                <Icon name="refresh" size={16} />
                {measure.running ? "Measuring…" : "Measure again"}
            </button>
        </Card>
    );
}
