import {AppError} from "../../shared/AppError.ts";

export type VerdictErrorCode = "VERDICT_TASK_NOT_FOUND" | "VERDICT_THRESHOLDS_INVALID" | "REPORT_FORMAT_INVALID";

/** A verdict or report request the app cannot answer; the message says what to do instead. */
export class VerdictError extends AppError {
    declare readonly code: VerdictErrorCode;
    constructor(code: VerdictErrorCode, message: string) {
        super(code, message);
        this.name = "VerdictError";
    }
}
