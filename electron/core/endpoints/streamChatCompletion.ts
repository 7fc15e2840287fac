import {performance} from "node:perf_hooks";
import type {EndpointProtocol, EndpointRequestSample, EndpointServerTimings} from "../../api/EndpointsApi.ts";
import {EndpointError} from "./EndpointError.ts";

/** Where requests go and with which key; the key lives only in memory for the run. */
export interface EndpointConnection {
    /** Base URL without a trailing slash, e.g. "http://gpu-box:8080/v1". */
    baseUrl: string;
    apiKey: string | null;
    /** How the key is sent and which API is spoken: "openai" (`Authorization: Bearer`, the default) or "anthropic" (`x-api-key`, `anthropic-version`). */
    protocol?: EndpointProtocol;
    /** Aborts every request of the run. */
    signal?: AbortSignal;
    /** Longest wait for one request (headers and each stream read), ms. Default 300,000. */
    timeoutMs?: number;
}

/** A chat message as the OpenAI protocol sends it (only what the benchmark builds). */
export type EndpointChatMessage =
    | {role: "system" | "user"; content: string}
    | {role: "assistant"; content: string | null; tool_calls?: {id: string; type: "function"; function: {name: string; arguments: string}}[]}
    | {role: "tool"; tool_call_id: string; content: string};

export interface ChatCompletionBody {
    model: string;
    messages: EndpointChatMessage[];
    max_tokens: number;
    tools?: unknown[];
    temperature?: number;
}

/** A streamed completion: the client-side sample plus what the agent turns need to continue the conversation. */
export interface StreamedCompletion extends EndpointRequestSample {
    content: string;
    toolCalls: {id: string; name: string; arguments: string}[];
    finishReason: string | null;
    /** performance.now() when the request was sent, the first and the last token arrived (for overlap across streams). */
    sentAt: number;
    firstTokenAt: number;
    lastTokenAt: number;
}

interface Usage {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: {cached_tokens?: number} | null;
}

/** GET `path` under the base URL as JSON; null for a 404 (an optional endpoint such as llama-server's /props). */
export async function getEndpointJson(connection: EndpointConnection, path: string): Promise<unknown> {
    const response = await send(connection, path, {method: "GET"});
    if (response.status === 404) {
        await response.body?.cancel();
        return null;
    }
    await throwUnlessOk(response, connection, path);
    const text = await response.text();
    try {
        return JSON.parse(text);
    } catch {
        throw new EndpointError("ENDPOINT_REJECTED", `${connection.baseUrl}${path} answered with something that is not JSON: ${text.slice(0, 120)}`);
    }
}

/**
 * Sends one chat completion with `stream: true` and times it as an agent sees it: time to the first
 * streamed token, every token after it, the stream's end. Usage and llama-server-style `timings`
 * are read when the server sends them.
 */
export async function streamChatCompletion(connection: EndpointConnection, body: ChatCompletionBody): Promise<StreamedCompletion> {
    const sentAt = performance.now();
    const response = await postForEventStream(connection, "/chat/completions", {...body, stream: true, stream_options: {include_usage: true}});
    const clock = new ArrivalClock();
    let content = "";
    let finishReason: string | null = null;
    // Filled by the event handler (a closure, so kept in an object the compiler does not narrow to null).
    const reported: {usage: Usage | null; timings: Record<string, number> | null} = {usage: null, timings: null};
    const toolCalls: {id: string; name: string; arguments: string}[] = [];
    let done = false;

    const onEvent = (data: string) => {
        if (data === "[DONE]") {
            done = true;
            return;
        }
        const chunk: {
            error?: {message?: string} | string;
            choices?: {delta?: {content?: string | null; reasoning_content?: string | null; tool_calls?: {index?: number; id?: string; function?: {name?: string; arguments?: string}}[]}; finish_reason?: string | null}[];
            usage?: Usage;
            timings?: Record<string, number>;
        } = parseStreamEvent(connection, data);
        if (chunk.error) {
            const message = typeof chunk.error === "string" ? chunk.error : (chunk.error.message ?? JSON.stringify(chunk.error));
            throw new EndpointError("ENDPOINT_REJECTED", `${connection.baseUrl} stopped the stream with an error: ${message}`);
        }
        if (chunk.usage) reported.usage = chunk.usage;
        if (chunk.timings && typeof chunk.timings === "object") reported.timings = chunk.timings;
        for (const choice of chunk.choices ?? []) {
            const delta = choice.delta ?? {};
            const text = (delta.content ?? "") + (delta.reasoning_content ?? "");
            if (text !== "" || delta.tool_calls?.length) clock.arrive();
            content += delta.content ?? "";
            for (const call of delta.tool_calls ?? []) {
                const index = call.index ?? toolCalls.length;
                toolCalls[index] ??= {id: call.id ?? `call_${index}`, name: "", arguments: ""};
                if (call.id) toolCalls[index].id = call.id;
                toolCalls[index].name += call.function?.name ?? "";
                toolCalls[index].arguments += call.function?.arguments ?? "";
            }
            if (choice.finish_reason) finishReason = choice.finish_reason;
        }
    };

    await readServerSentEvents(response, connection, onEvent, () => done);
    if (!done && finishReason === null)
        throw new EndpointError("ENDPOINT_STREAM_INVALID", `${connection.baseUrl}'s event stream ended before the completion finished (no finish_reason and no [DONE]).`);
    const {usage, timings} = reported;
    return completionSample({
        sentAt,
        clock,
        promptTokens: usage?.prompt_tokens ?? null,
        cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? null,
        generatedTokens: usage?.completion_tokens ?? null,
        timings,
        content,
        toolCalls,
        finishReason
    });
}

