import path from "node:path";
import OpenAI from "openai";
import type {ChatCompletionMessageParam, ChatCompletionTool} from "openai/resources/chat/completions";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {EngineStatus} from "../../electron/api/EngineApi.ts";
import {createAppService, type AppService} from "../../electron/core/AppService.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {rawHttp} from "../utils/rawHttp.ts";
import {createTempHome, type TempHome} from "../../testkit/tempHome.ts";

// The OpenAI-compatible API through the official `openai` client, against the real engine process
// running a generated GGUF model (random weights: the text is noise, but every contract holds).

let home: TempHome;
let app: AppService;
let status: EngineStatus;
let client: OpenAI;
let modelId: string;
let baseUrl: string;

const weatherTool: ChatCompletionTool = {
    type: "function",
    function: {
        name: "get_weather",
        description: "Current weather in a city",
        parameters: {type: "object", properties: {city: {enum: ["Paris", "Berlin", "Rome"]}, unit: {enum: ["c", "f"]}}, required: ["city", "unit"]}
    }
};
const timeTool: ChatCompletionTool = {
    type: "function",
    function: {name: "get_time", description: "Current time in a zone", parameters: {type: "object", properties: {zone: {enum: ["UTC", "CET"]}}, required: ["zone"]}}
};

async function metricsText(): Promise<string> {
    return (await rawHttp(`${baseUrl.replace(/\/v1$/, "")}/metrics`)).body;
}
function metric(text: string, name: string): number {
    const line = text.split("\n").find((l) => l.startsWith(`agentfit:${name} `));
    return Number(line?.split(" ")[1]);
}

beforeAll(async () => {
    home = createTempHome();
    app = await createAppService({paths: home});
    writeGgufModel(path.join(home.models, "tiny-chat.gguf"), {...ggufModelPresets.tiny, contextLength: 4096});
    // One thread: tiny models are overhead-bound, and it keeps the test fast on a busy 2-core machine.
    status = await app["engine.start"]({model: "tiny-chat", settings: {contextSize: 4096, threads: 1, parallel: 2}, server: {port: 0}});
    baseUrl = status.server!.baseUrl;
    modelId = status.model!.id;
    client = new OpenAI({baseURL: baseUrl, apiKey: "not-needed", maxRetries: 0});
});
afterAll(async () => {
    await app?.dispose();
    home?.[Symbol.dispose]();
});

