import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {describe, expect, it} from "vitest";
import rawCatalog from "../../models/catalog.json" with {type: "json"};
import {loadCatalog} from "../../electron/core/catalog/loadCatalog.ts";
import {bitsPerWeight} from "../../electron/core/catalog/quantizations.ts";

const catalog = loadCatalog();

describe("models/catalog.json", () => {
    it("covers the laptop sizes and the ones just beyond, with unique ids and tool-calling facts", () => {
        const ids = catalog.map((m) => m.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of [
            "qwen2.5-coder-1.5b-instruct",
            "qwen2.5-coder-7b-instruct",
            "qwen2.5-coder-32b-instruct",
            "qwen3-4b",
            "qwen3-14b",
            "qwen3-30b-a3b",
            "qwen3-coder-30b-a3b-instruct",
            "devstral-small-2507",
            "mistral-small-3.1-24b-instruct-2503",
            "gemma-3-4b-it",
            "gemma-3-27b-it",
            "gpt-oss-20b",
            "llama-3.1-8b-instruct",
            "phi-4-mini-instruct"
        ])
            expect(ids).toContain(id);
        expect(catalog.some((m) => m.family.startsWith("Granite 4"))).toBe(true);
    });

    it("gives every file size a source, and every size agrees with parameters × bits per weight", () => {
        for (const model of catalog) {
            for (const q of model.quantizations) {
                expect(q.sizeSource, `${model.id}:${q.quantization}`).not.toBe("");
                const bits = bitsPerWeight[q.quantization];
                expect(bits, `${model.id}: unknown quantization ${q.quantization}`).toBeDefined();
                const expected = (model.architecture.parameters * bits!) / 8;
                const ratio = q.sizeBytes / expected;
                expect(ratio, `${model.id}:${q.quantization} is ${q.sizeBytes} bytes, ${ratio.toFixed(2)}× parameters × ${bits} bits`).toBeGreaterThan(0.85);
                expect(ratio, `${model.id}:${q.quantization}`).toBeLessThan(1.2);
            }
            // Larger quantizations are larger files.
            const sorted = [...model.quantizations].sort((a, b) => bitsPerWeight[a.quantization]! - bitsPerWeight[b.quantization]!);
            for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.sizeBytes, model.id).toBeGreaterThan(sorted[i - 1]!.sizeBytes);
        }
    });

    it("marks estimated sizes as estimates and names published sources for the others", () => {
        const all = catalog.flatMap((m) => m.quantizations);
        const published = all.filter((q) => !q.sizeEstimated);
        expect(published.length).toBeGreaterThan(5);
        for (const q of published) expect(q.sizeSource).toMatch(/model card|Hugging Face|OpenAI/);
        for (const q of all.filter((x) => x.sizeEstimated)) expect(q.sizeSource).toMatch(/^estimated from parameters × bits per weight/);
    });

    it("names files after their quantization, splitting only files above the 50 GB upload limit", () => {
        for (const model of catalog)
            for (const q of model.quantizations) {
                for (const file of q.files) expect(file.toLowerCase(), `${model.id}:${q.quantization}`).toContain(q.quantization.toLowerCase());
                if (q.files.length > 1) {
                    expect(q.sizeBytes).toBeGreaterThan(50e9);
                    q.files.forEach((file, i) => expect(file).toMatch(new RegExp(`-0000${i + 1}-of-0000${q.files.length}\\.gguf$`)));
                }
            }
    });

    it("keeps the architecture facts an estimate needs internally consistent", () => {
        for (const model of catalog) {
            const a = model.architecture;
            expect(a.headCount % a.headCountKv, model.id).toBe(0);
            expect(a.kvLayers).toBeLessThanOrEqual(a.layers);
            expect(a.slidingWindowLayers).toBeLessThanOrEqual(a.kvLayers);
            if (a.activeParameters != null) {
                expect(a.experts, model.id).not.toBeNull();
                expect(a.activeParameters).toBeLessThan(a.parameters / 3);
            }
            // A dense transformer has roughly 12 × layers × width² parameters in its blocks: within 2× of that.
            if (a.activeParameters == null && a.kvLayers === a.layers) {
                const blocks = a.parameters - 2 * a.vocabularySize * a.embeddingLength;
                const rough = a.layers * (4 * a.embeddingLength * a.headCount * a.headDim * 0.75 + 3 * a.embeddingLength * a.feedForwardLength);
                expect(blocks / rough, model.id).toBeGreaterThan(0.6);
                expect(blocks / rough, model.id).toBeLessThan(1.6);
            }
            for (const key of ["architecture", "parameters", "license", "files"]) expect(model.sources[key], `${model.id} source for ${key}`).toBeTruthy();
            expect(model.quantizations.map((q) => q.quantization)).toContain(model.defaultQuantization);
        }
    });

    it("records the published refactor-eval results with their source", () => {
        const evals = Object.fromEntries(catalog.filter((m) => m.evals.length > 0).map((m) => [m.id, m.evals[0]!]));
        expect(evals["qwen3-coder-30b-a3b-instruct"]).toMatchObject({correct: 7, runs: 10, date: "2025-12"});
        expect(evals["qwen3-14b"]).toMatchObject({correct: 0, runs: 10});
        expect(evals["gpt-oss-20b"]).toMatchObject({correct: 0, runs: 10});
        expect(evals["mistral-small-3.1-24b-instruct-2503"]).toMatchObject({correct: 0, runs: 10});
        expect(evals["qwen3.5-35b-a3b"]).toMatchObject({correct: 9, runs: 10, date: "2026-04"});
        expect(evals["gemma-4-26b-a4b-it"]).toMatchObject({correct: 9, runs: 10, date: "2026-04"});
        for (const e of Object.values(evals)) expect(e.source).toMatch(/helperbench/);
    });

    it("refuses a catalog that breaks the rules, naming the problem", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-catalog-"));
        try {
            const write = (name: string, data: unknown) => {
                const file = path.join(dir, name);
                fs.writeFileSync(file, JSON.stringify(data));
                return file;
            };
            const first = rawCatalog.models[0]!;
            expect(() => loadCatalog({file: write("dup.json", {...rawCatalog, models: [first, first]})})).toThrow(/duplicate id qwen2.5-coder-1.5b-instruct/);
            const negative = {...first, architecture: {...first.architecture, parameters: -1}};
            expect(() => loadCatalog({file: write("neg.json", {...rawCatalog, models: [negative]})})).toThrow(/models\.0\.architecture\.parameters/);
            const badHeads = {...first, architecture: {...first.architecture, headCountKv: 5}};
            expect(() => loadCatalog({file: write("heads.json", {...rawCatalog, models: [badHeads]})})).toThrow(/do not divide/);
            const noDefault = {...first, defaultQuantization: "Q9_K"};
            expect(() => loadCatalog({file: write("default.json", {...rawCatalog, models: [noDefault]})})).toThrow(/default quantization Q9_K has no file/);
            fs.writeFileSync(path.join(dir, "broken.json"), "{not json");
            expect(() => loadCatalog({file: path.join(dir, "broken.json")})).toThrow(expect.objectContaining({code: "CATALOG_INVALID"}));
        } finally {
            fs.rmSync(dir, {recursive: true, force: true});
        }
    });
});
