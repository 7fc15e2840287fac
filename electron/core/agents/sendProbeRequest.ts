import type {AgentProtocol} from "../../api/AgentsApi.ts";
import {rootUrl} from "./CodingAgent.ts";

export interface ProbeAnswer {
    ok: boolean;
    /** e.g. "POST http://127.0.0.1:8723/v1/messages" */
    request: string;
    status: number | null;
    /** The model's text (first 500 characters), or the server's error. */
    message: string;
}

const PROMPT = "Reply with the single word: ready";

/** One short request in an agent's own protocol, as the agent would send it, and what came back. */
export async function sendProbeRequest(
    protocol: AgentProtocol,
    target: {baseUrl: string; model: string; apiKey: string},
    options: {timeoutMs?: number} = {}
): Promise<ProbeAnswer> {
    const base = target.baseUrl.replace(/\/+$/, "");
    const request: {url: string; headers: Record<string, string>; body: unknown} =
        protocol === "anthropic-messages"
            ? {
                  url: `${rootUrl(base)}/v1/messages`,
                  headers: {"x-api-key": target.apiKey, "anthropic-version": "2023-06-01"},
                  body: {model: target.model, max_tokens: 16, messages: [{role: "user", content: PROMPT}]}
              }
            : protocol === "openai-responses"
              ? {url: `${base}/responses`, headers: {authorization: `Bearer ${target.apiKey}`}, body: {model: target.model, max_output_tokens: 16, input: PROMPT}}
              : {url: `${base}/chat/completions`, headers: {authorization: `Bearer ${target.apiKey}`}, body: {model: target.model, max_tokens: 16, messages: [{role: "user", content: PROMPT}]}};
    const response = await fetch(request.url, {
        method: "POST",
        headers: {"content-type": "application/json", ...request.headers},
        body: JSON.stringify(request.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 120_000)
    });
    const text = await response.text();
    let body: unknown = null;
    try {
        body = JSON.parse(text);
    } catch {}
    const label = `POST ${request.url}`;
    if (!response.ok) return {ok: false, request: label, status: response.status, message: errorText(body) ?? text.slice(0, 500)};
    const answer = answerText(protocol, body);
    if (answer === null) return {ok: false, request: label, status: response.status, message: `The answer is not in the ${protocol} shape: ${text.slice(0, 300)}`};
    return {ok: true, request: label, status: response.status, message: answer.slice(0, 500)};
}

function errorText(body: unknown): string | null {
    const error = (body as {error?: {message?: unknown}} | null)?.error;
    return typeof error?.message === "string" ? error.message : null;
}

/** The text of a non-streamed answer in each protocol; null when the shape is not that protocol's. */
function answerText(protocol: AgentProtocol, body: unknown): string | null {
    const any = body as Record<string, unknown> | null;
    if (!any || typeof any !== "object") return null;
    if (protocol === "anthropic-messages") {
        if (!Array.isArray(any.content)) return null;
        return (any.content as {type?: string; text?: string}[]).map((block) => (block.type === "text" ? (block.text ?? "") : "")).join("");
    }
    if (protocol === "openai-responses") {
        if (!Array.isArray(any.output)) return null;
        return (any.output as {type?: string; content?: {type?: string; text?: string}[]}[])
            .flatMap((item) => (item.type === "message" ? (item.content ?? []) : []))
            .map((part) => (part.type === "output_text" ? (part.text ?? "") : ""))
            .join("");
    }
    const choices = any.choices as {message?: {content?: string | null}}[] | undefined;
    if (!Array.isArray(choices)) return null;
    return choices[0]?.message?.content ?? "";
}
