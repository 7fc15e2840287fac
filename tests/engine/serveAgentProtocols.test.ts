import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type {FunctionTool, ResponseStreamEvent} from "openai/resources/responses/responses";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {EngineStatus} from "../../electron/api/EngineApi.ts";
import {createAppService, type AppService} from "../../electron/core/AppService.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {createTempHome, type TempHome} from "../../testkit/tempHome.ts";
import {rawHttp} from "../utils/rawHttp.ts";

// The agents' protocols (Anthropic Messages, OpenAI Responses, legacy completions) through their
// official SDKs, against the real engine process running a generated GGUF model (random weights:
// the text is noise, but every contract holds). One engine serves every protocol.

let home: TempHome;
let app: AppService;
let status: EngineStatus;
let modelId: string;
let origin: string;
let anthropic: Anthropic;
let openai: OpenAI;

const weatherTool: Anthropic.Tool = {
    name: "get_weather",
    description: "Current weather in a city",
    input_schema: {type: "object", properties: {city: {enum: ["Paris", "Berlin", "Rome"]}}, required: ["city"]}
};
const timeTool: Anthropic.Tool = {
    name: "get_time",
    description: "Current time in a zone",
    input_schema: {type: "object", properties: {zone: {enum: ["UTC", "CET"]}}, required: ["zone"]}
};

// The SDK's types no longer list sampling fields; the API (and this server) still take them.
const greedy = {temperature: 0} as object;

beforeAll(async () => {
    home = createTempHome();
    app = await createAppService({paths: home});
    writeGgufModel(path.join(home.models, "tiny-agent.gguf"), {...ggufModelPresets.tiny, contextLength: 4096, fimTokens: true});
    status = await app["engine.start"]({model: "tiny-agent", settings: {contextSize: 4096, threads: 1, parallel: 2}, server: {port: 0, apiKey: "sk-test-key"}});
    modelId = status.model!.id;
    origin = status.server!.baseUrl.replace(/\/v1$/, "");
    anthropic = new Anthropic({baseURL: origin, apiKey: "sk-test-key", maxRetries: 0});
    openai = new OpenAI({baseURL: `${origin}/v1`, apiKey: "sk-test-key", maxRetries: 0});
});
afterAll(async () => {
    await app?.dispose();
    home?.[Symbol.dispose]();
});

