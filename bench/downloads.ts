import {execFile, spawn} from "node:child_process";
import {promisify} from "node:util";
import {createHash, randomFillSync} from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {PlannedFile} from "../electron/core/store/DownloadPlan.ts";
import {defaultRetryPolicy, downloadFile, hashFileInto} from "../electron/core/downloads/downloadFile.ts";
import {startFakeHuggingFace} from "../testkit/fakeHuggingFace.ts";
import {ggufModelPresets, writeGgufModel} from "../testkit/gguf/writeGgufModel.ts";
import {serveFiles} from "../testkit/serveFiles.ts";
import type {Benchmark} from "./index.ts";
import {ratioLine, summarize} from "./stats.ts";

const run = promisify(execFile);
const MIB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_DOWNLOAD_MIB ?? 512) * MIB;
const ROUNDS = 3;

/**
 * Targets: over loopback, AgentFit's transfer (resume-capable, hashing SHA-256 as it writes) reaches
 * ≥ 0.9× curl's throughput on the same file; its hashing reaches ≥ 0.9× sha256sum's; a pull whose
 * process is killed halfway re-downloads less than 1 MiB when resumed.
 */
export const downloadsBenchmark: Benchmark = {
    name: "downloads",
    description: "download throughput vs curl, SHA-256 vs sha256sum, bytes re-downloaded on resume",
    async run() {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-bench-dl-"));
        try {
            const source = path.join(dir, "model.bin");
            writeRandomFile(source, SIZE);
            const expected = createHash("sha256").update(fs.readFileSync(source)).digest("hex");
            await using server = await serveFiles({"/model.bin": source});
            const url = `${server.url}/model.bin`;

            const ours: number[] = [];
            const curl: number[] = [];
            for (let round = 0; round < ROUNDS; round++) {
                // Alternate who goes first so page-cache and CPU-frequency effects even out.
                const order = round % 2 === 0 ? ["ours", "curl"] : ["curl", "ours"];
                for (const who of order) {
                    const target = path.join(dir, `out-${who}`);
                    fs.rmSync(target, {force: true});
                    fs.rmSync(`${target}.partial`, {force: true});
                    const started = performance.now();
                    if (who === "curl") {
                        // Asynchronously: the server runs in this process's event loop.
                        await run("curl", ["-sS", "-f", "-o", target, url]);
                    } else {
                        const {sha256} = await downloadFile(transferOptions(plannedFile(url, target, SIZE)));
                        if (sha256 !== expected) throw new Error("downloadFile produced a wrong SHA-256");
                    }
                    const seconds = (performance.now() - started) / 1000;
                    (who === "curl" ? curl : ours).push(SIZE / MIB / seconds);
                }
            }
            const o = summarize(ours);
            const c = summarize(curl);
            console.log(`   download ${SIZE / MIB} MiB over loopback: agentfit ${o.mean.toFixed(0)} ± ${o.sd.toFixed(0)} MiB/s (writes + SHA-256), curl ${c.mean.toFixed(0)} ± ${c.sd.toFixed(0)} MiB/s (writes only)`);
            console.log(ratioLine("download throughput ÷ curl", o.mean / c.mean, {atLeast: 0.9}));

            const hashOurs: number[] = [];
            const hashTool: number[] = [];
            for (let round = 0; round < ROUNDS; round++) {
                let started = performance.now();
                const fd = await fs.promises.open(source, "r");
                const hash = createHash("sha256");
                await hashFileInto(hash, fd, SIZE);
                await fd.close();
                if (hash.digest("hex") !== expected) throw new Error("hashFileInto produced a wrong SHA-256");
                hashOurs.push(SIZE / MIB / ((performance.now() - started) / 1000));
                started = performance.now();
                const {stdout} = await run("sha256sum", [source]);
                if (!stdout.startsWith(expected)) throw new Error(`sha256sum disagrees: ${stdout}`);
                hashTool.push(SIZE / MIB / ((performance.now() - started) / 1000));
            }
            const ho = summarize(hashOurs);
            const ht = summarize(hashTool);
            console.log(`   SHA-256 of ${SIZE / MIB} MiB (page cache): agentfit ${ho.mean.toFixed(0)} ± ${ho.sd.toFixed(0)} MiB/s, sha256sum ${ht.mean.toFixed(0)} ± ${ht.sd.toFixed(0)} MiB/s`);
            console.log(ratioLine("hashing throughput ÷ sha256sum", ho.mean / ht.mean, {atLeast: 0.9}));

            await benchResume(dir);
        } finally {
            fs.rmSync(dir, {recursive: true, force: true});
        }
    }
};

