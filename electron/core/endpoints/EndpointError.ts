import {AppError} from "../../shared/AppError.ts";

export type EndpointErrorCode =
    /** A request field is out of range (the message names it). */
    | "ENDPOINT_BENCH_INVALID"
    /** The environment variable named for the API key is not set. */
    | "ENDPOINT_API_KEY_MISSING"
    /** No endpoint run with that id. */
    | "ENDPOINT_RUN_NOT_FOUND"
    /** The run is not running. */
    | "ENDPOINT_STATE_CONFLICT"
    /** Another endpoint run is measuring. */
    | "ENDPOINT_BUSY"
    /** The model is not among those the server lists. */
    | "ENDPOINT_MODEL_NOT_FOUND"
    /** No connection, DNS failure, or no answer in time. */
    | "ENDPOINT_UNREACHABLE"
    /** The server refused the key (401/403). */
    | "ENDPOINT_UNAUTHORIZED"
    /** A streamed request came back as something other than Server-Sent Events. */
    | "ENDPOINT_NOT_STREAMING"
    /** The event stream is malformed: an event that is not JSON, or it ends before the completion does. */
    | "ENDPOINT_STREAM_INVALID"
    /** The server answered a request with an error. */
    | "ENDPOINT_REJECTED"
    /** No protocol was given and neither OpenAI's nor Anthropic's model list answered. */
    | "ENDPOINT_PROTOCOL_UNKNOWN";

/** A failure of an endpoint benchmark people can act on; `code` is stable. */
export class EndpointError extends AppError {
    declare readonly code: EndpointErrorCode;
    constructor(code: EndpointErrorCode, message: string, options?: {cause?: unknown}) {
        super(code, message, options);
        this.name = "EndpointError";
    }
}
