import {AppError} from "../../shared/AppError.ts";

export type EngineErrorCode =
    /** The engine process died (killed, native crash, out of memory); the message says how. */
    | "ENGINE_CRASHED"
    /** The engine process could not be started. */
    | "ENGINE_START_FAILED"
    /** A job was cancelled by its caller. */
    | "ENGINE_CANCELLED"
    /** A load setting is out of range. */
    | "ENGINE_SETTINGS_INVALID"
    /** The server's port is taken by another program. */
    | "ENGINE_PORT_BUSY"
    /** A server setting (host, key, CORS) is unusable. */
    | "ENGINE_SERVER_INVALID"
    /** The model reference names no file and no registered model. */
    | "MODEL_NOT_FOUND"
    /** The model reference is not a GGUF file. */
    | "MODEL_INVALID"
    /** llama.cpp does not support the model's architecture. */
    | "MODEL_UNSUPPORTED"
    /** The file is shorter than its header says. */
    | "GGUF_TRUNCATED"
    /** llama.cpp refused the model (corrupt tensors, not enough memory…). */
    | "MODEL_LOAD_FAILED"
    /** The model was unloaded while a request waited. */
    | "MODEL_UNLOADED"
    /** An engine build is already running. */
    | "ENGINE_BUILD_BUSY"
    /** Something the build needs is missing (a C++ compiler, a writable engine folder). */
    | "ENGINE_BUILD_UNAVAILABLE"
    /** The compiler or CMake failed; the prebuilt engine stays in use. */
    | "ENGINE_BUILD_FAILED";

/** A serving failure people can act on; `code` is stable. */
export class EngineError extends AppError {
    declare readonly code: EngineErrorCode;
    constructor(code: EngineErrorCode, message: string, options?: {cause?: unknown}) {
        super(code, message, options);
        this.name = "EngineError";
    }
}
