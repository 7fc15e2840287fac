import {z} from "zod";
import type {AppEvents} from "../../api/AppApi.ts";
import type {HardwareSnapshot} from "../../api/HardwareApi.ts";
import type {BandwidthMeasurement, HardwareOverrides, HardwareProfile, MachineLoad, MeasuredSpeed, ModelsApi} from "../../api/ModelsApi.ts";
import type {VerdictThresholds} from "../../api/VerdictApi.ts";
import {errorMessage} from "../../shared/AppError.ts";
import type {EventBus} from "../../shared/EventBus.ts";
import {emptyArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {codeByField, requiredText} from "../../shared/parseArgument.ts";
import type {Store} from "../store/Store.ts";
import {CatalogError} from "./CatalogError.ts";
import type {Catalog} from "./createCatalogLookup.ts";
import {applyOverrides, fallbackCpuBandwidthGBps, hardwareKeyOf, profileFromSnapshot, unknownMemoryPrefix, whatIfPresets} from "./hardwareProfile.ts";
import {inspectModel} from "./inspectModel.ts";
import {measureBandwidth, type BandwidthResult, type MeasureBandwidthOptions} from "./measureBandwidth.ts";
import {calibrationFrom} from "./predictSpeed.ts";
import {createRankingCache, evaluateQuantization, recommendModels} from "./recommendModels.ts";
import {fitSettingsSchema, resolveFitSettings} from "./estimateFit.ts";
import {refreshCatalog} from "./refreshCatalog.ts";
import {serverGpus, serverPresets} from "./serverPresets.ts";
import {serverMeasurements, smallestServer} from "./smallestServer.ts";
import {sampleMachineLoad} from "./watchMachineLoad.ts";

export interface ModelsApiOptions {
    store: Pick<Store, "hardware" | "catalog" | "endpoints">;
    events: EventBus<AppEvents>;
    /** The catalog with refreshes applied; its machine profile comes from the latest snapshot. */
    catalog: Catalog;
    /** Probes this machine, saves and announces the snapshot (createMachineProbe). */
    probe(): Promise<HardwareSnapshot>;
    /** Measured speeds that calibrate predictions (the speed benchmark stores them). Default: none. */
    speedMeasurements?: {list(): MeasuredSpeed[]};
    /** Measure memory bandwidth on first use when the chip is not in the table. Default true. */
    measureBandwidthAutomatically?: boolean;
    /** Hugging Face endpoint for catalog refreshes. Default: HF_ENDPOINT or https://huggingface.co. */
    huggingFaceEndpoint?: string;
    /** The Verdict's thresholds now: every recommendation is judged by them, and its context defaults to theirs. */
    thresholds(): VerdictThresholds;
    /** The bandwidth measurement (tests inject failures and figures). Default `measureBandwidth`. */
    measureBandwidth?: (options: MeasureBandwidthOptions) => Promise<BandwidthResult>;
    /** Reads how busy other processes keep the machine right now (tests inject loads). Default: a 300 ms sample. */
    sampleMachineLoad?: () => Promise<MachineLoad>;
}

/** The Models domain of AppApi: catalog, fit, predicted speed, recommendations, inspect, refresh. */
export function createModelsApi(options: ModelsApiOptions): MethodTable<ModelsApi> {
    const {catalog, store, events} = options;

    const measure = options.measureBandwidth ?? measureBandwidth;
    const sampleLoad = options.sampleMachineLoad ?? (() => sampleMachineLoad());
    /** Why the last automatic measurement failed (stated in the profile next to the assumed default); cleared by a success. */
    let bandwidthFailure: string | undefined;

    /**
     * This machine from its latest snapshot, probing first when there is none yet. When neither the
     * CPU nor the GPU is in the bandwidth table, the bandwidth is measured (about two seconds) and
     * kept. When every kept measurement was taken under load, it is measured again whenever the
     * machine is quiet now; a failure falls back to a stated default instead of failing the answer.
     */
    const machine = async (): Promise<HardwareProfile> => {
        if (!store.hardware.latest()) await options.probe();
        const profile = catalog.machineProfile({bandwidthFailure})!;
        if (options.measureBandwidthAutomatically === false) return profile;
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
            const snapshot = store.hardware.latest()!;
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
            store.catalog.saveBandwidth(measurement);
            bandwidthFailure = undefined;
            events.emit("models.bandwidthMeasured", measurement);
            return measurement;
        })().finally(() => (measuring = undefined)));
    const profileFor = async (overrides: HardwareOverrides | undefined) => applyOverrides(await machine(), overrides);
    const measurements = (): MeasuredSpeed[] => {
        try {
            return options.speedMeasurements?.list() ?? [];
        } catch (error) {
            console.error("[agentfit] reading measured speeds failed:", error);
            return [];
        }
    };

    const rankings = createRankingCache();

    const sizeOrBytes = z.union([z.number(), z.string()], {error: 'must be bytes or a size such as "16GB"'});
    const hardware = z
        .object(
            {
                preset: z.string().optional(),
                ram: sizeOrBytes.optional(),
                vram: sizeOrBytes.optional(),
                gpu: z.string().optional(),
                bandwidthGBps: z.number().optional(),
                ramReserve: sizeOrBytes.optional()
            },
            {error: 'must be an object of overrides such as {ram: "16GB", vram: "8GB", gpu: "RTX 4060 Laptop"}'}
        )
        .optional() satisfies z.ZodType<HardwareOverrides | undefined>;
    // The settings a fit is estimated at are FIT_SETTINGS_INVALID, the what-if machine's values HARDWARE_OVERRIDE_INVALID.
    const estimateCodes = codeByField({contextSize: "FIT_SETTINGS_INVALID", kvCacheType: "FIT_SETTINGS_INVALID", flashAttention: "FIT_SETTINGS_INVALID", minTokensPerSecond: "FIT_SETTINGS_INVALID"});
    const estimateCode = (path: readonly PropertyKey[]) => (path[0] === "hardware" && path.length > 1 ? "HARDWARE_OVERRIDE_INVALID" : estimateCodes(path));

    return {
        "models.catalog": {schema: emptyArgument, handler: async () => catalog.models()},

        "models.presets": {schema: emptyArgument, handler: async () => [...whatIfPresets]},

        "models.serverPresets": {schema: emptyArgument, handler: async () => ({gpus: [...serverGpus], presets: [...serverPresets]})},

        "models.smallestServer": {
            schema: fitSettingsSchema.extend({model: requiredText('must be a catalog model, optionally with a quantization, e.g. "qwen3-coder-30b-a3b-instruct:Q4_K_M"')}),
            invalidCode: estimateCode,
            async handler(request) {
                const ref = catalog.resolve(request.model);
                const model = catalog.model(ref.modelId);
                const quantization = model.quantizations.find((q) => q.quantization === ref.quantization)!;
                return smallestServer(
                    model,
                    quantization,
                    request,
                    options.thresholds(),
                    serverMeasurements(store.endpoints.list(1000), catalog.models())
                );
            }
        },

        "models.recommend": {
            schema: fitSettingsSchema.extend({
                hardware,
                // Gone: a request that still sends it is told what judges recommendations now.
                minTokensPerSecond: z
                    .never({
                        error: "is not a recommendation setting: recommendations are judged with the Verdict's thresholds (usableGenerationTps, almostGenerationTps, the turn times); change them with verdict.setThresholds or `agentfit verdict thresholds`"
                    })
                    .optional()
            }),
            invalidCode: estimateCode,
            async handler(request) {
                return recommendModels(catalog.models(), await profileFor(request.hardware), {...request, thresholds: options.thresholds(), measurements: measurements(), rankings});
            }
        },

        "models.fit": {
            schema: fitSettingsSchema.extend({model: requiredText('must be a catalog model, optionally with a quantization, e.g. "qwen2.5-coder-7b-instruct:Q4_K_M"'), hardware}),
            invalidCode: estimateCode,
            async handler(request) {
                const ref = catalog.resolve(request.model);
                const model = catalog.model(ref.modelId);
                const quantization = model.quantizations.find((q) => q.quantization === ref.quantization)!;
                const hardware = await profileFor(request.hardware);
                const rules = options.thresholds();
                const {settings} = resolveFitSettings({...request, contextSize: request.contextSize ?? rules.contextSize});
                const samples = measurements();
                const option = evaluateQuantization(model, quantization, hardware, {settings, thresholds: rules, calibration: calibrationFrom(samples, hardware), measurements: samples});
                return {hardware, model, option};
            }
        },

        "models.inspect": {
            schema: fitSettingsSchema.extend({source: requiredText("must be a .gguf path, an http(s) URL, or hf:user/repo:quant"), hardware}),
            invalidCode: estimateCode,
            async handler(request) {
                const hardware = await profileFor(request.hardware);
                const rules = options.thresholds();
                return inspectModel(request.source, {
                    ...request,
                    contextSize: request.contextSize ?? rules.contextSize,
                    thresholds: rules,
                    hardware,
                    catalog: catalog.models(),
                    calibration: calibrationFrom(measurements(), hardware),
                    headers: process.env.HF_TOKEN ? {Authorization: `Bearer ${process.env.HF_TOKEN}`} : undefined
                });
            }
        },

        "models.refreshCatalog": {
            schema: z.object({models: z.array(z.string(), {error: "must be a list of catalog model ids"}).optional()}),
            async handler(request) {
                const all = catalog.models();
                const wanted = request.models?.length ? request.models.map((id) => catalog.model(id)) : all;
                const {report, rows} = await refreshCatalog(wanted, {endpoint: options.huggingFaceEndpoint});
                if (rows.length > 0) store.catalog.saveRefreshed(rows);
                events.emit("models.catalogRefreshed", report);
                return report;
            }
        },

        "models.measureBandwidth": {
            schema: emptyArgument,
            async handler() {
                if (!store.hardware.latest()) await machine();
                return measureAndSave();
            }
        },

        "models.calibration": {
            schema: emptyArgument,
            async handler() {
                const profile = catalog.machineProfile({bandwidthFailure});
                return {hardwareKey: profile?.hardwareKey ?? null, calibration: profile ? calibrationFrom(measurements(), profile) : null};
            }
        },

        "models.bandwidth": {
            schema: emptyArgument,
            async handler() {
                const snapshot = store.hardware.latest();
                const profile = catalog.machineProfile({bandwidthFailure});
                const key = snapshot ? hardwareKeyOf(snapshot) : null;
                return {
                    hardwareKey: key,
                    bytesPerSecond: profile?.cpuBandwidthBytesPerSecond ?? fallbackCpuBandwidthGBps * 1e9,
                    kind: profile?.bandwidthKind ?? "peak",
                    source: profile?.bandwidthSource ?? "not probed yet: the first recommendation probes this machine and measures its bandwidth",
                    underLoad: profile?.bandwidthUnderLoad ?? false,
                    chosen: profile?.bandwidthMeasurement ?? null,
                    measurements: key ? store.catalog.bandwidths(key) : []
                };
            }
        }
    };
}
