import type Database from "better-sqlite3";
import type {
    EvalFailureMode,
    EvalFileDiff,
    EvalHarnessSpec,
    EvalLimitKind,
    EvalMessage,
    EvalOutsideAccess,
    EvalPrice,
    EvalProviderId,
    EvalRunSpec,
    EvalRunStatus,
    EvalSampleStatus,
    EvalSampleSummary,
    EvalScoreValue,
    EvalScoring,
    EvalToolErrorCounts,
    EvalUsage
} from "../../api/EvalApi.ts";

/** A run as stored (statistics are computed by the eval domain). */
export interface EvalRunRecord {
    id: number;
    createdAt: string;
    status: EvalRunStatus;
    spec: EvalRunSpec;
    taskTitle: string;
    modelLabel: string;
    appVersion: string;
    hardwareSnapshotId: number | null;
    /** The process running or queueing it (electron/core/jobs/JobOwner.ts), null when none does. */
    owner: string | null;
    startedAt: string | null;
    completedAt: string | null;
    error: {code: string; message: string} | null;
}

/** What a finished sample stores. */
export interface EvalSampleOutcome {
    score: EvalScoreValue;
    strictScore: EvalScoreValue;
    failureMode: EvalFailureMode | null;
    failureDetail: string | null;
    turns: number;
    usage: EvalUsage;
    toolCalls: number;
    toolErrors: EvalToolErrorCounts;
    limitHit: EvalLimitKind | null;
    wallMs: number;
    modelMs: number;
    toolMs: number;
    subprocessMs: number;
    scoringMs: number;
    error: string | null;
    scoring: EvalScoring;
    diffs: EvalFileDiff[];
    /** Coding agents only (see EvalOutsideAccess). */
    outsideAccess?: EvalOutsideAccess;
}

export interface EvalRepository {
    /** Creates a queued run with `spec.epochs` pending samples. */
    createRun(run: {spec: EvalRunSpec; taskTitle: string; modelLabel: string; appVersion: string; hardwareSnapshotId: number | null}): EvalRunRecord;
    getRun(id: number): EvalRunRecord | undefined;
    /** Newest first. */
    listRuns(limit: number): EvalRunRecord[];
    /** Every run of these statuses (oldest first). */
    runsWithStatus(statuses: readonly EvalRunStatus[]): EvalRunRecord[];
    setRunStatus(
        id: number,
        status: EvalRunStatus,
        fields?: {owner?: string | null; startedAt?: string; completedAt?: string | null; error?: {code: string; message: string} | null}
    ): void;
    /** Replaces the harness a run records (a resumed run's sandbox forwarder, when this machine gives another now). */
    setRunHarness(id: number, harness: EvalHarnessSpec): void;
    samples(runId: number): EvalSampleSummary[];
    sample(sampleId: number): (EvalSampleSummary & {scoring: EvalScoring | null}) | undefined;
    /** Samples of many runs at once, keyed by run id. */
    samplesOfRuns(runIds: readonly number[]): Map<number, EvalSampleSummary[]>;
    /** Marks a sample running and drops anything a previous attempt left (messages, diffs, scores). */
    startSample(sampleId: number, startedAt: string): void;
    setSampleStatus(sampleId: number, status: EvalSampleStatus): void;
    /** Puts an unfinished sample back to pending (its partial transcript is dropped). */
    resetSample(sampleId: number): void;
    appendMessage(sampleId: number, message: EvalMessage): void;
    messages(sampleId: number): EvalMessage[];
    updateProgress(sampleId: number, progress: {turns: number; usage: EvalUsage; toolCalls: number; toolErrors: EvalToolErrorCounts}): void;
    finishSample(sampleId: number, outcome: EvalSampleOutcome, completedAt: string): void;
    diffs(sampleId: number): EvalFileDiff[];
    /** Prices people set (the defaults live in code). */
    userPrices(): EvalPrice[];
    setPrice(price: Omit<EvalPrice, "source">): void;
    deletePrice(provider: EvalProviderId, model: string): void;
}

