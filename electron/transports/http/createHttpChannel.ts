import type {ApiChannel} from "../client/createApiClient.ts";
import {ApiCallError} from "../client/createApiClient.ts";

export interface HttpChannelOptions {
    /** Server origin, e.g. "http://127.0.0.1:5317"; "" means the page's own origin. */
    baseUrl: string;
    /** Wait before reconnecting a dropped event stream, ms. Default 1000. */
    reconnectDelayMs?: number;
}

/**
 * ApiChannel over the HTTP transport. Uses only fetch and streams, so the same code runs in the
 * browser UI and in Node (tests, scripts).
 */
export function createHttpChannel(options: HttpChannelOptions): ApiChannel {
    const base = options.baseUrl.replace(/\/$/, "");
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
        subscribe(listener) {
            const controller = new AbortController();
            void streamEvents(`${base}/api/events`, listener, controller.signal, options.reconnectDelayMs ?? 1000);
            return () => controller.abort();
        }
    };
}

async function streamEvents(url: string, listener: (event: string, payload: unknown) => void, signal: AbortSignal, reconnectDelayMs: number) {
    while (!signal.aborted) {
        try {
            const response = await fetch(url, {signal, headers: {Accept: "text/event-stream"}});
            if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
            const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
            let buffer = "";
            for (;;) {
                const {value, done} = await reader.read();
                if (done) break;
                buffer += value;
                let boundary: number;
                while ((boundary = buffer.indexOf("\n\n")) >= 0) {
                    const block = buffer.slice(0, boundary);
                    buffer = buffer.slice(boundary + 2);
                    const data = block
                        .split("\n")
                        .filter((line) => line.startsWith("data:"))
                        .map((line) => line.slice(5).trimStart())
                        .join("\n");
                    if (!data) continue;
                    try {
                        const {event, payload} = JSON.parse(data) as {event: string; payload: unknown};
                        listener(event, payload);
                    } catch (error) {
                        console.error("[agentfit] bad event", error);
                    }
                }
            }
        } catch {
            if (signal.aborted) return;
        }
        await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs));
    }
}
