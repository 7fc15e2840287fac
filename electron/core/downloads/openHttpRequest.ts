import http, {type IncomingHttpHeaders, type IncomingMessage} from "node:http";
import https from "node:https";

export interface HttpRequestOptions {
    method?: "GET" | "HEAD";
    headers?: Record<string, string>;
    /** Sent as `Authorization: Bearer <token>`, only to `authOrigin` (never to a redirect target elsewhere). */
    token?: string | null;
    /** Origin (scheme://host:port) allowed to receive the token. */
    authOrigin?: string | null;
    /** Redirects to follow. Default 10. */
    maxRedirects?: number;
    /** How long to wait for response headers, ms. Default 30 000. */
    headersTimeoutMs?: number;
    signal?: AbortSignal;
}

export interface HttpResponse {
    status: number;
    headers: IncomingHttpHeaders;
    /** URL that answered (after redirects). */
    url: string;
    /** Headers of each redirect answer, in order: Hugging Face puts file metadata there. */
    redirects: IncomingHttpHeaders[];
    body: IncomingMessage;
    /** Stops the transfer and frees the socket. */
    destroy(error?: Error): void;
}

const agents = {http: new http.Agent({keepAlive: true}), https: new https.Agent({keepAlive: true})};

/**
 * One HTTP(S) request whose body is left to the caller as a stream, following redirects by hand so
 * the token never leaves its origin and the redirect responses' headers stay readable.
 */
export async function openHttpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
    const redirects: IncomingHttpHeaders[] = [];
    let current = url;
    for (let hop = 0; ; hop++) {
        const response = await requestOnce(current, options);
        const location = response.headers.location;
        if (response.statusCode && [301, 302, 303, 307, 308].includes(response.statusCode) && location) {
            response.resume();
            if (hop >= (options.maxRedirects ?? 10)) throw Object.assign(new Error(`Too many redirects from ${url}`), {code: "ETOOMANYREDIRECTS"});
            redirects.push(response.headers);
            current = new URL(location, current).toString();
            continue;
        }
        return {
            status: response.statusCode ?? 0,
            headers: response.headers,
            url: current,
            redirects,
            body: response,
            destroy: (error) => response.destroy(error)
        };
    }
}

function requestOnce(url: string, options: HttpRequestOptions): Promise<IncomingMessage> {
    const target = new URL(url);
    const isHttps = target.protocol === "https:";
    if (!isHttps && target.protocol !== "http:") return Promise.reject(new Error(`Unsupported URL scheme in ${url}`));
    const headers: Record<string, string> = {"Accept-Encoding": "identity", ...options.headers};
    if (options.token && options.authOrigin && target.origin === options.authOrigin) headers.Authorization = `Bearer ${options.token}`;
    return new Promise((resolve, reject) => {
        const request = (isHttps ? https : http).request(target, {method: options.method ?? "GET", headers, agent: isHttps ? agents.https : agents.http, signal: options.signal});
        const timer = setTimeout(
            () => request.destroy(Object.assign(new Error(`No answer from ${target.host} within ${options.headersTimeoutMs ?? 30_000} ms`), {code: "ETIMEDOUT"})),
            options.headersTimeoutMs ?? 30_000
        );
        request.once("response", (response) => {
            clearTimeout(timer);
            resolve(response);
        });
        request.once("error", (error) => {
            clearTimeout(timer);
            reject(error);
        });
        request.end();
    });
}

/** Reads a whole (small) body as text, e.g. a JSON API answer. Limit in bytes, default 16 MiB. */
export async function readBodyText(response: HttpResponse, limit = 16 * 1024 * 1024): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limit) {
            response.destroy();
            throw new Error(`The answer from ${response.url} is larger than ${limit} bytes`);
        }
        chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString("utf8");
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
    const value = headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
}