describe("Anthropic Messages API", () => {
    it("answers plain and streamed messages with the same text, usage and cache reads", async () => {
        const params = {model: modelId, max_tokens: 10, temperature: 0, system: "You are terse.", messages: [{role: "user" as const, content: "Say something."}]};
        const plain = await anthropic.messages.create(params);
        expect(plain).toMatchObject({type: "message", role: "assistant", model: modelId, stop_reason: "max_tokens", stop_sequence: null});
        expect(plain.id).toMatch(/^msg_/);
        expect(plain.content).toHaveLength(1);
        expect(plain.content[0]!.type).toBe("text");
        expect(plain.usage.output_tokens).toBe(10);
        expect(plain.usage.input_tokens).toBeGreaterThan(0);
        expect(plain.usage.cache_creation_input_tokens).toBe(0);

        const events: string[] = [];
        const stream = anthropic.messages.stream(params);
        stream.on("streamEvent", (event) => events.push(event.type));
        const streamed = await stream.finalMessage();
        expect(events[0]).toBe("message_start");
        expect(events).toContain("content_block_start");
        expect(events).toContain("content_block_delta");
        expect(events.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
        expect(streamed.stop_reason).toBe("max_tokens");
        // Greedy on the same prompt: the same words; the prompt came from the sequence's cache.
        expect(streamed.content).toEqual(plain.content);
        expect(streamed.usage.output_tokens).toBe(10);
        expect(streamed.usage.cache_read_input_tokens).toBeGreaterThanOrEqual(plain.usage.input_tokens - 1);
        expect(streamed.usage.input_tokens + streamed.usage.cache_read_input_tokens!).toBe(plain.usage.input_tokens);
    });

    it("forces a named tool, takes the tool result back and continues from cache (also streamed, with x-api-key)", async () => {
        const question: Anthropic.MessageParam = {role: "user", content: [{type: "text", text: "What is the weather in Paris?"}]};
        const forced = await anthropic.messages.create({
            model: modelId,
            max_tokens: 200,
            tools: [weatherTool, timeTool],
            tool_choice: {type: "tool", name: "get_time"},
            messages: [question]
        });
        expect(forced.stop_reason).toBe("tool_use");
        const toolUses = forced.content.filter((block) => block.type === "tool_use");
        expect(toolUses.length).toBeGreaterThanOrEqual(1);
        for (const use of toolUses) {
            expect(use.name).toBe("get_time");
            expect(["UTC", "CET"]).toContain((use.input as {zone: string}).zone);
        }
        // Same tools and choice (a named choice offers the model only that tool, which changes the prompt).
        const withResults = await anthropic.messages.create({
            model: modelId,
            max_tokens: 200,
            tools: [weatherTool, timeTool],
            tool_choice: {type: "tool", name: "get_time"},
            messages: [
                question,
                {role: "assistant", content: forced.content},
                {
                    role: "user",
                    content: toolUses.map((use, index) => ({
                        type: "tool_result" as const,
                        tool_use_id: use.id,
                        ...(index === 0 ? {content: "12:00"} : {content: [{type: "text" as const, text: "unknown"}], is_error: true})
                    }))
                }
            ]
        });
        expect(withResults.stop_reason).toBe("tool_use");
        // The calls are rendered back exactly as generated, so the first turn is served from cache.
        expect(withResults.usage.cache_read_input_tokens).toBeGreaterThanOrEqual(forced.usage.input_tokens + forced.usage.cache_read_input_tokens! - 1);

        const keyed = new Anthropic({baseURL: origin, apiKey: null, authToken: null, defaultHeaders: {"x-api-key": "sk-test-key"}, maxRetries: 0});
        const stream = keyed.messages.stream({model: modelId, max_tokens: 200, tools: [weatherTool], tool_choice: {type: "any"}, messages: [question]});
        const deltas: string[] = [];
        stream.on("streamEvent", (event) => {
            if (event.type === "content_block_delta") deltas.push(event.delta.type);
        });
        const message = await stream.finalMessage();
        expect(deltas).toContain("input_json_delta");
        expect(message.stop_reason).toBe("tool_use");
        const use = message.content.find((block) => block.type === "tool_use")!;
        expect(use).toMatchObject({type: "tool_use", name: "get_weather"});
        expect(["Paris", "Berlin", "Rome"]).toContain((use.input as {city: string}).city);
    });

    it("counts tokens as the prompt the model will read, and ends at a stop sequence", async () => {
        const params = {model: modelId, system: [{type: "text" as const, text: "Be brief."}], messages: [{role: "user" as const, content: "Count me."}]};
        const counted = await anthropic.messages.countTokens(params);
        const answered = await anthropic.messages.create({...params, max_tokens: 1});
        expect(counted.input_tokens).toBe(answered.usage.input_tokens + answered.usage.cache_read_input_tokens!);
        const withTools = await anthropic.messages.countTokens({...params, tools: [weatherTool]});
        expect(withTools.input_tokens).toBeGreaterThan(counted.input_tokens);

        // Whatever the noise model says first becomes the stop sequence of the second request.
        const first = await anthropic.messages.create({...params, ...greedy, max_tokens: 4});
        const text = (first.content[0] as Anthropic.TextBlock).text;
        const stopAt = text.trim().slice(0, 3);
        if (stopAt !== "") {
            const stopped = await anthropic.messages.create({...params, ...greedy, max_tokens: 20, stop_sequences: [stopAt]});
            expect(stopped.stop_reason).toBe("stop_sequence");
            expect(stopped.stop_sequence).toBe(stopAt);
        }
    });

    it("answers errors in Anthropic's shape with its types and statuses", async () => {
        const post = (body: unknown, headers: Record<string, string> = {}) =>
            rawHttp(`${origin}/v1/messages`, {
                method: "POST",
                headers: {"content-type": "application/json", "x-api-key": "sk-test-key", "anthropic-version": "2023-06-01", ...headers},
                body: JSON.stringify(body)
            });
        const image = await post({
            model: modelId,
            max_tokens: 5,
            messages: [{role: "user", content: [{type: "image", source: {type: "base64", media_type: "image/png", data: "AAAA"}}]}]
        });
        expect(image.status).toBe(400);
        expect(image.json()).toMatchObject({type: "error", error: {type: "invalid_request_error"}});
        expect((image.json() as {error: {message: string}}).error.message).toMatch(/image.*text only/);
        const noKey = await post({model: modelId, max_tokens: 5, messages: [{role: "user", content: "hi"}]}, {"x-api-key": "wrong"});
        expect(noKey.status).toBe(401);
        expect(noKey.json()).toMatchObject({type: "error", error: {type: "authentication_error"}});
        const unknownModel = await post({model: "claude-sonnet-4-5", max_tokens: 5, messages: [{role: "user", content: "hi"}]});
        expect(unknownModel.status).toBe(404);
        expect(unknownModel.json()).toMatchObject({type: "error", error: {type: "not_found_error"}});
        const serverTool = await post({model: modelId, max_tokens: 5, tools: [{type: "web_search_20250305", name: "web_search"}], messages: [{role: "user", content: "hi"}]});
        expect(serverTool.status).toBe(400);
        expect((serverTool.json() as {error: {message: string}}).error.message).toMatch(/web_search/);
        await expect(anthropic.messages.create({model: modelId, max_tokens: 5, messages: [{role: "user", content: "x ".repeat(5000)}]})).rejects.toMatchObject({
            status: 400,
            error: {type: "error", error: {type: "invalid_request_error"}}
        });
    });

    it("lists the model in a shape OpenAI and Anthropic clients both read", async () => {
        const page = await anthropic.models.list();
        expect(page.data.map((m) => m.id)).toEqual([modelId]);
        expect(page.data[0]).toMatchObject({type: "model", display_name: modelId});
        expect(Number.isNaN(Date.parse(page.data[0]!.created_at))).toBe(false);
        const raw = await rawHttp(`${origin}/v1/models`, {headers: {authorization: "Bearer sk-test-key"}});
        expect(raw.json()).toMatchObject({object: "list", has_more: false, first_id: modelId, last_id: modelId, data: [{object: "model", owned_by: "agentfit"}]});
    });
});

describe("OpenAI Responses API", () => {
    const weatherFunction: FunctionTool = {type: "function", name: "get_weather", description: "Current weather in a city", strict: true, parameters: weatherTool.input_schema};

    it("answers plain and streamed responses with the same text, the full event sequence and cached tokens", async () => {
        const params = {model: modelId, instructions: "You are terse.", input: "Say something.", max_output_tokens: 10, temperature: 0};
        const plain = await openai.responses.create(params);
        expect(plain).toMatchObject({object: "response", status: "incomplete", incomplete_details: {reason: "max_output_tokens"}, model: modelId});
        expect(plain.id).toMatch(/^resp_/);
        expect(plain.output).toHaveLength(1);
        expect(plain.output[0]).toMatchObject({type: "message", role: "assistant"});
        expect(plain.usage!.output_tokens).toBe(10);

        const events: ResponseStreamEvent[] = [];
        const stream = await openai.responses.create({...params, stream: true});
        for await (const event of stream) events.push(event);
        const types = events.map((e) => e.type);
        expect(types.slice(0, 4)).toEqual(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
        expect(types).toContain("response.output_text.delta");
        expect(types.slice(-4)).toEqual(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.incomplete"]);
        expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
        const text = events.flatMap((e) => (e.type === "response.output_text.delta" ? [e.delta] : [])).join("");
        expect(text).toBe(plain.output_text);
        const last = events.at(-1) as {response: OpenAI.Responses.Response};
        expect(last.response.usage!.input_tokens_details.cached_tokens).toBeGreaterThanOrEqual(last.response.usage!.input_tokens - 1);

        const done = await openai.responses.create({...params, max_output_tokens: 1000, stream: false});
        expect(["completed", "incomplete"]).toContain(done.status);
    });

    it("forces a function call, streams its arguments and continues by previous_response_id from cache", async () => {
        const first = await openai.responses.create({model: modelId, input: "Weather in Rome?", tools: [weatherFunction], tool_choice: "required", max_output_tokens: 200});
        expect(first.status).toBe("completed");
        const calls = first.output.filter((item) => item.type === "function_call");
        expect(calls.length).toBeGreaterThanOrEqual(1);
        for (const call of calls) {
            expect(call.name).toBe("get_weather");
            expect(["Paris", "Berlin", "Rome"]).toContain((JSON.parse(call.arguments) as {city: string}).city);
        }
        const stored = await openai.responses.retrieve(first.id);
        expect(stored.output).toEqual(first.output);

        const next = await openai.responses.create({
            model: modelId,
            previous_response_id: first.id,
            input: calls.map((call) => ({type: "function_call_output" as const, call_id: call.call_id, output: '{"temperature": 21}'})),
            tools: [weatherFunction],
            tool_choice: "required",
            max_output_tokens: 200
        });
        expect(next.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens);
        expect(next.usage!.input_tokens_details.cached_tokens).toBeGreaterThanOrEqual(first.usage!.input_tokens);

        const stream = await openai.responses.create({model: modelId, input: "Weather?", tools: [weatherFunction], tool_choice: {type: "function", name: "get_weather"}, max_output_tokens: 200, stream: true, store: false});
        let args = "";
        let doneArgs: string | undefined;
        let completed: OpenAI.Responses.Response | undefined;
        for await (const event of stream) {
            if (event.type === "response.function_call_arguments.delta") args += event.delta;
            if (event.type === "response.function_call_arguments.done") doneArgs ??= event.arguments;
            if (event.type === "response.completed") completed = event.response;
        }
        expect(doneArgs).toBe(args.slice(0, doneArgs!.length));
        expect(completed!.output[0]).toMatchObject({type: "function_call", name: "get_weather", status: "completed"});
        await expect(openai.responses.retrieve(completed!.id)).rejects.toMatchObject({status: 404});
        await expect(openai.responses.create({model: modelId, input: "x", previous_response_id: "resp_unknown"})).rejects.toMatchObject({status: 404, code: "previous_response_not_found"});
    });

    it("takes what Codex CLI sends: developer messages, hosted tools left out, bookkeeping fields", async () => {
        const response = await openai.responses.create({
            model: modelId,
            input: [
                {type: "message", role: "developer", content: [{type: "input_text", text: "You are a coding agent."}]},
                {type: "message", role: "user", content: [{type: "input_text", text: "say hi"}]}
            ],
            tools: [weatherFunction, {type: "web_search", external_web_access: false} as unknown as FunctionTool],
            tool_choice: "auto",
            parallel_tool_calls: true,
            reasoning: {summary: "auto"},
            store: false,
            include: ["reasoning.encrypted_content"],
            prompt_cache_key: "session-1",
            max_output_tokens: 5
        });
        expect(["completed", "incomplete"]).toContain(response.status);
        expect(response.tools.map((t) => (t as FunctionTool).name)).toEqual(["get_weather"]);
    });
});

describe("legacy completions", () => {
    it("completes a prompt, plain and streamed, with usage and the prompt from cache", async () => {
        const params = {model: modelId, prompt: "def add(a, b):", max_tokens: 8, temperature: 0};
        const plain = await openai.completions.create(params);
        expect(plain.object).toBe("text_completion");
        expect(plain.choices[0]!.finish_reason).toBe("length");
        expect(plain.usage!.completion_tokens).toBe(8);
        let text = "";
        let finish: string | null = null;
        const stream = await openai.completions.create({...params, stream: true, stream_options: {include_usage: true}});
        let usage: OpenAI.Completions.CompletionUsage | undefined;
        for await (const chunk of stream) {
            text += chunk.choices[0]?.text ?? "";
            finish = chunk.choices[0]?.finish_reason ?? finish;
            usage = chunk.usage ?? usage;
        }
        expect(finish).toBe("length");
        expect(text).toBe(plain.choices[0]!.text);
        expect(usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThanOrEqual(usage!.prompt_tokens - 1);
    });

    it("fills in the middle with the model's FIM tokens, and ends at a stop string", async () => {
        const filled = await openai.completions.create({model: modelId, prompt: "def add(a, b):\n    return ", suffix: "\n\nprint(add(1, 2))", max_tokens: 6, temperature: 0});
        expect(filled.choices[0]!.finish_reason).toBe("length");
        expect(filled.usage!.completion_tokens).toBe(6);
        // prefix, suffix, their FIM markers: more prompt than the prefix alone.
        const prefixOnly = await openai.completions.create({model: modelId, prompt: "def add(a, b):\n    return ", max_tokens: 1});
        expect(filled.usage!.prompt_tokens).toBeGreaterThan(prefixOnly.usage!.prompt_tokens + 3);
        const stopAt = filled.choices[0]!.text.trim().slice(0, 2);
        if (stopAt !== "") {
            const stopped = await openai.completions.create({model: modelId, prompt: "def add(a, b):\n    return ", suffix: "\n\nprint(add(1, 2))", max_tokens: 6, temperature: 0, stop: [stopAt]});
            expect(stopped.choices[0]!.finish_reason).toBe("stop");
        }
    });
});
