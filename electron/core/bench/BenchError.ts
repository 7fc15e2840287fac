import {AppError} from "../../shared/AppError.ts";

export type BenchErrorCode =
    /** A benchmark setting is out of range or inconsistent (the message names it). */
    | "BENCH_SETTINGS_INVALID"
    /** No benchmark run with that id. */
    | "BENCH_RUN_NOT_FOUND"
    /** The run has already ended. */
    | "BENCH_STATE_CONFLICT"
    /** Another benchmark run is measuring; runs never share the machine. */
    | "BENCH_BUSY"
    | "BENCH_CALIBRATION_MODEL_MISSING"
    /** Skip reason: the model and its context need more memory than the machine has. */
    | "MODEL_DOES_NOT_FIT"
    /** Skip reason: the depth plus the test's tokens exceed the model's context. */
    | "DEPTH_EXCEEDS_CONTEXT"
    /** Skip reason: a setting the loaded llama.cpp cannot apply (e.g. GPU layers without a GPU). */
    | "SETTINGS_UNSUPPORTED";

/** A benchmark failure people can act on; `code` is stable. */
export class BenchError extends AppError {
    declare readonly code: BenchErrorCode;
    constructor(code: BenchErrorCode, message: string, options?: {cause?: unknown}) {
        super(code, message, options);
        this.name = "BenchError";
    }
}
