import type {BandwidthMeasurement, HardwareOverrides, HardwareProfile, MeasuredSpeed, ModelsApi} from "../../api/ModelsApi.ts";
import type {AppContext} from "../AppContext.ts";
import {InvalidArgumentError} from "../../shared/AppError.ts";
import {probeHardware} from "../hardware/probeHardware.ts";
import {CatalogError} from "./CatalogError.ts";
import {applyOverrides, hardwareKeyOf, profileFromSnapshot, whatIfPresets} from "./hardwareProfile.ts";
import {inspectModel} from "./inspectModel.ts";
import {measureBandwidth} from "./measureBandwidth.ts";
import {calibrationFrom} from "./predictSpeed.ts";
import {defaultMinTokensPerSecond, evaluateQuantization, recommendModels} from "./recommendModels.ts";
import {resolveFitSettings} from "./estimateFit.ts";
import {refreshCatalog} from "./refreshCatalog.ts";

/** The Models domain of AppApi: catalog, fit, predicted speed, recommendations, inspect, refresh. */
export function createModelsApi(context: AppContext): ModelsApi {
    const catalog = context.catalog;

    /**
     * This machine from its latest snapshot, probing first when there is none yet. When neither the
     * CPU nor the GPU is in the bandwidth table, the bandwidth is measured once (about a second) and kept.
     */
    const machine = async (): Promise<HardwareProfile> => {
        if (!context.store.hardware.latest()) {
            const snapshot = await probeHardware({modelsPath: context.paths.models, appVersion: context.appVersion, sources: context.probeSources});
            context.events.emit("hardware.probed", context.store.hardware.save(snapshot));
        }
        const profile = catalog.machineProfile()!;
        if (profile.bandwidthKind === "peak" && profile.bandwidthSource.startsWith("unknown memory") && context.measureBandwidthAutomatically !== false) {
            await measureAndSave();
            return catalog.machineProfile()!;
        }
        return profile;
    };
    let measuring: Promise<BandwidthMeasurement> | undefined;
    const measureAndSave = () =>
        (measuring ??= (async () => {
            const snapshot = context.store.hardware.latest()!;
            const result = await measureBandwidth({threads: profileFromSnapshot(snapshot).cpuThreads});
            if (!(result.bytesPerSecond > 0)) throw new CatalogError("BANDWIDTH_MEASUREMENT_FAILED", "The bandwidth measurement returned no result; try again when the machine is idle.");
            const measurement: BandwidthMeasurement = {hardwareKey: hardwareKeyOf(snapshot), bytesPerSecond: result.bytesPerSecond, threads: result.threads, method: result.method, measuredAt: new Date().toISOString()};
            context.store.catalog.saveBandwidth(measurement);
            context.events.emit("models.bandwidthMeasured", measurement);
            return measurement;
        })().finally(() => (measuring = undefined)));
    const profileFor = async (overrides: HardwareOverrides | undefined) => {
        if (overrides != null && (typeof overrides !== "object" || Array.isArray(overrides)))
            throw new InvalidArgumentError("hardware must be an object of overrides such as {ram: \"16GB\", vram: \"8GB\", gpu: \"RTX 4060 Laptop\"}.");
        return applyOverrides(await machine(), overrides);
    };
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
            const hardware = await profileFor(arg?.hardware);
            return recommendModels(catalog.models(), hardware, {...arg, measurements: measurements()});
        },

        async "models.fit"(arg) {
            if (!arg || typeof arg.model !== "string") throw new InvalidArgumentError('model is required, e.g. {"model": "qwen2.5-coder-7b-instruct:Q4_K_M"}.');
            const ref = catalog.resolve(arg.model);
            const model = catalog.model(ref.modelId);
            const quantization = model.quantizations.find((q) => q.quantization === ref.quantization)!;
            const hardware = await profileFor(arg.hardware);
            const {settings} = resolveFitSettings(arg);
            const samples = measurements();
            const option = evaluateQuantization(model, quantization, hardware, {
                settings,
                minTokensPerSecond: defaultMinTokensPerSecond,
                calibration: calibrationFrom(samples, hardware),
                measurements: samples
            });
            return {hardware, model, option};
        },

        async "models.inspect"(arg) {
            if (!arg || typeof arg.source !== "string" || arg.source.trim() === "")
                throw new InvalidArgumentError('source is required: a .gguf path, an http(s) URL, or hf:user/repo:quant.');
            const hardware = await profileFor(arg.hardware);
            return inspectModel(arg.source.trim(), {
                ...arg,
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
        }
    };
}
