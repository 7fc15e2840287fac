export type StreamListener = (event: string, payload: unknown) => void;

export interface SharedEventStreamOptions {
    /** The Server-Sent Events endpoint, e.g. "http://127.0.0.1:5317/api/events". */
    url: string;
    /** Wait before the first reconnection attempt after the stream drops, ms; doubles per failed attempt. Default 1000. */
    reconnectDelayMs?: number;
    /** Longest wait between reconnection attempts, ms. Default 30000. */
    maxReconnectDelayMs?: number;
    /**
     * How long the connection stays open after its last listener leaves, ms, so a screen that
     * unsubscribes and the next one that subscribes share it. Default 1000.
     */
    idleCloseMs?: number;
}

export interface SharedEventStream {
    /** Adds a listener of every event; returns the function that removes it. */
    subscribe(listener: StreamListener): () => void;
}

/** The wait before reconnection attempt `attempt` (0 for the first): doubling from `baseMs`, capped at `maxMs`. */
export function reconnectDelay(attempt: number, baseMs: number, maxMs: number): number {
    return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
}

/**
 * One Server-Sent Events connection for any number of listeners: opened by the first listener,
 * reconnected with exponential backoff when it drops, closed when the last listener has left.
 * A browser allows six connections per host, shared by all tabs, so a page must not hold one
 * per subscription. Uses only fetch and streams: the same code runs in the browser and in Node.
 */
export function createSharedEventStream(options: SharedEventStreamOptions): SharedEventStream {
    const baseDelayMs = options.reconnectDelayMs ?? 1000;
    const maxDelayMs = Math.max(baseDelayMs, options.maxReconnectDelayMs ?? 30_000);
    const idleCloseMs = options.idleCloseMs ?? 1000;
    // Entries rather than the functions themselves, so one function subscribed twice is called twice.
    const listeners = new Set<{listener: StreamListener}>();
    let connection: AbortController | undefined;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;

    const dispatch = (event: string, payload: unknown) => {
        for (const entry of [...listeners]) {
            if (!listeners.has(entry)) continue;
            try {
                entry.listener(event, payload);
            } catch (error) {
                console.error(`[agentfit] a listener of "${event}" failed`, error);
            }
        }
    };

    const closeIfUnused = () => {
        idleTimer = undefined;
        if (listeners.size > 0 || !connection) return;
        connection.abort();
        connection = undefined;
    };

    return {
        subscribe(listener) {
            const entry = {listener};
            listeners.add(entry);
            if (idleTimer !== undefined) {
                clearTimeout(idleTimer);
                idleTimer = undefined;
            }
            if (!connection) {
                connection = new AbortController();
                void streamEvents(options.url, dispatch, connection.signal, baseDelayMs, maxDelayMs);
            }
            return () => {
                if (!listeners.delete(entry) || listeners.size > 0) return;
                if (idleTimer === undefined) idleTimer = setTimeout(closeIfUnused, idleCloseMs);
            };
        }
    };
}

/** Reads the stream until `signal` aborts, reconnecting after drops and failed attempts. */
async function streamEvents(url: string, dispatch: StreamListener, signal: AbortSignal, baseDelayMs: number, maxDelayMs: number) {
    let failedAttempts = 0;
    while (!signal.aborted) {
        try {
            const response = await fetch(url, {signal, headers: {Accept: "text/event-stream"}});
            if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
            failedAttempts = 0;
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
                    let message: {event: string; payload: unknown};
                    try {
                        message = JSON.parse(data) as {event: string; payload: unknown};
                    } catch (error) {
                        console.error("[agentfit] an event that is not JSON", error);
                        continue;
                    }
                    dispatch(message.event, message.payload);
                }
            }
        } catch {
            if (signal.aborted) return;
        }
        await sleep(reconnectDelay(failedAttempts++, baseDelayMs, maxDelayMs), signal);
    }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        signal.addEventListener("abort", done, {once: true});
        function done() {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            resolve();
        }
    });
}
