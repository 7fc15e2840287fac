import http from "node:http";

export interface RawResponse {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
    json(): unknown;
}

/**
 * One HTTP request with full control of the headers (fetch forbids setting Host), on a connection of
 * its own: never a pooled keep-alive socket a server may just have closed ("socket hang up" instead
 * of the answer or refusal under test).
 */
export function rawHttp(
    url: string,
    options: {method?: string; headers?: Record<string, string>; body?: string | Buffer} = {}
): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
        const request = http.request(url, {method: options.method ?? "GET", headers: options.headers, agent: false}, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => {
                const body = Buffer.concat(chunks).toString("utf8");
                resolve({status: response.statusCode ?? 0, headers: response.headers, body, json: () => JSON.parse(body)});
            });
            response.on("error", reject);
        });
        request.on("error", reject);
        if (options.body !== undefined) request.write(options.body);
        request.end();
    });
}
