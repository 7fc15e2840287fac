import {AppError} from "../../shared/AppError.ts";
import type {ErrorCode} from "../../shared/errorCodes.ts";

export type AnswerErrorCode = Extract<ErrorCode, `ANSWER_${string}`>;

/** A guided-path request the app cannot carry out; the message says what to do instead. */
export class AnswerError extends AppError {
    declare readonly code: AnswerErrorCode;
    constructor(code: AnswerErrorCode, message: string) {
        super(code, message);
        this.name = "AnswerError";
    }
}
