import {createHash} from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type {AddressInfo} from "node:net";

/**
 * A local stand-in for Hugging Face, speaking the protocol AgentFit's production code uses:
 *
 * - hub: `GET /api/models/{repo}/revision/{rev}?blobs=true` → `{sha, siblings: [{rfilename, size, lfs: {sha256, size}}]}`;
 *   `GET|HEAD /{repo}/resolve/{rev}/{file}` → 302 to the content host with `X-Repo-Commit`, `X-Linked-Etag`
 *   (the LFS SHA-256) and `X-Linked-Size`; gated repos answer 401 `X-Error-Code: GatedRepo` without the
 *   token, unknown repos 401/404 `RepoNotFound`, unknown files 404 `EntryNotFound`.
 * - content host (another origin): Range, If-Range and ETag support, 416 past the end, and injectable
 *   faults: error statuses, dropped connections, stalls, ignored Range, missing Content-Length,
 *   throttling and wrong bytes. It also serves plain URLs at `/files/{name}`.
 */
export interface FakeRepoFile {
    /** Path inside the repository. */
    path: string;
    /** The file on disk to serve. */
    source: string;
    /** SHA-256 the hub publishes; default the real one. */
    publishedSha256?: string;
}

export interface FakeRepo {
    files: FakeRepoFile[];
    /** Requires `Authorization: Bearer <token>`. */
    gated?: boolean;
}

export interface Fault {
    /** File path in its repository, or the name under /files/. */
    file: string;
    /** How many requests it applies to. Default 1. */
    times?: number;
    status?: number;
    /** Send this many body bytes, then destroy the connection. */
    dropAfterBytes?: number;
    /** Send this many body bytes, then go silent (the connection stays open). */
    stallAfterBytes?: number;
    ignoreRange?: boolean;
    noContentLength?: boolean;
    /** Wait this long before answering at all (a server slow to respond). */
    delayHeadersMs?: number;
    /** Throttle the body to this rate. */
    bytesPerSecond?: number;
    /** Flip one byte at this absolute offset of the file. */
    corruptAt?: number;
}

export interface FakeRequest {
    host: "hub" | "content";
    method: string;
    path: string;
    range?: string;
    ifRange?: string;
    authorization?: string;
    status: number;
    bytesSent: number;
}

export interface FakeHuggingFace extends AsyncDisposable {
    /** Base URL of the hub (what HF_ENDPOINT points to). */
    endpoint: string;
    /** Base URL of the content host. */
    contentUrl: string;
    requests: FakeRequest[];
    faults: Fault[];
    /** Accepted token for gated repositories. */
    token: string;
    /** Body bytes the content host sent for a file. */
    bytesSent(file: string): number;
    /** Adds or replaces files served at /files/{name}. */
    serve(name: string, source: string): void;
}

interface Blob {
    data: Buffer;
    sha256: string;
    etag: string;
}

