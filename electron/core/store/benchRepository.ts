import type Database from "better-sqlite3";
import type {
    BenchEngineInfo,
    BenchLatestQuery,
    BenchLatestResult,
    BenchProgress,
    BenchResult,
    BenchRun,
    BenchRunStatus,
    BenchScore,
    BenchSettings,
    BenchSpec
} from "../../api/BenchApi.ts";
import type {ResolvedModelFile} from "../../api/DownloadsApi.ts";
import type {MeasuredSpeed} from "../../api/ModelsApi.ts";
import {kvCacheBytesPerElement} from "../../protocol/engineSettings.ts";

export interface NewBenchRun {
    createdAt: string;
    spec: BenchSpec;
    hardwareSnapshotId: number | null;
    hardwareKey: string | null;
    appVersion: string;
    engine: BenchEngineInfo | null;
    progress: BenchProgress;
    modelFiles: ResolvedModelFile[];
    /** The process measuring it (electron/core/jobs/JobOwner.ts); cleared when the run ends. */
    owner: string | null;
}

export type BenchRunPatch = Partial<Pick<BenchRun, "status" | "completedAt" | "engine" | "error" | "progress" | "scores">>;

/** Speed benchmark runs and their per-test results (speed bench). */
export interface BenchRepository {
    createRun(run: NewBenchRun): BenchRun;
    updateRun(id: number, patch: BenchRunPatch): BenchRun;
    getRun(id: number): BenchRun | undefined;
    /** Newest first. */
    listRuns(limit: number): BenchRun[];
    /** Appends a result to its run (seq is the run's next). */
    addResult(result: Omit<BenchResult, "id" | "seq">): BenchResult;
    /** A run's results in order. */
    results(runId: number): BenchResult[];
    /**
     * The newest completed result per model file × settings × test shape (kind, prompt, generated,
     * depth), newest first, with the run's machine and engine.
     */
    latest(query?: BenchLatestQuery): BenchLatestResult[];
    /** Runs marked running, with the process that measures them (null when none was recorded). */
    runningRuns(): {run: BenchRun; owner: string | null}[];
    /**
     * Measured pp/tg speeds per run × configuration × depth, for calibrating and showing next to the
     * recommendations' predictions. Only runs whose machine is known.
     */
    measuredSpeeds(): MeasuredSpeed[];
}

interface RunRow {
    id: number;
    created_at: string;
    completed_at: string | null;
    status: BenchRunStatus;
    hardware_snapshot_id: number | null;
    hardware_key: string | null;
    owner: string | null;
    data: string;
}

interface RunData {
    spec: BenchSpec;
    modelFiles?: ResolvedModelFile[];
    appVersion: string;
    engine: BenchEngineInfo | null;
    error: BenchRun["error"];
    progress: BenchProgress;
    scores: BenchScore[];
}

interface ResultRow {
    id: number;
    run_id: number;
    seq: number;
    data: string;
}

/** The key results with the same settings share (the matrix cell plus the resolved context and batch). */
export function benchSettingsKey(settings: BenchSettings, resolved: {contextSize: number; batchSize: number} | null): string {
    return JSON.stringify({
        threads: settings.threads,
        gpuLayers: settings.gpuLayers,
        kvCacheType: settings.kvCacheType,
        flashAttention: settings.flashAttention,
        batchSize: resolved?.batchSize ?? null
    });
}

