// The speed half of `npm run bench -- recommend`: calibrates predictions the way `agentfit calibrate`
// does (its short benchmarks at an empty context, 2k and 4k), then measures the same generated models
// again with the full tests at depth 0 and at 16k and compares calibrated predictions with those
// measurements, per weight type. The predictions never see the measurements they are compared with.
import os from "node:os";
import path from "node:path";
import type {BenchRun, BenchStartRequest} from "../electron/api/BenchApi.ts";
import type {HardwareProfile} from "../electron/api/ModelsApi.ts";
import {createAppService, type AppService} from "../electron/core/AppService.ts";
import {inspectModel, shapeFromFacts} from "../electron/core/catalog/inspectModel.ts";
import {calibrationRequest} from "../electron/core/bench/calibrationRequest.ts";
import {calibrationFrom, predictAtDepth, type SpeedCalibration} from "../electron/core/catalog/predictSpeed.ts";
import {ggufModelPresets, writeGgufModel, type GgufWeightType} from "../testkit/gguf/writeGgufModel.ts";
import {describeContextTerm} from "../electron/shared/format.ts";
import {createTempHome} from "../testkit/tempHome.ts";
import {machineLoadReadings} from "./machineLoadReadings.ts";
import {ratioLine} from "./stats.ts";

/** Shapes of ≥ 256 MB per weight type: the 250M preset for 8- and 16-bit, a ~580M one for the 4-bit types. */
const wide = {embeddingLength: 1536, blockCount: 16, headCount: 24, headCountKv: 8, extraVocabTokens: 8192};
const models: {type: GgufWeightType; shape: typeof wide | typeof ggufModelPresets.large}[] = [
    {type: "Q4_0", shape: wide},
    {type: "Q4_K_M", shape: wide},
    {type: "Q8_0", shape: ggufModelPresets.large},
    {type: "F16", shape: ggufModelPresets.large}
];

