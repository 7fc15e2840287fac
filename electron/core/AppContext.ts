import type {AppEvents} from "../api/AppApi.ts";
import type {AppInfo} from "../api/AppInfoApi.ts";
import type {LocalModelEndpoints} from "../api/EngineApi.ts";
import type {DownloadServiceOptions} from "./downloads/createDownloadsApi.ts";
import type {MachineLoad, MeasuredSpeed} from "../api/ModelsApi.ts";
import type {BandwidthResult, MeasureBandwidthOptions} from "./catalog/measureBandwidth.ts";
import type {AppPaths} from "./appPaths.ts";
import type {Catalog} from "./catalog/createCatalogLookup.ts";
import type {EventBus} from "./EventBus.ts";
import type {SecretStore} from "./evals/SecretStore.ts";
import type {HardwareProbeSources} from "./hardware/probeSources.ts";
import type {Store} from "./store/Store.ts";

/**
 * What every domain's API factory receives: the data folders, the store, the event bus, and a way
 * to register cleanup that runs (in reverse order) when the app is disposed.
 */
export interface AppContext {
    paths: AppPaths;
    store: Store;
    events: EventBus<AppEvents>;
    shell: AppInfo["shell"];
    appVersion: string;
    /** Test and what-if overrides of hardware probe sources. */
    probeSources?: Partial<HardwareProbeSources>;
    /** Provider API keys (OS keychain in the desktop app, environment variables elsewhere). */
    secrets: SecretStore;
    /** The local engine serving downloaded models over an OpenAI-compatible API; absent when not available. */
    localModels?: LocalModelEndpoints;
    /** Environment read for eval settings (runtime commands, base URL overrides). Default process.env. */
    env?: NodeJS.ProcessEnv;
    /** Download settings (Hugging Face endpoint and token, queue, retries, auto-resume). */
    downloads?: DownloadServiceOptions;
    /** Local models behind the OpenAI-compatible server (the serving domain). */
    engine: LocalModelEndpoints;
    /** The model catalog: curated facts with refreshes applied; `resolve("id[:quant]")` for downloads. */
    catalog: Catalog;
    /** Measured speeds (the speed benchmark stores them); predictions for this machine are calibrated from them. */
    speedMeasurements?: {list(): MeasuredSpeed[]};
    /** Measure memory bandwidth on first use when the chip is not in the table. Default true. */
    measureBandwidthAutomatically?: boolean;
    /** The bandwidth measurement (tests inject failures and figures). Default `measureBandwidth`. */
    measureBandwidth?: (options: MeasureBandwidthOptions) => Promise<BandwidthResult>;
    /** Reads how busy other processes keep the machine right now (tests inject loads). Default: a 300 ms sample. */
    sampleMachineLoad?: () => Promise<MachineLoad>;
    /** Hugging Face endpoint for catalog refreshes. Default: HF_ENDPOINT or https://huggingface.co. */
    huggingFaceEndpoint?: string;
    /** Registers cleanup for app disposal (servers, child processes, downloads in flight). */
    onDispose(cleanup: () => Promise<void> | void): void;
}
