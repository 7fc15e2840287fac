import type {EndpointProtocol} from "../../api/EndpointsApi.ts";
import {errorMessage} from "../../shared/AppError.ts";
import {EndpointError} from "./EndpointError.ts";
import {getEndpointJson, type EndpointConnection} from "./streamChatCompletion.ts";

/** Anthropic's base URLs name no version ("https://api.anthropic.com"); its paths start at /v1. */
export const protocolBaseUrl = (baseUrl: string, protocol: EndpointProtocol) => (protocol === "anthropic" && !/\/v\d+$/.test(baseUrl) ? `${baseUrl}/v1` : baseUrl);

const attempts: {protocol: EndpointProtocol; how: string}[] = [
    {protocol: "openai", how: "OpenAI (Authorization: Bearer)"},
    {protocol: "anthropic", how: "Anthropic (x-api-key, anthropic-version)"}
];

/**
 * The protocol a server speaks when the user named none: OpenAI's `GET /models` first, then
 * Anthropic's (its headers, under /v1). The first that lists models wins. When neither does, a
 * refused key is the error (whichever protocol refused it, the key is what to fix); otherwise the
 * error says what each answered. Unreachable is said at once (the other would not answer either).
 */
export async function detectEndpointProtocol(connection: Omit<EndpointConnection, "protocol">): Promise<EndpointProtocol> {
    const outcomes: string[] = [];
    let refusedKey: unknown;
    for (const {protocol, how} of attempts) {
        const baseUrl = protocolBaseUrl(connection.baseUrl, protocol);
        try {
            const list = (await getEndpointJson({...connection, baseUrl, protocol}, "/models")) as {data?: unknown} | null;
            if (Array.isArray(list?.data)) return protocol;
            outcomes.push(`${how}: GET ${baseUrl}/models answered ${list === null ? "404" : "JSON without a model list"}`);
        } catch (error) {
            const code = (error as {code?: unknown}).code;
            if (code === "ENDPOINT_UNREACHABLE") throw error;
            if (code === "ENDPOINT_UNAUTHORIZED") refusedKey ??= error;
            outcomes.push(`${how}: GET ${baseUrl}/models failed (${errorMessage(error)})`);
        }
    }
    if (refusedKey) throw refusedKey;
    throw new EndpointError(
        "ENDPOINT_PROTOCOL_UNKNOWN",
        `${connection.baseUrl} answered neither protocol's model list. Tried ${outcomes.join("; ")}. Check the URL (an OpenAI-compatible server's usually ends in /v1) and the key, or name the protocol (--protocol openai|anthropic).`
    );
}
