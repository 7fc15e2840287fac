import fs from "node:fs";
import path from "node:path";
import type {AppApi, AppEvents} from "../api/AppApi.ts";
import type {AppInfo, AppInfoApi} from "../api/AppInfoApi.ts";
import {appVersion} from "./appVersion.ts";
import {resolveAppPaths, type AppPaths} from "./appPaths.ts";
import {createDownloadsApi, type DownloadServiceOptions} from "./downloads/createDownloadsApi.ts";
import {EventBus} from "../shared/EventBus.ts";
import {claimJobOwner} from "./jobs/JobOwner.ts";
import {createEvalApi} from "./evals/createEvalApi.ts";
import {createAgentsApi} from "./agents/createAgentsApi.ts";
import {createEnvironmentSecretStore} from "./evals/environmentSecretStore.ts";
import type {LocalModelEndpoints} from "../api/EngineApi.ts";
import type {SecretStore} from "./evals/SecretStore.ts";
import {createEngineService} from "./engine/createEngineService.ts";
import type {EngineLauncher} from "./engine/EngineLauncher.ts";
import type {EngineRestartSettings} from "./engine/createEngineRestartPolicy.ts";
import type {MeasuredSpeed} from "../api/ModelsApi.ts";
import {createCatalogLookup, type CatalogLookup} from "./catalog/createCatalogLookup.ts";
import {createModelsApi, type ModelsApiOptions} from "./catalog/createModelsApi.ts";
import {currentThresholds} from "./verdict/verdictThresholds.ts";
import {createBenchApi} from "./bench/createBenchApi.ts";
import {createVerdictApi} from "./verdict/createVerdictApi.ts";
import {createEndpointsApi} from "./endpoints/createEndpointsApi.ts";
import {createMachinesApi} from "./machines/createMachinesApi.ts";
import {createAnswerApi, type AnswerApiOptions} from "./answer/createAnswerApi.ts";
import {loadCatalog} from "./catalog/loadCatalog.ts";
import {createHardwareApi} from "./hardware/createHardwareApi.ts";
import {createMachineProbe} from "./hardware/createMachineProbe.ts";
import {systemProbeSources, type HardwareProbeSources} from "./hardware/probeSources.ts";
import {openStore} from "./store/openStore.ts";
import type {Store} from "./store/Store.ts";
import {apiFromMethods, emptyArgument, type AppMethodTable, type MethodTable} from "../shared/MethodTable.ts";

export interface AppServiceOptions {
    /** Data folders. Default: resolved from AGENTFIT_HOME or the OS app-data folder. */
    paths?: AppPaths;
    /** Which shell hosts the service, reported by `app.info`. Default "web". */
    shell?: AppInfo["shell"];
    /** better-sqlite3 addon to load (the desktop app's Electron build). Default: the Node build. */
    sqliteNativeBinding?: string;
    /** Replaces hardware probe sources, for tests. */
    probeSources?: Partial<HardwareProbeSources>;
    /** Where provider API keys come from. Default: environment variables (the desktop app passes its keychain store). */
    secrets?: SecretStore;
    /** The local engine for local-model evals (tests inject one pointing at a scripted server). Default: none. */
    localModels?: LocalModelEndpoints;
    /** Environment the eval reads (AGENTFIT_RSCRIPT…, base URL overrides). Default process.env. */
    evalEnv?: NodeJS.ProcessEnv;
    /** Replaces how catalog ids resolve to Hugging Face files (tests point it at a local server). Default: the catalog. */
    catalogLookup?: CatalogLookup;
    /**
     * Download settings. Long-lived hosts (desktop, browser mode) set `autoResume: true` so unfinished
     * downloads resume on start; tests point `huggingFaceEndpoint` at a local server. Default: HF_ENDPOINT,
     * HF_TOKEN, no auto-resume.
     */
    downloads?: DownloadServiceOptions;
    /** Starts the engine process (the desktop app passes a utilityProcess launcher). Default: a Node child process. */
    engineLauncher?: EngineLauncher;
    /** When an engine that died while serving is started again (default: 1 s, 5 s, 30 s; at most 3 in 5 minutes). */
    engineRestarts?: EngineRestartSettings;
    /** A catalog file to use instead of the bundled models/catalog.json. */
    catalogFile?: string;
    /** Hugging Face endpoint for catalog refreshes. Default: HF_ENDPOINT or https://huggingface.co. */
    huggingFaceEndpoint?: string;
    /** Measured speeds that calibrate predictions (the speed benchmark provides them). */
    speedMeasurements?: {list(): MeasuredSpeed[]};
    /** Measure memory bandwidth on first use when the chip is not in the table. Default true. */
    measureBandwidthAutomatically?: boolean;
    /** Replaces the bandwidth measurement (tests inject failures and figures). */
    measureBandwidth?: ModelsApiOptions["measureBandwidth"];
    /** Replaces the reading of other processes' load (tests inject busy or quiet machines). */
    sampleMachineLoad?: ModelsApiOptions["sampleMachineLoad"];
    /** The guided path's runner (tests poll faster). */
    answer?: Pick<AnswerApiOptions, "pollMs">;
}

