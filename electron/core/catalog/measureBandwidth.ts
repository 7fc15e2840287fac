import os from "node:os";
import {Worker} from "node:worker_threads";
import type {MachineLoad} from "../../api/ModelsApi.ts";
import {errorMessage} from "../../shared/AppError.ts";
import {CatalogError} from "./CatalogError.ts";
import {watchMachineLoad, type CpuTimes, readCpuTimes} from "./watchMachineLoad.ts";

export interface MeasureBandwidthOptions {
    /** Threads copying at once; use the threads inference will use. Default 2. */
    threads?: number;
    /** Timed rounds; the figure is their median. Default 9. */
    rounds?: number;
    /** Length of one round, ms. Default 120. */
    roundMs?: number;
    /** Buffer size each thread copies between, bytes (far beyond any CPU cache). Default 128 MiB, less when free RAM is short (never below 32 MiB). */
    bufferBytes?: number;
    /** Free RAM, bytes (default os.freemem()); the buffers shrink to a quarter of it. */
    freeBytes?: number;
    /** The machine's CPU counters, read before and after to tell how busy other processes kept it (injected in tests). */
    readCpuTimes?: () => CpuTimes;
    signal?: AbortSignal;
}

export interface BandwidthResult {
    /** Median over the rounds of bytes read plus bytes written per second, all threads together. */
    bytesPerSecond: number;
    /** Each round's figure, in the order measured. */
    roundsBytesPerSecond: number[];
    /** Half the range of the rounds relative to their median: 0.05 means ±5 %. */
    spread: number;
    threads: number;
    method: string;
    /** What other processes did to the CPU while it ran. */
    load: MachineLoad;
}

const MiB = 1024 ** 2;
const minBufferBytes = 32 * MiB;

// Each thread copies one large buffer into another (memcpy), after one untimed pass that faults the
// pages in, then answers each "round" message with its bytes per second over that round. A copy
// reads and writes each byte, as STREAM "copy" counts it. All threads run each round together.
const workerSource = `
const {parentPort, workerData} = require("node:worker_threads");
const {bufferBytes} = workerData;
const a = Buffer.alloc(bufferBytes, 1);
const b = Buffer.alloc(bufferBytes, 2);
a.copy(b);
let flip = false;
parentPort.postMessage({ready: true});
parentPort.on("message", (roundMs) => {
    let bytes = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.ceil(roundMs)) * 1000000n;
    let now = start;
    while (now < end) {
        if (flip) a.copy(b); else b.copy(a);
        flip = !flip;
        bytes += 2 * bufferBytes;
        now = process.hrtime.bigint();
    }
    parentPort.postMessage({bytesPerSecond: bytes / (Number(now - start) / 1e9)});
});
`;

/**
 * Measures achievable memory bandwidth with a few threads copying large buffers in repeated,
 * synchronized rounds, and reads how busy other processes kept the CPU meanwhile. It lands near
 * STREAM's copy figure: what llama.cpp's token generation can stream, not the vendor's peak.
 * Throws a CatalogError (BANDWIDTH_MEASUREMENT_CANCELLED, BANDWIDTH_NOT_ENOUGH_MEMORY,
 * BANDWIDTH_MEASUREMENT_FAILED) rather than ever returning zero.
 */
export async function measureBandwidth(options: MeasureBandwidthOptions = {}): Promise<BandwidthResult> {
    const threads = Math.max(1, Math.floor(options.threads ?? 2));
    const rounds = Math.max(3, Math.floor(options.rounds ?? 9));
    const roundMs = options.roundMs ?? 120;
    const free = options.freeBytes ?? os.freemem();
    // Two buffers per thread, and leave three quarters of the free RAM alone.
    const bufferBytes = Math.min(options.bufferBytes ?? 128 * MiB, Math.floor(free / 4 / (2 * threads) / MiB) * MiB);
    if (bufferBytes < Math.min(minBufferBytes, options.bufferBytes ?? minBufferBytes))
        throw new CatalogError(
            "BANDWIDTH_NOT_ENOUGH_MEMORY",
            `Measuring memory bandwidth needs ${Math.round((8 * threads * minBufferBytes) / MiB)} MiB of free RAM (buffers beyond the CPU caches); only ${Math.round(free / MiB)} MiB is free.`
        );
    if (options.signal?.aborted) throw cancelled();

    let workers: Worker[];
    try {
        workers = Array.from({length: threads}, () => new Worker(workerSource, {eval: true, workerData: {bufferBytes}}));
    } catch (error) {
        throw new CatalogError("BANDWIDTH_MEASUREMENT_FAILED", `Could not start the bandwidth measurement's threads: ${errorMessage(error)}.`, {cause: error});
    }
    const onAbort = () => void Promise.all(workers.map((w) => w.terminate()));
    options.signal?.addEventListener("abort", onAbort, {once: true});
    try {
        const nextMessage = (w: Worker) =>
            new Promise<{ready?: boolean; bytesPerSecond?: number}>((resolve, reject) => {
                const cleanup = () => {
                    w.off("message", onMessage);
                    w.off("error", onError);
                    w.off("exit", onExit);
                };
                const onMessage = (m: {ready?: boolean; bytesPerSecond?: number}) => (cleanup(), resolve(m));
                const onError = (e: Error) => (cleanup(), reject(e));
                const onExit = (code: number) => (cleanup(), reject(new Error(`a measuring thread exited with code ${code}`)));
                w.on("message", onMessage);
                w.on("error", onError);
                w.on("exit", onExit);
            });
        await Promise.all(workers.map(nextMessage));
        const watch = watchMachineLoad(options.readCpuTimes ?? readCpuTimes);
        const figures: number[] = [];
        for (let round = 0; round < rounds; round++) {
            const results = workers.map(nextMessage);
            for (const w of workers) w.postMessage(roundMs);
            const done = await Promise.all(results);
            figures.push(done.reduce((sum, r) => sum + (r.bytesPerSecond ?? 0), 0));
        }
        const load = watch.stop();
        const median = medianOf(figures);
        if (!(median > 0)) throw new Error("the copy rounds measured no bytes");
        return {
            bytesPerSecond: median,
            roundsBytesPerSecond: figures,
            spread: (Math.max(...figures) - Math.min(...figures)) / 2 / median,
            threads,
            method: `median of ${rounds} rounds of a ${threads}-thread memcpy of ${Math.round(bufferBytes / MiB)} MiB buffers`,
            load
        };
    } catch (error) {
        if (options.signal?.aborted) throw cancelled();
        if (error instanceof CatalogError) throw error;
        throw new CatalogError("BANDWIDTH_MEASUREMENT_FAILED", `The bandwidth measurement failed: ${errorMessage(error)}.`, {cause: error});
    } finally {
        options.signal?.removeEventListener("abort", onAbort);
        await Promise.all(workers.map((w) => w.terminate()));
    }
}

function cancelled() {
    return new CatalogError("BANDWIDTH_MEASUREMENT_CANCELLED", "The bandwidth measurement was interrupted before it finished.");
}

export function medianOf(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
