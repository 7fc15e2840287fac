import fs from "node:fs";
import http from "node:http";
import type {AddressInfo} from "node:net";

export interface ServedRequest {
    method: string;
    url: string;
    range: string | undefined;
    /** Body bytes sent back. */
    bytesSent: number;
}

export interface FileServer extends AsyncDisposable {
    url: string;
    requests: ServedRequest[];
    totalBytesSent(): number;
}

/**
 * A static file server with HTTP Range support, for reading GGUF headers remotely in tests.
 * `routes` maps a URL path (without query) to a file path, or to a status code to answer with.
 */
export async function serveFiles(routes: Record<string, string | number>): Promise<FileServer> {
    const requests: ServedRequest[] = [];
    const server = http.createServer((request, response) => {
        const pathname = new URL(request.url ?? "/", "http://x").pathname;
        const record: ServedRequest = {method: request.method ?? "GET", url: request.url ?? "", range: request.headers.range, bytesSent: 0};
        requests.push(record);
        const route = routes[pathname];
        if (route === undefined || typeof route === "number") {
            response.writeHead(route ?? 404, {"Content-Type": "text/plain"}).end(`status ${route ?? 404}`);
            return;
        }
        const size = fs.statSync(route).size;
        const match = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
        let start = 0;
        let end = size - 1;
        if (match) {
            start = Number(match[1]);
            end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
            if (start >= size) {
                response.writeHead(416, {"Content-Range": `bytes */${size}`}).end();
                return;
            }
        }
        const length = end - start + 1;
        response.writeHead(match ? 206 : 200, {
            "Content-Type": "application/octet-stream",
            "Content-Length": String(length),
            "Accept-Ranges": "bytes",
            ...(match ? {"Content-Range": `bytes ${start}-${end}/${size}`} : {})
        });
        if (request.method === "HEAD") return response.end();
        record.bytesSent = length;
        fs.createReadStream(route, {start, end}).pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const {port} = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        totalBytesSent: () => requests.reduce((sum, r) => sum + r.bytesSent, 0),
        async [Symbol.asyncDispose]() {
            server.closeAllConnections();
            await new Promise((resolve) => server.close(resolve));
        }
    };
}
