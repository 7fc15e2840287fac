import {Worker} from "node:worker_threads";

export interface MeasureBandwidthOptions {
    /** Threads copying at once; use the threads inference will use. Default 2. */
    threads?: number;
    /** Measuring time per thread, ms. Default 1000. */
    durationMs?: number;
    /** Buffer size each thread copies between, bytes (far beyond any CPU cache). Default 128 MiB. */
    bufferBytes?: number;
    signal?: AbortSignal;
}

export interface BandwidthResult {
    /** Bytes read plus bytes written per second, over all threads. */
    bytesPerSecond: number;
    threads: number;
    method: string;
}

// Each thread copies one large buffer into another (memcpy), after one untimed pass that faults the
// pages in. A copy reads and writes each byte, as STREAM "copy" counts it.
const workerSource = `
const {parentPort, workerData} = require("node:worker_threads");
const {bufferBytes, durationMs} = workerData;
const a = Buffer.alloc(bufferBytes, 1);
const b = Buffer.alloc(bufferBytes, 2);
a.copy(b);
parentPort.postMessage({ready: true});
parentPort.once("message", () => {
    // Several short rounds; the best one is the machine's bandwidth, the others lost time to other processes.
    const rounds = 5;
    let best = 0;
    let flip = false;
    for (let round = 0; round < rounds; round++) {
        let bytes = 0;
        const start = process.hrtime.bigint();
        const end = start + BigInt(Math.ceil(durationMs / rounds)) * 1000000n;
        let now = start;
        while (now < end) {
            if (flip) a.copy(b); else b.copy(a);
            flip = !flip;
            bytes += 2 * bufferBytes;
            now = process.hrtime.bigint();
        }
        best = Math.max(best, bytes / (Number(now - start) / 1e9));
    }
    parentPort.postMessage({bytesPerSecond: best});
});
`;

/**
 * Measures achievable memory bandwidth with a few threads copying large buffers, for machines whose
 * chip is not in the bandwidth table. It lands near STREAM's copy figure: what llama.cpp's token
 * generation can stream, not the vendor's peak.
 */
export async function measureBandwidth(options: MeasureBandwidthOptions = {}): Promise<BandwidthResult> {
    const threads = options.threads ?? 2;
    const durationMs = options.durationMs ?? 1000;
    const bufferBytes = options.bufferBytes ?? 128 * 1024 * 1024;
    const workers = Array.from({length: threads}, () => new Worker(workerSource, {eval: true, workerData: {bufferBytes, durationMs}}));
    const onAbort = () => void Promise.all(workers.map((w) => w.terminate()));
    options.signal?.addEventListener("abort", onAbort, {once: true});
    try {
        const nextMessage = (w: Worker) =>
            new Promise<{ready?: boolean; bytesPerSecond?: number}>((resolve, reject) => {
                w.once("message", resolve);
                w.once("error", reject);
                w.once("exit", (code) => reject(new Error(options.signal?.aborted ? "Bandwidth measurement cancelled." : `Bandwidth worker exited with code ${code}.`)));
            });
        await Promise.all(workers.map(nextMessage));
        const results = workers.map(nextMessage);
        for (const w of workers) w.postMessage("go");
        const done = await Promise.all(results);
        const bytesPerSecond = done.reduce((sum, r) => sum + (r.bytesPerSecond ?? 0), 0);
        return {bytesPerSecond, threads, method: `${threads}-thread memcpy of ${Math.round(bufferBytes / 1024 ** 2)} MiB buffers`};
    } finally {
        options.signal?.removeEventListener("abort", onAbort);
        await Promise.all(workers.map((w) => w.terminate()));
    }
}
