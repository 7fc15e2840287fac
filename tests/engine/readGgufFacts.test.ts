import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {afterAll, describe, expect, it} from "vitest";
import {readGgufFacts} from "../../electron/core/gguf/readGgufFacts.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {serveFiles} from "../../testkit/serveFiles.ts";
import {ensureGemma3, ensureSmolLM2} from "../../testkit/testModels.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-facts-"));
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

describe("readGgufFacts", () => {
    const model = writeGgufModel(path.join(dir, "small-Q8_0.gguf"), {...ggufModelPresets.small, type: "Q8_0", headCountKv: 4, contextLength: 8192});

    it("reads the architecture facts of a local file", async () => {
        const facts = await readGgufFacts(model.path);
        expect(facts).toMatchObject({
            architecture: "llama",
            name: "AgentFit test model",
            quantization: "Q8_0",
            parameterCount: model.parameterCount,
            splitParts: 1,
            contextLength: 8192,
            blockCount: model.blockCount,
            embeddingLength: model.embeddingLength,
            feedForwardLength: model.feedForwardLength,
            headCount: model.headCount,
            headCountKv: 4,
            keyLength: model.embeddingLength / model.headCount,
            slidingWindow: null,
            expertCount: null,
            vocabularySize: model.vocabularySize,
            hasChatTemplate: true,
            supportedByLlamaCpp: true
        });
        expect(facts.expectedFileBytes).toBeLessThanOrEqual(model.fileSizeBytes);
        expect(facts.expectedFileBytes).toBeGreaterThan(model.fileSizeBytes - 32 * 200);
    });

    it("reads a remote header with range requests, never the whole file", async () => {
        const medium = writeGgufModel(path.join(dir, "medium-Q8_0.gguf"), {...ggufModelPresets.medium, type: "Q8_0"});
        await using server = await serveFiles({"/models/medium.gguf": medium.path});
        const facts = await readGgufFacts(`${server.url}/models/medium.gguf`);
        expect(facts.parameterCount).toBe(medium.parameterCount);
        expect(server.requests.every((r) => r.range)).toBe(true);
        expect(server.totalBytesSent()).toBeLessThan(medium.fileSizeBytes / 4);
    });

    it("resolves hf:user/repo/file.gguf against a Hugging Face endpoint", async () => {
        await using server = await serveFiles({"/acme/tiny-GGUF/resolve/main/small.Q8_0.gguf": model.path});
        const facts = await readGgufFacts("hf:acme/tiny-GGUF/small.Q8_0.gguf", {huggingFaceEndpoint: `${server.url}/`});
        expect(facts.blockCount).toBe(model.blockCount);
    });

    it("names the problem: missing, not GGUF, truncated", async () => {
        await expect(readGgufFacts(path.join(dir, "nope.gguf"))).rejects.toMatchObject({code: "GGUF_NOT_FOUND"});

        const text = path.join(dir, "readme.gguf");
        fs.writeFileSync(text, "# This is a README, not a model\n".repeat(20));
        await expect(readGgufFacts(text)).rejects.toMatchObject({code: "GGUF_INVALID", message: expect.stringContaining("not a GGUF file")});

        const cutData = path.join(dir, "cut-data.gguf");
        fs.writeFileSync(cutData, fs.readFileSync(model.path).subarray(0, Math.floor(model.fileSizeBytes * 0.6)));
        await expect(readGgufFacts(cutData)).rejects.toMatchObject({code: "GGUF_TRUNCATED", message: expect.stringMatching(/truncated.*Download it again/)});

        const cutHeader = path.join(dir, "cut-header.gguf");
        fs.writeFileSync(cutHeader, fs.readFileSync(model.path).subarray(0, 2000));
        await expect(readGgufFacts(cutHeader)).rejects.toMatchObject({code: "GGUF_TRUNCATED"});

        // Full size, the GGUF magic and version, then random bytes where the header should be: not a GGUF
        // file, whatever absurd size the random header asks for.
        const scrambled = path.join(dir, "scrambled-header.gguf");
        const bytes = fs.readFileSync(model.path);
        bytes.set(crypto.randomBytes(4000), 8);
        fs.writeFileSync(scrambled, bytes);
        await expect(readGgufFacts(scrambled)).rejects.toMatchObject({code: "GGUF_INVALID", message: expect.stringContaining("is not a GGUF file")});
        const random = path.join(dir, "random.gguf");
        fs.writeFileSync(random, crypto.randomBytes(model.fileSizeBytes));
        await expect(readGgufFacts(random)).rejects.toMatchObject({code: "GGUF_INVALID", message: expect.stringContaining("not a GGUF file")});
    });

    it("maps remote failures to clear errors", async () => {
        await using server = await serveFiles({"/gated.gguf": 401, "/broken.gguf": 500});
        await expect(readGgufFacts(`${server.url}/missing.gguf`)).rejects.toMatchObject({code: "GGUF_NOT_FOUND"});
        await expect(readGgufFacts(`${server.url}/gated.gguf`)).rejects.toMatchObject({code: "GGUF_UNAUTHORIZED", message: expect.stringContaining("HF_TOKEN")});
        await expect(readGgufFacts(`${server.url}/broken.gguf`)).rejects.toMatchObject({code: "GGUF_HTTP_ERROR", message: expect.stringContaining("500")});
        await expect(readGgufFacts("http://127.0.0.1:9/model.gguf")).rejects.toMatchObject({code: "GGUF_UNREACHABLE"});
    });

    it("reads the real SmolLM2-135M-Instruct", async () => {
        const facts = await readGgufFacts(ensureSmolLM2());
        expect(facts).toMatchObject({architecture: "llama", quantization: "Q4_1", contextLength: 8192, blockCount: 30, embeddingLength: 576, headCount: 9, headCountKv: 3, vocabularySize: 49152, hasChatTemplate: true});
        expect(facts.parameterCount).toBeGreaterThan(130e6);
        expect(facts.parameterCount).toBeLessThan(140e6);
        // A BPE tokenizer (its merge table costs memory too), and Q4_1: nothing llama.cpp repacks.
        expect(facts).toMatchObject({tokenizerModel: "gpt2", repackedTensorBytes: 0});
    });

    it("reads the real Gemma 3 270M (gemma3, sliding window, Q4_K_M)", async () => {
        const facts = await readGgufFacts(ensureGemma3());
        expect(facts).toMatchObject({architecture: "gemma3", quantization: "Q4_K_M", contextLength: 32768, blockCount: 18, embeddingLength: 640, headCount: 4, headCountKv: 1, keyLength: 256, slidingWindow: 512, vocabularySize: 262144, tokenizerModel: "llama"});
        // Its Q4_K matrices (attn_output in every layer, ffn_down in half) are what llama.cpp repacks: 12.66 MiB in its log.
        expect(facts.repackedTensorBytes).toBe((18 * 1024 * 640 + 9 * 2048 * 640) / 256 * 144);
    });
});