interface RunRow {
    id: number;
    created_at: string;
    status: EvalRunStatus;
    spec: string;
    task_title: string;
    model_label: string;
    app_version: string;
    hardware_snapshot_id: number | null;
    owner: string | null;
    started_at: string | null;
    completed_at: string | null;
    error_code: string | null;
    error_message: string | null;
}

interface SampleRow {
    id: number;
    run_id: number;
    epoch: number;
    status: EvalSampleStatus;
    score: EvalScoreValue | null;
    strict_score: EvalScoreValue | null;
    failure_mode: EvalFailureMode | null;
    failure_detail: string | null;
    turns: number;
    input_tokens: number;
    cached_input_tokens: number;
    output_tokens: number;
    tool_calls: number;
    tool_errors: string;
    limit_hit: EvalLimitKind | null;
    wall_ms: number | null;
    model_ms: number | null;
    tool_ms: number | null;
    subprocess_ms: number | null;
    scoring_ms: number | null;
    started_at: string | null;
    completed_at: string | null;
    error: string | null;
    scoring: string | null;
    outside_access: string | null;
}

interface MessageRow {
    seq: number;
    role: EvalMessage["role"];
    content: string | null;
    tool_calls: string | null;
    tool_call_id: string | null;
    tool_name: string | null;
    tool_error: string | null;
    usage: string | null;
    duration_ms: number | null;
    finish_reason: string | null;
    created_at: string;
}

const toRun = (row: RunRow): EvalRunRecord => ({
    id: row.id,
    createdAt: row.created_at,
    status: row.status,
    spec: JSON.parse(row.spec) as EvalRunSpec,
    taskTitle: row.task_title,
    modelLabel: row.model_label,
    appVersion: row.app_version,
    hardwareSnapshotId: row.hardware_snapshot_id,
    owner: row.owner,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    error: row.error_code ? {code: row.error_code, message: row.error_message ?? ""} : null
});

const toSample = (row: SampleRow): EvalSampleSummary => ({
    id: row.id,
    runId: row.run_id,
    epoch: row.epoch,
    status: row.status,
    score: row.score,
    strictScore: row.strict_score,
    failureMode: row.failure_mode,
    failureDetail: row.failure_detail,
    turns: row.turns,
    usage: {inputTokens: row.input_tokens, cachedInputTokens: row.cached_input_tokens, outputTokens: row.output_tokens},
    toolCalls: row.tool_calls,
    toolErrors: JSON.parse(row.tool_errors) as EvalToolErrorCounts,
    limitHit: row.limit_hit,
    wallMs: row.wall_ms,
    modelMs: row.model_ms,
    toolMs: row.tool_ms,
    subprocessMs: row.subprocess_ms,
    scoringMs: row.scoring_ms,
    outsideAccess: row.outside_access ? (JSON.parse(row.outside_access) as EvalOutsideAccess) : null,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    error: row.error
});

const toMessage = (row: MessageRow): EvalMessage => ({
    seq: row.seq,
    role: row.role,
    content: row.content,
    ...(row.tool_calls ? {toolCalls: JSON.parse(row.tool_calls) as EvalMessage["toolCalls"]} : {}),
    ...(row.tool_call_id ? {toolCallId: row.tool_call_id} : {}),
    ...(row.tool_name ? {toolName: row.tool_name} : {}),
    ...(row.role === "tool" ? {toolError: row.tool_error ? (JSON.parse(row.tool_error) as EvalMessage["toolError"]) : null} : {}),
    ...(row.usage ? {usage: JSON.parse(row.usage) as EvalUsage} : {}),
    ...(row.duration_ms !== null ? {durationMs: row.duration_ms} : {}),
    ...(row.role === "assistant" ? {finishReason: row.finish_reason} : {}),
    createdAt: row.created_at
});

