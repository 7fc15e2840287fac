import {describe, expect, it} from "vitest";
import fs from "node:fs";
import http from "node:http";
import type {AddressInfo} from "node:net";
import path from "node:path";
import type {EndpointBenchRun, EndpointProtocol} from "../../electron/api/EndpointsApi.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {startApp} from "../utils/startApp.ts";
import {startStreamingOpenAiServer, type StreamingServerMode} from "../../testkit/streamingOpenAiServer.ts";
import {runCli} from "../utils/runCli.ts";

/** Polls until the run has ended (generous deadline: the machine is shared). */
async function waitForRun(client: ApiClient, runId: number): Promise<EndpointBenchRun> {
    let run: EndpointBenchRun | undefined;
    await expect
        .poll(async () => (run = await client.call("endpoints.run", {runId})).status, {timeout: 120_000, interval: 200})
        .not.toBe("running");
    return run!;
}

/** Every file under the data folder as text (the SQLite file, its WAL and anything else written there). */
function readDataFolder(dir: string): string {
    return fs
        .readdirSync(dir, {recursive: true, withFileTypes: true})
        .filter((entry) => entry.isFile())
        .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name)).toString("latin1"))
        .join("\n");
}

const quick = {promptSizes: [64, 256], repetitions: 1, generatedTokens: 16, agentTurns: 3, concurrency: [1, 2], concurrencyTokens: 8};

