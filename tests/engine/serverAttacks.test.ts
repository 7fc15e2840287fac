import os from "node:os";
import path from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {createAppService, type AppService} from "../../electron/core/AppService.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {createTempHome, type TempHome} from "../../testkit/tempHome.ts";
import {rawHttp} from "../utils/rawHttp.ts";

// The attack set: malformed requests against every endpoint of the model server, each answered with
// that protocol's 4xx error (never a 500), the engine staying up. A new endpoint adds its rows here.

let home: TempHome;
let app: AppService;
let origin: string;
let model: string;
const CONTEXT = 1024;

beforeAll(async () => {
    home = createTempHome();
    app = await createAppService({paths: home});
    writeGgufModel(path.join(home.models, "tiny-attack.gguf"), {...ggufModelPresets.tiny, contextLength: 4096});
    const status = await app["engine.start"]({model: "tiny-attack", settings: {contextSize: CONTEXT, threads: 1, parallel: 2}, server: {port: 0, bodyLimitBytes: 64 * 1024}});
    origin = status.server!.baseUrl.replace(/\/v1$/, "");
    model = status.model!.id;
});
afterAll(async () => {
    await app?.dispose();
    home?.[Symbol.dispose]();
});

type Protocol = "openai" | "anthropic";
interface Endpoint {
    path: string;
    protocol: Protocol;
    /** A request that succeeds, to derive the malformed ones from. */
    valid: () => Record<string, unknown>;
    /** Puts a text of `text` where the prompt goes. */
    withPrompt: (text: string) => Record<string, unknown>;
    withTools?: (tools: unknown[], choice: unknown) => Record<string, unknown>;
    withSchema?: (schema: unknown) => Record<string, unknown>;
    maxTokensField: string;
}

const badSchema = {type: "object", properties: {city: {type: "banana"}}};
const brokenRef = {type: "object", properties: {city: {$ref: "#/$defs/missing"}}};

const endpoints: Endpoint[] = [
    {
        path: "/v1/chat/completions",
        protocol: "openai",
        valid: () => ({model, messages: [{role: "user", content: "hi"}], max_tokens: 2}),
        withPrompt: (text) => ({model, messages: [{role: "user", content: text}], max_tokens: 2}),
        withTools: (parameters, choice) => ({
            model,
            messages: [{role: "user", content: "hi"}],
            tools: (parameters as object[]).map((p, i) => ({type: "function", function: {name: `tool_${i}`, parameters: p}})),
            tool_choice: choice
        }),
        withSchema: (schema) => ({
            model,
            messages: [{role: "user", content: "hi"}],
            response_format: {type: "json_schema", json_schema: {name: "x", ...(schema === undefined ? {} : {schema})}}
        }),
        maxTokensField: "max_tokens"
    },
    {
        path: "/v1/messages",
        protocol: "anthropic",
        valid: () => ({model, max_tokens: 2, messages: [{role: "user", content: "hi"}]}),
        withPrompt: (text) => ({model, max_tokens: 2, messages: [{role: "user", content: text}]}),
        withTools: (schemas, choice) => ({
            model,
            max_tokens: 2,
            messages: [{role: "user", content: "hi"}],
            tools: (schemas as object[]).map((s, i) => ({name: `tool_${i}`, input_schema: s})),
            tool_choice: choice === "required" ? {type: "any"} : {type: "tool", name: (choice as {function: {name: string}}).function.name}
        }),
        maxTokensField: "max_tokens"
    },
    {
        path: "/v1/messages/count_tokens",
        protocol: "anthropic",
        valid: () => ({model, messages: [{role: "user", content: "hi"}]}),
        withPrompt: (text) => ({model, messages: [{role: "user", content: text}]}),
        withTools: (schemas, choice) => ({
            model,
            messages: [{role: "user", content: "hi"}],
            tools: (schemas as object[]).map((s, i) => ({name: `tool_${i}`, input_schema: s})),
            tool_choice: choice === "required" ? {type: "any"} : {type: "tool", name: (choice as {function: {name: string}}).function.name}
        }),
        maxTokensField: "max_tokens"
    },
    {
        path: "/v1/responses",
        protocol: "openai",
        valid: () => ({model, input: "hi", max_output_tokens: 2}),
        withPrompt: (text) => ({model, input: text, max_output_tokens: 2}),
        withTools: (schemas, choice) => ({
            model,
            input: "hi",
            tools: (schemas as object[]).map((s, i) => ({type: "function", name: `tool_${i}`, parameters: s})),
            tool_choice: choice === "required" ? "required" : {type: "function", name: (choice as {function: {name: string}}).function.name}
        }),
        withSchema: (schema) => ({model, input: "hi", text: {format: {type: "json_schema", name: "x", ...(schema === undefined ? {} : {schema})}}}),
        maxTokensField: "max_output_tokens"
    },
    {
        path: "/v1/completions",
        protocol: "openai",
        valid: () => ({model, prompt: "hi", max_tokens: 2}),
        withPrompt: (text) => ({model, prompt: text, max_tokens: 2}),
        maxTokensField: "max_tokens"
    }
];