describe("OpenAI-compatible server on a generated model", () => {
    it("starts on loopback, lists the model and reports health", async () => {
        expect(status.state).toBe("ready");
        expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
        expect(status.model).toMatchObject({id: "tiny-chat", reference: "tiny-chat", settings: {contextSize: 4096, parallel: 2, threads: 1, kvCacheType: "f16"}});
        const models = await client.models.list();
        expect(models.data.map((m) => m.id)).toEqual(["tiny-chat"]);
        const health = await rawHttp(baseUrl.replace(/\/v1$/, "/health"));
        expect(health.status).toBe(200);
        expect(health.json()).toMatchObject({status: "ok"});
    });

    it("answers plain and streaming requests identically, with usage and llama-server timings", async () => {
        const messages: ChatCompletionMessageParam[] = [
            {role: "system", content: "You are terse."},
            {role: "user", content: "Say something."}
        ];
        const plain = await client.chat.completions.create({model: modelId, messages, max_tokens: 12, temperature: 0});
        expect(plain.object).toBe("chat.completion");
        expect(plain.choices).toHaveLength(1);
        expect(plain.choices[0]!.finish_reason).toBe("length");
        expect(plain.choices[0]!.message.role).toBe("assistant");
        expect(typeof plain.choices[0]!.message.content).toBe("string");
        expect(plain.usage!.completion_tokens).toBe(12);
        expect(plain.usage!.total_tokens).toBe(plain.usage!.prompt_tokens + 12);
        const timings = (plain as unknown as {timings: {prompt_n: number; cache_n: number; predicted_n: number; prompt_ms: number}}).timings;
        expect(timings.predicted_n).toBe(12);
        expect(timings.prompt_n + timings.cache_n).toBe(plain.usage!.prompt_tokens);
        expect(timings.prompt_ms).toBeGreaterThan(0);

        const stream = await client.chat.completions.create({
            model: modelId,
            messages,
            max_tokens: 12,
            temperature: 0,
            stream: true,
            stream_options: {include_usage: true}
        });
        let text = "";
        const chunks = [];
        for await (const chunk of stream) {
            chunks.push(chunk);
            text += chunk.choices[0]?.delta.content ?? "";
        }
        expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
        expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
        const finish = chunks.find((c) => c.choices[0]?.finish_reason);
        expect(finish!.choices[0]!.finish_reason).toBe("length");
        const usageChunk = chunks.at(-1)!;
        expect(usageChunk.choices).toEqual([]);
        expect(usageChunk.usage!.completion_tokens).toBe(12);
        // Same prompt, greedy: the stream says exactly what the plain reply said, and the prompt came from cache.
        expect(text).toBe(plain.choices[0]!.message.content);
        expect(usageChunk.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThanOrEqual(usageChunk.usage!.prompt_tokens - 1);
    });

    it("forces tool calls (required and named) with schema-valid arguments and unique ids, also streamed", async () => {
        const messages: ChatCompletionMessageParam[] = [{role: "user", content: "What is the weather in Paris?"}];
        const required = await client.chat.completions.create({model: modelId, messages, tools: [weatherTool, timeTool], tool_choice: "required", max_tokens: 300});
        const choice = required.choices[0]!;
        expect(choice.finish_reason).toBe("tool_calls");
        const calls = choice.message.tool_calls!;
        expect(calls.length).toBeGreaterThanOrEqual(1);
        for (const call of calls) {
            expect(call.type).toBe("function");
            if (call.type !== "function") continue;
            expect(call.id).toMatch(/^call_/);
            const args = JSON.parse(call.function.arguments) as Record<string, string>;
            if (call.function.name === "get_weather") {
                expect(["Paris", "Berlin", "Rome"]).toContain(args.city);
                expect(["c", "f"]).toContain(args.unit);
            } else {
                expect(call.function.name).toBe("get_time");
                expect(["UTC", "CET"]).toContain(args.zone);
            }
        }
        expect(new Set(calls.map((c) => c.id)).size).toBe(calls.length);

        const named = await client.chat.completions.create({
            model: modelId,
            messages,
            tools: [weatherTool, timeTool],
            tool_choice: {type: "function", function: {name: "get_time"}},
            parallel_tool_calls: false,
            max_tokens: 300
        });
        const namedCalls = named.choices[0]!.message.tool_calls!;
        expect(namedCalls).toHaveLength(1);
        expect(namedCalls[0]!.type === "function" && namedCalls[0]!.function.name).toBe("get_time");

        const stream = await client.chat.completions.create({model: modelId, messages, tools: [weatherTool], tool_choice: "required", max_tokens: 300, stream: true});
        const assembled = new Map<number, {id?: string; name?: string; arguments: string}>();
        let finishReason: string | null = null;
        for await (const chunk of stream) {
            for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
                const entry = assembled.get(delta.index) ?? {arguments: ""};
                if (delta.id) {
                    expect(entry.id).toBeUndefined();
                    entry.id = delta.id;
                    entry.name = delta.function?.name;
                }
                entry.arguments += delta.function?.arguments ?? "";
                assembled.set(delta.index, entry);
            }
            finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
        }
        expect(finishReason).toBe("tool_calls");
        expect(assembled.size).toBeGreaterThanOrEqual(1);
        for (const call of assembled.values()) {
            expect(call.id).toMatch(/^call_/);
            expect(call.name).toBe("get_weather");
            expect(["Paris", "Berlin", "Rome"]).toContain((JSON.parse(call.arguments) as {city: string}).city);
        }
    });

    it("continues after tool results, serving the conversation so far from cache", async () => {
        const messages: ChatCompletionMessageParam[] = [{role: "user", content: "Weather in Rome?"}];
        const first = await client.chat.completions.create({model: modelId, messages, tools: [weatherTool], tool_choice: "required", max_tokens: 300});
        const assistant = first.choices[0]!.message;
        const toolResults: ChatCompletionMessageParam[] = assistant.tool_calls!.map((call) => ({role: "tool", tool_call_id: call.id, content: '{"temperature": 21}'}));
        const second = await client.chat.completions.create({
            model: modelId,
            messages: [...messages, {role: "assistant", content: assistant.content, tool_calls: assistant.tool_calls}, ...toolResults],
            tools: [weatherTool],
            max_tokens: 8
        });
        expect(second.usage!.prompt_tokens).toBeGreaterThan(first.usage!.prompt_tokens);
        // The calls are rendered back exactly as generated, so the whole first turn is reused.
        expect(second.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThanOrEqual(first.usage!.prompt_tokens);

        // A tool result must answer a call that was made.
        const orphan = client.chat.completions.create({model: modelId, messages: [...messages, {role: "tool", tool_call_id: "call_nope", content: "{}"}]});
        await expect(orphan).rejects.toMatchObject({status: 400, code: "invalid_tool_messages"});
        const unanswered = client.chat.completions.create({model: modelId, messages: [...messages, {role: "assistant", content: null, tool_calls: assistant.tool_calls}]});
        await expect(unanswered).rejects.toMatchObject({status: 400, code: "invalid_tool_messages"});
    });

    it("returns JSON that parses and matches the schema (json_schema)", async () => {
        const reply = await client.chat.completions.create({
            model: modelId,
            messages: [{role: "user", content: "Is it sunny?"}],
            response_format: {
                type: "json_schema",
                json_schema: {
                    name: "verdict",
                    schema: {type: "object", properties: {verdict: {enum: ["yes", "no"]}, confident: {type: "boolean"}}, required: ["verdict", "confident"]}
                }
            },
            max_tokens: 200
        });
        expect(reply.choices[0]!.finish_reason).toBe("stop");
        const parsed = JSON.parse(reply.choices[0]!.message.content!) as {verdict: string; confident: boolean};
        expect(["yes", "no"]).toContain(parsed.verdict);
        expect(typeof parsed.confident).toBe("boolean");
    });

    it("answers every bad request in OpenAI's error format with the right status", async () => {
        const base = {model: modelId, messages: [{role: "user" as const, content: "hi"}]};
        const post = (body: string, headers: Record<string, string> = {}) =>
            rawHttp(`${baseUrl}/chat/completions`, {method: "POST", headers: {"content-type": "application/json", ...headers}, body});

        const malformed = await post("{not json");
        expect(malformed.status).toBe(400);
        expect(malformed.json()).toMatchObject({error: {type: "invalid_request_error", code: "invalid_json"}});

        await expect(client.chat.completions.create({...base, temperature: "hot" as unknown as number})).rejects.toMatchObject({
            status: 400,
            param: "temperature",
            code: "invalid_type"
        });
        await expect(client.chat.completions.create({...base, logit_bias: {"1": 5}})).rejects.toMatchObject({
            status: 400,
            param: "logit_bias",
            code: "unsupported_parameter",
            message: expect.stringContaining("logit_bias")
        });
        await expect(client.chat.completions.create({...base, n: 2})).rejects.toMatchObject({status: 400, param: "n"});
        await expect(client.chat.completions.create({...base, model: "gpt-4o"})).rejects.toMatchObject({status: 404, code: "model_not_found"});
        await expect(client.chat.completions.create({...base, tools: [weatherTool], response_format: {type: "json_object"}})).rejects.toMatchObject({
            status: 400,
            param: "response_format"
        });
        await expect(client.chat.completions.create({...base, tool_choice: {type: "function", function: {name: "nope"}}, tools: [weatherTool]})).rejects.toMatchObject({
            status: 400,
            param: "tool_choice.function.name"
        });

        const tooLong = client.chat.completions.create({...base, messages: [{role: "user", content: "lorem ipsum ".repeat(3000)}]});
        await expect(tooLong).rejects.toMatchObject({status: 400, code: "context_length_exceeded", param: "messages"});

        const wrongHost = await post(JSON.stringify(base), {host: "evil.example:80"});
        expect(wrongHost.status).toBe(403);
        expect(wrongHost.json()).toMatchObject({error: {code: "forbidden_host"}});
        const crossOrigin = await post(JSON.stringify(base), {origin: "https://evil.example"});
        expect(crossOrigin.status).toBe(403);
        expect(crossOrigin.headers["access-control-allow-origin"]).toBeUndefined();
        const unknownUrl = await rawHttp(`${baseUrl}/embeddings`, {method: "POST", headers: {"content-type": "application/json"}, body: "{}"});
        expect(unknownUrl.status).toBe(404);
        expect(unknownUrl.json()).toMatchObject({error: {type: "invalid_request_error"}});

        const metrics = await metricsText();
        expect(metric(metrics, "requests_failed_total")).toBeGreaterThanOrEqual(8);
        expect(metrics).toContain('agentfit:errors_total{code="context_length_exceeded"} 1');
    });

    it("stops generating as soon as a streaming client disconnects", async () => {
        const before = await metricsText();
        const controller = new AbortController();
        const stream = await client.chat.completions.create(
            {model: modelId, messages: [{role: "user", content: "Talk forever."}], max_tokens: 3000, stream: true},
            {signal: controller.signal}
        );
        let received = 0;
        try {
            for await (const chunk of stream) {
                if (chunk.choices[0]?.delta.content && ++received === 3) controller.abort();
            }
        } catch {
            // The client reports its own abort; what matters is what the server does.
        }
        await expect.poll(async () => metric(await metricsText(), "requests_cancelled_total"), {timeout: 30_000}).toBe(metric(before, "requests_cancelled_total") + 1);
        const after = await metricsText();
        expect(metric(after, "requests_processing")).toBe(0);
        // The generation stopped far short of its 3000 tokens (a model that cannot end its turn would use them all).
        const generated = metric(after, "tokens_predicted_total") - metric(before, "tokens_predicted_total");
        expect(generated).toBeGreaterThanOrEqual(3);
        expect(generated).toBeLessThan(3000);
    });

    it("serves as many requests at once as there are sequences and queues the rest", async () => {
        const run = (content: string) =>
            client.chat.completions.create({model: modelId, messages: [{role: "user", content}], max_tokens: 1500, temperature: 0});
        const seen = {processing: 0, deferred: 0};
        let done = false;
        const watch = (async () => {
            while (!done) {
                const text = await metricsText();
                seen.processing = Math.max(seen.processing, metric(text, "requests_processing"));
                seen.deferred = Math.max(seen.deferred, metric(text, "requests_deferred"));
                await new Promise((resolve) => setTimeout(resolve, 5));
            }
        })();
        const replies = await Promise.all([run("one"), run("two"), run("three")]);
        done = true;
        await watch;
        for (const reply of replies) expect(reply.usage!.completion_tokens).toBe(1500);
        expect(seen).toEqual({processing: 2, deferred: 1});
    });

    it("routes a continued conversation to the sequence holding it and evaluates only the new tokens", async () => {
        const conversation: ChatCompletionMessageParam[] = [
            {role: "system", content: "You are a coding agent. ".repeat(20)},
            {role: "user", content: "Refactor this function."}
        ];
        const other: ChatCompletionMessageParam[] = [{role: "user", content: "An unrelated conversation on another topic entirely."}];
        const turn1 = await client.chat.completions.create({model: modelId, messages: conversation, max_tokens: 16, temperature: 0});
        // Another conversation in between takes the other sequence, not this one.
        await client.chat.completions.create({model: modelId, messages: other, max_tokens: 16, temperature: 0});
        conversation.push({role: "assistant", content: turn1.choices[0]!.message.content}, {role: "user", content: "Now add a test."});
        const turn2 = await client.chat.completions.create({model: modelId, messages: conversation, max_tokens: 16, temperature: 0});
        const timings = (turn2 as unknown as {timings: {prompt_n: number; cache_n: number}}).timings;
        const newTokens = turn2.usage!.prompt_tokens - turn1.usage!.prompt_tokens;
        expect(turn2.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThanOrEqual(turn1.usage!.prompt_tokens);
        expect(timings.cache_n).toBe(turn2.usage!.prompt_tokens_details!.cached_tokens);
        expect(timings.prompt_n).toBeLessThanOrEqual(newTokens);
    });
});

describe("server access settings", () => {
    it("requires the API key when one is set, allows CORS only for listed origins, and limits the body size", async () => {
        const secured = await app["engine.start"]({
            model: "tiny-chat",
            settings: {contextSize: 4096, threads: 1, parallel: 2},
            server: {port: 0, apiKey: "sk-local-123", corsOrigins: ["http://localhost:3000"], bodyLimitBytes: 64 * 1024}
        });
        expect(secured.model!.loadId).toBe(status.model!.loadId); // same model and settings: not reloaded
        expect(secured.server).toMatchObject({apiKey: "sk-local-123", corsOrigins: ["http://localhost:3000"]});
        const url = secured.server!.baseUrl;
        const request = {model: modelId, messages: [{role: "user" as const, content: "hi"}], max_tokens: 2};

        await expect(new OpenAI({baseURL: url, apiKey: "sk-wrong", maxRetries: 0}).chat.completions.create(request)).rejects.toMatchObject({
            status: 401,
            code: "invalid_api_key"
        });
        const missing = await rawHttp(`${url}/models`);
        expect(missing.status).toBe(401);
        expect(missing.json()).toMatchObject({error: {code: "invalid_api_key", message: expect.stringContaining("Bearer")}});
        const reply = await new OpenAI({baseURL: url, apiKey: "sk-local-123", maxRetries: 0}).chat.completions.create(request);
        expect(reply.usage!.completion_tokens).toBe(2);
        // Health stays open for monitors; metrics need the key.
        expect((await rawHttp(url.replace(/\/v1$/, "/health"))).status).toBe(200);
        expect((await rawHttp(url.replace(/\/v1$/, "/metrics"))).status).toBe(401);

        const preflight = await rawHttp(`${url}/chat/completions`, {
            method: "OPTIONS",
            headers: {origin: "http://localhost:3000", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type"}
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers["access-control-allow-origin"]).toBe("http://localhost:3000");
        const allowed = await rawHttp(`${url}/models`, {headers: {origin: "http://localhost:3000", authorization: "Bearer sk-local-123"}});
        expect(allowed.status).toBe(200);
        expect(allowed.headers["access-control-allow-origin"]).toBe("http://localhost:3000");
        const refused = await rawHttp(`${url}/models`, {headers: {origin: "http://localhost:4000", authorization: "Bearer sk-local-123"}});
        expect(refused.status).toBe(403);

        const tooBig = await rawHttp(`${url}/chat/completions`, {
            method: "POST",
            headers: {"content-type": "application/json", authorization: "Bearer sk-local-123"},
            body: JSON.stringify({...request, messages: [{role: "user", content: "x".repeat(100 * 1024)}]})
        });
        expect(tooBig.status).toBe(413);
        expect(tooBig.json()).toMatchObject({error: {code: "request_too_large"}});
    });
});
