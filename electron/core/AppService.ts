import fs from "node:fs";
import type {AppApi, AppEvents} from "../api/AppApi.ts";
import type {AppInfo, AppInfoApi} from "../api/AppInfoApi.ts";
import type {AppContext} from "./AppContext.ts";
import {appVersion} from "./appVersion.ts";
import {resolveAppPaths, type AppPaths} from "./appPaths.ts";
import {EventBus} from "./EventBus.ts";
import type {MeasuredSpeed} from "../api/ModelsApi.ts";
import {createCatalogLookup} from "./catalog/createCatalogLookup.ts";
import {createModelsApi} from "./catalog/createModelsApi.ts";
import {loadCatalog} from "./catalog/loadCatalog.ts";
import {createHardwareApi} from "./hardware/createHardwareApi.ts";
import type {HardwareProbeSources} from "./hardware/probeSources.ts";
import {openStore} from "./store/openStore.ts";
import type {Store} from "./store/Store.ts";

export interface AppServiceOptions {
    /** Data folders. Default: resolved from AGENTFIT_HOME or the OS app-data folder. */
    paths?: AppPaths;
    /** Which shell hosts the service, reported by `app.info`. Default "web". */
    shell?: AppInfo["shell"];
    /** better-sqlite3 addon to load (the desktop app's Electron build). Default: the Node build. */
    sqliteNativeBinding?: string;
    /** Replaces hardware probe sources, for tests. */
    probeSources?: Partial<HardwareProbeSources>;
    /** A catalog file to use instead of the bundled models/catalog.json. */
    catalogFile?: string;
    /** Hugging Face endpoint for catalog refreshes. Default: HF_ENDPOINT or https://huggingface.co. */
    huggingFaceEndpoint?: string;
    /** Measured speeds that calibrate predictions (the speed benchmark provides them). */
    speedMeasurements?: {list(): MeasuredSpeed[]};
    /** Measure memory bandwidth on first use when the chip is not in the table. Default true. */
    measureBandwidthAutomatically?: boolean;
}

/** The app: every capability behind one typed API, with no knowledge of Electron or transports. */
export interface AppService extends AppApi, AsyncDisposable {
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
    const context: AppContext = {
        paths,
        store,
        events: new EventBus<AppEvents>(),
        shell: options.shell ?? "web",
        appVersion,
        probeSources: options.probeSources,
        catalog: createCatalogLookup({models: loadCatalog({file: options.catalogFile}), repository: store.catalog, latestSnapshot: () => store.hardware.latest()}),
        speedMeasurements: options.speedMeasurements,
        measureBandwidthAutomatically: options.measureBandwidthAutomatically,
        huggingFaceEndpoint: options.huggingFaceEndpoint,
        onDispose: (cleanup) => void cleanups.push(cleanup)
    };

    const appInfoApi: AppInfoApi = {
        async "app.info"() {
            return {
                name: "AgentFit",
                version: appVersion,
                home: paths.home,
                databasePath: paths.database,
                modelsPath: paths.models,
                shell: context.shell,
                schemaVersion: store.schemaVersion
            };
        }
    };

    // One factory per domain; each returns its slice of AppApi.
    const api: AppApi = {
        ...appInfoApi,
        ...createHardwareApi(context),
        ...createModelsApi(context)
    };

    let disposing: Promise<void> | undefined;
    const service: AppService = {
        ...api,
        events: context.events,
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
