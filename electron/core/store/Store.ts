import type {HardwareSnapshot} from "../../api/HardwareApi.ts";
import type {ModelLoadRepository} from "./modelLoadRepository.ts";

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
    /** Every model load with its settings and measured memory (serving). */
    readonly modelLoads: ModelLoadRepository;
    /** Closes the database. Idempotent. */
    dispose(): Promise<void>;
}
