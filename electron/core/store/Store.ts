import type {HardwareSnapshot} from "../../api/HardwareApi.ts";
import type {CatalogRepository} from "./catalogRepository.ts";

export interface HardwareSnapshotRepository {
    /** Saves a snapshot and returns it with its new id. */
    save(snapshot: HardwareSnapshot): HardwareSnapshot;
    /** Newest first. */
    list(limit: number): HardwareSnapshot[];
    latest(): HardwareSnapshot | undefined;
}

/** Everything AgentFit measures, in one SQLite file. One repository per domain. */
export interface Store extends AsyncDisposable {
    readonly file: string;
    readonly schemaVersion: number;
    readonly hardware: HardwareSnapshotRepository;
    /** Measured memory bandwidth and catalog sizes refreshed from Hugging Face (recommendations). */
    readonly catalog: CatalogRepository;
    /** Closes the database. Idempotent. */
    dispose(): Promise<void>;
}
