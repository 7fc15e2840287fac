import {AppError} from "../../shared/AppError.ts";

export type GgufErrorCode =
    | "GGUF_NOT_FOUND"
    | "GGUF_INVALID"
    | "GGUF_TRUNCATED"
    | "GGUF_UNAUTHORIZED"
    | "GGUF_HTTP_ERROR"
    | "GGUF_UNREACHABLE"
    | "GGUF_METADATA_INVALID"
    | "GGUF_ARCHITECTURE_UNSUPPORTED";

/** A GGUF file or URL that cannot be read as a model; the message names the source and the problem. */
export class GgufError extends AppError {
    declare readonly code: GgufErrorCode;
    readonly source: string;
    constructor(code: GgufErrorCode, source: string, message: string, options?: {cause?: unknown}) {
        super(code, message, options);
        this.name = "GgufError";
        this.source = source;
    }
}
