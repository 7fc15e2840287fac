import type {BandwidthMeasurement, HardwareOverrides, HardwareProfile, MeasuredSpeed, ModelsApi} from "../../api/ModelsApi.ts";
import type {AppContext} from "../AppContext.ts";
import {errorMessage, InvalidArgumentError} from "../AppError.ts";
import {probeHardware} from "../hardware/probeHardware.ts";
import {CatalogError} from "./CatalogError.ts";
import {applyOverrides, fallbackCpuBandwidthGBps, hardwareKeyOf, profileFromSnapshot, unknownMemoryPrefix, whatIfPresets} from "./hardwareProfile.ts";
import {inspectModel} from "./inspectModel.ts";
import {measureBandwidth} from "./measureBandwidth.ts";
import {calibrationFrom} from "./predictSpeed.ts";
import {currentThresholds} from "../verdict/verdictThresholds.ts";
import {evaluateQuantization, recommendModels} from "./recommendModels.ts";
import {resolveFitSettings} from "./estimateFit.ts";
import {refreshCatalog} from "./refreshCatalog.ts";
import {sampleMachineLoad} from "./watchMachineLoad.ts";

/** The Models domain of AppApi: catalog, fit, predicted speed, recommendations, inspect, refresh. */
export function createModelsApi(context: AppContext): ModelsApi {
    const catalog = context.catalog;

    const measure = context.measureBandwidth ?? measureBandwidth;
    const sampleLoad = context.sampleMachineLoad ?? (() => sampleMachineLoad());
    /** Why the last automatic measurement failed (stated in the profile next to the assumed default); cleared by a success. */
    let bandwidthFailure: string | undefined;

    /**
     * This machine from its latest snapshot, probing first when there is none yet. When neither the
     * CPU nor the GPU is in the bandwidth table, the bandwidth is measured (about two seconds) and
     * kept. When every kept measurement was taken under load, it is measured again whenever the
     * machine is quiet now; a failure falls back to a stated default instead of failing the answer.
     */
    const machine = async (): Promise<HardwareProfile> => {
        if (!context.store.hardware.latest()) {
            const snapshot = await probeHardware({modelsPath: context.paths.models, appVersion: context.appVersion, sources: context.probeSources});
            context.events.emit("hardware.probed", context.store.hardware.save(snapshot));
        }
        const profile = catalog.machineProfile({bandwidthFailure})!;
        if (context.measureBandwidthAutomatically === false) return profile;
        const unknown = profile.bandwidthKind === "peak" && profile.bandwidthSource.startsWith(unknownMemoryPrefix) && bandwidthFailure === undefined;
        if (unknown || (profile.bandwidthUnderLoad && !(await sampleLoad()).busy)) {
            try {
                await measureAndSave();
            } catch (error) {
                if (unknown) bandwidthFailure = errorMessage(error);
                console.error("[agentfit] measuring memory bandwidth failed:", errorMessage(error));
            }
        }
        return catalog.machineProfile({bandwidthFailure})!;
    };
    let measuring: Promise<BandwidthMeasurement> | undefined;
    const measureAndSave = () =>
        (measuring ??= (async () => {
            const snapshot = context.store.hardware.latest()!;
            const result = await measure({threads: profileFromSnapshot(snapshot).cpuThreads});
            if (!(result.bytesPerSecond > 0)) throw new CatalogError("BANDWIDTH_MEASUREMENT_FAILED", "The bandwidth measurement returned no result; try again when the machine is idle.");
            const measurement: BandwidthMeasurement = {
                hardwareKey: hardwareKeyOf(snapshot),
                bytesPerSecond: result.bytesPerSecond,
                threads: result.threads,
                method: result.method,
                measuredAt: new Date().toISOString(),
                roundsBytesPerSecond: result.roundsBytesPerSecond,
                spread: result.spread,
                load: result.load
            };
            // Kept even when taken under load: the choice (best quiet, else best busy) happens when it is read.
            context.store.catalog.saveBandwidth(measurement);
            bandwidthFailure = undefined;
            context.events.emit("models.bandwidthMeasured", measurement);
            return measurement;
        })().finally(() => (measuring = undefined)));
    const profileFor = async (overrides: HardwareOverrides | undefined) => {
        if (overrides != null && (typeof overrides !== "object" || Array.isArray(overrides)))
            throw new InvalidArgumentError("hardware must be an object of overrides such as {ram: \"16GB\", vram: \"8GB\", gpu: \"RTX 4060 Laptop\"}.");
        return applyOverrides(await machine(), overrides);
    };
    /** The Verdict's thresholds: every recommendation is judged by them, and its context defaults to theirs. */
    const thresholds = () => currentThresholds(context.store.verdict).thresholds;
    const measurements = (): MeasuredSpeed[] => {
        try {
            return context.speedMeasurements?.list() ?? [];
        } catch (error) {
            console.error("[agentfit] reading measured speeds failed:", error);
            return [];
        }
    };

    return {
        async "models.catalog"() {
            return catalog.models();
        },

        async "models.presets"() {
            return [...whatIfPresets];
        },

        async "models.recommend"(arg) {
            if (arg && "minTokensPerSecond" in arg)
                throw new CatalogError(
                    "FIT_SETTINGS_INVALID",
                    "minTokensPerSecond is not a recommendation setting: recommendations are judged with the Verdict's thresholds (usableGenerationTps, almostGenerationTps, the turn times); change them with verdict.setThresholds or `agentfit verdict thresholds`."
                );
            const hardware = await profileFor(arg?.hardware);
            return recommendModels(catalog.models(), hardware, {...arg, thresholds: thresholds(), measurements: measurements()});
        },

        async "models.fit"(arg) {
            if (!arg || typeof arg.model !== "string") throw new InvalidArgumentError('model is required, e.g. {"model": "qwen2.5-coder-7b-instruct:Q4_K_M"}.');
            const ref = catalog.resolve(arg.model);
            const model = catalog.model(ref.modelId);
            const quantization = model.quantizations.find((q) => q.quantization === ref.quantization)!;
            const hardware = await profileFor(arg.hardware);
            const rules = thresholds();
            const {settings} = resolveFitSettings({...arg, contextSize: arg.contextSize ?? rules.contextSize});
            const samples = measurements();
            const option = evaluateQuantization(model, quantization, hardware, {settings, thresholds: rules, calibration: calibrationFrom(samples, hardware), measurements: samples});
            return {hardware, model, option};
        },

        async "models.inspect"(arg) {
            if (!arg || typeof arg.source !== "string" || arg.source.trim() === "")
                throw new InvalidArgumentError('source is required: a .gguf path, an http(s) URL, or hf:user/repo:quant.');
            const hardware = await profileFor(arg.hardware);
            const rules = thresholds();
            return inspectModel(arg.source.trim(), {
                ...arg,
                contextSize: arg.contextSize ?? rules.contextSize,
                thresholds: rules,
                hardware,
                catalog: catalog.models(),
                calibration: calibrationFrom(measurements(), hardware),
                headers: process.env.HF_TOKEN ? {Authorization: `Bearer ${process.env.HF_TOKEN}`} : undefined
            });
        },

        async "models.refreshCatalog"(arg) {
            const all = catalog.models();
            const wanted = arg?.models?.length ? arg.models.map((id) => catalog.model(id)) : all;
            const {report, rows} = await refreshCatalog(wanted, {endpoint: context.huggingFaceEndpoint});
            if (rows.length > 0) context.store.catalog.saveRefreshed(rows);
            context.events.emit("models.catalogRefreshed", report);
            return report;
        },

        async "models.measureBandwidth"() {
            if (!context.store.hardware.latest()) await machine();
            return measureAndSave();
        },

        async "models.calibration"() {
            const profile = catalog.machineProfile({bandwidthFailure});
            return {hardwareKey: profile?.hardwareKey ?? null, calibration: profile ? calibrationFrom(measurements(), profile) : null};
        },

        async "models.bandwidth"() {
            const snapshot = context.store.hardware.latest();
            const profile = catalog.machineProfile({bandwidthFailure});
            const key = snapshot ? hardwareKeyOf(snapshot) : null;
            return {
                hardwareKey: key,
                bytesPerSecond: profile?.cpuBandwidthBytesPerSecond ?? fallbackCpuBandwidthGBps * 1e9,
                kind: profile?.bandwidthKind ?? "peak",
                source: profile?.bandwidthSource ?? "not probed yet: the first recommendation probes this machine and measures its bandwidth",
                underLoad: profile?.bandwidthUnderLoad ?? false,
                chosen: profile?.bandwidthMeasurement ?? null,
                measurements: key ? context.store.catalog.bandwidths(key) : []
            };
        }
    };
}
