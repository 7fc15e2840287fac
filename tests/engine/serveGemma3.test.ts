import OpenAI from "openai";
import {describe, expect, it} from "vitest";
import {createAppService} from "../../electron/core/AppService.ts";
import {createTempHome} from "../../testkit/tempHome.ts";
import {ensureGemma3} from "../../testkit/testModels.ts";

// A second real architecture and a K-quant behind the OpenAI-compatible API: Gemma 3 270M (Q4_K_M),
// with sliding-window attention, a 262k vocabulary and its own chat template.
describe("Gemma 3 270M through the OpenAI-compatible API", () => {
    it("loads at its trained context, answers streamed and not, and reports its memory next to AgentFit's estimate", async () => {
        using home = createTempHome();
        await using app = await createAppService({paths: home, measureBandwidthAutomatically: false});
        const status = await app["engine.start"]({model: ensureGemma3(), settings: {contextSize: 32768, threads: 1, flashAttention: true}, server: {port: 0}});
        const model = status.model!;
        expect(model).toMatchObject({architecture: "gemma3", trainedContextSize: 32768, settings: {contextSize: 32768}});
        expect(model.memory).toMatchObject({estimatedBy: "agentfit"});
        const client = new OpenAI({baseURL: status.server!.baseUrl, apiKey: "unused", maxRetries: 0});
        const messages = [{role: "user" as const, content: "Name one primary colour."}];
        const reply = await client.chat.completions.create({model: model.id, messages, max_tokens: 16, temperature: 0});
        expect(reply.choices[0]!.message.content!.trim().length).toBeGreaterThan(0);
        expect(["stop", "length"]).toContain(reply.choices[0]!.finish_reason);
        expect(reply.usage!.completion_tokens).toBeGreaterThan(0);
        let streamed = "";
        for await (const chunk of await client.chat.completions.create({model: model.id, messages, max_tokens: 16, temperature: 0, stream: true})) streamed += chunk.choices[0]?.delta.content ?? "";
        expect(streamed).toBe(reply.choices[0]!.message.content);
        await app["engine.stop"]({});
    }, 300_000);
});
