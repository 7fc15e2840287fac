import type {Store} from "./Store.ts";
import {createEvalRepository} from "./evalRepository.ts";
import {createDownloadJobRepository} from "./downloadJobRepository.ts";
import {createCatalogRepository} from "./catalogRepository.ts";
import {createBenchRepository} from "./benchRepository.ts";
import {createVerdictRepository} from "./verdictRepository.ts";
import {createEndpointBenchRepository} from "./endpointBenchRepository.ts";
import {createImportedReportRepository} from "./importedReportRepository.ts";
import {createAnswerPlanRepository} from "./answerPlanRepository.ts";
import {createSettingsRepository} from "./settingsRepository.ts";
import {createHardwareSnapshotRepository} from "./hardwareSnapshotRepository.ts";
import {createModelRepository} from "./modelRepository.ts";
import {createModelLoadRepository} from "./modelLoadRepository.ts";
import {openMigratedDatabase, type OpenDatabaseOptions} from "./openMigratedDatabase.ts";

export type OpenStoreOptions = Omit<OpenDatabaseOptions, "migrations">;

/**
 * Opens (creating if needed) and migrates the database, then exposes it as the app's Store. A
 * corrupt file or one written by a newer AgentFit is refused with a StoreError naming the file; it
 * is never overwritten or reset.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
    const {db, file, schemaVersion} = openMigratedDatabase(options);
    let disposed = false;
    const store: Store = {
        file,
        schemaVersion,
        hardware: createHardwareSnapshotRepository(db),
        evals: createEvalRepository(db),
        models: createModelRepository(db),
        downloads: createDownloadJobRepository(db),
        modelLoads: createModelLoadRepository(db),
        catalog: createCatalogRepository(db),
        bench: createBenchRepository(db),
        verdict: createVerdictRepository(db),
        endpoints: createEndpointBenchRepository(db),
        importedReports: createImportedReportRepository(db),
        answerPlans: createAnswerPlanRepository(db),
        settings: createSettingsRepository(db),
        async dispose() {
            if (disposed) return;
            disposed = true;
            db.close();
        },
        [Symbol.asyncDispose]() {
            return store.dispose();
        }
    };
    return store;
}
