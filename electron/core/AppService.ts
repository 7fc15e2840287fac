import fs from "node:fs";
import type {AppApi, AppEvents} from "../api/AppApi.ts";
import type {AppInfo} from "../api/AppInfoApi.ts";
import {InvalidArgumentError} from "./AppError.ts";
import {appVersion} from "./appVersion.ts";
import {resolveAppPaths, type AppPaths} from "./appPaths.ts";
import {EventBus} from "./EventBus.ts";
import {probeHardware} from "./hardware/probeHardware.ts";
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
}

/** The app: every capability behind one typed API, with no knowledge of Electron or transports. */
export interface AppService extends AppApi, AsyncDisposable {
    readonly events: EventBus<AppEvents>;
    readonly paths: AppPaths;
    readonly store: Store;
    dispose(): Promise<void>;
}

export async function createAppService(options: AppServiceOptions = {}): Promise<AppService> {
    const paths = options.paths ?? resolveAppPaths();
    fs.mkdirSync(paths.models, {recursive: true});
    const store = await openStore({file: paths.database, nativeBinding: options.sqliteNativeBinding});
    const events = new EventBus<AppEvents>();
    let disposed = false;

    const service: AppService = {
        events,
        paths,
        store,

        async "app.info"() {
            return {
                name: "AgentFit",
                version: appVersion,
                home: paths.home,
                databasePath: paths.database,
                modelsPath: paths.models,
                shell: options.shell ?? "web",
                schemaVersion: store.schemaVersion
            };
        },

        async "hardware.probe"() {
            const snapshot = await probeHardware({modelsPath: paths.models, appVersion, sources: options.probeSources});
            const saved = store.hardware.save(snapshot);
            events.emit("hardware.probed", saved);
            return saved;
        },

        async "hardware.snapshots"(arg) {
            const limit = arg?.limit ?? 20;
            if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
                throw new InvalidArgumentError(`limit must be a whole number from 1 to 1000, got ${JSON.stringify(arg.limit)}`);
            return store.hardware.list(limit);
        },

        async dispose() {
            if (disposed) return;
            disposed = true;
            await store.dispose();
        },
        [Symbol.asyncDispose]() {
            return service.dispose();
        }
    };
    return service;
}
