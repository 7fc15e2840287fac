import OpenAI from "openai";
import type {ChatCompletionMessageParam} from "openai/resources/chat/completions";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {createAppService, type AppService} from "../../electron/core/AppService.ts";
import {ensureSmolLM2} from "../../testkit/smollm2.ts";
import {createTempHome, type TempHome} from "../../testkit/tempHome.ts";

// The real SmolLM2-135M-Instruct behind the OpenAI-compatible API: what an agent sees from a real model.

let home: TempHome;
let app: AppService;
let client: OpenAI;
let model: string;

beforeAll(async () => {
    home = createTempHome();
    app = await createAppService({paths: home});
    const status = await app["engine.start"]({model: ensureSmolLM2(), settings: {contextSize: 4096, threads: 1}, server: {port: 0}});
    client = new OpenAI({baseURL: status.server!.baseUrl, apiKey: "unused", maxRetries: 0});
    model = status.model!.id;
});
afterAll(async () => {
    await app?.dispose();
    home?.[Symbol.dispose]();
});

describe("SmolLM2-135M-Instruct through the OpenAI-compatible API", () => {
    it("answers a question, streamed and not, and serves the next turn from cache", async () => {
        const messages: ChatCompletionMessageParam[] = [
            {role: "system", content: "You are a helpful assistant."},
            {role: "user", content: "What is the capital of France? Answer in one word."}
        ];
        const turn1 = await client.chat.completions.create({model, messages, max_tokens: 24, temperature: 0});
        expect(turn1.choices[0]!.message.content).toMatch(/Paris/);
        expect(turn1.choices[0]!.finish_reason).toBe("stop");

        let streamed = "";
        for await (const chunk of await client.chat.completions.create({model, messages, max_tokens: 24, temperature: 0, stream: true}))
            streamed += chunk.choices[0]?.delta.content ?? "";
        expect(streamed).toBe(turn1.choices[0]!.message.content);

        messages.push(turn1.choices[0]!.message, {role: "user", content: "And the capital of Germany? One word."});
        const turn2 = await client.chat.completions.create({model, messages, max_tokens: 24, temperature: 0});
        expect(turn2.choices[0]!.message.content).toMatch(/Berlin/);
        const timings = (turn2 as unknown as {timings: {prompt_n: number}}).timings;
        expect(turn2.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThanOrEqual(turn1.usage!.prompt_tokens);
        expect(timings.prompt_n).toBeLessThanOrEqual(turn2.usage!.prompt_tokens - turn1.usage!.prompt_tokens);
    });

    it("makes a forced tool call with arguments that fit the schema", async () => {
        const reply = await client.chat.completions.create({
            model,
            messages: [{role: "user", content: "What's the weather like in Paris?"}],
            tools: [
                {
                    type: "function",
                    function: {
                        name: "get_weather",
                        description: "Current weather for a city",
                        parameters: {type: "object", properties: {city: {type: "string"}}, required: ["city"]}
                    }
                }
            ],
            tool_choice: "required",
            max_tokens: 100,
            temperature: 0
        });
        expect(reply.choices[0]!.finish_reason).toBe("tool_calls");
        const call = reply.choices[0]!.message.tool_calls![0]!;
        expect(call.type === "function" && call.function.name).toBe("get_weather");
        const args = JSON.parse(call.type === "function" ? call.function.arguments : "{}") as {city: string};
        expect(args.city).toMatch(/Paris/);
    });

    it("returns JSON objects that parse (json_object and json_schema)", async () => {
        // A 135M model asked loosely for "JSON" invents keys until max_tokens; a prompt naming the key lets it finish.
        const messages: ChatCompletionMessageParam[] = [
            {role: "system", content: 'Reply only with a JSON object with a single key "capital".'},
            {role: "user", content: "What is the capital of France?"}
        ];
        const object = await client.chat.completions.create({model, messages, response_format: {type: "json_object"}, max_tokens: 200, temperature: 0});
        expect(object.choices[0]!.finish_reason).toBe("stop");
        expect(typeof JSON.parse(object.choices[0]!.message.content!)).toBe("object");
        const schema = await client.chat.completions.create({
            model,
            messages,
            response_format: {
                type: "json_schema",
                json_schema: {name: "capital", schema: {type: "object", properties: {capital: {type: "string"}}, required: ["capital"]}}
            },
            max_tokens: 60,
            temperature: 0
        });
        expect((JSON.parse(schema.choices[0]!.message.content!) as {capital: string}).capital).toMatch(/Paris/);
    });
});