function post(url: string, body: string | Buffer, headers: Record<string, string> = {"content-type": "application/json"}) {
    return rawHttp(`${origin}${url}`, {method: "POST", headers, body});
}

/** Checks the body is the protocol's error shape and returns its message. */
function errorMessage(protocol: Protocol, body: unknown): string {
    if (protocol === "anthropic") {
        expect(body).toMatchObject({type: "error", error: {type: expect.any(String), message: expect.any(String)}});
        return (body as {error: {message: string}}).error.message;
    }
    expect(body).toMatchObject({error: {type: expect.any(String), message: expect.any(String)}});
    return (body as {error: {message: string}}).error.message;
}

describe.each(endpoints)("$path", (endpoint) => {
    const cases: {name: string; body: () => string | Buffer; headers?: Record<string, string>; status: number; message?: RegExp}[] = [
        {name: "valid request (control)", body: () => JSON.stringify(endpoint.valid()), status: 200},
        {name: "malformed JSON", body: () => "{not json", status: 400},
        {name: "a JSON array body", body: () => "[1,2]", status: 400},
        {name: "no content type", body: () => JSON.stringify(endpoint.valid()), headers: {}, status: 415, message: /Content-Type/},
        {name: "a form content type", body: () => "model=x", headers: {"content-type": "application/x-www-form-urlencoded"}, status: 415},
        {name: "model of the wrong type", body: () => JSON.stringify({...endpoint.valid(), model: 42}), status: 400},
        {name: "an unknown model", body: () => JSON.stringify({...endpoint.valid(), model: "gpt-9"}), status: 404},
        {name: "an unknown field", body: () => JSON.stringify({...endpoint.valid(), frobnicate: true}), status: 400, message: /frobnicate/},
        {name: "max tokens of the wrong type", body: () => JSON.stringify({...endpoint.valid(), [endpoint.maxTokensField]: "many"}), status: 400},
        // count_tokens only counts: a prompt too long to answer is what it is asked to measure.
        ...(endpoint.path.endsWith("count_tokens")
            ? []
            : [{name: "a prompt over the context", body: () => JSON.stringify(endpoint.withPrompt("lorem ipsum ".repeat(CONTEXT))), status: 400, message: /context/}]),
        {name: "an oversized body", body: () => JSON.stringify(endpoint.withPrompt("x".repeat(100 * 1024))), status: 413},
        ...(endpoint.withTools
            ? [
                  {
                      name: "a tool with an invalid schema, required",
                      body: () => JSON.stringify(endpoint.withTools!([badSchema], "required")),
                      status: 400,
                      message: /banana/
                  },
                  {name: "a tool with a broken $ref", body: () => JSON.stringify(endpoint.withTools!([brokenRef], "required")), status: 400, message: /\$ref/},
                  {
                      name: "an unknown tool in tool_choice",
                      body: () => JSON.stringify(endpoint.withTools!([{type: "object"}], {type: "function", function: {name: "nope"}})),
                      status: 400,
                      message: /nope/
                  }
              ]
            : []),
        ...(endpoint.withSchema
            ? [
                  {name: "json_schema without a schema", body: () => JSON.stringify(endpoint.withSchema!(undefined)), status: 400, message: /schema/},
                  {name: "json_schema with an invalid type", body: () => JSON.stringify(endpoint.withSchema!(badSchema)), status: 400, message: /banana/},
                  {name: "json_schema with a broken $ref", body: () => JSON.stringify(endpoint.withSchema!(brokenRef)), status: 400, message: /\$ref/}
              ]
            : [])
    ];

    it.each(cases)("$name → $status", async ({body, headers, status, message}) => {
        const response = await post(endpoint.path, body(), headers);
        expect(response.status).toBe(status);
        if (status >= 400) {
            const text = errorMessage(endpoint.protocol, response.json());
            if (message) expect(text).toMatch(message);
        }
        const health = await rawHttp(`${origin}/health`);
        expect(health.status).toBe(200);
    });
});

