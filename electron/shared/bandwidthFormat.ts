// How the memory bandwidth behind predictions reads in the CLI, the UI and reports, so the flag for a
// figure measured under load says the same thing everywhere.
import type {BandwidthMeasurement} from "../api/ModelsApi.ts";

export const formatBandwidth = (bytesPerSecond: number) => `${(bytesPerSecond / 1e9).toFixed(1)} GB/s`;

/** The warning shown wherever a bandwidth measured under load is used; null for a quiet or table figure. */
export function bandwidthUnderLoadWarning(status: {underLoad: boolean; chosen: BandwidthMeasurement | null}): string | null {
    if (!status.underLoad) return null;
    const load = status.chosen?.load;
    const why = load
        ? `while other processes kept ${load.otherBusyCores.toFixed(1)} of ${load.cores} cores busy`
        : "without a reading of the machine's load";
    return `Memory bandwidth was measured ${why}: predicted speeds may be too low. AgentFit measures again when the machine is quiet.`;
}

/** "23.4 GB/s, median of 9 rounds (±4 %)" for a measurement. */
export function describeBandwidthMeasurement(m: BandwidthMeasurement): string {
    return `${formatBandwidth(m.bytesPerSecond)}${m.roundsBytesPerSecond ? `, median of ${m.roundsBytesPerSecond.length} rounds` : ""}${m.spread != null ? ` (±${Math.round(m.spread * 100)} %)` : ""}`;
}
