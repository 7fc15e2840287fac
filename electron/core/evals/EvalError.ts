import {AppError} from "../../shared/AppError.ts";

export type EvalErrorCode =
    | "EVAL_TASK_NOT_FOUND"
    | "EVAL_RUN_NOT_FOUND"
    | "EVAL_SAMPLE_NOT_FOUND"
    | "EVAL_RUNTIME_MISSING"
    | "EVAL_API_KEY_MISSING"
    | "EVAL_KEYS_READ_ONLY"
    | "EVAL_KEYCHAIN_UNAVAILABLE"
    | "EVAL_LOCAL_ENGINE_UNAVAILABLE"
    | "EVAL_LOCAL_MODEL_FAILED"
    | "EVAL_LOCAL_MODEL_NOT_FOUND"
    | "EVAL_MODEL_INVALID"
    | "EVAL_BASE_URL_INVALID"
    | "EVAL_RUN_CONFLICT"
    | "EVAL_INTERRUPTED"
    | "EVAL_PROVIDER_REJECTED"
    | "EVAL_CONFINEMENT_UNAVAILABLE"
    | "EVAL_SANDBOX_FORWARDER_UNAVAILABLE";

/** An eval cannot start or continue; the message says what to do. */
export class EvalError extends AppError {
    declare readonly code: EvalErrorCode;
    constructor(code: EvalErrorCode, message: string, options?: {cause?: unknown}) {
        super(code, message, options);
        this.name = "EvalError";
    }
}