/** POSTs a streamed request and returns the response once it is known to be an event stream (errors and plain JSON become coded errors). */
export async function postForEventStream(connection: EndpointConnection, path: string, body: object): Promise<Response> {
    const response = await send(connection, path, {
        method: "POST",
        headers: {"Content-Type": "application/json", Accept: "text/event-stream"},
        body: JSON.stringify(body)
    });
    await throwUnlessOk(response, connection, path);
    const contentType = response.headers.get("content-type") ?? "";
    if (!/^text\/event-stream\b/i.test(contentType)) {
        await response.body?.cancel();
        throw new EndpointError(
            "ENDPOINT_NOT_STREAMING",
            `${connection.baseUrl} answered a streamed request (stream: true) with ${contentType || "no content type"} instead of Server-Sent Events; time to first token and generation speed can only be measured on a server that streams.`
        );
    }
    return response;
}

/** One event's data as a JSON object, or ENDPOINT_STREAM_INVALID. */
export function parseStreamEvent<T extends object>(connection: EndpointConnection, data: string): T {
    let parsed: unknown;
    try {
        parsed = JSON.parse(data);
    } catch {
        throw new EndpointError("ENDPOINT_STREAM_INVALID", `${connection.baseUrl} sent a stream event that is not JSON: ${JSON.stringify(data.slice(0, 120))}.`);
    }
    if (typeof parsed !== "object" || parsed === null)
        throw new EndpointError("ENDPOINT_STREAM_INVALID", `${connection.baseUrl} sent a stream event that is not a JSON object: ${JSON.stringify(data.slice(0, 120))}.`);
    return parsed as T;
}

/** When streamed tokens arrived: the first, the last, and how many events carried any. */
export class ArrivalClock {
    firstAt = 0;
    lastAt = 0;
    count = 0;
    arrive() {
        const now = performance.now();
        if (this.count === 0) this.firstAt = now;
        this.lastAt = now;
        this.count++;
    }
}

/**
 * The sample of a finished stream, whatever the protocol: counts the server reported (usage, else
 * llama-server's `timings`, else streamed events) and the client's timing of the tokens.
 */
export function completionSample(finished: {
    sentAt: number;
    clock: ArrivalClock;
    promptTokens: number | null;
    cachedTokens: number | null;
    generatedTokens: number | null;
    timings: Record<string, number> | null;
    content: string;
    toolCalls: StreamedCompletion["toolCalls"];
    finishReason: string | null;
}): StreamedCompletion {
    const {sentAt, clock, timings} = finished;
    const endedAt = performance.now();
    const firstTokenAt = clock.count === 0 ? endedAt : clock.firstAt;
    const lastTokenAt = clock.count === 0 ? endedAt : clock.lastAt;
    const server = serverTimings(timings);
    const generatedTokens = finished.generatedTokens ?? server?.generatedTokens ?? clock.count;
    const generationSeconds = (lastTokenAt - firstTokenAt) / 1000;
    return {
        promptTokens: finished.promptTokens ?? server?.promptTokens ?? null,
        cachedTokens: finished.cachedTokens ?? (timings && typeof timings["cache_n"] === "number" ? timings["cache_n"] : null),
        generatedTokens,
        timeToFirstTokenMs: firstTokenAt - sentAt,
        totalMs: endedAt - sentAt,
        generationTps: generatedTokens >= 2 && clock.count >= 2 && generationSeconds > 0 ? (generatedTokens - 1) / generationSeconds : null,
        server,
        content: finished.content,
        toolCalls: finished.toolCalls.filter(Boolean),
        finishReason: finished.finishReason,
        sentAt,
        firstTokenAt,
        lastTokenAt
    };
}