async function runToEnd(app: AppService, request: BenchStartRequest): Promise<BenchRun> {
    const started = await app["bench.start"](request);
    for (;;) {
        const run = await app["bench.run"]({runId: started.id});
        if (run.status !== "running") return run;
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
}

export async function speedCalibrationAccuracy(dir: string): Promise<void> {
    const threads = Number(process.env.AGENTFIT_BENCH_THREADS ?? Math.max(1, Math.min(2, os.availableParallelism())));
    // On a loaded machine a 16k fill can take an hour: AGENTFIT_BENCH_DEPTH=0 checks the empty context only, AGENTFIT_BENCH_TYPES=Q8_0,F16 fewer types.
    const deepDepth = Number(process.env.AGENTFIT_BENCH_DEPTH ?? 16384);
    const depths = deepDepth > 0 ? [0, deepDepth] : [0];
    const types = process.env.AGENTFIT_BENCH_TYPES?.split(",").map((t) => t.trim().toUpperCase());
    using home = createTempHome("agentfit-bench-calibration-");
    await using app = await createAppService({paths: home});
    const files = models.filter((m) => !types || types.includes(m.type)).map((m) => ({...m, path: writeGgufModel(path.join(dir, `calibration-${m.type}.gguf`), {...m.shape, type: m.type, contextLength: 32768}).path}));
    const report = await app["models.recommend"]({});
    // Predictions assume the thread count the benchmarks use.
    const hardware: HardwareProfile = {...report.hardware, cpuThreads: threads, cpuFlops: (report.hardware.cpuFlops / report.hardware.cpuThreads) * threads};
    console.log(`   speed: ${files.length} generated models (${files.map((f) => f.type).join(", ")}), ${threads} thread(s), bandwidth ${(hardware.cpuBandwidthBytesPerSecond / 1e9).toFixed(1)} GB/s${hardware.bandwidthUnderLoad ? " (measured under load)" : ""}`);

    const matrix = {threads: [threads], kvCacheTypes: ["f16" as const], flashAttention: [true]};
    // Other processes' load: just before each run, and each test's own reading (which leaves the engine's threads out).
    const loads = machineLoadReadings();
    await loads.sample();
    const calibrationPlan = calibrationRequest(files.map((f) => f.path));
    const calibrationRun = await runToEnd(app, {...calibrationPlan, depths: deepDepth > 0 ? calibrationPlan.depths : [0], matrix});
    const calibration: SpeedCalibration | null = calibrationFrom(app.store.bench.measuredSpeeds(), hardware);
    console.log(`   calibration run ${calibrationRun.id}: ${calibrationRun.status}; ${calibration ? `${calibration.samples} samples, context at 4k: generation ${describeContextTerm(calibration.generationContext)}, prompts ${describeContextTerm(calibration.promptContext)}` : "no usable sample"}`);
    for (const [type, f] of Object.entries(calibration?.byWeightType ?? {})) console.log(`     ${type.padEnd(8)} generation ×${f.generationFactor.toFixed(2)}  prompt ×${f.promptFactor.toFixed(2)}`);

    const predictions = new Map<string, {depth: number; tg: number; pp: number; rawTg: number; rawPp: number}[]>();
    for (const f of files) {
        const facts = (await inspectModel(f.path, {hardware, useResolver: false})).facts;
        const shape = shapeFromFacts(facts);
        predictions.set(
            f.path,
            depths.map((depth) => {
                const calibrated = predictAtDepth(shape, hardware, {depth, promptTokens: 512, weightType: facts.quantization, calibration});
                const raw = predictAtDepth(shape, hardware, {depth, promptTokens: 512, weightType: facts.quantization});
                return {depth, tg: calibrated.generationTokensPerSecond, pp: calibrated.promptTokensPerSecond, rawTg: raw.generationTokensPerSecond, rawPp: raw.promptTokensPerSecond};
            })
        );
    }

    await loads.sample();
    const evaluation = await runToEnd(app, {models: files.map((f) => f.path), promptTokens: 512, generatedTokens: 64, repetitions: 3, depths, timeToFirstToken: false, matrix});
    const results = (await app["bench.run"]({runId: evaluation.id})).results;
    loads.add(...(await app["bench.run"]({runId: calibrationRun.id})).results.map((r) => r.load), ...results.map((r) => r.load));
    console.log(`   evaluation run ${evaluation.id}: ${evaluation.status}`);
    console.log(`   ${"weight type @ depth".padEnd(22)} ${"tg pred".padStart(8)} ${"tg meas".padStart(8)} ${"pred÷meas".padStart(9)} ${"uncal.".padStart(7)}   ${"pp pred".padStart(8)} ${"pp meas".padStart(8)} ${"pred÷meas".padStart(9)} ${"uncal.".padStart(7)}`);
    const ratios: number[] = [];
    for (const f of files)
        for (const p of predictions.get(f.path)!) {
            const measured = (kind: "pp" | "tg") => results.find((r) => r.model.path === f.path && r.kind === kind && r.depth === p.depth && r.status === "completed")?.avgTs ?? NaN;
            const tg = measured("tg");
            const pp = measured("pp");
            ratios.push(p.tg / tg, p.pp / pp);
            console.log(
                `   ${`${f.type} @ ${p.depth}`.padEnd(22)} ${p.tg.toFixed(1).padStart(8)} ${tg.toFixed(1).padStart(8)} ${(p.tg / tg).toFixed(2).padStart(9)} ${(p.rawTg / tg).toFixed(2).padStart(7)}   ${p.pp.toFixed(0).padStart(8)} ${pp.toFixed(0).padStart(8)} ${(p.pp / pp).toFixed(2).padStart(9)} ${(p.rawPp / pp).toFixed(2).padStart(7)}`
            );
        }
    const finite = ratios.filter(Number.isFinite);
    if (finite.length) {
        console.log(ratioLine("lowest calibrated prediction ÷ measured (pp and tg, depth 0 and deep)", Math.min(...finite), {atLeast: 0.75}));
        console.log(ratioLine("highest calibrated prediction ÷ measured", Math.max(...finite), {atMost: 1.25}));
    }
    console.log("   (uncal. = the same prediction without this machine's calibration; the calibration run's tests are shorter and stop at 4k, so the deep figures are extrapolated)");
    const busy = loads.warning("around and during the speed runs", "both sides of each ratio are disturbed");
    if (busy) console.log(`   ${busy}`);
}
