import {getLlama, LlamaChatSession, LlamaLogLevel, readGgufFileInfo} from "node-llama-cpp";
import {describe, expect, it} from "vitest";
import {ensureSmolLM2} from "../../testkit/smollm2.ts";

describe("SmolLM2-135M-Instruct (the real test model)", () => {
    it("loads and answers a simple question sensibly through its chat template", async () => {
        const modelPath = ensureSmolLM2();
        const info = await readGgufFileInfo(modelPath);
        expect(info.metadata.general.architecture).toBe("llama");

        await using llama = await getLlama({gpu: false, maxThreads: 2, logLevel: LlamaLogLevel.error, build: "never"});
        await using model = await llama.loadModel({modelPath});
        await using context = await model.createContext({contextSize: 2048, threads: 2});
        const session = new LlamaChatSession({contextSequence: context.getSequence()});
        const answer = await session.prompt("What is the capital of France? Answer in one word.", {maxTokens: 24, temperature: 0});
        expect(answer).toMatch(/Paris/i);
    });
});