export async function startFakeHuggingFace(options: {repos: Record<string, FakeRepo>; token?: string}): Promise<FakeHuggingFace> {
    const token = options.token ?? "hf_test_token";
    const load = (source: string): Blob => {
        const data = fs.readFileSync(source);
        const sha256 = createHash("sha256").update(data).digest("hex");
        return {data, sha256, etag: `"${sha256}"`};
    };
    const repoBlobs = new Map<string, Map<string, Blob>>();
    for (const [repo, spec] of Object.entries(options.repos)) {
        const files = new Map<string, Blob>();
        for (const f of spec.files) files.set(f.path, load(f.source));
        repoBlobs.set(repo, files);
    }
    const commitOf = (repo: string) => createHash("sha1").update(repo).digest("hex");
    const requests: FakeRequest[] = [];
    const faults: Fault[] = [];
    let contentUrl = "";

    const authorized = (request: http.IncomingMessage) => request.headers.authorization === `Bearer ${token}`;
    const hubError = (response: http.ServerResponse, status: number, code: string, message: string) =>
        response.writeHead(status, {"Content-Type": "application/json", "X-Error-Code": code, "X-Error-Message": message}).end(JSON.stringify({error: message}));

    const hub = http.createServer((request, response) => {
        const url = new URL(request.url ?? "/", "http://x");
        const record: FakeRequest = {host: "hub", method: request.method ?? "GET", path: url.pathname, authorization: request.headers.authorization, status: 0, bytesSent: 0};
        requests.push(record);
        response.on("finish", () => (record.status = response.statusCode));
        const api = /^\/api\/models\/([^/]+\/[^/]+)(?:\/revision\/([^/]+))?$/.exec(url.pathname);
        const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
        const repo = decodeURIComponent((api ?? resolve)?.[1] ?? "");
        const spec = options.repos[repo];
        if (!api && !resolve) return hubError(response, 404, "NotFound", "Not Found");
        if (!spec) return hubError(response, authorized(request) ? 404 : 401, "RepoNotFound", "Repository not found");
        if (spec.gated && !authorized(request))
            return hubError(response, 401, "GatedRepo", `Access to model ${repo} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
        const revision = decodeURIComponent((api ? api[2] : resolve![2]) ?? "main");
        if (revision !== "main" && revision !== commitOf(repo)) return hubError(response, 404, "RevisionNotFound", "Invalid rev id");
        if (api) {
            const siblings = spec.files.map((f) => {
                const blob = repoBlobs.get(repo)!.get(f.path)!;
                return {rfilename: f.path, size: blob.data.length, blobId: commitOf(f.path), lfs: {sha256: f.publishedSha256 ?? blob.sha256, size: blob.data.length, pointerSize: 134}};
            });
            return response.writeHead(200, {"Content-Type": "application/json"}).end(JSON.stringify({id: repo, sha: commitOf(repo), private: false, gated: spec.gated ? "manual" : false, siblings}));
        }
        const filePath = resolve![3]!.split("/").map(decodeURIComponent).join("/");
        const file = spec.files.find((f) => f.path === filePath);
        if (!file) return hubError(response, 404, "EntryNotFound", `${filePath} does not exist on "${revision}"`);
        const blob = repoBlobs.get(repo)!.get(filePath)!;
        response
            .writeHead(302, {
                Location: `${contentUrl}/blobs/${encodeURIComponent(repo)}/${encodeURIComponent(filePath)}?X-Amz-Signature=fake`,
                "X-Repo-Commit": commitOf(repo),
                "X-Linked-Etag": `"${file.publishedSha256 ?? blob.sha256}"`,
                "X-Linked-Size": String(blob.data.length),
                ETag: `"${commitOf(filePath)}"`
            })
            .end();
    });

    const plainFiles = new Map<string, Blob>();
    const content = http.createServer(async (request, response) => {
        const url = new URL(request.url ?? "/", "http://x");
        const record: FakeRequest = {
            host: "content",
            method: request.method ?? "GET",
            path: url.pathname,
            range: request.headers.range,
            ifRange: request.headers["if-range"] as string | undefined,
            authorization: request.headers.authorization,
            status: 0,
            bytesSent: 0
        };
        requests.push(record);
        response.on("finish", () => (record.status = response.statusCode));
        const blobPath = /^\/blobs\/([^/]+)\/([^/]+)$/.exec(url.pathname);
        const plain = /^\/files\/(.+)$/.exec(url.pathname);
        const name = blobPath ? decodeURIComponent(blobPath[2]!) : plain ? decodeURIComponent(plain[1]!) : "";
        const blob = blobPath ? repoBlobs.get(decodeURIComponent(blobPath[1]!))?.get(name) : plainFiles.get(name);
        if (!blob) return void response.writeHead(404, {"Content-Type": "text/plain"}).end("Not Found");

        const faultIndex = request.method === "GET" ? faults.findIndex((f) => f.file === name) : -1;
        const fault = faultIndex >= 0 ? faults[faultIndex]! : undefined;
        if (fault) {
            fault.times = (fault.times ?? 1) - 1;
            if (fault.times <= 0) faults.splice(faultIndex, 1);
        }
        if (fault?.delayHeadersMs) await new Promise((resolve) => setTimeout(resolve, fault.delayHeadersMs));
        if (response.destroyed) return;
        if (fault?.status) return void response.writeHead(fault.status, {"Content-Type": "text/plain"}).end(`status ${fault.status}`);

        const size = blob.data.length;
        const rangeMatch = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
        const ifRange = request.headers["if-range"];
        const useRange = rangeMatch && !fault?.ignoreRange && (!ifRange || ifRange === blob.etag);
        let start = 0;
        let end = size - 1;
        if (useRange) {
            start = Number(rangeMatch[1]);
            end = rangeMatch[2] ? Math.min(Number(rangeMatch[2]), size - 1) : size - 1;
            if (start >= size) return void response.writeHead(416, {"Content-Range": `bytes */${size}`}).end();
        }
        const headers: Record<string, string> = {"Content-Type": "application/octet-stream", "Accept-Ranges": "bytes", ETag: blob.etag};
        if (!fault?.noContentLength) headers["Content-Length"] = String(end - start + 1);
        if (useRange) headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
        response.writeHead(useRange ? 206 : 200, headers);
        if (request.method === "HEAD") return void response.end();

        let body = blob.data.subarray(start, end + 1);
        if (fault?.corruptAt !== undefined && fault.corruptAt >= start && fault.corruptAt <= end) {
            body = Buffer.from(body);
            body[fault.corruptAt - start] = body[fault.corruptAt - start]! ^ 0xff;
        }
        void sendBody(response, body, fault, (n) => (record.bytesSent += n));
    });

    await Promise.all([hub, content].map((server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))));
    contentUrl = `http://127.0.0.1:${(content.address() as AddressInfo).port}`;
    return {
        endpoint: `http://127.0.0.1:${(hub.address() as AddressInfo).port}`,
        contentUrl,
        requests,
        faults,
        token,
        bytesSent: (file) => requests.filter((r) => r.host === "content" && decodeURIComponent(r.path).endsWith(`/${file}`)).reduce((sum, r) => sum + r.bytesSent, 0),
        serve: (name, source) => void plainFiles.set(name, load(source)),
        async [Symbol.asyncDispose]() {
            for (const server of [hub, content]) {
                server.closeAllConnections();
                await new Promise((resolve) => server.close(resolve));
            }
        }
    };
}

async function sendBody(response: http.ServerResponse, body: Buffer, fault: Fault | undefined, onSent: (bytes: number) => void) {
    const chunkSize = 64 * 1024;
    let closed = false;
    response.on("close", () => (closed = true));
    for (let offset = 0; offset < body.length && !closed; ) {
        let chunk = body.subarray(offset, offset + chunkSize);
        const limit = fault?.dropAfterBytes ?? fault?.stallAfterBytes;
        if (limit !== undefined && offset + chunk.length >= limit) {
            chunk = chunk.subarray(0, limit - offset);
            // Wait until the bytes are handed to the OS: destroying the socket discards what Node still buffers.
            if (chunk.length) await new Promise<void>((resolve) => response.write(chunk, () => resolve()));
            onSent(chunk.length);
            if (fault?.dropAfterBytes !== undefined) response.socket?.destroy();
            // A stall keeps the socket open and silent until the client gives up.
            return;
        }
        if (!(await write(response, chunk))) return;
        onSent(chunk.length);
        offset += chunk.length;
        if (fault?.bytesPerSecond) await new Promise((resolve) => setTimeout(resolve, (chunk.length / fault.bytesPerSecond!) * 1000));
    }
    if (!closed) response.end();
}

function write(response: http.ServerResponse, chunk: Buffer): Promise<boolean> {
    return new Promise((resolve) => {
        if (response.destroyed) return resolve(false);
        if (response.write(chunk)) resolve(true);
        else {
            const done = (ok: boolean) => {
                response.off("drain", onDrain);
                response.off("close", onClose);
                resolve(ok);
            };
            const onDrain = () => done(true);
            const onClose = () => done(false);
            response.once("drain", onDrain);
            response.once("close", onClose);
        }
    });
}