export function createEvalRepository(db: Database.Database): EvalRepository {
    const insertRun = db.prepare(
        `INSERT INTO eval_runs (created_at, status, task, provider, model, quantization, spec, task_title, model_label, app_version, hardware_snapshot_id)
         VALUES (@createdAt, 'queued', @task, @provider, @model, @quantization, @spec, @taskTitle, @modelLabel, @appVersion, @hardwareSnapshotId)`
    );
    const insertSample = db.prepare<[number, number]>("INSERT INTO eval_samples (run_id, epoch, status) VALUES (?, ?, 'pending')");
    const selectRun = db.prepare<[number], RunRow>("SELECT * FROM eval_runs WHERE id = ?");
    const selectRuns = db.prepare<[number], RunRow>("SELECT * FROM eval_runs ORDER BY id DESC LIMIT ?");
    const updateSpec = db.prepare<[string, number]>("UPDATE eval_runs SET spec = ? WHERE id = ?");
    const selectSamples = db.prepare<[number], SampleRow>("SELECT * FROM eval_samples WHERE run_id = ? ORDER BY epoch");
    const selectSample = db.prepare<[number], SampleRow>("SELECT * FROM eval_samples WHERE id = ?");
    const deleteMessages = db.prepare<[number]>("DELETE FROM eval_messages WHERE sample_id = ?");
    const deleteDiffs = db.prepare<[number]>("DELETE FROM eval_file_diffs WHERE sample_id = ?");
    const clearSample = db.prepare<[EvalSampleStatus, string | null, number]>(
        `UPDATE eval_samples SET status = ?, started_at = ?, score = NULL, strict_score = NULL, failure_mode = NULL, failure_detail = NULL,
         turns = 0, input_tokens = 0, cached_input_tokens = 0, output_tokens = 0, tool_calls = 0,
         tool_errors = '{"unknownTool":0,"badArguments":0,"failed":0}', limit_hit = NULL, wall_ms = NULL, model_ms = NULL, tool_ms = NULL,
         subprocess_ms = NULL, scoring_ms = NULL, completed_at = NULL, error = NULL, scoring = NULL WHERE id = ?`
    );
    const insertMessage = db.prepare(
        `INSERT INTO eval_messages (sample_id, seq, role, content, tool_calls, tool_call_id, tool_name, tool_error, usage, duration_ms, finish_reason, created_at)
         VALUES (@sampleId, @seq, @role, @content, @toolCalls, @toolCallId, @toolName, @toolError, @usage, @durationMs, @finishReason, @createdAt)`
    );
    const selectMessages = db.prepare<[number], MessageRow>("SELECT * FROM eval_messages WHERE sample_id = ? ORDER BY seq");
    const updateProgress = db.prepare(
        `UPDATE eval_samples SET turns = @turns, input_tokens = @inputTokens, cached_input_tokens = @cachedInputTokens,
         output_tokens = @outputTokens, tool_calls = @toolCalls, tool_errors = @toolErrors WHERE id = @id`
    );
    const finishSample = db.prepare(
        `UPDATE eval_samples SET status = 'completed', score = @score, strict_score = @strictScore, failure_mode = @failureMode,
         failure_detail = @failureDetail, turns = @turns, input_tokens = @inputTokens, cached_input_tokens = @cachedInputTokens,
         output_tokens = @outputTokens, tool_calls = @toolCalls, tool_errors = @toolErrors, limit_hit = @limitHit, wall_ms = @wallMs,
         model_ms = @modelMs, tool_ms = @toolMs, subprocess_ms = @subprocessMs, scoring_ms = @scoringMs, completed_at = @completedAt,
         error = @error, scoring = @scoring, outside_access = @outsideAccess WHERE id = @id`
    );
    const insertDiff = db.prepare<[number, string, string, string, number]>(
        "INSERT INTO eval_file_diffs (sample_id, path, status, diff, inside_source) VALUES (?, ?, ?, ?, ?)"
    );
    const selectDiffs = db.prepare<[number], {path: string; status: EvalFileDiff["status"]; diff: string; inside_source: number}>(
        "SELECT path, status, diff, inside_source FROM eval_file_diffs WHERE sample_id = ? ORDER BY path"
    );
    const selectPrices = db.prepare<[], {provider: EvalProviderId; model: string; input_per_million: number; cached_input_per_million: number | null; output_per_million: number}>(
        "SELECT * FROM eval_prices ORDER BY provider, model"
    );
    const upsertPrice = db.prepare(
        `INSERT INTO eval_prices (provider, model, input_per_million, cached_input_per_million, output_per_million, updated_at)
         VALUES (@provider, @model, @inputPerMillion, @cachedInputPerMillion, @outputPerMillion, @updatedAt)
         ON CONFLICT (provider, model) DO UPDATE SET input_per_million = excluded.input_per_million,
         cached_input_per_million = excluded.cached_input_per_million, output_per_million = excluded.output_per_million, updated_at = excluded.updated_at`
    );
    const removePrice = db.prepare<[string, string]>("DELETE FROM eval_prices WHERE provider = ? AND model = ?");

    const createRun = db.transaction((run: Parameters<EvalRepository["createRun"]>[0]) => {
        const result = insertRun.run({
            createdAt: new Date().toISOString(),
            task: run.spec.task,
            provider: run.spec.model.provider,
            model: run.spec.model.model,
            quantization: run.spec.model.quantization ?? null,
            spec: JSON.stringify(run.spec),
            taskTitle: run.taskTitle,
            modelLabel: run.modelLabel,
            appVersion: run.appVersion,
            hardwareSnapshotId: run.hardwareSnapshotId
        });
        const id = Number(result.lastInsertRowid);
        for (let epoch = 1; epoch <= run.spec.epochs; epoch++) insertSample.run(id, epoch);
        return id;
    });
    const reset = db.transaction((sampleId: number, status: EvalSampleStatus, startedAt: string | null) => {
        deleteMessages.run(sampleId);
        deleteDiffs.run(sampleId);
        clearSample.run(status, startedAt, sampleId);
    });
    const finish = db.transaction((sampleId: number, outcome: EvalSampleOutcome, completedAt: string) => {
        finishSample.run({
            id: sampleId,
            score: outcome.score,
            strictScore: outcome.strictScore,
            failureMode: outcome.failureMode,
            failureDetail: outcome.failureDetail,
            turns: outcome.turns,
            inputTokens: outcome.usage.inputTokens,
            cachedInputTokens: outcome.usage.cachedInputTokens,
            outputTokens: outcome.usage.outputTokens,
            toolCalls: outcome.toolCalls,
            toolErrors: JSON.stringify(outcome.toolErrors),
            limitHit: outcome.limitHit,
            wallMs: outcome.wallMs,
            modelMs: outcome.modelMs,
            toolMs: outcome.toolMs,
            subprocessMs: outcome.subprocessMs,
            outsideAccess: outcome.outsideAccess ? JSON.stringify(outcome.outsideAccess) : null,
            scoringMs: outcome.scoringMs,
            completedAt,
            error: outcome.error,
            scoring: JSON.stringify(outcome.scoring)
        });
        deleteDiffs.run(sampleId);
        for (const diff of outcome.diffs) insertDiff.run(sampleId, diff.path, diff.status, diff.diff, diff.insideSource ? 1 : 0);
    });

    return {
        createRun(run) {
            return toRun(selectRun.get(createRun(run))!);
        },
        getRun(id) {
            const row = selectRun.get(id);
            return row ? toRun(row) : undefined;
        },
        listRuns(limit) {
            return selectRuns.all(limit).map(toRun);
        },
        runsWithStatus(statuses) {
            if (statuses.length === 0) return [];
            return db
                .prepare<string[], RunRow>(`SELECT * FROM eval_runs WHERE status IN (${statuses.map(() => "?").join(", ")}) ORDER BY id`)
                .all(...statuses)
                .map(toRun);
        },
        setRunStatus(id, status, fields = {}) {
            const sets = ["status = @status"];
            const values: Record<string, unknown> = {id, status};
            if (fields.owner !== undefined) {
                sets.push("owner = @owner");
                values.owner = fields.owner;
            }
            if (fields.startedAt !== undefined) {
                sets.push("started_at = COALESCE(started_at, @startedAt)");
                values.startedAt = fields.startedAt;
            }
            if (fields.completedAt !== undefined) {
                sets.push("completed_at = @completedAt");
                values.completedAt = fields.completedAt;
            }
            if (fields.error !== undefined) {
                sets.push("error_code = @errorCode", "error_message = @errorMessage");
                values.errorCode = fields.error?.code ?? null;
                values.errorMessage = fields.error?.message ?? null;
            }
            db.prepare(`UPDATE eval_runs SET ${sets.join(", ")} WHERE id = @id`).run(values);
        },
        setRunHarness(id, harness) {
            const row = selectRun.get(id);
            if (!row) return;
            const spec = JSON.parse(row.spec) as EvalRunSpec;
            updateSpec.run(JSON.stringify({...spec, harness}), id);
        },
        samples(runId) {
            return selectSamples.all(runId).map(toSample);
        },
        sample(sampleId) {
            const row = selectSample.get(sampleId);
            return row ? {...toSample(row), scoring: row.scoring ? (JSON.parse(row.scoring) as EvalScoring) : null} : undefined;
        },
        samplesOfRuns(runIds) {
            const byRun = new Map<number, EvalSampleSummary[]>(runIds.map((id) => [id, []]));
            if (runIds.length === 0) return byRun;
            const rows = db
                .prepare<number[], SampleRow>(`SELECT * FROM eval_samples WHERE run_id IN (${runIds.map(() => "?").join(", ")}) ORDER BY run_id, epoch`)
                .all(...runIds);
            for (const row of rows) byRun.get(row.run_id)!.push(toSample(row));
            return byRun;
        },
        startSample(sampleId, startedAt) {
            reset(sampleId, "running", startedAt);
        },
        setSampleStatus(sampleId, status) {
            db.prepare<[string, number]>("UPDATE eval_samples SET status = ? WHERE id = ?").run(status, sampleId);
        },
        resetSample(sampleId) {
            reset(sampleId, "pending", null);
        },
        appendMessage(sampleId, message) {
            insertMessage.run({
                sampleId,
                seq: message.seq,
                role: message.role,
                content: message.content,
                toolCalls: message.toolCalls?.length ? JSON.stringify(message.toolCalls) : null,
                toolCallId: message.toolCallId ?? null,
                toolName: message.toolName ?? null,
                toolError: message.toolError ? JSON.stringify(message.toolError) : null,
                usage: message.usage ? JSON.stringify(message.usage) : null,
                durationMs: message.durationMs ?? null,
                finishReason: message.finishReason ?? null,
                createdAt: message.createdAt
            });
        },
        messages(sampleId) {
            return selectMessages.all(sampleId).map(toMessage);
        },
        updateProgress(sampleId, progress) {
            updateProgress.run({
                id: sampleId,
                turns: progress.turns,
                inputTokens: progress.usage.inputTokens,
                cachedInputTokens: progress.usage.cachedInputTokens,
                outputTokens: progress.usage.outputTokens,
                toolCalls: progress.toolCalls,
                toolErrors: JSON.stringify(progress.toolErrors)
            });
        },
        finishSample(sampleId, outcome, completedAt) {
            finish(sampleId, outcome, completedAt);
        },
        diffs(sampleId) {
            return selectDiffs.all(sampleId).map((row) => ({path: row.path, status: row.status, diff: row.diff, insideSource: row.inside_source === 1}));
        },
        userPrices() {
            return selectPrices.all().map((row) => ({
                provider: row.provider,
                model: row.model,
                inputPerMillion: row.input_per_million,
                cachedInputPerMillion: row.cached_input_per_million,
                outputPerMillion: row.output_per_million,
                source: "user" as const
            }));
        },
        setPrice(price) {
            upsertPrice.run({...price, updatedAt: new Date().toISOString()});
        },
        deletePrice(provider, model) {
            removePrice.run(provider, model);
        }
    };
}
