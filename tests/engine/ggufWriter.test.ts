import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {getLlama, GgmlType, GgufFileType, LlamaChatSession, LlamaLogLevel, readGgufFileInfo, type Llama} from "node-llama-cpp";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {ggufModelPresets, writeGgufModel, type GgufWeightType} from "../../testkit/gguf/writeGgufModel.ts";

// The generated GGUF files are the foundation of every engine test and benchmark: prove that the
// real engine loads each weight type and generates from it.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-gguf-"));
let llama: Llama;

beforeAll(async () => {
    llama = await getLlama({gpu: false, maxThreads: 2, logLevel: LlamaLogLevel.error, build: "never"});
});
afterAll(async () => {
    await llama.dispose();
    fs.rmSync(dir, {recursive: true, force: true});
});

describe("generated GGUF models", () => {
    for (const type of ["F32", "F16", "Q8_0", "Q4_0", "Q4_K_M"] as const satisfies GgufWeightType[]) {
        it(`${type}: metadata reads back and the engine generates tokens through the ChatML template`, async () => {
            // K-quants pack 256 weights per block, so rows must be multiples of 256.
            const facts = writeGgufModel(path.join(dir, `tiny-${type}.gguf`), {...ggufModelPresets.tiny, ...(type === "Q4_K_M" ? {embeddingLength: 256} : {}), type, headCountKv: 2});
            const info = await readGgufFileInfo(facts.path);
            const general = info.metadata.general;
            expect(general.architecture).toBe("llama");
            const arch = info.architectureMetadata as {context_length: number; block_count: number; attention: {head_count_kv: number}};
            expect(arch.context_length).toBe(4096);
            expect(arch.block_count).toBe(2);
            expect(arch.attention.head_count_kv).toBe(2);
            expect(info.metadata.tokenizer.ggml.tokens).toHaveLength(facts.vocabularySize);
            expect(info.metadata.tokenizer.chat_template).toContain("<|im_start|>");
            if (type === "Q4_K_M") {
                // Real K-quant blocks in llama.cpp's Q4_K_M layout: Q4_K matrices, Q6_K output and the sensitive layers' attn_v and ffn_down.
                expect(general.file_type).toBe(GgufFileType.MOSTLY_Q4_K_M);
                const typeOf = (name: string) => GgmlType[info.fullTensorInfo!.find((t) => t.name === name)!.ggmlType];
                // With 2 layers only the last is "sensitive" (i >= 7n/8 in integer arithmetic).
                expect([typeOf("blk.0.attn_q.weight"), typeOf("blk.0.attn_v.weight"), typeOf("blk.1.attn_v.weight"), typeOf("blk.1.ffn_down.weight"), typeOf("output.weight")]).toEqual(["Q4_K", "Q4_K", "Q6_K", "Q6_K", "Q6_K"]);
            }

            const model = await llama.loadModel({modelPath: facts.path});
            try {
                expect(model.fileInsights.trainContextSize).toBe(4096);
                // Every byte is encodable and the ChatML control tokens tokenize as one token each.
                expect(model.detokenize(model.tokenize("héllo wörld ✓ {\"a\": 1}"))).toBe("héllo wörld ✓ {\"a\": 1}");
                expect(model.tokenize("<|im_start|>", true)).toHaveLength(1);

                const context = await model.createContext({contextSize: 512, threads: 2});
                const sequence = context.getSequence();
                const session = new LlamaChatSession({contextSequence: sequence});
                expect(session.chatWrapper.wrapperName).toBe("ChatML");
                const result = await session.promptWithMeta("Write a helper function.", {maxTokens: 12});
                // The end-of-turn row is zeroed, so a random model always runs to maxTokens.
                expect(result.stopReason).toBe("maxTokens");
                expect(sequence.tokenMeter.usedOutputTokens).toBe(12);
                await context.dispose();
            } finally {
                await model.dispose();
            }
        });
    }

    it("sizes scale from tiny to hundreds of MB and types shrink as expected", () => {
        const shape = {...ggufModelPresets.small};
        const sizes = Object.fromEntries(
            (["F32", "F16", "Q8_0", "Q4_0"] as const).map((type) => [type, writeGgufModel(path.join(dir, `small-${type}.gguf`), {...shape, type}).fileSizeBytes])
        ) as Record<GgufWeightType, number>;
        expect(sizes.F16 / sizes.F32).toBeCloseTo(0.5, 1);
        expect(sizes.Q8_0 / sizes.F16).toBeCloseTo(34 / 64, 1);
        expect(sizes.Q4_0 / sizes.F16).toBeCloseTo(18 / 64, 1);

        const large = writeGgufModel(path.join(dir, "large-Q4_0.gguf"), {...ggufModelPresets.large, type: "Q4_0"});
        expect(large.parameterCount).toBeGreaterThan(200e6);
        expect(large.fileSizeBytes).toBeGreaterThan(100 * 1024 * 1024);
        fs.rmSync(large.path);
    });

    it("writes the same bytes for the same options and seed", () => {
        const a = writeGgufModel(path.join(dir, "a.gguf"), {seed: 7});
        const b = writeGgufModel(path.join(dir, "b.gguf"), {seed: 7});
        expect(fs.readFileSync(a.path).equals(fs.readFileSync(b.path))).toBe(true);
    });
});