describe("endpoint benchmark against OpenAI-protocol servers", () => {
    it("measures a server without a prefix cache and says so, stored under the endpoint's own key", async () => {
        await using app = await startApp();
        await using server = await startStreamingOpenAiServer({msPer100PromptChars: 3});
        const started = await app.client.call("endpoints.bench", {baseUrl: `${server.baseUrl}/`, model: "remote-model", ...quick});
        expect(started.status).toBe("running");
        const run = await waitForRun(app.client, started.id);
        expect(run.status).toBe("completed");
        expect(run.endpointKey).toBe(`endpoint:${server.baseUrl}`);
        expect(run.server).toMatchObject({kind: "openai-compatible", models: ["remote-model"], parallelSlots: null});
        expect(run.phasesDone).toEqual(["ttft", "generation", "agent", "concurrency"]);
        // No usage in the stream: tokens are counted from the streamed chunks, and no server timings are claimed.
        expect(run.generation[0]!.generatedTokens).toBe(16);
        expect(run.summary.serverGenerationTps).toBeNull();
        expect(run.agent!.prefixCache).toMatchObject({status: "not-detected", evidence: "timing", reportedCachedShare: null});
        expect(run.agent!.turns).toHaveLength(3);
        expect(run.concurrency.map((c) => c.streams)).toEqual([1, 2]);
        // Nothing of the endpoint mixes into this machine's benchmark results.
        expect(await app.client.call("bench.runs", {})).toEqual([]);
        expect(await app.client.call("bench.latest", {})).toEqual([]);
        // The Verdict judges the server on what was measured there, and keeps it out of this machine's answer.
        const verdict = await app.client.call("verdict.get", {});
        expect(verdict.local).toEqual([]);
        expect(verdict.answer.verdict).toBe("untested");
        expect(verdict.servers).toHaveLength(1);
        expect(verdict.servers[0]).toMatchObject({baseUrl: server.baseUrl, model: "remote-model", verdict: "untested", runId: run.id});
        expect(verdict.servers[0]!.headline).toMatch(/^On this server: not evaluated yet/);
        expect(verdict.servers[0]!.criteria.map((c) => [c.id, c.status])).toEqual([
            ["fit", "pass"],
            ["success", "unknown"],
            ["generation", "pass"],
            ["turn", "pass"]
        ]);
    });

    it("measures through Anthropic Messages with a key kept only in memory, and lists the endpoint's models on connect", async () => {
        await using app = await startApp();
        const key = "sk-ant-memory-only-4711";
        await using server = await startStreamingOpenAiServer({apiKey: key, msPer100PromptChars: 3});
        // Anthropic's convention: the base URL without /v1.
        const root = server.baseUrl.replace(/\/v1$/, "");
        const connected = await app.client.call("endpoints.connect", {baseUrl: root, protocol: "anthropic", apiKey: key});
        expect(connected).toMatchObject({baseUrl: server.baseUrl, protocol: "anthropic", models: ["remote-model"], server: {kind: "openai-compatible", models: ["remote-model"]}});
        await expect(app.client.call("endpoints.connect", {baseUrl: root, protocol: "anthropic", apiKey: "sk-wrong"})).rejects.toMatchObject({code: "ENDPOINT_UNAUTHORIZED"});
        await expect(app.client.call("endpoints.connect", {baseUrl: root, apiKey: key, apiKeyEnv: "REMOTE_KEY"})).rejects.toMatchObject({
            code: "ENDPOINT_BENCH_INVALID",
            message: expect.stringContaining("not both")
        });

        const started = await app.client.call("endpoints.bench", {baseUrl: root, protocol: "anthropic", apiKey: key, model: "remote-model", ...quick});
        const run = await waitForRun(app.client, started.id);
        expect(run.error).toBeNull();
        expect(run.status).toBe("completed");
        expect(run.spec).toMatchObject({baseUrl: server.baseUrl, protocol: "anthropic", apiKeyEnv: null, apiKeyInMemory: true});
        expect(run.endpointKey).toBe(`endpoint:${server.baseUrl}`);
        const chats = server.requests.filter((r) => r.path !== "/v1/models");
        expect(chats.length).toBeGreaterThan(5);
        // Every measured request went through /v1/messages with Anthropic's key header, none through chat completions.
        expect(chats.every((r) => r.path === "/v1/messages" && r.xApiKey === key && r.authorization === undefined)).toBe(true);
        // Anthropic's usage counts the tokens (input_tokens, output_tokens), not the client.
        expect(run.generation[0]!.generatedTokens).toBe(16);
        expect(run.ttft.every((t) => t.promptTokens !== null && t.promptTokens > 0)).toBe(true);
        expect(run.summary.generationTps).toBeGreaterThan(0);
        // No cache_read_input_tokens and no faster warm turns: no prefix cache, judged by timing.
        expect(run.agent!.prefixCache).toMatchObject({status: "not-detected", evidence: "timing"});
        expect(run.concurrency.map((c) => c.streams)).toEqual([1, 2]);
        // The server's metadata (read on connect and before the run) was asked with Anthropic's header too: the key never went out as a bearer token.
        expect(server.keyHeaders.filter((r) => !r.path.startsWith("/v1/messages")).length).toBeGreaterThan(1);
        expect(server.keyHeaders.filter((r) => r.authorization?.includes(key))).toEqual([]);
        // The key lived in memory only: not in the run, not in the data folder.
        expect(JSON.stringify(await app.client.call("endpoints.runs", {}))).not.toContain(key);
        expect(readDataFolder(app.home.home)).not.toContain(key);
    });

    it("detects the protocol when none is named (OpenAI's model list, then Anthropic's), says what it tried when neither answers, and uses a named one as named", async () => {
        await using app = await startApp();
        await using openaiOnly = await startStreamingOpenAiServer({speaks: "openai"});
        const key = "sk-ant-detect-1";
        await using anthropicOnly = await startStreamingOpenAiServer({speaks: "anthropic", apiKey: key});

        expect(await app.client.call("endpoints.connect", {baseUrl: openaiOnly.baseUrl})).toMatchObject({protocol: "openai", baseUrl: openaiOnly.baseUrl, models: ["remote-model"]});
        // Anthropic's convention, the base URL without /v1: its model list is asked under /v1 with its headers.
        const root = anthropicOnly.baseUrl.replace(/\/v1$/, "");
        expect(await app.client.call("endpoints.connect", {baseUrl: root, apiKey: key})).toMatchObject({protocol: "anthropic", baseUrl: anthropicOnly.baseUrl, models: ["remote-model"]});
        const started = await app.client.call("endpoints.bench", {baseUrl: root, apiKey: key, model: "remote-model", ...quick});
        const run = await waitForRun(app.client, started.id);
        expect(run).toMatchObject({status: "completed", error: null, spec: {protocol: "anthropic", baseUrl: anthropicOnly.baseUrl}});
        expect(anthropicOnly.requests.every((r) => r.path === "/v1/messages")).toBe(true);
        // A key neither protocol takes is the error, whichever protocol refused it.
        await expect(app.client.call("endpoints.connect", {baseUrl: root, apiKey: "sk-wrong"})).rejects.toMatchObject({code: "ENDPOINT_UNAUTHORIZED"});

        // Named, the protocol is used as named: no OpenAI request goes out first.
        const asked = openaiOnly.keyHeaders.length;
        expect(await app.client.call("endpoints.connect", {baseUrl: openaiOnly.baseUrl, protocol: "anthropic"})).toMatchObject({protocol: "anthropic"});
        expect(openaiOnly.keyHeaders.length).toBeGreaterThan(asked);

        // A server speaking neither: what was tried, and how to go on.
        const neither = http.createServer((_request, response) => response.writeHead(404).end("not here"));
        await new Promise<void>((resolve) => neither.listen(0, "127.0.0.1", resolve));
        try {
            const url = `http://127.0.0.1:${(neither.address() as AddressInfo).port}`;
            await expect(app.client.call("endpoints.bench", {baseUrl: url, model: "m", ...quick})).rejects.toMatchObject({
                code: "ENDPOINT_PROTOCOL_UNKNOWN",
                message: `${url} answered neither protocol's model list. Tried OpenAI (Authorization: Bearer): GET ${url}/models answered 404; Anthropic (x-api-key, anthropic-version): GET ${url}/v1/models answered 404. Check the URL (an OpenAI-compatible server's usually ends in /v1) and the key, or name the protocol (--protocol openai|anthropic).`
            });
        } finally {
            neither.close();
        }
        expect((await app.client.call("endpoints.runs", {})).map((r) => r.id)).toEqual([run.id]);
    });

    it("never repeats an API key: not in validation messages, not when a server echoes the key it refused, not in runs, events or the data folder", async () => {
        const key = "sk-distinct-5f0c1e9a7b";
        await using app = await startApp({service: {evalEnv: {ECHOED_KEY: key}}});
        const seen: string[] = [];
        app.service.events.subscribe((event, payload) => seen.push(`${event} ${JSON.stringify(payload)}`));
        const failures: string[] = [];
        const refused = async (call: Promise<unknown>, code: string) => {
            const error = (await call.then(
                () => undefined,
                (e: unknown) => e
            )) as {code?: string; message?: string} | undefined;
            expect(error?.code).toBe(code);
            failures.push(error!.message!);
        };

        // Values a check refuses: named, never repeated.
        await refused(app.client.call("endpoints.connect", {baseUrl: "http://127.0.0.1:9/v1", apiKey: key + "x".repeat(5000)}), "ENDPOINT_BENCH_INVALID");
        await refused(app.client.call("endpoints.connect", {baseUrl: "http://127.0.0.1:9/v1", apiKey: key, apiKeyEnv: "ECHOED_KEY"}), "ENDPOINT_BENCH_INVALID");
        await refused(app.client.call("engine.start", {model: "tiny", server: {apiKey: `${key} with spaces`}}), "ENGINE_SERVER_INVALID");
        await refused(app.client.call("eval.setApiKey", {provider: "openai", apiKey: key + "y".repeat(5000)}), "INVALID_ARGUMENT");
        // A server that repeats the key it refused, through every way a key reaches it.
        const echo = http.createServer((request, response) => {
            const given = request.headers["x-api-key"] ?? request.headers.authorization ?? "";
            response.writeHead(401, {"Content-Type": "application/json"}).end(JSON.stringify({error: {message: `Incorrect API key provided: ${String(given)}`}}));
        });
        await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
        try {
            const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/v1`;
            for (const protocol of [undefined, "openai", "anthropic"] as const) {
                await refused(app.client.call("endpoints.connect", {baseUrl: url, protocol, apiKey: key}), "ENDPOINT_UNAUTHORIZED");
                await refused(app.client.call("endpoints.bench", {baseUrl: url, protocol, apiKeyEnv: "ECHOED_KEY", model: "m", ...quick}), "ENDPOINT_UNAUTHORIZED");
            }
            const cli = await runCli(["bench", "--base-url", url, "--model", "m", "--api-key-env", "ECHOED_KEY"], {...app.home.env, ECHOED_KEY: key});
            expect(cli.code).not.toBe(0);
            failures.push(cli.stdout + cli.stderr);
        } finally {
            echo.close();
        }
        const cliServe = await runCli(["serve", "--model", "tiny", "--api-key", `${key} with spaces`, "--port", "0"], app.home.env);
        expect(cliServe.stderr).toContain("error [ENGINE_SERVER_INVALID]");
        failures.push(cliServe.stdout + cliServe.stderr);

        // Said in words where the value would have been.
        expect(failures[0]).toBe("apiKey must be at most 4096 characters (the value is a secret, so it is not repeated here).");
        expect(failures).toContainEqual(expect.stringContaining("Incorrect API key provided: Bearer (the API key)"));
        expect(failures).toContainEqual(expect.stringContaining("Incorrect API key provided: (the API key)"));
        for (const message of failures) expect(message).not.toContain(key);
        expect(seen.join("\n")).not.toContain(key);
        expect(JSON.stringify(await app.client.call("endpoints.runs", {}))).not.toContain(key);
        expect(readDataFolder(app.home.home)).not.toContain(key);
    });

    it.each<[string, StreamingServerMode, string, EndpointProtocol]>([
        ["answers a streamed request with plain JSON", "json", "ENDPOINT_NOT_STREAMING", "openai"],
        ["sends an event that is not JSON", "malformed", "ENDPOINT_STREAM_INVALID", "openai"],
        ["ends the stream before the completion finishes", "truncated", "ENDPOINT_STREAM_INVALID", "openai"],
        ["answers a streamed Messages request with plain JSON", "json", "ENDPOINT_NOT_STREAMING", "anthropic"],
        ["sends a Messages event that is not JSON", "malformed", "ENDPOINT_STREAM_INVALID", "anthropic"],
        ["ends the Messages stream before message_stop", "truncated", "ENDPOINT_STREAM_INVALID", "anthropic"]
    ])("refuses a server that %s with a coded error and stores nothing", async (_what, mode, code, protocol) => {
        await using app = await startApp();
        await using server = await startStreamingOpenAiServer({mode});
        await expect(app.client.call("endpoints.bench", {baseUrl: server.baseUrl, protocol, model: "remote-model", ...quick})).rejects.toMatchObject({code});
        expect(await app.client.call("endpoints.runs", {})).toEqual([]);
    });

    it("refuses unreachable servers, wrong or missing keys and unknown models before storing anything", async () => {
        await using app = await startApp({service: {evalEnv: {REMOTE_KEY: "sk-wrong", EMPTY_KEY: ""}}});
        await using server = await startStreamingOpenAiServer({apiKey: "sk-right"});
        const closed = await startStreamingOpenAiServer();
        await closed.dispose();
        await expect(app.client.call("endpoints.bench", {baseUrl: closed.baseUrl, model: "remote-model"})).rejects.toMatchObject({
            code: "ENDPOINT_UNREACHABLE",
            message: expect.stringContaining("ECONNREFUSED")
        });
        await expect(app.client.call("endpoints.bench", {baseUrl: server.baseUrl, model: "remote-model", apiKeyEnv: "REMOTE_KEY"})).rejects.toMatchObject({
            code: "ENDPOINT_UNAUTHORIZED",
            message: expect.stringContaining("--api-key-env")
        });
        await expect(app.client.call("endpoints.bench", {baseUrl: server.baseUrl, model: "remote-model"})).rejects.toMatchObject({code: "ENDPOINT_UNAUTHORIZED"});
        await expect(app.client.call("endpoints.bench", {baseUrl: server.baseUrl, model: "remote-model", apiKeyEnv: "EMPTY_KEY"})).rejects.toMatchObject({code: "ENDPOINT_API_KEY_MISSING"});
        await expect(app.client.call("endpoints.bench", {baseUrl: server.baseUrl, model: "remote-model", apiKeyEnv: "sk-right"})).rejects.toMatchObject({
            code: "ENDPOINT_BENCH_INVALID",
            message: expect.stringContaining("apiKeyEnv")
        });
        await using open = await startStreamingOpenAiServer();
        await expect(app.client.call("endpoints.bench", {baseUrl: open.baseUrl, model: "other"})).rejects.toMatchObject({
            code: "ENDPOINT_MODEL_NOT_FOUND",
            message: expect.stringContaining("remote-model")
        });
        await expect(app.client.call("endpoints.bench", {baseUrl: "gpu-box:8080", model: "x"})).rejects.toMatchObject({code: "ENDPOINT_BENCH_INVALID"});
        expect(await app.client.call("endpoints.runs", {})).toEqual([]);
        // The key's variable name is all a run would keep; no request was ever sent with a key from the store.
        expect(server.requests).toEqual([]);
    });

    it("agentfit bench --base-url prints the figures and the error code of a failing endpoint", {timeout: 240_000}, async () => {
        await using app = await startApp();
        await using server = await startStreamingOpenAiServer();
        const ok = await runCli(
            ["bench", "--base-url", server.baseUrl, "--model", "remote-model", "--prompt-sizes", "64,256", "--reps", "1", "--tg", "16", "--agent-turns", "2", "--concurrency", "1,2"],
            app.home.env,
            {timeoutMs: 120_000}
        );
        expect(ok.stderr).not.toContain("error");
        expect(ok.code).toBe(0);
        expect(ok.stdout).toMatch(/generation\s+\d/);
        expect(ok.stdout).toMatch(/prefix cache\s+not detected/);
        expect(ok.stdout).toMatch(/2 streams\s+\d/);
        const listed = await runCli(["bench", "endpoints"], app.home.env);
        expect(listed.stdout).toContain(server.baseUrl);
        await using broken = await startStreamingOpenAiServer({mode: "malformed"});
        const failed = await runCli(["bench", "--base-url", broken.baseUrl, "--model", "remote-model"], app.home.env);
        expect(failed.code).toBe(1);
        expect(failed.stderr).toContain("error [ENDPOINT_STREAM_INVALID]");
    });
});