function serverTimings(timings: Record<string, number> | null): EndpointServerTimings | null {
    if (!timings) return null;
    const number = (key: string) => (typeof timings[key] === "number" && Number.isFinite(timings[key]) ? timings[key] : null);
    const promptN = number("prompt_n");
    const promptMs = number("prompt_ms");
    const predictedN = number("predicted_n");
    const predictedMs = number("predicted_ms");
    if (promptN === null || promptMs === null || predictedN === null || predictedMs === null) return null;
    return {promptTokens: promptN, promptMs, cachedTokens: number("cache_n") ?? 0, generatedTokens: predictedN, generationMs: predictedMs};
}

/** The key as the protocol sends it: OpenAI's bearer token, or Anthropic's `x-api-key` with the API version it speaks. */
export function authHeaders(connection: EndpointConnection): Record<string, string> {
    if (connection.protocol === "anthropic") return {"anthropic-version": "2023-06-01", ...(connection.apiKey ? {"x-api-key": connection.apiKey} : {})};
    return connection.apiKey ? {Authorization: `Bearer ${connection.apiKey}`} : {};
}

export async function send(connection: EndpointConnection, path: string, init: RequestInit): Promise<Response> {
    const timeout = AbortSignal.timeout(connection.timeoutMs ?? 300_000);
    const signal = connection.signal ? AbortSignal.any([connection.signal, timeout]) : timeout;
    try {
        return await fetch(`${connection.baseUrl}${path}`, {
            ...init,
            headers: {...(init.headers as Record<string, string>), ...authHeaders(connection)},
            signal
        });
    } catch (error) {
        if (connection.signal?.aborted) throw error;
        const cause = (error as {cause?: {code?: string; message?: string}}).cause;
        const why = timeout.aborted ? `no answer within ${Math.round((connection.timeoutMs ?? 300_000) / 1000)} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
        throw new EndpointError("ENDPOINT_UNREACHABLE", `Cannot reach ${connection.baseUrl}${path} (${why}); check the URL, that the server runs, and that this machine can reach it.`, {cause: error});
    }
}

export async function throwUnlessOk(response: Response, connection: EndpointConnection, path: string): Promise<void> {
    if (response.ok) return;
    const text = await response.text().catch(() => "");
    let message = text.slice(0, 300);
    try {
        const parsed = JSON.parse(text) as {error?: {message?: string} | string; message?: string};
        message = (typeof parsed.error === "string" ? parsed.error : parsed.error?.message) ?? parsed.message ?? message;
    } catch {
        // Not JSON: the text itself is the best explanation.
    }
    if (response.status === 401 || response.status === 403)
        throw new EndpointError(
            "ENDPOINT_UNAUTHORIZED",
            `${connection.baseUrl} refused the ${connection.apiKey ? "API key" : "request without an API key"} (HTTP ${response.status}${message ? `: ${message}` : ""}); pass the variable holding the right key with --api-key-env.`
        );
    throw new EndpointError("ENDPOINT_REJECTED", `${connection.baseUrl}${path} answered HTTP ${response.status}${message ? `: ${message}` : ""}.`);
}

/** Reads a text/event-stream body and hands each event's data to `onEvent` until the body ends or `finished()` says so. */
export async function readServerSentEvents(response: Response, connection: EndpointConnection, onEvent: (data: string) => void, finished: () => boolean): Promise<void> {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let data: string[] = [];
    const flushLine = (line: string) => {
        if (line === "") {
            if (data.length > 0) onEvent(data.join("\n"));
            data = [];
            return;
        }
        if (line.startsWith(":")) return;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") data.push(value);
    };
    try {
        while (!finished()) {
            let chunk: Awaited<ReturnType<typeof reader.read>>;
            try {
                chunk = await reader.read();
            } catch (error) {
                if (connection.signal?.aborted) throw error;
                throw new EndpointError("ENDPOINT_STREAM_INVALID", `${connection.baseUrl}'s event stream broke off: ${(error as Error).message}.`, {cause: error});
            }
            if (chunk.done) break;
            buffer += chunk.value;
            let newline: number;
            while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1 && !finished()) {
                const line = buffer.slice(0, newline);
                buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
                flushLine(line);
            }
        }
        if (!finished() && buffer !== "") flushLine(buffer);
        if (!finished()) flushLine("");
    } finally {
        await reader.cancel().catch(() => {});
    }
}
