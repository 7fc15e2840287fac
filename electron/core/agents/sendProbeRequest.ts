import type {AgentConnectionTest, AgentProtocol} from "../../api/AgentsApi.ts";
import {rootUrl} from "./CodingAgent.ts";

/** What one probe request found: the connection test's answer without who was tested and how long it took. */
export type ProbeAnswer = Pick<AgentConnectionTest, "ok" | "request" | "requestBody" | "status" | "message" | "events">;

const PROMPT = "Reply with the single word: ready";
const MAX_TOKENS = 16;

interface ProbeRequest {
    url: string;
    headers: Record<string, string>;
    body: object;
    /** The answer's text from its events; `ended` once the protocol's last event arrived. */
    read(events: {event: string | null; data: string}[]): {text: string; ended: boolean};
}

/**
 * One short request in a protocol, shaped and streamed the way the agents speaking it send theirs
 * (Claude Code: `/v1/messages?beta=true`, Codex: `/v1/responses`, the others: chat completions),
 * and what came back: the status, the streamed text, whether the stream ended the protocol's way.
 */
export async function sendProbeRequest(
    protocol: AgentProtocol,
    target: {baseUrl: string; model: string; apiKey: string},
    options: {timeoutMs?: number} = {}
): Promise<ProbeAnswer> {
    const request = probeRequest(protocol, target);
    const label = `POST ${request.url}`;
    const requestBody = JSON.stringify(request.body, null, 2);
    const response = await fetch(request.url, {
        method: "POST",
        headers: {"content-type": "application/json", accept: "text/event-stream", ...request.headers},
        body: JSON.stringify(request.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 120_000)
    });
    const text = await response.text();
    const answer = {request: label, requestBody, status: response.status};
    if (!response.ok) return {...answer, ok: false, events: 0, message: errorText(text) ?? (text.slice(0, 500) || response.statusText)};
    if (!/^text\/event-stream/.test(response.headers.get("content-type") ?? ""))
        return {...answer, ok: false, events: 0, message: `Expected a stream of server-sent events, got ${response.headers.get("content-type") ?? "no content type"}: ${text.slice(0, 300)}`};
    const events = parseEventStream(text);
    const error = events.find((e) => e.event === "error" || /^\{"(type":"error"|error")/.test(e.data));
    if (error) return {...answer, ok: false, events: events.length, message: errorText(error.data) ?? error.data.slice(0, 500)};
    let read: {text: string; ended: boolean};
    try {
        read = request.read(events);
    } catch {
        return {...answer, ok: false, events: events.length, message: `The stream is not in the ${protocol} shape: ${text.slice(0, 300)}`};
    }
    if (!read.ended) return {...answer, ok: false, events: events.length, message: `The stream ended without its last event: ${text.slice(-300)}`};
    return {...answer, ok: true, events: events.length, message: read.text.slice(0, 500)};
}

function probeRequest(protocol: AgentProtocol, target: {baseUrl: string; model: string; apiKey: string}): ProbeRequest {
    const base = target.baseUrl.replace(/\/+$/, "");
    const json = (data: string) => JSON.parse(data) as Record<string, unknown> & {type?: string};
    if (protocol === "anthropic-messages")
        return {
            url: `${rootUrl(base)}/v1/messages?beta=true`,
            headers: {authorization: `Bearer ${target.apiKey}`, "anthropic-version": "2023-06-01"},
            body: {model: target.model, max_tokens: MAX_TOKENS, stream: true, messages: [{role: "user", content: [{type: "text", text: PROMPT}]}]},
            read(events) {
                const parsed = events.map((e) => json(e.data));
                const text = parsed.map((e) => (e.type === "content_block_delta" ? ((e.delta as {text?: string}).text ?? "") : "")).join("");
                return {text, ended: parsed[0]?.type === "message_start" && parsed.at(-1)?.type === "message_stop"};
            }
        };
    if (protocol === "openai-responses")
        return {
            url: `${base}/responses`,
            headers: {authorization: `Bearer ${target.apiKey}`},
            body: {model: target.model, max_output_tokens: MAX_TOKENS, stream: true, store: false, input: [{type: "message", role: "user", content: [{type: "input_text", text: PROMPT}]}]},
            read(events) {
                const parsed = events.map((e) => json(e.data));
                const text = parsed.map((e) => (e.type === "response.output_text.delta" ? String(e.delta) : "")).join("");
                return {text, ended: ["response.completed", "response.incomplete"].includes(parsed.at(-1)?.type ?? "")};
            }
        };
    return {
        url: `${base}/chat/completions`,
        headers: {authorization: `Bearer ${target.apiKey}`},
        body: {model: target.model, max_tokens: MAX_TOKENS, stream: true, messages: [{role: "user", content: PROMPT}]},
        read(events) {
            const chunks = events.filter((e) => e.data !== "[DONE]").map((e) => json(e.data) as {choices: {delta: {content?: string | null}}[]});
            return {text: chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), ended: events.at(-1)?.data === "[DONE]"};
        }
    };
}

/** The events of a complete `text/event-stream` body. */
function parseEventStream(text: string): {event: string | null; data: string}[] {
    return text
        .split(/\r?\n\r?\n/)
        .map((block) => {
            const lines = block.split(/\r?\n/);
            const data = lines.filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart());
            return {event: lines.find((l) => l.startsWith("event:"))?.slice(6).trim() ?? null, data: data.join("\n")};
        })
        .filter((e) => e.data !== "");
}

/** The message of an error body in OpenAI's or Anthropic's shape. */
function errorText(body: string): string | null {
    try {
        const error = (JSON.parse(body) as {error?: {message?: unknown}}).error;
        return typeof error?.message === "string" ? error.message : null;
    } catch {
        return null;
    }
}
