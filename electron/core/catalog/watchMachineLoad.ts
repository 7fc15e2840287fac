import os from "node:os";
import type {MachineLoad} from "../../api/ModelsApi.ts";

/** CPU time of every core (busy and total, ms) and this process's own CPU time (µs), at one moment. */
export interface CpuTimes {
    busyMs: number;
    totalMs: number;
    ownMicros: number;
    cores: number;
}

/** Reads the machine's CPU times (os.cpus(): /proc/stat on Linux, the kernel's counters elsewhere) and this process's. */
export function readCpuTimes(): CpuTimes {
    const cpus = os.cpus();
    let busy = 0;
    let total = 0;
    for (const cpu of cpus) {
        const t = cpu.times;
        busy += t.user + t.nice + t.sys + t.irq;
        total += t.user + t.nice + t.sys + t.irq + t.idle;
    }
    const own = process.cpuUsage();
    return {busyMs: busy, totalMs: total, ownMicros: own.user + own.system, cores: Math.max(1, cpus.length)};
}

/**
 * Other processes' load is busy when they kept at least this share of the cores busy (and at least a
 * quarter of one core) during a measurement. A desktop with a browser and an editor open idles well
 * below it; one test suite, a build or a busy loop on a 2-core machine is far above it.
 */
export const busyShareOfCores = 0.15;
export const busyCoresFloor = 0.25;

/** Whether other processes' average use of the CPU makes a measurement taken meanwhile "under load". */
export function isBusy(otherBusyCores: number, cores: number): boolean {
    return otherBusyCores >= Math.max(busyCoresFloor, busyShareOfCores * cores);
}

/**
 * The load other processes put on the machine between two readings: all cores' busy time minus this
 * process's own CPU time (its worker threads included), as an average number of busy cores.
 */
export function loadBetween(start: CpuTimes, end: CpuTimes): MachineLoad {
    const cores = end.cores;
    const totalMs = end.totalMs - start.totalMs;
    const busyMs = end.busyMs - start.busyMs;
    const ownMs = (end.ownMicros - start.ownMicros) / 1000;
    // Per-core tick counters advance in 10 ms steps: over a short window our own time can exceed the busy delta slightly.
    const otherBusyCores = totalMs > 0 ? Math.max(0, ((busyMs - ownMs) / totalMs) * cores) : 0;
    const loadAverage = os.platform() === "win32" ? null : (os.loadavg()[0] ?? null);
    return {otherBusyCores: Math.round(otherBusyCores * 100) / 100, cores, loadAverage1m: loadAverage, busy: isBusy(otherBusyCores, cores)};
}

/** Starts watching the machine's load; `stop()` returns what other processes used since. */
export function watchMachineLoad(read: () => CpuTimes = readCpuTimes): {stop(): MachineLoad} {
    const start = read();
    return {stop: () => loadBetween(start, read())};
}

/** Samples the machine's load for `ms` without doing anything else: is it quiet enough to measure now? */
export async function sampleMachineLoad(ms = 300, read: () => CpuTimes = readCpuTimes): Promise<MachineLoad> {
    const watch = watchMachineLoad(read);
    await new Promise((resolve) => setTimeout(resolve, ms));
    return watch.stop();
}
