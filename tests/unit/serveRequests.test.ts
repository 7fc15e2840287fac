import type {LlamaContextSequence, Token} from "node-llama-cpp";
import {describe, expect, it} from "vitest";
import {parseChatCompletionRequest} from "../../electron/engine/server/chatCompletionRequest.ts";
import {toChatHistory} from "../../electron/engine/server/openAiChatHistory.ts";
import {SequencePool} from "../../electron/engine/model/SequencePool.ts";
import {agentSnippets} from "../../electron/shared/agentSnippets.ts";

const base = {model: "m", messages: [{role: "user", content: "hi"}]};
const errorOf = (body: unknown) => {
    try {
        parseChatCompletionRequest(body);
    } catch (error) {
        return JSON.parse(JSON.stringify(error)) as {error: {param: string | null; code: string | null; message: string}};
    }
    throw new Error("expected a 400");
};

describe("chat completion request validation", () => {
    it("accepts the supported fields and ignores bookkeeping ones", () => {
        const request = parseChatCompletionRequest({
            ...base,
            stream: true,
            stream_options: {include_usage: true},
            temperature: 0.2,
            top_k: 20,
            min_p: 0.1,
            seed: 7,
            stop: ["\n\n"],
            max_completion_tokens: 64,
            user: "someone",
            metadata: {run: "1"},
            tools: [{type: "function", function: {name: "read_file", parameters: {type: "object", properties: {}}}}],
            tool_choice: {type: "function", function: {name: "read_file"}},
            parallel_tool_calls: false
        });
        expect(request.max_completion_tokens).toBe(64);
    });

    it("names the offending field, also nested, in OpenAI's error format", () => {
        expect(errorOf({...base, logit_bias: {}}).error).toMatchObject({param: "logit_bias", code: "unsupported_parameter"});
        expect(errorOf({...base, messages: [{role: "user", content: "x", audio: {}}]}).error).toMatchObject({param: "messages[0].audio", code: "unsupported_parameter"});
        expect(errorOf({...base, max_tokens: 0}).error).toMatchObject({param: "max_tokens", code: "invalid_value"});
        expect(errorOf({...base, temperature: "hot"}).error).toMatchObject({param: "temperature", code: "invalid_type"});
        expect(errorOf({...base, n: 3}).error).toMatchObject({param: "n", code: "unsupported_value"});
        expect(errorOf({...base, messages: [{role: "user", content: [{type: "image_url", image_url: {url: "x"}}]}]}).error.param).toMatch(/^messages\[0\]\.content/);
        expect(errorOf({model: "m"}).error.param).toBe("messages");
        expect(errorOf([1, 2]).error.code).toBe("invalid_body");
    });
});

describe("OpenAI messages to chat history", () => {
    it("attaches tool results to the calls and lets the model continue after them", () => {
        const history = toChatHistory([
            {role: "system", content: "sys"},
            {role: "developer", content: [{type: "text", text: "dev"}]},
            {role: "user", content: "go"},
            {role: "assistant", content: "Reading.", tool_calls: [{id: "a", type: "function", function: {name: "read", arguments: '{"path":"x"}'}}, {id: "b", type: "function", function: {name: "ls", arguments: ""}}]},
            {role: "tool", tool_call_id: "b", content: "not json"},
            {role: "tool", tool_call_id: "a", content: '{"text":"hello"}'}
        ]);
        expect(history.map((item) => item.type)).toEqual(["system", "system", "user", "model"]);
        expect(history[3]).toEqual({
            type: "model",
            response: [
                "Reading.",
                {type: "functionCall", name: "read", params: {path: "x"}, result: {text: "hello"}, startsNewChunk: true},
                {type: "functionCall", name: "ls", params: undefined, result: "not json"}
            ]
        });
    });

    it("ends with an empty model turn after a user message, and refuses unanswered or unknown tool calls", () => {
        expect(toChatHistory([{role: "user", content: "hi"}]).at(-1)).toEqual({type: "model", response: []});
        const call = {role: "assistant" as const, tool_calls: [{id: "c1", type: "function" as const, function: {name: "f", arguments: "{}"}}]};
        expect(() => toChatHistory([{role: "user", content: "x"}, call, {role: "user", content: "y"}])).toThrow(/"c1" has no response/);
        expect(() => toChatHistory([{role: "user", content: "x"}, {role: "tool", tool_call_id: "zz", content: "1"}])).toThrow(/no earlier assistant message made/);
    });
});

describe("sequence routing", () => {
    const fakeSequence = (tokens: number[]) => ({contextTokens: tokens as Token[]}) as unknown as LlamaContextSequence;

    it("sends a continued conversation to the sequence holding it, and a new one to an empty sequence", async () => {
        const conversation = fakeSequence([1, 2, 3, 4, 5, 6, 7, 8]);
        const empty = fakeSequence([]);
        const pool = new SequencePool([empty, conversation]);
        const continued = await pool.acquire([1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as Token[]);
        expect(continued.sequence).toBe(conversation);
        expect(continued.matchingPrefix).toBe(8);
        continued.release();
        // Shares only the template's first tokens: must not evict the conversation.
        const fresh = await pool.acquire([1, 2, 99, 98] as Token[]);
        expect(fresh.sequence).toBe(empty);
        fresh.release();
    });

    it("queues requests beyond the sequences in arrival order and drops a waiter that gives up", async () => {
        const pool = new SequencePool([fakeSequence([])]);
        const first = await pool.acquire([1] as Token[]);
        const order: string[] = [];
        const controller = new AbortController();
        const second = pool.acquire([2] as Token[]).then((lease) => (order.push("second"), lease));
        const gaveUp = pool.acquire([3] as Token[], controller.signal);
        const third = pool.acquire([4] as Token[]).then((lease) => (order.push("third"), lease));
        expect(pool.queued).toBe(3);
        controller.abort(new Error("client left"));
        await expect(gaveUp).rejects.toThrow("client left");
        expect(pool.queued).toBe(2);
        first.release();
        (await second).release();
        (await third).release();
        expect(order).toEqual(["second", "third"]);
        expect(pool.busy).toBe(0);
    });
});

describe("agent set-up snippets", () => {
    it("fill in the real URL, model and key, and leave the key out of curl when none is set", () => {
        const withKey = agentSnippets({baseUrl: "http://127.0.0.1:9000/v1", model: "qwen", apiKey: "sk-1"});
        expect(withKey.map((s) => s.id)).toEqual(["continue", "cline", "qwen-code", "positron", "ellmer", "curl"]);
        for (const snippet of withKey) {
            const text = snippet.code + snippet.note;
            expect(text).toContain("http://127.0.0.1:9000/v1");
            expect(text).toContain("qwen");
            expect(text).toContain("sk-1");
        }
        expect(withKey.find((s) => s.id === "curl")!.code).toContain("Authorization: Bearer sk-1");
        expect(withKey.find((s) => s.id === "continue")!.code).toContain("apiBase: http://127.0.0.1:9000/v1");
        const noKey = agentSnippets({baseUrl: "http://127.0.0.1:9000/v1", model: "qwen", apiKey: null});
        expect(noKey.find((s) => s.id === "curl")!.code).not.toContain("Authorization");
        expect(noKey.find((s) => s.id === "qwen-code")!.code).toContain("OPENAI_API_KEY=agentfit");
    });
});
