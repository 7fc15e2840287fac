import {AppError} from "../../shared/AppError.ts";

export type AgentErrorCode = "AGENT_NOT_INSTALLED" | "AGENT_CONTEXT_TOO_SMALL";

/** A coding agent cannot be started or served as asked; the message says what to do. */
export class AgentError extends AppError {
    declare readonly code: AgentErrorCode;
    constructor(code: AgentErrorCode, message: string, options?: {cause?: unknown}) {
        super(code, message, options);
        this.name = "AgentError";
    }
}