/**
 * A real `agentfit pull` process is killed (SIGKILL) halfway through a model served by the local
 * Hugging Face stand-in, then `agentfit pull` runs again. The stand-in counts the bytes it sent; the
 * excess over the file size is what the resume downloaded twice.
 */
async function benchResume(dir: string) {
    const model = writeGgufModel(path.join(dir, "resume-Q8_0.gguf"), {...ggufModelPresets.medium, type: "Q8_0"});
    await using hub = await startFakeHuggingFace({repos: {"bench/resume-GGUF": {files: [{path: "resume-Q8_0.gguf", source: model.path}]}}});
    hub.faults.push({file: "resume-Q8_0.gguf", bytesPerSecond: 16 * MIB});
    const env = {...process.env, AGENTFIT_HOME: path.join(dir, "home"), HF_ENDPOINT: hub.endpoint, NO_COLOR: "1"};
    const partial = path.join(dir, "home", "models", "huggingface", "bench", "resume-GGUF", "resume-Q8_0.gguf.partial");
    const child = spawn(process.execPath, ["bin/agentfit.js", "pull", "hf:bench/resume-GGUF:Q8_0"], {env, stdio: "ignore"});
    const exited = new Promise((resolve) => child.on("exit", resolve));
    while (!fs.existsSync(partial) || fs.statSync(partial).size < model.fileSizeBytes / 2) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill("SIGKILL");
    await exited;
    const kept = fs.statSync(partial).size;
    const sentBeforeKill = hub.bytesSent("resume-Q8_0.gguf");
    await run(process.execPath, ["bin/agentfit.js", "pull"], {env});
    const resent = hub.bytesSent("resume-Q8_0.gguf") - model.fileSizeBytes;
    console.log(
        `   agentfit pull killed at ${(kept / MIB).toFixed(1)} of ${(model.fileSizeBytes / MIB).toFixed(1)} MiB on disk (${(sentBeforeKill / MIB).toFixed(1)} MiB sent); ` +
            `the resumed pull downloaded ${(Math.max(0, resent) / 1024).toFixed(0)} KiB twice`
    );
    console.log(ratioLine("bytes re-downloaded on resume ÷ 1 MiB", Math.max(0, resent) / MIB, {atMost: 1}));
}

function plannedFile(url: string, target: string, size: number): PlannedFile {
    return {name: path.basename(target), url, sizeBytes: size, expectedSha256: null, finalPath: target, partialPath: `${target}.partial`, etag: null, done: false, sha256: null};
}

function transferOptions(file: PlannedFile) {
    return {
        file,
        token: null,
        authOrigin: null,
        userAgent: "agentfit-bench",
        retry: defaultRetryPolicy,
        stallTimeoutMs: 30_000,
        signal: new AbortController().signal,
        onProgress: () => {},
        onRetry: () => {},
        onMetadata: () => {}
    };
}

function writeRandomFile(file: string, size: number) {
    const fd = fs.openSync(file, "w");
    const chunk = Buffer.allocUnsafe(16 * MIB);
    for (let written = 0; written < size; written += chunk.length) fs.writeSync(fd, randomFillSync(chunk));
    fs.closeSync(fd);
}
