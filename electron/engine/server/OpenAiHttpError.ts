import {openAiErrorBody, type WireError} from "../../protocol/wireErrors.ts";

/** An error answered in OpenAI's format: `{error: {message, type, param, code}}` with an HTTP status. */
export class OpenAiHttpError extends Error implements WireError {
    readonly status: number;
    readonly type: string;
    readonly param: string | null;
    readonly code: string | null;
    constructor(status: number, type: string, message: string, param: string | null = null, code: string | null = null) {
        super(message);
        this.name = "OpenAiHttpError";
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    toJSON() {
        return openAiErrorBody(this);
    }
}