export function createBenchRepository(db: Database.Database): BenchRepository {
    const insertRun = db.prepare<[string, string, number | null, string | null, string | null, string]>(
        "INSERT INTO bench_runs (created_at, status, hardware_snapshot_id, hardware_key, owner, data) VALUES (?, ?, ?, ?, ?, ?)"
    );
    // A run that ends no longer has an owner.
    const updateRunRow = db.prepare<{status: string; completedAt: string | null; data: string; id: number}>(
        "UPDATE bench_runs SET status = @status, completed_at = @completedAt, data = @data, owner = CASE WHEN @status = 'running' THEN owner END WHERE id = @id"
    );
    const selectRun = db.prepare<[number], RunRow>("SELECT * FROM bench_runs WHERE id = ?");
    const selectRuns = db.prepare<[number], RunRow>("SELECT * FROM bench_runs ORDER BY id DESC LIMIT ?");
    const selectRunning = db.prepare<[], RunRow>("SELECT * FROM bench_runs WHERE status = 'running'");
    const nextSeq = db.prepare<[number], {seq: number}>("SELECT COALESCE(MAX(seq), -1) + 1 AS seq FROM bench_results WHERE run_id = ?");
    const insertResult = db.prepare<[number, number, string, string, string, number, number, number, string, string, string]>(
        `INSERT INTO bench_results (run_id, seq, model_path, settings_key, kind, prompt_tokens, generated_tokens, depth, status, measured_at, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    );
    const selectResults = db.prepare<[number], ResultRow>("SELECT id, run_id, seq, data FROM bench_results WHERE run_id = ? ORDER BY seq");
    const selectLatest = db.prepare<[], ResultRow & {hardware_snapshot_id: number | null; hardware_key: string | null; run_data: string}>(
        `SELECT r.id, r.run_id, r.seq, r.data, b.hardware_snapshot_id, b.hardware_key, b.data AS run_data
         FROM bench_results r JOIN bench_runs b ON b.id = r.run_id
         WHERE r.id IN (
             SELECT MAX(id) FROM bench_results WHERE status = 'completed'
             GROUP BY model_path, settings_key, kind, prompt_tokens, generated_tokens, depth
         )
         ORDER BY r.id DESC`
    );
    const selectSpeedRows = db.prepare<[], ResultRow & {hardware_snapshot_id: number | null; hardware_key: string}>(
        `SELECT r.id, r.run_id, r.seq, r.data, b.hardware_snapshot_id, b.hardware_key
         FROM bench_results r JOIN bench_runs b ON b.id = r.run_id
         WHERE r.status = 'completed' AND r.kind IN ('pp', 'tg') AND b.hardware_key IS NOT NULL
         ORDER BY r.id`
    );

    const toRun = (row: RunRow): BenchRun => {
        const data = JSON.parse(row.data) as RunData;
        return {
            id: row.id,
            createdAt: row.created_at,
            completedAt: row.completed_at,
            status: row.status,
            spec: data.spec,
            modelFiles: data.modelFiles ?? [],
            hardwareSnapshotId: row.hardware_snapshot_id,
            hardwareKey: row.hardware_key,
            appVersion: data.appVersion,
            engine: data.engine,
            error: data.error,
            progress: data.progress,
            scores: data.scores
        };
    };
    const dataOf = (run: BenchRun): RunData => ({
        spec: run.spec,
        modelFiles: run.modelFiles,
        appVersion: run.appVersion,
        engine: run.engine,
        error: run.error,
        progress: run.progress,
        scores: run.scores
    });
    const toResult = (row: ResultRow): BenchResult => ({...(JSON.parse(row.data) as Omit<BenchResult, "id" | "runId" | "seq">), id: row.id, runId: row.run_id, seq: row.seq});

    const repository: BenchRepository = {
        createRun({owner, ...run}) {
            const full: Omit<BenchRun, "id"> = {...run, completedAt: null, status: "running", error: null, scores: []};
            const result = insertRun.run(run.createdAt, "running", run.hardwareSnapshotId, run.hardwareKey, owner, JSON.stringify(dataOf({...full, id: 0})));
            return {...full, id: Number(result.lastInsertRowid)};
        },
        updateRun(id, patch) {
            const current = repository.getRun(id);
            if (!current) throw new RangeError(`No benchmark run ${id}.`);
            const next = {...current, ...patch};
            updateRunRow.run({status: next.status, completedAt: next.completedAt, data: JSON.stringify(dataOf(next)), id});
            return next;
        },
        getRun(id) {
            const row = selectRun.get(id);
            return row ? toRun(row) : undefined;
        },
        listRuns(limit) {
            return selectRuns.all(limit).map(toRun);
        },
        addResult: db.transaction((result: Omit<BenchResult, "id" | "seq">): BenchResult => {
            const seq = nextSeq.get(result.runId)!.seq;
            const {runId, ...rest} = result;
            const inserted = insertResult.run(
                runId,
                seq,
                result.model.path,
                benchSettingsKey(result.requested, result.settings),
                result.kind,
                result.promptTokens,
                result.generatedTokens,
                result.depth,
                result.status,
                result.measuredAt,
                JSON.stringify(rest)
            );
            return {...result, id: Number(inserted.lastInsertRowid), seq};
        }),
        results(runId) {
            return selectResults.all(runId).map(toResult);
        },
        latest(query = {}) {
            return selectLatest
                .all()
                .map((row) => ({
                    result: toResult(row),
                    runId: row.run_id,
                    hardwareSnapshotId: row.hardware_snapshot_id,
                    hardwareKey: row.hardware_key,
                    engine: (JSON.parse(row.run_data) as RunData).engine
                }))
                .filter(
                    ({result, hardwareKey}) =>
                        (query.model === undefined || result.model.path === query.model || result.model.registryId === query.model || result.model.reference === query.model) &&
                        (query.hardwareKey === undefined || hardwareKey === query.hardwareKey) &&
                        (query.kinds === undefined || query.kinds.includes(result.kind))
                );
        },
        runningRuns() {
            return selectRunning.all().map((row) => ({run: toRun(row), owner: row.owner}));
        },
        measuredSpeeds() {
            const groups = new Map<string, MeasuredSpeed>();
            for (const row of selectSpeedRows.all()) {
                const result = toResult(row);
                // A test still noisy after its re-runs would move the calibration with the machine's load, not the model's speed.
                if (!result.settings || result.avgTs === null || result.noise?.noisy) continue;
                const key = `${row.run_id}:${result.configuration}:${result.depth}`;
                const entry = groups.get(key) ?? {
                    hardwareKey: row.hardware_key,
                    hardwareSnapshotId: row.hardware_snapshot_id,
                    modelId: result.model.catalogModelId,
                    quantization: result.model.quantization,
                    modelFileBytes: result.model.fileBytes,
                    activeBytesPerToken: result.model.activeBytesPerToken,
                    threads: result.settings.threads,
                    gpuLayers: result.settings.gpuLayers,
                    contextDepth: result.depth,
                    promptTokensPerSecond: null,
                    generationTokensPerSecond: null,
                    measuredAt: result.measuredAt,
                    parameterCount: result.model.parameterCount,
                    ...(result.model.kvBytesPerContextToken
                        ? {kvBytesPerContextToken: (result.model.kvBytesPerContextToken * kvCacheBytesPerElement[result.settings.kvCacheType]) / 2}
                        : {}),
                    ...(result.model.attentionFlopsPerContextToken ? {attentionFlopsPerContextToken: result.model.attentionFlopsPerContextToken} : {})
                };
                if (result.kind === "pp") {
                    entry.promptTokensPerSecond = result.avgTs;
                    entry.promptTokens = result.promptTokens;
                }
                else if (result.kind === "tg") entry.generationTokensPerSecond = result.avgTs;
                if (result.measuredAt > entry.measuredAt) entry.measuredAt = result.measuredAt;
                groups.set(key, entry);
            }
            return [...groups.values()];
        }
    };
    return repository;
}
