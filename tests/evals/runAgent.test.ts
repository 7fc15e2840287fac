import {describe, expect, it} from "vitest";
import OpenAI from "openai";
import {runAgent} from "../../electron/core/evals/runAgent.ts";
import {createToolchains} from "../../electron/core/evals/toolchains.ts";
import {task, workspaceCopy} from "../utils/evalFixtures.ts";
import {startScriptedOpenAi, type AgentReply} from "../utils/scriptedOpenAi.ts";

const js = task("js-timesheet-durations");
const limits = {maxTurns: 5, maxTokens: 1_000_000, maxWallTimeMs: 60_000};

async function overflowWith(reply: AgentReply) {
    await using server = await startScriptedOpenAi({agents: {m: () => reply}});
    using ws = workspaceCopy(js);
    return await runAgent({
        client: new OpenAI({baseURL: server.baseUrl, apiKey: "k", maxRetries: 0}),
        model: "m",
        systemPrompt: "s",
        prompt: js.prompt,
        tools: {root: ws.dir, toolchain: createToolchains().javascript},
        limits
    });
}

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
