import type Database from "better-sqlite3";
import type {BandwidthMeasurement} from "../../api/ModelsApi.ts";

/** A catalog file's facts as the Hugging Face API reported them. */
export interface RefreshedQuantization {
    modelId: string;
    quantization: string;
    files: string[];
    sizeBytes: number;
    sha256?: string;
    refreshedAt: string;
}

export interface CatalogRepository {
    saveBandwidth(measurement: BandwidthMeasurement): void;
    /** Every bandwidth measured on the machine with this key, newest first. */
    bandwidths(hardwareKey: string): BandwidthMeasurement[];
    /** Replaces the refreshed facts of these files. */
    saveRefreshed(rows: RefreshedQuantization[]): void;
    refreshed(): RefreshedQuantization[];
}

export function createCatalogRepository(db: Database.Database): CatalogRepository {
    const insertBandwidth = db.prepare<[string, string, string]>("INSERT INTO bandwidth_measurements (hardware_key, measured_at, data) VALUES (?, ?, ?)");
    const selectBandwidths = db.prepare<[string], {data: string}>("SELECT data FROM bandwidth_measurements WHERE hardware_key = ? ORDER BY id DESC LIMIT 200");
    const upsertRefresh = db.prepare<[string, string, string, string]>(
        "INSERT INTO catalog_refreshes (model_id, quantization, refreshed_at, data) VALUES (?, ?, ?, ?) ON CONFLICT (model_id, quantization) DO UPDATE SET refreshed_at = excluded.refreshed_at, data = excluded.data"
    );
    const selectRefreshes = db.prepare<[], {data: string}>("SELECT data FROM catalog_refreshes ORDER BY model_id, quantization");
    const saveAll = db.transaction((rows: RefreshedQuantization[]) => {
        for (const row of rows) upsertRefresh.run(row.modelId, row.quantization, row.refreshedAt, JSON.stringify(row));
    });
    return {
        saveBandwidth(measurement) {
            insertBandwidth.run(measurement.hardwareKey, measurement.measuredAt, JSON.stringify(measurement));
        },
        bandwidths(hardwareKey) {
            return selectBandwidths.all(hardwareKey).map((row) => JSON.parse(row.data) as BandwidthMeasurement);
        },
        saveRefreshed(rows) {
            saveAll(rows);
        },
        refreshed() {
            return selectRefreshes.all().map((row) => JSON.parse(row.data) as RefreshedQuantization);
        }
    };
}
