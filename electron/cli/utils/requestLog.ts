import fs from "node:fs";
import type {ServedRequest} from "../../api/EngineApi.ts";
import type {AppService} from "../../core/AppService.ts";
import {formatDuration} from "../../shared/format.ts";

/** One line of the server log for a request, e.g. "POST /v1/responses 200 stream 2.1 s · prompt 1,204 (1,180 cached) · 12 generated". */
export function formatServedRequest(entry: ServedRequest): string {
    const usage = entry.usage
        ? ` · prompt ${entry.usage.promptTokens.toLocaleString("en-US")} (${entry.usage.cachedTokens.toLocaleString("en-US")} cached) · ${entry.usage.completionTokens.toLocaleString("en-US")} generated`
        : "";
    return `${entry.method} ${entry.path} ${entry.status}${entry.stream ? " stream" : ""} ${formatDuration(entry.durationMs)}${usage}${entry.notes.map((note) => ` · ${note}`).join("")}`;
}

/**
 * Hands every request the model server answers to `onRequest`, and appends it as one JSON line to
 * `file` when given (the request log of `--request-log`). Returns the unsubscribe function.
 */
export function followRequestLog(app: AppService, options: {file?: string; onRequest?: (entry: ServedRequest) => void}): () => void {
    if (options.file) fs.writeFileSync(options.file, "", {flag: "a"});
    return app.events.subscribe((event, payload) => {
        if (event !== "engine.request") return;
        const entry = payload as ServedRequest;
        if (options.file) fs.appendFileSync(options.file, `${JSON.stringify(entry)}\n`);
        options.onRequest?.(entry);
    });
}
