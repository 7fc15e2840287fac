import type {DownloadState, RegisteredModel} from "../../api/DownloadsApi.ts";
import type {HardwareSnapshot} from "../../api/HardwareApi.ts";
import type {EvalRepository} from "./evalRepository.ts";
import type {DownloadPlan} from "./DownloadPlan.ts";
import type {ModelLoadRepository} from "./modelLoadRepository.ts";
import type {CatalogRepository} from "./catalogRepository.ts";
import type {BenchRepository} from "./benchRepository.ts";
import type {VerdictRepository} from "./verdictRepository.ts";
import type {EndpointBenchRepository} from "./endpointBenchRepository.ts";
import type {ImportedReportRepository} from "./importedReportRepository.ts";
import type {AnswerPlanRepository} from "./answerPlanRepository.ts";
import type {SettingsRepository} from "./settingsRepository.ts";

export interface HardwareSnapshotRepository {
    /** Saves a snapshot and returns it with its new id. */
    save(snapshot: HardwareSnapshot): HardwareSnapshot;
    /** Newest first. */
    list(limit: number): HardwareSnapshot[];
    latest(): HardwareSnapshot | undefined;
}

/** The model registry: every GGUF model AgentFit knows, downloaded or imported. */
export interface ModelRepository {
    add(model: RegisteredModel): RegisteredModel;
    /** Newest first. */
    list(): RegisteredModel[];
    get(id: string): RegisteredModel | undefined;
    remove(id: string): boolean;
}

/** A download as stored: its resolved plan survives restarts, so any process can resume it. */
export interface DownloadJobRecord {
    id: number;
    reference: string;
    name: string;
    state: DownloadState;
    plan: DownloadPlan;
    /** Queue order (lower runs first). */
    position: number;
    error: {code: string; message: string} | null;
    modelId: string | null;
    /** "pid@host" of the process transferring it, null when none. */
    owner: string | null;
    createdAt: string;
    updatedAt: string;
}

export interface DownloadJobRepository {
    create(job: {reference: string; state: DownloadState; plan: DownloadPlan}): DownloadJobRecord;
    get(id: number): DownloadJobRecord | undefined;
    /** Queue order. */
    list(): DownloadJobRecord[];
    update(
        id: number,
        patch: Partial<Pick<DownloadJobRecord, "state" | "plan" | "error" | "modelId" | "owner">>
    ): DownloadJobRecord;
    /** Makes `owner` the job's owner unless another owner that `isAlive` holds it; atomic across processes. */
    claim(id: number, owner: string, isAlive: (owner: string) => boolean): boolean;
    remove(id: number): boolean;
}

/** Everything AgentFit measures, in one SQLite file. One repository per domain. */
export interface Store extends AsyncDisposable {
    readonly file: string;
    readonly schemaVersion: number;
    readonly hardware: HardwareSnapshotRepository;
    readonly evals: EvalRepository;
    readonly models: ModelRepository;
    readonly downloads: DownloadJobRepository;
    /** Every model load with its settings and measured memory (serving). */
    readonly modelLoads: ModelLoadRepository;
    /** Measured memory bandwidth and catalog sizes refreshed from Hugging Face (recommendations). */
    readonly catalog: CatalogRepository;
    /** Speed benchmark runs and per-test results with raw samples (speed bench). */
    readonly bench: BenchRepository;
    /** The verdict's edited thresholds (verdict). */
    readonly verdict: VerdictRepository;
    /** Benchmarks of other servers' endpoints, apart from this machine's (endpoints). */
    readonly endpoints: EndpointBenchRepository;
    /** Reports imported from other machines, one per hardware key and report time (machines). */
    readonly importedReports: ImportedReportRepository;
    /** Guided answer plans and their step states (the guided path). */
    readonly answerPlans: AnswerPlanRepository;
    /** Remembered choices: dismissed offers, tips already shown (app settings). */
    readonly settings: SettingsRepository;
    /** Closes the database. Idempotent. */
    dispose(): Promise<void>;
}
