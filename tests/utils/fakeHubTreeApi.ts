import http from "node:http";
import type {AddressInfo} from "node:net";

/** A file as the Hugging Face Hub's tree API lists it. */
export interface FakeHubFile {
    path: string;
    size: number;
    /** SHA-256 of the content; present for files stored in Git LFS (every GGUF). */
    sha256?: string;
}

export interface FakeHuggingFace extends AsyncDisposable {
    /** Base URL to use as HF_ENDPOINT. */
    url: string;
    requests: string[];
}

/**
 * A local server speaking the Hub API's file-listing protocol: `GET /api/models/{owner}/{repo}/tree/main?recursive=true`
 * answers a JSON array of `{type, oid, size, path, lfs?: {oid, size, pointerSize}}`, paginated with a
 * `Link: <…>; rel="next"` header after `pageSize` entries, as huggingface.co does. A repository
 * mapped to a status code answers with that status.
 */
export async function startFakeHuggingFace(repos: Record<string, FakeHubFile[] | number>, options: {pageSize?: number} = {}): Promise<FakeHuggingFace> {
    const pageSize = options.pageSize ?? 1000;
    const requests: string[] = [];
    const server = http.createServer((request, response) => {
        requests.push(request.url ?? "");
        const url = new URL(request.url ?? "/", "http://hub");
        const match = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/main$/.exec(url.pathname);
        const repo = match ? repos[match[1]!] : undefined;
        if (!match || repo === undefined) {
            response.writeHead(404, {"Content-Type": "application/json"}).end(JSON.stringify({error: "Repository not found"}));
            return;
        }
        if (typeof repo === "number") {
            response.writeHead(repo, {"Content-Type": "application/json"}).end(JSON.stringify({error: `status ${repo}`}));
            return;
        }
        const start = Number(url.searchParams.get("cursor") ?? 0);
        const page = repo.slice(start, start + pageSize).map((file) => ({
            type: "file",
            oid: "0".repeat(40),
            size: file.size,
            path: file.path,
            ...(file.sha256 ? {lfs: {oid: file.sha256, size: file.size, pointerSize: 135}} : {})
        }));
        const headers: Record<string, string> = {"Content-Type": "application/json"};
        if (start + pageSize < repo.length) headers.Link = `<${url.pathname}?recursive=true&cursor=${start + pageSize}>; rel="next"`;
        response.writeHead(200, headers).end(JSON.stringify(page));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const {port} = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        async [Symbol.asyncDispose]() {
            server.closeAllConnections();
            await new Promise((resolve) => server.close(resolve));
        }
    };
}
