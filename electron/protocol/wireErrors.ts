/**
 * The model server's errors on the wire, per protocol: the JSON error bodies and the events that end
 * a stream that failed after its HTTP 200 went out. Both processes write them — the engine's
 * protocol writers when a generation fails, and the app's serving front when the engine process
 * dies mid-answer — so a client sees the same ending whichever side wrote it.
 */

/** An error as the server answers it: HTTP status plus OpenAI's `{type, message, param, code}`. */
export interface WireError {
    readonly status: number;
    readonly type: string;
    readonly message: string;
    readonly param: string | null;
    readonly code: string | null;
}

/** The API a served path belongs to, which decides the shape of its errors and of a stream's ending. */
export type ServedRoute = "chat" | "completions" | "anthropic" | "responses" | "other";

/** Which API's error body shape a URL answers in. */
export type WireProtocol = "openai" | "anthropic";

export function servedRouteOf(url: string): ServedRoute {
    const path = url.split("?")[0]!;
    if (/^\/v1\/messages(\/|$)/.test(path)) return "anthropic";
    if (/^\/v1\/responses(\/|$)/.test(path)) return "responses";
    if (path === "/v1/chat/completions") return "chat";
    if (path === "/v1/completions") return "completions";
    return "other";
}

export function protocolOf(url: string): WireProtocol {
    return servedRouteOf(url) === "anthropic" ? "anthropic" : "openai";
}

/** Anthropic's error type for each HTTP status this server answers. */
export function anthropicErrorType(status: number): string {
    if (status === 401) return "authentication_error";
    if (status === 403) return "permission_error";
    if (status === 404) return "not_found_error";
    if (status === 413) return "request_too_large";
    if (status === 429) return "rate_limit_error";
    if (status === 503 || status === 529) return "overloaded_error";
    if (status >= 500) return "api_error";
    return "invalid_request_error";
}

/** OpenAI's error body, `{"error": {message, type, param, code}}`. */
export function openAiErrorBody(error: WireError) {
    return {error: {message: error.message, type: error.type, param: error.param, code: error.code}};
}

/** `{"type":"error","error":{"type","message"}}`, Anthropic's error body (also its stream's `error` event). */
export function anthropicErrorBody(error: WireError) {
    return {type: "error" as const, error: {type: anthropicErrorType(error.status), message: error.message}};
}

export function errorBodyFor(protocol: WireProtocol, error: WireError): object {
    return protocol === "anthropic" ? anthropicErrorBody(error) : openAiErrorBody(error);
}

/** One server-sent event: JSON data (or a literal string such as `[DONE]`), named when `event` is given. */
export interface ServerSentEvent {
    event?: string;
    data: object | string;
}

export function formatServerSentEvent({event, data}: ServerSentEvent): string {
    return `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}

/** What a Responses stream has said about its response so far, which its `response.failed` event repeats. */
export interface ResponsesStreamState {
    /** The response object as last sent (id, model, output so far…); at least `{id}`. */
    response: {[field: string]: unknown};
    /** The `sequence_number` the failure event takes (one more than the last event's). */
    sequenceNumber: number;
}

/**
 * The events that end a stream of `route` that failed after it opened: chat and legacy completions
 * send a chunk carrying OpenAI's `error` object and `[DONE]` (the `openai` SDK raises the error);
 * Anthropic Messages an `error` event (the `@anthropic-ai/sdk` raises it); Responses a
 * `response.failed` carrying `response.error`. The stream ends after them.
 */
export function streamFailureEvents(route: ServedRoute, error: WireError, responses?: ResponsesStreamState): ServerSentEvent[] {
    if (route === "anthropic") return [{event: "error", data: anthropicErrorBody(error)}];
    if (route === "responses") {
        const response = {...responses?.response, status: "failed", error: {code: error.code ?? "server_error", message: error.message}};
        return [{event: "response.failed", data: {type: "response.failed", sequence_number: responses?.sequenceNumber ?? 0, response}}];
    }
    return [{data: openAiErrorBody(error)}, {data: "[DONE]"}];
}
