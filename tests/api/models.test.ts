import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {afterAll, describe, expect, it} from "vitest";
import type {RecommendationReport} from "../../electron/api/ModelsApi.ts";
import {startFakeHuggingFace} from "../utils/fakeHubTreeApi.ts";
import {fixedMachine} from "../utils/fixedMachines.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {runCli} from "../utils/runCli.ts";
import {serveFiles} from "../../testkit/serveFiles.ts";
import {startApp} from "../utils/startApp.ts";

const GiB = 1024 ** 3;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-models-api-"));
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));
const small = writeGgufModel(path.join(dir, "small-Q8_0.gguf"), {...ggufModelPresets.small, type: "Q8_0", headCountKv: 4, contextLength: 32768});

/** The app on a fixed 32 GB laptop with an 8 GB RTX 4060, so answers do not depend on the test machine. */
const startOnLaptop = (extra: Parameters<typeof startApp>[0] = {}) =>
    startApp({...extra, service: {probeSources: fixedMachine("rtx4060-32gb"), measureBandwidthAutomatically: false, ...extra.service}});

describe("Models API over HTTP", () => {
    it("recommends for this machine, probing it first, and answers what-if questions", async () => {
        await using app = await startOnLaptop();
        const report = await app.client.call("models.recommend", {});
        expect(report.hardware).toMatchObject({label: "this machine (probe #1)", backend: "cuda", vramBytes: 8 * GiB, ramBytes: 32 * GiB});
        expect((await app.client.call("hardware.snapshots", {})).length).toBe(1);
        expect(report.settings).toEqual({contextSize: 32768, kvCacheType: "f16", flashAttention: true});
        expect(report.topPick).toBe(report.models[0]!.model.id);
        expect(report.models[0]!.best!.fit.gpuLayers).toBeGreaterThan(0);

        const air = await app.client.call("models.recommend", {hardware: {preset: "macbook-air-m2-16gb"}, contextSize: 16384, kvCacheType: "q8_0"});
        expect(air.hardware).toMatchObject({label: "MacBook Air M2, 16 GB", backend: "metal", unifiedMemory: true});
        expect(air.settings).toEqual({contextSize: 16384, kvCacheType: "q8_0", flashAttention: true});
        const noFit = (r: RecommendationReport) => r.models.filter((m) => m.verdict === "no-fit").length;
        expect(noFit(air)).toBeGreaterThan(noFit(report));

        const custom = await app.client.call("models.recommend", {hardware: {ram: "64GB", vram: "24GB", gpu: "RTX 4090"}});
        expect(custom.hardware).toMatchObject({label: "custom", vramBytes: 24 * GiB, gpuBandwidthBytesPerSecond: 1008e9});
    });

    it("answers bad arguments with a clear error and a stable code", async () => {
        await using app = await startOnLaptop();
        await expect(app.client.call("models.recommend", {contextSize: 0})).rejects.toMatchObject({code: "FIT_SETTINGS_INVALID", message: expect.stringContaining("256 to")});
        await expect(app.client.call("models.recommend", {kvCacheType: "q2" as never})).rejects.toMatchObject({code: "FIT_SETTINGS_INVALID"});
        await expect(app.client.call("models.recommend", {hardware: {ram: "-16GB"}})).rejects.toMatchObject({code: "HARDWARE_OVERRIDE_INVALID", message: expect.stringContaining("-16GB")});
        await expect(app.client.call("models.recommend", {hardware: {gpu: "Imaginary 9000"}})).rejects.toMatchObject({code: "HARDWARE_OVERRIDE_INVALID"});
        // The speed bar is the Verdict's threshold, not a per-request setting.
        await expect(app.client.call("models.recommend", {minTokensPerSecond: 5} as never)).rejects.toMatchObject({code: "FIT_SETTINGS_INVALID", message: expect.stringContaining("Verdict's thresholds")});
        await expect(app.client.call("models.fit", {model: "qwen-coder-7b"})).rejects.toMatchObject({code: "CATALOG_NOT_FOUND", message: expect.stringContaining("Did you mean")});
        await expect(app.client.call("models.inspect", {source: ""})).rejects.toMatchObject({code: "INVALID_ARGUMENT"});
    });

    it("fits one catalog model and quantization", async () => {
        await using app = await startOnLaptop();
        const fit = await app.client.call("models.fit", {model: "qwen2.5-coder-7b-instruct:Q4_K_M", contextSize: 8192});
        expect(fit.model.id).toBe("qwen2.5-coder-7b-instruct");
        expect(fit.option).toMatchObject({quantization: "Q4_K_M", verdict: "usable"});
        expect(fit.option.criteria.map((c) => [c.id, c.status])).toEqual([
            ["fit", "pass"],
            ["generation", "pass"],
            ["turn", "pass"]
        ]);
        expect(fit.option.fit.fitClass).toBe("gpu-full");
        expect(fit.option.speed.predicted).toBe(true);
        const catalog = await app.client.call("models.catalog", {});
        expect(catalog.map((m) => m.id)).toContain("qwen3-coder-30b-a3b-instruct");
        expect((await app.client.call("models.presets", {})).map((p) => p.id)).toContain("laptop-rtx-4060-8gb-32gb");
    });

    it("inspects a local GGUF, a URL (header only, with range requests) and explains bad sources", async () => {
        await using app = await startOnLaptop();
        const local = await app.client.call("models.inspect", {source: small.path, contextSize: 8192});
        expect(local.facts).toMatchObject({architecture: "llama", quantization: "Q8_0", blockCount: small.blockCount, headCountKv: 4});
        expect(local.fit.parts.find((p) => p.kind === "kv-cache")!.vramBytes).toBe(small.blockCount * 2 * 4 * (small.embeddingLength / small.headCount) * 8192 * 2);
        expect(local.resolver).toBeNull();
        expect(local.name).toBe("small-Q8_0");
        // Trained for 8,192 tokens, inspected at the 32k agent context: memory fits, the context does not.
        const short = writeGgufModel(path.join(dir, "short-context.Q8_0.gguf"), {...ggufModelPresets.small, type: "Q8_0", headCountKv: 4, contextLength: 8192});
        const atAgentContext = await app.client.call("models.inspect", {source: short.path});
        expect(atAgentContext.fit.settings.contextSize).toBe(32768);
        expect(atAgentContext.fit.fitClass).not.toBe("no-fit");
        expect(atAgentContext.verdict).toBe("no-fit");
        expect(atAgentContext.criteria[0]).toMatchObject({id: "fit", label: "Fits at 32k context", status: "fail", value: "trained for 8k"});
        expect(atAgentContext.criteria[0]!.detail).toContain("Trained for 8,192 tokens; the agent context is 32,768");
        const shortCli = await runCli(["inspect", short.path], app.home.env);
        expect(shortCli.stdout).toMatch(/Verdict \(predicted\) Doesn't fit\n {2}✗ Fits at 32k context\s+trained for 8k {2}Trained for 8,192 tokens; the agent context is 32,768/);
        const cpuOnly = await app.client.call("models.inspect", {source: small.path, contextSize: 8192, hardware: {vram: 0}});
        expect(cpuOnly.fit.fitClass).toBe("cpu-only");
        expect(cpuOnly.resolver?.method).toBe("node-llama-cpp configuration resolver");
        // Both simulate llama.cpp's allocations (weights, KV cache, compute): they agree apart from the
        // engine process and tokenizer/runtime overhead that only AgentFit counts.
        const overhead = cpuOnly.fit.parts.find((p) => p.kind === "overhead")!.ramBytes;
        expect(cpuOnly.resolver!.ramNeededBytes / (cpuOnly.fit.ramNeededBytes - overhead)).toBeCloseTo(1, 1);

        await using files = await serveFiles({"/m/small.gguf": small.path, "/readme.gguf": path.join(dir, "readme.txt"), "/broken.gguf": 500});
        fs.writeFileSync(path.join(dir, "readme.txt"), "# not a model\n".repeat(100));
        const remote = await app.client.call("models.inspect", {source: `${files.url}/m/small.gguf`});
        expect(remote.facts.parameterCount).toBe(small.parameterCount);
        expect(remote.resolver).toBeNull();
        expect(files.requests.every((r) => r.range)).toBe(true);

        await expect(app.client.call("models.inspect", {source: `${files.url}/missing.gguf`})).rejects.toMatchObject({code: "GGUF_NOT_FOUND"});
        await expect(app.client.call("models.inspect", {source: `${files.url}/readme.gguf`})).rejects.toMatchObject({code: "GGUF_INVALID"});
        await expect(app.client.call("models.inspect", {source: `${files.url}/broken.gguf`})).rejects.toMatchObject({code: "GGUF_HTTP_ERROR", message: expect.stringContaining("500")});

        const cut = path.join(dir, "cut.gguf");
        fs.writeFileSync(cut, fs.readFileSync(small.path).subarray(0, 3000));
        await expect(app.client.call("models.inspect", {source: cut})).rejects.toMatchObject({code: "GGUF_TRUNCATED"});

        // The same header with the architecture renamed: llama.cpp cannot run it, so no estimate.
        const alien = path.join(dir, "alien.gguf");
        fs.writeFileSync(alien, Buffer.from(fs.readFileSync(small.path).toString("latin1").replaceAll("llama", "zyxwv"), "latin1"));
        await expect(app.client.call("models.inspect", {source: alien})).rejects.toMatchObject({code: "GGUF_ARCHITECTURE_UNSUPPORTED", message: expect.stringContaining('"zyxwv"')});

        // A header without block_count: the error names the missing key.
        const headless = path.join(dir, "no-block-count.gguf");
        fs.writeFileSync(headless, Buffer.from(fs.readFileSync(small.path).toString("latin1").replace("llama.block_count", "llama.block_cuont"), "latin1"));
        await expect(app.client.call("models.inspect", {source: headless})).rejects.toMatchObject({code: "GGUF_METADATA_INVALID", message: expect.stringContaining("llama.block_count")});
    });

    it("refreshes sizes, names and checksums from a server speaking the Hugging Face API", async () => {
        const sha = "3b".repeat(32);
        await using hub = await startFakeHuggingFace(
            {
                "bartowski/Qwen2.5-Coder-7B-Instruct-GGUF": [
                    {path: "README.md", size: 9000},
                    {path: "Qwen2.5-Coder-7B-Instruct-Q2_K.gguf", size: 3_015_939_360, sha256: "1".repeat(64)},
                    {path: "Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf", size: 4_683_073_856, sha256: sha},
                    {path: "Qwen2.5-Coder-7B-Instruct-Q4_K_L.gguf", size: 5_089_999_000, sha256: "2".repeat(64)},
                    {path: "Qwen2.5-Coder-7B-Instruct-Q8_0.gguf", size: 8_098_525_568, sha256: "4".repeat(64)},
                    {path: "Qwen2.5-Coder-7B-Instruct-f16/Qwen2.5-Coder-7B-Instruct-f16-00001-of-00002.gguf", size: 9_000_000_000, sha256: "5".repeat(64)},
                    {path: "Qwen2.5-Coder-7B-Instruct-f16/Qwen2.5-Coder-7B-Instruct-f16-00002-of-00002.gguf", size: 6_237_000_000, sha256: "6".repeat(64)}
                ],
                "bartowski/Qwen_Qwen3-8B-GGUF": 401
            },
            {pageSize: 3}
        );
        await using app = await startOnLaptop({service: {huggingFaceEndpoint: hub.url}});
        const report = await app.client.call("models.refreshCatalog", {models: ["qwen2.5-coder-7b-instruct", "qwen3-8b"]});
        expect(report.endpoint).toBe(hub.url);
        const [coder, qwen3] = report.results;
        expect(coder).toMatchObject({modelId: "qwen2.5-coder-7b-instruct", status: "updated"});
        expect(coder!.message).toMatch(/No file found for Q3_K_M, Q5_K_M, Q6_K/);
        expect(coder!.quantizations.find((q) => q.quantization === "Q4_K_M")).toEqual({quantization: "Q4_K_M", files: ["Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf"], sizeBytes: 4_683_073_856, sha256: sha});
        expect(coder!.quantizations.find((q) => q.quantization === "F16")).toEqual({
            quantization: "F16",
            files: ["Qwen2.5-Coder-7B-Instruct-f16/Qwen2.5-Coder-7B-Instruct-f16-00001-of-00002.gguf", "Qwen2.5-Coder-7B-Instruct-f16/Qwen2.5-Coder-7B-Instruct-f16-00002-of-00002.gguf"],
            sizeBytes: 15_237_000_000
        });
        expect(qwen3).toMatchObject({status: "failed", message: expect.stringContaining("HF_TOKEN")});
        expect(hub.requests.filter((r) => r.includes("Qwen2.5-Coder-7B")).length).toBe(3); // 7 files, 3 per page

        const catalog = await app.client.call("models.catalog", {});
        const q4 = catalog.find((m) => m.id === "qwen2.5-coder-7b-instruct")!.quantizations.find((q) => q.quantization === "Q4_K_M")!;
        expect(q4).toMatchObject({sizeBytes: 4_683_073_856, sha256: sha, sizeEstimated: false});
        const untouched = catalog.find((m) => m.id === "qwen3-8b")!.quantizations.find((q) => q.quantization === "Q4_K_M")!;
        expect(untouched.refreshedAt).toBeUndefined();
    });

    it("says refreshing needs internet when the endpoint cannot be reached", async () => {
        await using app = await startOnLaptop({service: {huggingFaceEndpoint: "http://127.0.0.1:9"}});
        await expect(app.client.call("models.refreshCatalog", {models: ["qwen3-8b"]})).rejects.toMatchObject({code: "CATALOG_REFRESH_FAILED", message: expect.stringContaining("needs internet")});
    });
});

describe("one set of rules: recommendations judge with the Verdict's thresholds in SQLite", () => {
    it("changes its levels when the thresholds are edited, and its context follows the agent context", async () => {
        await using app = await startOnLaptop();
        const before = await app.client.call("models.recommend", {});
        const usable = before.models.filter((m) => m.verdict === "usable");
        expect(usable.length).toBeGreaterThan(0);
        for (const m of before.models.filter((x) => x.best)) {
            expect(m.best!.speed.agentTurnSeconds).toBeGreaterThan(0);
            expect(m.best!.criteria.find((c) => c.id === "turn")!.value).toMatch(/^~/);
        }
        expect(before.legend[0]!.meaning).toContain("≤ 30 s per agent turn");

        await app.client.call("verdict.setThresholds", {usableTurnSeconds: 0.001, almostTurnSeconds: 0.002, contextSize: 16384});
        const after = await app.client.call("models.recommend", {});
        expect(after.settings.contextSize).toBe(16384);
        expect(after.thresholds.usableTurnSeconds).toBe(0.001);
        expect(after.models.filter((m) => m.verdict === "usable" || m.verdict === "almost")).toEqual([]);
        expect(after.legend[0]!.meaning).toContain("≤ 0.001 s per agent turn");
        const fit = await app.client.call("models.fit", {model: usable[0]!.model.id});
        expect(fit.option.fit.settings.contextSize).toBe(16384);
        expect(fit.option.verdict).toBe("no");
    });
});

// Each test runs several CLI processes; on a busy shared machine one takes 10–30 s.
describe("agentfit recommend / inspect / catalog (CLI)", {timeout: 300_000}, () => {
    it("prints a ranked table, JSON, per-quantization tables and what-if answers", async () => {
        await using app = await startOnLaptop();
        await app.client.call("hardware.probe", {});
        const env = {...app.home.env};
        const text = await runCli(["recommend", "--preset", "laptop-rtx-4060-8gb-32gb"], env);
        expect(text.stderr).toBe("");
        expect(text.code).toBe(0);
        expect(text.stdout).toMatch(/Best coding-agent pick here: /);
        expect(text.stdout).toMatch(/Gaming laptop: RTX 4060 8 GB \+ 32 GB RAM/);
        expect(text.stdout).toMatch(/Predictions, not measurements/);
        expect(text.stdout).toMatch(/verdict\s+quant\s+fit\s+RAM\s+VRAM\s+gen tok\/s\*\s+per turn\*/);
        expect(text.stdout).toMatch(/Legend:\n {2}Usable: fits at 32k context, generates ≥ 10 tok\/s at the agent's depth \(16k\) and takes ≤ 30 s per agent turn\./);
        expect(text.stdout).toContain("Time per agent turn = a 10-turn session's time ÷ 10");

        const json = await runCli(["recommend", "--ram", "16GB", "--vram", "0", "--context", "16k", "--kv-type", "q8_0", "--json"], env);
        const report = JSON.parse(json.stdout) as RecommendationReport;
        expect(report.hardware).toMatchObject({ramBytes: 16 * GiB, vramBytes: 0, backend: "cpu"});
        expect(report.settings).toEqual({contextSize: 16384, kvCacheType: "q8_0", flashAttention: true});
        // Every option's speed carries the predicted agent turn, in seconds.
        for (const m of report.models)
            for (const o of m.options) {
                const turn = Object.keys(o.speed).filter((k) => k.includes("Turn"));
                expect(turn).toContain("agentTurnSeconds");
                expect(o.speed.agentTurnSeconds).toBeGreaterThan(0);
                expect(["usable", "almost", "no", "no-fit"]).toContain(o.verdict);
            }

        const one = await runCli(["recommend", "--model", "qwen3-coder-30b-a3b-instruct", "--gpu", "Apple M4 Max", "--ram", "64GB"], env);
        expect(one.code).toBe(0);
        for (const q of ["Q2_K", "Q4_K_M", "Q8_0", "BF16"]) expect(one.stdout).toContain(q);
        expect(one.stdout).toMatch(/Scored 7\/10/);

        const presets = await runCli(["recommend", "--presets"], env);
        expect(presets.stdout).toContain("macbook-air-m2-16gb");
    });

    it("says which bandwidth predictions use and whether it was measured under load (probe, recommend --json), and calibrate needs a model", async () => {
        await using app = await startOnLaptop();
        const env = {...app.home.env};
        // This real machine, as a user would: probe, then recommend (which measures the bandwidth), then probe again.
        const first = await runCli(["probe"], env);
        expect(first.stdout).toMatch(/Memory bandwidth.*not measured yet: agentfit recommend measures it/s);
        const json = await runCli(["recommend", "--json"], env);
        expect(json.code).toBe(0);
        const report = JSON.parse(json.stdout) as RecommendationReport;
        expect(typeof report.hardware.bandwidthUnderLoad).toBe("boolean");
        // The CLI measured this machine (its CPU is not in the table): rounds, spread and load are kept with the figure.
        expect(report.hardware.bandwidthMeasurement).toMatchObject({roundsBytesPerSecond: expect.any(Array), spread: expect.any(Number), load: {busy: report.hardware.bandwidthUnderLoad}});
        expect(report.hardware.cpuBandwidthBytesPerSecond).toBeGreaterThan(0);

        const probe = await runCli(["probe"], env);
        expect(probe.code).toBe(0);
        expect(probe.stdout).toMatch(/Memory bandwidth\s+\d+\.\d GB\/s, median of 9 rounds \(±\d+ %\)/);
        if (report.hardware.bandwidthUnderLoad) expect(probe.stdout).toMatch(/measured while other processes kept .* busy: predicted speeds may be too low/);
        const probeJson = JSON.parse((await runCli(["probe", "--json"], env)).stdout) as {bandwidth: {underLoad: boolean; measurements: unknown[]}};
        expect(probeJson.bandwidth.measurements.length).toBeGreaterThanOrEqual(1);

        const calibrate = await runCli(["calibrate"], env);
        expect(calibrate.code).toBe(2);
        expect(calibrate.stderr).toMatch(/no registered model of 256 MB or more to measure/);
        await expect(app.client.call("bench.calibrate", {})).rejects.toMatchObject({code: "BENCH_CALIBRATION_MODEL_MISSING"});
    }, 120_000);

    it("exits 1 with a coded one-line error for absurd overrides", async () => {
        await using app = await startOnLaptop();
        const negative = await runCli(["recommend", "--ram", "-8GB"], app.home.env);
        expect(negative.code).toBe(1);
        expect(negative.stderr).toMatch(/^error \[HARDWARE_OVERRIDE_INVALID\]: RAM "-8GB" is not a size/);
        // Engine settings are checked by the CLI against the same schema as the API, naming the flag.
        const zero = await runCli(["recommend", "--context", "0"], app.home.env);
        expect(zero.code).toBe(1);
        expect(zero.stderr).toContain("--ctx must be a context size from 256 to 4194304 tokens");
        const minTps = await runCli(["recommend", "--min-tps", "5"], app.home.env);
        expect(minTps.code).toBe(1);
        expect(minTps.stderr).toMatch(/^error \[FIT_SETTINGS_INVALID\]: --min-tps is gone: recommend judges with the Verdict's thresholds/);
        const kv = await runCli(["inspect", small.path, "--kv-type", "q5"], app.home.env);
        expect(kv.code).toBe(1);
        expect(kv.stderr).toContain("--kv-type must be f16, q8_0 or q4_0");
    });

    it("inspects a GGUF file and a URL, and refreshes the catalog from HF_ENDPOINT", async () => {
        await using app = await startOnLaptop();
        const out = await runCli(["inspect", small.path, "--context", "8192", "--vram", "0"], app.home.env);
        expect(out.code).toBe(0);
        // One name: the file name; the GGUF's general.name is a detail.
        expect(out.stdout.split("\n")[0]).toMatch(/^small-Q8_0 /);
        expect(out.stdout).toMatch(/GGUF name\s+AgentFit test model/);
        expect(out.stdout).toMatch(/Quantization\s+Q8_0/);
        expect(out.stdout).toMatch(/Verdict \(predicted\) (Usable|Almost|No)\n {2}✓ Fits at 8k context/);
        expect(out.stdout).toMatch(/Legend:/);
        expect(out.stdout).toMatch(/AgentFit arithmetic\s+CPU only/);
        expect(out.stdout).toMatch(/node-llama-cpp configuration resolver/);
        expect(out.stdout).toMatch(/Predicted speed/);

        await using files = await serveFiles({"/small.gguf": small.path});
        const json = await runCli(["inspect", `${files.url}/small.gguf`, "--json"], app.home.env);
        expect(JSON.parse(json.stdout).facts.blockCount).toBe(small.blockCount);
        const missing = await runCli(["inspect", `${files.url}/nothing.gguf`], app.home.env);
        expect(missing.code).toBe(1);
        expect(missing.stderr).toMatch(/error \[GGUF_NOT_FOUND\]/);

        await using hub = await startFakeHuggingFace({"bartowski/Qwen2.5-Coder-1.5B-Instruct-GGUF": [{path: "Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf", size: 986_048_384, sha256: "c".repeat(64)}]});
        const refresh = await runCli(["catalog", "refresh", "--model", "qwen2.5-coder-1.5b-instruct"], {...app.home.env, HF_ENDPOINT: hub.url});
        expect(refresh.stdout).toMatch(/updated\s+qwen2.5-coder-1.5b-instruct/);
        const listed = await runCli(["catalog", "--json"], app.home.env);
        const q = (JSON.parse(listed.stdout) as {id: string; quantizations: {quantization: string; sizeBytes: number}[]}[])
            .find((m) => m.id === "qwen2.5-coder-1.5b-instruct")!
            .quantizations.find((x) => x.quantization === "Q4_K_M")!;
        expect(q.sizeBytes).toBe(986_048_384);
    });
});