describe("limits and many clients", () => {
    it("refuses fill-in-the-middle on a model without FIM tokens", async () => {
        const answer = await post("/v1/completions", JSON.stringify({model, prompt: "def f(", suffix: ")", max_tokens: 2}));
        expect(answer.status).toBe(400);
        expect(errorMessage("openai", answer.json())).toMatch(/fill-in-the-middle/);
    });

    it("caps max_tokens at the context left and says the output was cut", async () => {
        const chat = await post("/v1/chat/completions", JSON.stringify({model, messages: [{role: "user", content: "hi"}], max_tokens: 1e12, temperature: 0}));
        expect(chat.status).toBe(200);
        const body = chat.json() as {choices: {finish_reason: string}[]; usage: {prompt_tokens: number; completion_tokens: number}};
        expect(body.choices[0]!.finish_reason).toBe("length");
        expect(body.usage.prompt_tokens + body.usage.completion_tokens).toBeLessThanOrEqual(CONTEXT);
        const messages = await post("/v1/messages", JSON.stringify({model, max_tokens: 1e12, messages: [{role: "user", content: "hi"}]}));
        expect((messages.json() as {stop_reason: string}).stop_reason).toBe("max_tokens");
        const responses = await post("/v1/responses", JSON.stringify({model, input: "hi", max_output_tokens: 1e12}));
        expect(responses.json()).toMatchObject({status: "incomplete", incomplete_details: {reason: "max_output_tokens"}});
        const completions = await post("/v1/completions", JSON.stringify({model, prompt: "hi", max_tokens: 1e12}));
        expect((completions.json() as {choices: {finish_reason: string}[]}).choices[0]!.finish_reason).toBe("length");
    });

    it("serves concurrent clients of every protocol, malformed ones among them, without a 5xx", async () => {
        const requests = Array.from({length: 12}, (_, i) => {
            const endpoint = endpoints[i % endpoints.length]!;
            return post(endpoint.path, i % 3 === 0 ? "{broken" : JSON.stringify(endpoint.valid()));
        });
        const answers = await Promise.all(requests);
        for (const [i, answer] of answers.entries()) expect(answer.status, `request ${i}`).toBe(i % 3 === 0 ? 400 : 200);
        expect((await rawHttp(`${origin}/health`)).status).toBe(200);
    });

    it("binds beyond loopback only with a key (made when none is given), hides the file path from the network, and forgets the host", async () => {
        const open = await app["engine.start"]({model: "tiny-attack", settings: {contextSize: CONTEXT, threads: 1, parallel: 2}, server: {host: "0.0.0.0", port: 0}});
        expect(open.server).toMatchObject({host: "0.0.0.0", apiKeyGenerated: true});
        const key = open.server!.apiKey!;
        expect(key.length).toBeGreaterThanOrEqual(32);
        const url = open.server!.baseUrl.replace(/\/v1$/, "");
        expect((await rawHttp(`${url}/v1/models`)).status).toBe(401);
        const local = await rawHttp(`${url}/v1/models`, {headers: {"x-api-key": key}});
        expect((local.json() as {data: {meta: {path?: string}}[]}).data[0]!.meta.path).toContain("tiny-attack.gguf");
        const lan = Object.values(os.networkInterfaces())
            .flat()
            .find((address) => address && address.family === "IPv4" && !address.internal);
        if (lan) {
            const remote = await rawHttp(`http://${lan.address}:${open.server!.port}/v1/models`, {headers: {authorization: `Bearer ${key}`, host: `127.0.0.1:${open.server!.port}`}});
            expect(remote.status).toBe(200);
            expect((remote.json() as {data: {meta: Record<string, unknown>}[]}).data[0]!.meta).not.toHaveProperty("path");
        }
        const again = await app["engine.start"]({model: "tiny-attack", settings: {contextSize: CONTEXT, threads: 1, parallel: 2}, server: {port: 0}});
        expect(again.server).toMatchObject({host: "127.0.0.1", apiKey: null, apiKeyGenerated: false});
        origin = again.server!.baseUrl.replace(/\/v1$/, "");
    });
});
