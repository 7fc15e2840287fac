import {describe, expect, it} from "vitest";
import OpenAI from "openai";
import {runAgent} from "../../electron/core/evals/runAgent.ts";
import {createToolchains} from "../../electron/core/evals/toolchains.ts";
import {task, workspaceCopy} from "../../testkit/evalFixtures.ts";
import {startScriptedOpenAi, type AgentReply} from "../../testkit/scriptedOpenAi.ts";

const js = task("js-timesheet-durations");
const limits = {maxTurns: 5, maxTokens: 1_000_000, maxWallTimeMs: 60_000};

async function runWith(reply: AgentReply, extra: Partial<Parameters<typeof runAgent>[0]> = {}) {
    await using server = await startScriptedOpenAi({agents: {m: () => reply}});
    using ws = workspaceCopy(js);
    const trace = await runAgent({
        client: new OpenAI({baseURL: server.baseUrl, apiKey: "k", maxRetries: 0}),
        model: "m",
        systemPrompt: "s",
        prompt: js.prompt,
        tools: {root: ws.dir, toolchain: createToolchains().javascript},
        limits,
        ...extra
    });
    return {trace, requests: server.requests.map((r) => r.body)};
}
const overflowWith = async (reply: AgentReply) => (await runWith(reply)).trace;

describe("runAgent recognises context overflow as each server reports it", () => {
    it.each([
        ["llama-server", {status: 400, error: {message: "the request exceeds the available context size, try increasing it", type: "exceed_context_size_error"}}],
        ["OpenAI", {status: 400, error: {message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.", code: "context_length_exceeded"}}],
        ["Anthropic", {status: 400, error: {message: "prompt is too long: 210000 tokens > 200000 maximum"}}],
        ["Gemini", {status: 400, error: {message: "The input token count (1100000) exceeds the maximum number of tokens allowed (1048576)."}}]
    ] as [string, AgentReply][])("%s", async (_name, reply) => {
        const trace = await overflowWith(reply);
        expect(trace.endReason).toBe("provider_error");
        expect(trace.providerError).toMatchObject({status: 400, contextOverflow: true});
    });

    it("an answer cut off at the length limit ends the run as overflow; other errors are not overflow", async () => {
        expect((await overflowWith({content: "I will now", finishReason: "length"})).endReason).toBe("length");
        expect((await overflowWith({status: 400, error: {message: "Invalid value for 'tools'"}})).providerError).toMatchObject({contextOverflow: false});
    });
});

describe("runAgent's per-turn output cap", () => {
    const rambling: AgentReply = {content: "I will refactor the code. ".repeat(200)};

    it("is sent with every request, and an answer cut off there is that limit, not a full context", async () => {
        const {trace, requests} = await runWith(rambling, {limits: {...limits, maxOutputTokensPerTurn: 50}});
        expect(requests[0]).toMatchObject({max_tokens: 50});
        expect(requests[0]).not.toHaveProperty("max_completion_tokens");
        expect(trace).toMatchObject({endReason: "limit", limitHit: "output", turns: 1});
        expect(trace.usage.outputTokens).toBe(50);
    });

    it("goes as max_completion_tokens where the provider wants it, and is not sent when unset", async () => {
        const capped = await runWith(rambling, {limits: {...limits, maxOutputTokensPerTurn: 50}, outputCapField: "max_completion_tokens"});
        expect(capped.requests[0]).toMatchObject({max_completion_tokens: 50});
        expect(capped.requests[0]).not.toHaveProperty("max_tokens");
        const uncapped = await runWith(rambling);
        expect(uncapped.requests[0]).not.toHaveProperty("max_tokens");
        expect(uncapped.trace).toMatchObject({endReason: "answered", limitHit: null});
    });
});
