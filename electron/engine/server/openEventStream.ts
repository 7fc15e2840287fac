import type {FastifyReply} from "fastify";
import {formatServerSentEvent, type ServerSentEvent} from "../../protocol/wireErrors.ts";

/** A server-sent event stream on one reply; the HTTP 200 and headers go out with the first event. */
export interface EventStream {
    /** True once the first event has been written (an error can then no longer change the status). */
    readonly opened: boolean;
    /** Writes `data` (JSON-encoded unless a string) as one event, named when `event` is given. */
    send(data: object | string, event?: string): void;
    end(): void;
    /** Writes `events` (a protocol's failure ending, see streamFailureEvents) and ends the stream. */
    endWith(events: readonly ServerSentEvent[]): void;
}

/**
 * Takes over `reply` for a text/event-stream answer. `onOpen` and `onClose` let the server track
 * open streams (to end them when it stops).
 */
export function openEventStream(reply: FastifyReply, hooks: {onOpen?: () => void; onClose?: () => void} = {}): EventStream {
    const raw = reply.raw;
    let opened = false;
    const open = () => {
        opened = true;
        reply.hijack();
        hooks.onOpen?.();
        raw.on("close", () => hooks.onClose?.());
        raw.writeHead(200, {
            ...(reply.getHeaders() as Record<string, string>),
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache, no-transform",
            Connection: "keep-alive",
            "X-Accel-Buffering": "no"
        });
    };
    return {
        get opened() {
            return opened;
        },
        send(data, event) {
            if (!opened) open();
            if (raw.destroyed) return;
            raw.write(formatServerSentEvent({event, data}));
        },
        end() {
            if (!opened) open();
            if (!raw.destroyed) raw.end();
        },
        endWith(events) {
            for (const {data, event} of events) this.send(data, event);
            this.end();
        }
    };
}
