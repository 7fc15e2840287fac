import {z} from "zod";
import type {AppEvents} from "../../api/AppApi.ts";
import type {HardwareSnapshot} from "../../api/HardwareApi.ts";
import type {BandwidthMeasurement, HardwareOverrides, HardwareProfile, MeasuredSpeed, ModelsApi} from "../../api/ModelsApi.ts";
import type {EventBus} from "../../shared/EventBus.ts";
import {emptyArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {codeByField, requiredText} from "../../shared/parseArgument.ts";
import type {Store} from "../store/Store.ts";
import {CatalogError} from "./CatalogError.ts";
import type {Catalog} from "./createCatalogLookup.ts";
import {applyOverrides, hardwareKeyOf, profileFromSnapshot, whatIfPresets} from "./hardwareProfile.ts";
import {inspectModel} from "./inspectModel.ts";
import {measureBandwidth} from "./measureBandwidth.ts";
import {calibrationFrom} from "./predictSpeed.ts";
import {defaultMinTokensPerSecond, evaluateQuantization, recommendModels} from "./recommendModels.ts";
import {fitSettingsSchema, resolveFitSettings} from "./estimateFit.ts";
import {refreshCatalog} from "./refreshCatalog.ts";
import {serverGpus, serverPresets} from "./serverPresets.ts";
import {serverMeasurements, smallestServer} from "./smallestServer.ts";

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
}

/** The Models domain of AppApi: catalog, fit, predicted speed, recommendations, inspect, refresh. */
export function createModelsApi(options: ModelsApiOptions): MethodTable<ModelsApi> {
    const {catalog, store, events} = options;

    /**
     * This machine from its latest snapshot, probing first when there is none yet. When neither the
     * CPU nor the GPU is in the bandwidth table, the bandwidth is measured once (about a second) and kept.
     */
    const machine = async (): Promise<HardwareProfile> => {
        if (!store.hardware.latest()) await options.probe();
        const profile = catalog.machineProfile()!;
        if (profile.bandwidthKind === "peak" && profile.bandwidthSource.startsWith("unknown memory") && options.measureBandwidthAutomatically !== false) {
            await measureAndSave();
            return catalog.machineProfile()!;
        }
        return profile;
    };
    let measuring: Promise<BandwidthMeasurement> | undefined;
    const measureAndSave = () =>
        (measuring ??= (async () => {
            const snapshot = store.hardware.latest()!;
            const result = await measureBandwidth({threads: profileFromSnapshot(snapshot).cpuThreads});
            if (!(result.bytesPerSecond > 0)) throw new CatalogError("BANDWIDTH_MEASUREMENT_FAILED", "The bandwidth measurement returned no result; try again when the machine is idle.");
            const measurement: BandwidthMeasurement = {hardwareKey: hardwareKeyOf(snapshot), bytesPerSecond: result.bytesPerSecond, threads: result.threads, method: result.method, measuredAt: new Date().toISOString()};
            store.catalog.saveBandwidth(measurement);
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
            schema: fitSettingsSchema.extend({
                model: requiredText('must be a catalog model, optionally with a quantization, e.g. "qwen3-coder-30b-a3b-instruct:Q4_K_M"'),
                minTokensPerSecond: z.number({error: "must be a positive number of tokens per second"}).positive({error: "must be a positive number of tokens per second"}).optional()
            }),
            invalidCode: estimateCode,
            async handler(request) {
                const ref = catalog.resolve(request.model);
                const model = catalog.model(ref.modelId);
                const quantization = model.quantizations.find((q) => q.quantization === ref.quantization)!;
                return smallestServer(
                    model,
                    quantization,
                    {...request, minTokensPerSecond: request.minTokensPerSecond ?? defaultMinTokensPerSecond},
                    serverMeasurements(store.endpoints.list(1000), catalog.models())
                );
            }
        },

        "models.recommend": {
            schema: fitSettingsSchema.extend({
                hardware,
                minTokensPerSecond: z.number({error: "must be a positive number of tokens per second"}).positive({error: "must be a positive number of tokens per second"}).optional()
            }),
            invalidCode: estimateCode,
            async handler(request) {
                return recommendModels(catalog.models(), await profileFor(request.hardware), {...request, measurements: measurements()});
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
                const {settings} = resolveFitSettings(request);
                const samples = measurements();
                const option = evaluateQuantization(model, quantization, hardware, {
                    settings,
                    minTokensPerSecond: defaultMinTokensPerSecond,
                    calibration: calibrationFrom(samples, hardware),
                    measurements: samples
                });
                return {hardware, model, option};
            }
        },

        "models.inspect": {
            schema: fitSettingsSchema.extend({source: requiredText("must be a .gguf path, an http(s) URL, or hf:user/repo:quant"), hardware}),
            invalidCode: estimateCode,
            async handler(request) {
                const hardware = await profileFor(request.hardware);
                return inspectModel(request.source, {
                    ...request,
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
        }
    };
}
