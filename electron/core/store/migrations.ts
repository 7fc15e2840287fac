/**
 * Ordered schema migrations. Append only: never edit a migration that has shipped. The database's
 * `PRAGMA user_version` is the number of the last one applied.
 */
export interface Migration {
    version: number;
    name: string;
    sql: string;
}

export const migrations: readonly Migration[] = [
    {
        version: 1,
        name: "hardware snapshots",
        sql: `
            CREATE TABLE hardware_snapshots (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                taken_at TEXT NOT NULL,
                hostname TEXT NOT NULL,
                data TEXT NOT NULL
            );
            CREATE INDEX hardware_snapshots_taken_at ON hardware_snapshots (taken_at);
        `
    },
    {
        version: 2,
        name: "model registry and download queue",
        sql: `
            CREATE TABLE models (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                path TEXT NOT NULL UNIQUE,
                files TEXT NOT NULL,
                size_bytes INTEGER NOT NULL,
                sha256 TEXT,
                source_kind TEXT NOT NULL,
                source TEXT NOT NULL,
                managed INTEGER NOT NULL,
                architecture TEXT NOT NULL,
                quantization TEXT,
                parameter_count INTEGER NOT NULL,
                facts TEXT NOT NULL,
                added_at TEXT NOT NULL
            );
            CREATE TABLE downloads (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                reference TEXT NOT NULL,
                name TEXT NOT NULL,
                state TEXT NOT NULL,
                plan TEXT NOT NULL,
                position INTEGER NOT NULL,
                error_code TEXT,
                error_message TEXT,
                model_id TEXT REFERENCES models (id) ON DELETE SET NULL,
                owner TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX downloads_state ON downloads (state);
        `
    },
    {
        version: 3,
        name: "model loads (settings and measured memory)",
        sql: `
            CREATE TABLE model_loads (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                loaded_at TEXT NOT NULL,
                model_path TEXT NOT NULL,
                file_bytes INTEGER NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('loaded', 'failed')),
                hardware_snapshot_id INTEGER REFERENCES hardware_snapshots (id),
                data TEXT NOT NULL
            );
            CREATE INDEX model_loads_model_path ON model_loads (model_path, loaded_at);
        `
    },
    {
        version: 4,
        name: "eval runs, samples, transcripts and prices",
        sql: `
            CREATE TABLE eval_runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at TEXT NOT NULL,
                status TEXT NOT NULL,
                task TEXT NOT NULL,
                provider TEXT NOT NULL,
                model TEXT NOT NULL,
                quantization TEXT,
                spec TEXT NOT NULL,
                task_title TEXT NOT NULL,
                model_label TEXT NOT NULL,
                app_version TEXT NOT NULL,
                hardware_snapshot_id INTEGER REFERENCES hardware_snapshots (id) ON DELETE SET NULL,
                owner_pid INTEGER,
                owner_instance TEXT,
                started_at TEXT,
                completed_at TEXT,
                error_code TEXT,
                error_message TEXT
            );
            CREATE INDEX eval_runs_model ON eval_runs (provider, model, quantization, task);
            CREATE TABLE eval_samples (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                run_id INTEGER NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
                epoch INTEGER NOT NULL,
                status TEXT NOT NULL,
                score TEXT,
                strict_score TEXT,
                failure_mode TEXT,
                failure_detail TEXT,
                turns INTEGER NOT NULL DEFAULT 0,
                input_tokens INTEGER NOT NULL DEFAULT 0,
                cached_input_tokens INTEGER NOT NULL DEFAULT 0,
                output_tokens INTEGER NOT NULL DEFAULT 0,
                tool_calls INTEGER NOT NULL DEFAULT 0,
                tool_errors TEXT NOT NULL DEFAULT '{"unknownTool":0,"badArguments":0,"failed":0}',
                limit_hit TEXT,
                wall_ms REAL,
                model_ms REAL,
                tool_ms REAL,
                subprocess_ms REAL,
                scoring_ms REAL,
                started_at TEXT,
                completed_at TEXT,
                error TEXT,
                scoring TEXT,
                UNIQUE (run_id, epoch)
            );
            CREATE TABLE eval_messages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                sample_id INTEGER NOT NULL REFERENCES eval_samples (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                role TEXT NOT NULL,
                content TEXT,
                tool_calls TEXT,
                tool_call_id TEXT,
                tool_name TEXT,
                tool_error TEXT,
                usage TEXT,
                duration_ms REAL,
                finish_reason TEXT,
                created_at TEXT NOT NULL,
                UNIQUE (sample_id, seq)
            );
            CREATE TABLE eval_file_diffs (
                sample_id INTEGER NOT NULL REFERENCES eval_samples (id) ON DELETE CASCADE,
                path TEXT NOT NULL,
                status TEXT NOT NULL,
                diff TEXT NOT NULL,
                inside_source INTEGER NOT NULL,
                PRIMARY KEY (sample_id, path)
            );
            CREATE TABLE eval_prices (
                provider TEXT NOT NULL,
                model TEXT NOT NULL,
                input_per_million REAL NOT NULL,
                cached_input_per_million REAL,
                output_per_million REAL NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (provider, model)
            );
        `
    },
    {
        version: 5,
        name: "recommendations: measured bandwidth and catalog refreshes",
        sql: `
            CREATE TABLE bandwidth_measurements (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                hardware_key TEXT NOT NULL,
                measured_at TEXT NOT NULL,
                data TEXT NOT NULL
            );
            CREATE INDEX bandwidth_measurements_key ON bandwidth_measurements (hardware_key, id);
            CREATE TABLE catalog_refreshes (
                model_id TEXT NOT NULL,
                quantization TEXT NOT NULL,
                refreshed_at TEXT NOT NULL,
                data TEXT NOT NULL,
                PRIMARY KEY (model_id, quantization)
            );
        `
    },
    {
        version: 6,
        name: "speed benchmark runs and results",
        sql: `
            CREATE TABLE bench_runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at TEXT NOT NULL,
                completed_at TEXT,
                status TEXT NOT NULL,
                hardware_snapshot_id INTEGER REFERENCES hardware_snapshots (id) ON DELETE SET NULL,
                hardware_key TEXT,
                data TEXT NOT NULL
            );
            CREATE TABLE bench_results (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                run_id INTEGER NOT NULL REFERENCES bench_runs (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                model_path TEXT NOT NULL,
                settings_key TEXT NOT NULL,
                kind TEXT NOT NULL,
                prompt_tokens INTEGER NOT NULL,
                generated_tokens INTEGER NOT NULL,
                depth INTEGER NOT NULL,
                status TEXT NOT NULL,
                measured_at TEXT NOT NULL,
                data TEXT NOT NULL,
                UNIQUE (run_id, seq)
            );
            CREATE INDEX bench_results_shape ON bench_results (model_path, settings_key, kind, prompt_tokens, generated_tokens, depth, id);
        `
    },
    {
        version: 7,
        name: "verdict thresholds",
        sql: `
            CREATE TABLE verdict_thresholds (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                updated_at TEXT NOT NULL,
                data TEXT NOT NULL
            );
        `
    },
    {
        version: 8,
        name: "guided answer plans",
        sql: `
            CREATE TABLE answer_plans (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                state TEXT NOT NULL,
                data TEXT NOT NULL
            );
        `
    },
    {
        version: 9,
        name: "one job owner for downloads, eval runs and benchmark runs",
        // The owner is electron/core/jobs/JobOwner.ts's id (pid, host, process start, instance). An eval
        // run's old pid and instance cannot tell a reused pid apart, so they go; runs they marked are
        // left without an owner, which recovery treats as orphaned.
        sql: `
            ALTER TABLE bench_runs ADD COLUMN owner TEXT;
            ALTER TABLE eval_runs ADD COLUMN owner TEXT;
            ALTER TABLE eval_runs DROP COLUMN owner_pid;
            ALTER TABLE eval_runs DROP COLUMN owner_instance;
        `
    },
    {
        version: 10,
        name: "endpoint benchmarks and imported machine reports",
        sql: `
            CREATE TABLE endpoint_bench_runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at TEXT NOT NULL,
                completed_at TEXT,
                status TEXT NOT NULL,
                endpoint_key TEXT NOT NULL,
                data TEXT NOT NULL
            );
            CREATE INDEX endpoint_bench_runs_key ON endpoint_bench_runs (endpoint_key, id);
            CREATE TABLE imported_reports (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                hardware_key TEXT NOT NULL,
                generated_at TEXT NOT NULL,
                imported_at TEXT NOT NULL,
                source TEXT NOT NULL,
                data TEXT NOT NULL,
                UNIQUE (hardware_key, generated_at)
            );
        `
    },
    {
        version: 11,
        name: "app settings",
        sql: `
            CREATE TABLE app_settings (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
        `
    },
    {
        version: 12,
        name: "what a coding agent wrote or tried to reach outside its sample's workspace",
        // JSON of EvalOutsideAccess; null for the builtin harness and samples scored before it existed.
        sql: `ALTER TABLE eval_samples ADD COLUMN outside_access TEXT;`
    }
];

export const latestSchemaVersion = migrations.at(-1)!.version;
