import os from "node:os";
import type {MachineLoad} from "../electron/api/ModelsApi.ts";
import {sampleMachineLoad} from "../electron/core/catalog/watchMachineLoad.ts";

export interface MachineLoadReadings {
    /** Samples other processes' load for `ms` and keeps the reading; nothing of the benchmark may run meanwhile. */
    sample(ms?: number): Promise<MachineLoad>;
    /** Keeps readings taken with the benchmark's own threads left out (the bandwidth measurement's, a speed test's). */
    add(...loads: readonly (MachineLoad | null | undefined)[]): void;
    /** "warning: other processes kept up to 1.3 of 2 cores busy {when}: {consequence}"; null when no reading was busy. */
    warning(when: string, consequence: string): string | null;
}

/**
 * How busy other processes kept the machine while a benchmark ran, read the way the bandwidth
 * measurement and speed-fidelity read it (watchMachineLoad.ts: every core's busy time less this
 * process's own, as busy cores; "busy" by the same bound). Sampled between the benchmark's own runs,
 * never during them: the load average — and a reading while an engine process of the benchmark works
 * — counts the benchmark's own threads as other processes' load (it read 2.1 on a quiet 2-core machine).
 */
export function machineLoadReadings(): MachineLoadReadings {
    const readings: MachineLoad[] = [];
    return {
        async sample(ms = 500) {
            const load = await sampleMachineLoad(ms);
            readings.push(load);
            return load;
        },
        add(...loads) {
            for (const load of loads) if (load) readings.push(load);
        },
        warning(when, consequence) {
            const busy = readings.filter((load) => load.busy);
            if (busy.length === 0) return null;
            const busiest = busy.reduce((a, b) => (b.otherBusyCores > a.otherBusyCores ? b : a));
            return `warning: other processes kept up to ${busiest.otherBusyCores.toFixed(1)} of ${busiest.cores} cores busy ${when} (${busy.length} of ${readings.length} readings busy): ${consequence}`;
        }
    };
}

/**
 * "load average 1.2, 0.9, 0.8 on 2 cores; other processes kept 0.3 of them busy", for benchmarks that
 * print the machine's load as information. Samples for `ms` first: call it between runs.
 */
export async function describeMachineLoad(ms = 500): Promise<string> {
    const load = await sampleMachineLoad(ms);
    // Windows has no load average (os.loadavg() gives zeros).
    const average = os.platform() === "win32" ? "" : `load average ${os.loadavg().map((l) => l.toFixed(1)).join(", ")} on `;
    return `${average}${load.cores} cores; other processes kept ${load.otherBusyCores.toFixed(1)} of them busy`;
}