/** The app: every capability behind one typed API, with no knowledge of Electron or transports. */
export interface AppService extends AppApi, AsyncDisposable {
    /** Every method with its argument schema: what the transports dispatch through. */
    readonly methods: AppMethodTable;
    readonly events: EventBus<AppEvents>;
    readonly paths: AppPaths;
    readonly store: Store;
    /** Stops everything the app started (in reverse order) and closes the store. Idempotent. */
    dispose(): Promise<void>;
}

export async function createAppService(options: AppServiceOptions = {}): Promise<AppService> {
    const paths = options.paths ?? resolveAppPaths();
    fs.mkdirSync(paths.models, {recursive: true});
    const store = await openStore({file: paths.database, nativeBinding: options.sqliteNativeBinding});
    const cleanups: (() => Promise<void> | void)[] = [];
    const events = new EventBus<AppEvents>();
    const onDispose = (cleanup: () => Promise<void> | void) => void cleanups.push(cleanup);
    // Cleanups run in reverse: the owner is released last, once every domain has stopped its jobs.
    const owner = claimJobOwner();
    onDispose(() => owner.release());
    const engine = createEngineService({modelsDir: paths.models, store, events, launcher: options.engineLauncher, restarts: options.engineRestarts});
    onDispose(() => engine.dispose());
    /** The Verdict's thresholds now: recommendations and the catalog's judgements use them too. */
    const thresholds = () => currentThresholds(store.verdict).thresholds;
    const curated = createCatalogLookup({
        models: loadCatalog({file: options.catalogFile}),
        repository: store.catalog,
        latestSnapshot: () => store.hardware.latest(),
        thresholds
    });
    const catalog = options.catalogLookup ? {...curated, resolve: options.catalogLookup.resolve} : curated;
    const probe = createMachineProbe({store, events, modelsDir: paths.models, appVersion, sources: options.probeSources});
    const disk = options.probeSources?.disk ?? systemProbeSources.disk;
    const localModels = options.localModels ?? engine;
    const shell = options.shell ?? "web";

    const appInfo: MethodTable<AppInfoApi> = {
        "app.info": {
            schema: emptyArgument,
            handler: async () => ({
                name: "AgentFit",
                version: appVersion,
                home: paths.home,
                databasePath: paths.database,
                modelsPath: paths.models,
                shell,
                schemaVersion: store.schemaVersion
            })
        }
    };

    // One factory per domain; each returns its slice of the method table. Every caller (CLI, IPC, HTTP,
    // another domain) goes through the same validation: `api` is the table's typed face.
    const methods: AppMethodTable = {
        ...appInfo,
        ...createHardwareApi({store, probe}),
        ...createEvalApi({store, events, owner, appVersion, secrets: options.secrets ?? createEnvironmentSecretStore(), localModels, env: options.evalEnv, outputDir: path.join(paths.home, "eval-output"), programsDir: paths.programs, onDispose}),
        ...createDownloadsApi({
            store,
            owner,
            events,
            modelsDir: paths.models,
            catalog,
            freeDiskBytes: async (folder) => (await disk(folder)).freeBytes,
            userAgent: `agentfit/${appVersion}`,
            settings: options.downloads,
            onDispose
        }),
        ...createModelsApi({
            store,
            events,
            catalog,
            probe,
            speedMeasurements: options.speedMeasurements ?? {list: () => store.bench.measuredSpeeds()},
            measureBandwidthAutomatically: options.measureBandwidthAutomatically,
            measureBandwidth: options.measureBandwidth,
            sampleMachineLoad: options.sampleMachineLoad,
            thresholds,
            huggingFaceEndpoint: options.huggingFaceEndpoint
        }),
        ...engine.methods,
        ...createBenchApi({store, events, owner, engine, catalog, modelsDir: paths.models, appVersion, probe, onDispose}),
        ...createAgentsApi({env: options.evalEnv}),
        ...createVerdictApi({store, events, catalog, localModels, appVersion, app: () => api}),
        ...createEndpointsApi({store, events, appVersion, env: options.evalEnv, onDispose}),
        ...createMachinesApi({store, events, app: () => api}),
        ...createAnswerApi({store, events, owner, modelsDir: paths.models, app: () => api, onDispose, ...options.answer})
    };
    const api: AppApi = apiFromMethods(methods);

    let disposing: Promise<void> | undefined;
    const service: AppService = {
        ...api,
        methods,
        events,
        paths,
        store,
        dispose() {
            disposing ??= (async () => {
                for (const cleanup of cleanups.reverse()) {
                    try {
                        await cleanup();
                    } catch (error) {
                        console.error("[agentfit] cleanup failed:", error);
                    }
                }
                await store.dispose();
            })();
            return disposing;
        },
        [Symbol.asyncDispose]() {
            return service.dispose();
        }
    };
    return service;
}
