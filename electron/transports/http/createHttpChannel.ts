import type {ApiChannel} from "../client/createApiClient.ts";
import {ApiCallError} from "../client/createApiClient.ts";
import {createSharedEventStream} from "./createSharedEventStream.ts";

export interface HttpChannelOptions {
    /** Server origin, e.g. "http://127.0.0.1:5317"; "" means the page's own origin. */
    baseUrl: string;
    /** Wait before the first reconnection of a dropped event stream, ms; doubles per failed attempt. Default 1000. */
    reconnectDelayMs?: number;
    /** Longest wait between reconnection attempts, ms. Default 30000. */
    maxReconnectDelayMs?: number;
}

/**
 * ApiChannel over the HTTP transport. Every subscription of one channel shares one event stream
 * (`GET /api/events`), so a browser page holds one connection for events however many screens and
 * cards listen. Uses only fetch and streams, so the same code runs in the browser UI and in Node
 * (tests, scripts).
 */
export function createHttpChannel(options: HttpChannelOptions): ApiChannel {
    const base = options.baseUrl.replace(/\/$/, "");
    const events = createSharedEventStream({url: `${base}/api/events`, reconnectDelayMs: options.reconnectDelayMs, maxReconnectDelayMs: options.maxReconnectDelayMs});
    return {
        async invoke(method, arg) {
            const response = await fetch(`${base}/api/${encodeURIComponent(method)}`, {
                method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify(arg ?? {})
            });
            const text = await response.text();
            let body: unknown;
            try {
                body = text ? JSON.parse(text) : null;
            } catch {
                throw new ApiCallError("BAD_RESPONSE", `The server answered ${response.status} with a body that is not JSON.`);
            }
            if (!response.ok) {
                const error = (body as {error?: {code?: string; message?: string}} | null)?.error;
                throw new ApiCallError(error?.code ?? `HTTP_${response.status}`, error?.message ?? `HTTP ${response.status}`);
            }
            return body;
        },
        subscribe: (listener) => events.subscribe(listener)
    };
}
