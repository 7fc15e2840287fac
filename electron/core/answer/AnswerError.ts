import {AppError} from "../AppError.ts";

export type AnswerErrorCode =
    | "ANSWER_PLAN_NOT_FOUND"
    | "ANSWER_PLAN_RUNNING"
    | "ANSWER_PLAN_DONE"
    | "ANSWER_STEP_NOT_FOUND"
    | "ANSWER_STEP_FINISHED"
    | "ANSWER_NO_CANDIDATES"
    | "ANSWER_CANDIDATE_UNKNOWN"
    | "ANSWER_TASK_UNAVAILABLE"
    | "ANSWER_MODEL_MISSING"
    | "ANSWER_CONFIRMATION_NEEDED";

/** A guided-path request the app cannot carry out; the message says what to do instead. */
export class AnswerError extends AppError {
    declare readonly code: AnswerErrorCode;
    constructor(code: AnswerErrorCode, message: string) {
        super(code, message);
        this.name = "AnswerError";
    }
}
