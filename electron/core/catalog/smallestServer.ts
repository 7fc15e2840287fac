import path from "node:path";
import type {EndpointBenchRun} from "../../api/EndpointsApi.ts";
import type {CatalogModel, CatalogQuantization, FitSettings, MeasuredSpeed, ServerCandidate, SmallestServerReport} from "../../api/ModelsApi.ts";
import type {VerdictThresholds} from "../../api/VerdictApi.ts";
import {resolveFitSettings} from "./estimateFit.ts";
import {calibrationFrom} from "./predictSpeed.ts";
import {evaluateQuantization} from "./recommendModels.ts";
import {serverGpuKey, serverPresets, serverProfile} from "./serverPresets.ts";

/** The catalog model and quantization an endpoint served: its reported file among the catalog's files, or an id "model:QUANT". */
function catalogMatch(run: EndpointBenchRun, catalog: readonly CatalogModel[]): {model: CatalogModel; quantization: CatalogQuantization} | null {
    const file = run.server.reportedModel ? path.basename(run.server.reportedModel) : null;
    for (const model of catalog)
        for (const quantization of model.quantizations)
            if ((file && quantization.files.includes(file)) || run.spec.model === `${model.id}:${quantization.quantization}`) return {model, quantization};
    return null;
}

/**
 * Measured speeds of server benchmarks: completed endpoint runs labelled with the GPU they ran on
 * (`serverGpu`) of a catalog file, keyed by that GPU type, so they calibrate predictions for every
 * preset of the same GPU exactly as this machine's benchmarks calibrate its own.
 */
export function serverMeasurements(runs: readonly EndpointBenchRun[], catalog: readonly CatalogModel[]): (MeasuredSpeed & {runId: number})[] {
    const speeds: (MeasuredSpeed & {runId: number})[] = [];
    for (const run of runs) {
        if (run.status !== "completed" || !run.spec.serverGpu || run.summary.generationTps === null) continue;
        const match = catalogMatch(run, catalog);
        if (!match) continue;
        const {parameters, activeParameters} = match.model.architecture;
        speeds.push({
            runId: run.id,
            hardwareKey: serverGpuKey(run.spec.serverGpu),
            hardwareSnapshotId: null,
            modelId: match.model.id,
            quantization: match.quantization.quantization,
            modelFileBytes: match.quantization.sizeBytes,
            activeBytesPerToken: activeParameters ? Math.round((match.quantization.sizeBytes * activeParameters) / parameters) : match.quantization.sizeBytes,
            threads: null,
            gpuLayers: 999,
            contextDepth: 0,
            promptTokensPerSecond: run.summary.promptTps,
            generationTokensPerSecond: run.summary.generationTps,
            measuredAt: run.completedAt ?? run.createdAt
        });
    }
    return speeds;
}

/**
 * Every server preset, smallest first, weighed for one catalog model and quantization with the same
 * fit and speed model as a laptop, calibrated per GPU type by server benchmarks; the smallest on
 * which the model fits entirely in VRAM at the agent context and whose predicted speed passes the Verdict's thresholds.
 */
export function smallestServer(
    model: CatalogModel,
    quantization: CatalogQuantization,
    request: FitSettings,
    /** The Verdict's thresholds: a preset is usable when the prediction passes them, as a laptop's would. */
    thresholds: VerdictThresholds,
    measurements: readonly (MeasuredSpeed & {runId: number})[]
): SmallestServerReport {
    const {settings} = resolveFitSettings({contextSize: request.contextSize ?? thresholds.contextSize, kvCacheType: request.kvCacheType, flashAttention: request.flashAttention});
    const calibratedBy: Record<string, number[]> = {};
    const candidates: ServerCandidate[] = serverPresets.map((preset) => {
        const hardware = serverProfile(preset);
        const mine = measurements.filter((m) => m.hardwareKey === hardware.hardwareKey);
        if (mine.length) calibratedBy[preset.gpuId] = [...new Set(mine.map((m) => m.runId))];
        const option = evaluateQuantization(model, quantization, hardware, {settings, thresholds, calibration: calibrationFrom(mine, hardware), measurements: mine});
        const failing = option.criteria.filter((c) => c.status !== "pass").map((c) => `${c.label.toLowerCase()}: ${c.value}`);
        const reason =
            option.fit.fitClass === "no-fit"
                ? "does not fit"
                : option.fit.fitClass !== "gpu-full"
                  ? "does not fit in VRAM (layers would spill to the host's RAM)"
                  : option.verdict !== "usable"
                    ? `predicted ${option.verdict}: ${failing.join("; ")}`
                    : null;
        return {preset, option, usable: reason === null, reason};
    });
    return {
        model,
        quantization: quantization.quantization,
        contextSize: settings.contextSize,
        usableGenerationTps: thresholds.usableGenerationTps,
        candidates,
        smallest: candidates.find((c) => c.usable)?.preset.id ?? null,
        calibratedBy
    };
}
