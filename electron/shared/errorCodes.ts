/**
 * Every error code the app reports, with the HTTP status the HTTP transport answers it with. IPC
 * passes only the code; the CLI prints it. A code thrown anywhere in electron/ must be listed here
 * (tests/unit/errorCodes.test.ts greps for them), and the domain error classes take only these.
 *
 * - 400: the argument is malformed or out of range; the message names the field.
 * - 403: the request came from somewhere the app does not serve.
 * - 404: what the argument names does not exist (a run, a model, a file, a remote file).
 * - 409: the app's state does not allow it now (something else runs, or needs setting up first).
 * - 413 / 415: the request body is too large, or not JSON.
 * - 422: what the argument names exists but cannot be used (a damaged or foreign GGUF file, a model
 *   llama.cpp refuses).
 * - 502: something the app depends on failed: a remote server (Hugging Face, a URL, a provider) or
 *   the engine process. 503: the app cannot take work now (shutting down).
 * - 507: not enough disk space.
 * - 500: a bug, or a failure the app cannot explain.
 */
export const errorCodes = {
    // The argument
    INVALID_ARGUMENT: 400,
    INVALID_JSON: 400,
    BENCH_SETTINGS_INVALID: 400,
    ENGINE_SETTINGS_INVALID: 400,
    ENGINE_SERVER_INVALID: 400,
    FIT_SETTINGS_INVALID: 400,
    HARDWARE_OVERRIDE_INVALID: 400,
    VERDICT_THRESHOLDS_INVALID: 400,
    REPORT_FORMAT_INVALID: 400,
    DOWNLOAD_REFERENCE_INVALID: 400,
    DOWNLOAD_AMBIGUOUS: 400,
    EVAL_MODEL_INVALID: 400,
    EVAL_BASE_URL_INVALID: 400,
    MODEL_INVALID: 400,
    MODEL_AMBIGUOUS: 400,
    ENDPOINT_BENCH_INVALID: 400,
    /** The guided path: a candidate that is neither on disk nor in the catalog (or, offline, not on disk). */
    ANSWER_CANDIDATE_UNKNOWN: 400,
    /** Benchmark skip reason: the depth plus the test's tokens exceed the context. */
    DEPTH_EXCEEDS_CONTEXT: 400,
    /** Benchmark skip reason: a setting the loaded llama.cpp cannot apply. */
    SETTINGS_UNSUPPORTED: 400,

    // Where the request comes from
    FORBIDDEN_HOST: 403,
    FORBIDDEN_ORIGIN: 403,
    FORBIDDEN_SENDER: 403,

    // What the argument names does not exist
    NOT_FOUND: 404,
    UNKNOWN_METHOD: 404,
    BENCH_RUN_NOT_FOUND: 404,
    CATALOG_NOT_FOUND: 404,
    DOWNLOAD_NOT_FOUND: 404,
    DOWNLOAD_JOB_NOT_FOUND: 404,
    EVAL_RUN_NOT_FOUND: 404,
    EVAL_SAMPLE_NOT_FOUND: 404,
    EVAL_TASK_NOT_FOUND: 404,
    EVAL_LOCAL_MODEL_NOT_FOUND: 404,
    GGUF_NOT_FOUND: 404,
    IMPORT_NOT_FOUND: 404,
    MODEL_NOT_FOUND: 404,
    VERDICT_TASK_NOT_FOUND: 404,
    ENDPOINT_RUN_NOT_FOUND: 404,
    /** The model named is not among those the endpoint lists. */
    ENDPOINT_MODEL_NOT_FOUND: 404,
    REPORT_IMPORT_NOT_FOUND: 404,
    ANSWER_PLAN_NOT_FOUND: 404,
    ANSWER_STEP_NOT_FOUND: 404,

    // The app's state
    BENCH_BUSY: 409,
    BENCH_STATE_CONFLICT: 409,
    /** Benchmark test record: cancelled by its caller. */
    BENCH_CANCELLED: 409,
    /** A calibration without named models found no registered model large enough to calibrate with. */
    BENCH_CALIBRATION_MODEL_MISSING: 409,
    BANDWIDTH_MEASUREMENT_CANCELLED: 409,
    /** Too little free RAM now for buffers beyond the CPU caches. */
    BANDWIDTH_NOT_ENOUGH_MEMORY: 409,
    DOWNLOAD_BUSY: 409,
    DOWNLOAD_STATE_CONFLICT: 409,
    DOWNLOAD_ALREADY_REGISTERED: 409,
    ENGINE_BUILD_BUSY: 409,
    ENGINE_BUILD_UNAVAILABLE: 409,
    ENGINE_PORT_BUSY: 409,
    ENGINE_CANCELLED: 409,
    EVAL_RUN_CONFLICT: 409,
    /** Eval run record: the app stopped while it ran; it can be resumed. */
    EVAL_INTERRUPTED: 409,
    EVAL_API_KEY_MISSING: 409,
    EVAL_RUNTIME_MISSING: 409,
    EVAL_KEYS_READ_ONLY: 409,
    EVAL_KEYCHAIN_UNAVAILABLE: 409,
    EVAL_LOCAL_ENGINE_UNAVAILABLE: 409,
    /** The coding agent asked for is not installed; the message says how to install it. */
    AGENT_NOT_INSTALLED: 409,
    EVAL_CONFINEMENT_UNAVAILABLE: 409,
    /** Eval run record: the sandbox forwarder a run records cannot be had now; resuming the run goes on with the one this machine has. */
    EVAL_SANDBOX_FORWARDER_UNAVAILABLE: 409,
    MODEL_UNLOADED: 409,
    STORE_SCHEMA_TOO_NEW: 409,
    ENDPOINT_BUSY: 409,
    ENDPOINT_STATE_CONFLICT: 409,
    ENDPOINT_API_KEY_MISSING: 409,
    ANSWER_PLAN_RUNNING: 409,
    ANSWER_PLAN_DONE: 409,
    ANSWER_STEP_FINISHED: 409,
    /** No model fits to plan with (offline: none on disk). */
    ANSWER_NO_CANDIDATES: 409,
    /** The eval the profile needs cannot run here (its runtime is missing). */
    ANSWER_TASK_UNAVAILABLE: 409,
    /** `agentfit answer` without a terminal to confirm in and without --yes. */
    ANSWER_CONFIRMATION_NEEDED: 409,

    // Request body
    PAYLOAD_TOO_LARGE: 413,
    UNSUPPORTED_MEDIA_TYPE: 415,

    // What the argument names cannot be used
    GGUF_INVALID: 422,
    GGUF_TRUNCATED: 422,
    GGUF_METADATA_INVALID: 422,
    GGUF_ARCHITECTURE_UNSUPPORTED: 422,
    IMPORT_GGUF_INVALID: 422,
    IMPORT_INCOMPLETE_SPLIT: 422,
    DOWNLOAD_INVALID_GGUF: 422,
    MODEL_UNSUPPORTED: 422,
    MODEL_LOAD_FAILED: 422,
    /** Benchmark skip reason: the model with its context needs more memory than the machine has. */
    MODEL_DOES_NOT_FIT: 422,
    EVAL_LOCAL_MODEL_FAILED: 422,
    /** The model's trained context or the machine's memory cannot reach the context the agent needs. */
    AGENT_CONTEXT_TOO_SMALL: 422,
    /** A file to import is not an AgentFit JSON report (or one of a schema this version cannot read). */
    REPORT_IMPORT_INVALID: 422,

    // Something the app depends on failed
    GGUF_UNREACHABLE: 502,
    GGUF_UNAUTHORIZED: 502,
    GGUF_HTTP_ERROR: 502,
    DOWNLOAD_UNREACHABLE: 502,
    DOWNLOAD_UNAUTHORIZED: 502,
    DOWNLOAD_HTTP_ERROR: 502,
    DOWNLOAD_CHECKSUM_MISMATCH: 502,
    DOWNLOAD_SIZE_MISMATCH: 502,
    DOWNLOAD_FAILED: 502,
    CATALOG_REFRESH_FAILED: 502,
    EVAL_PROVIDER_REJECTED: 502,
    ENGINE_CRASHED: 502,
    ENDPOINT_UNREACHABLE: 502,
    ENDPOINT_UNAUTHORIZED: 502,
    ENDPOINT_NOT_STREAMING: 502,
    ENDPOINT_STREAM_INVALID: 502,
    ENDPOINT_REJECTED: 502,
    ENDPOINT_PROTOCOL_UNKNOWN: 502,
    /** A client of the HTTP API got an answer that is not JSON. */
    BAD_RESPONSE: 502,
    ENGINE_START_FAILED: 503,

    // Disk space
    DOWNLOAD_INSUFFICIENT_DISK: 507,
    DOWNLOAD_DISK_FULL: 507,

    // Bugs and failures the app cannot explain
    INTERNAL: 500,
    ENGINE_ERROR: 500,
    ENGINE_UNKNOWN_COMMAND: 500,
    ENGINE_BUILD_FAILED: 500,
    DOWNLOAD_WRITE_FAILED: 500,
    BANDWIDTH_MEASUREMENT_FAILED: 500,
    BENCH_FAILED: 500,
    BENCH_TEST_FAILED: 500,
    EVAL_FAILED: 500,
    ANSWER_STEP_FAILED: 500,
    CATALOG_INVALID: 500,
    STORE_CORRUPT: 500,
    STORE_OPEN_FAILED: 500,
    STORE_MIGRATION_FAILED: 500
} as const satisfies Record<string, 400 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 502 | 503 | 507>;

export type ErrorCode = keyof typeof errorCodes;

export function isErrorCode(code: unknown): code is ErrorCode {
    return typeof code === "string" && Object.hasOwn(errorCodes, code);
}

/** `code` when it is one of the app's codes (a stored record, another process's answer), else `fallback`. */
export function knownErrorCode(code: unknown, fallback: ErrorCode): ErrorCode {
    return isErrorCode(code) ? code : fallback;
}

/** The HTTP status of an error code; a code the table does not know is a bug (500). */
export function httpStatusOf(code: string): number {
    return isErrorCode(code) ? errorCodes[code] : 500;
}
