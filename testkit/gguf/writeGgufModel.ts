import fs from "node:fs";
import path from "node:path";
import {seededRandom} from "../../electron/shared/seededRandom.ts";

/**
 * Writes real llama-architecture GGUF v3 files with random weights, a byte-complete SentencePiece
 * vocabulary and a ChatML chat template, so node-llama-cpp loads and runs them in tests and
 * benchmarks without any download.
 */

export type GgufWeightType = "F32" | "F16" | "Q8_0" | "Q4_0" | "Q4_K_M";
/** The ggml types tensors are written in; "Q4_K_M" files mix Q4_K and Q6_K as llama.cpp's quantizer does. */
type TensorType = "F32" | "F16" | "Q8_0" | "Q4_0" | "Q4_K" | "Q6_K";

export interface WriteGgufModelOptions {
    /**
     * Tensor type of the 2-D weight matrices (norms are always F32). "Q4_K_M" writes real Q4_K blocks
     * with llama.cpp's Q4_K_M layout: Q6_K for the output matrix and for attn_v and ffn_down in the
     * first and last eighth of the layers and every third layer between (its `use_more_bits`); it
     * needs embeddingLength and feedForwardLength in multiples of 256. Default "Q8_0".
     */
    type?: GgufWeightType;
    /** Hidden size (`llama.embedding_length`). Must be a multiple of 32 and of `headCount`. Default 64. */
    embeddingLength?: number;
    /** Number of transformer blocks (`llama.block_count`). Default 2. */
    blockCount?: number;
    /** Feed-forward width (`llama.feed_forward_length`), a multiple of 32. Default 4 × embeddingLength. */
    feedForwardLength?: number;
    /** Attention heads. Default 4. */
    headCount?: number;
    /** Key/value heads (grouped-query attention when < headCount). Default headCount. */
    headCountKv?: number;
    /** Trained context length in tokens (`llama.context_length`). Default 4096. */
    contextLength?: number;
    /** Number of ordinary word-piece tokens added after the control and byte tokens. Default 256. */
    extraVocabTokens?: number;
    /** Seed of the weight generator, so the same options write the same file. Default 1. */
    seed?: number;
    /** `general.name`. Default "AgentFit test model". */
    name?: string;
    /**
     * Whether the model can end its turn. Random weights make the end-of-turn token the greedy pick
     * for some seeds, which would cut generations short; by default its output row is zero, so its
     * logit (0) loses to the largest random logit and generation runs until `maxTokens`, as speed
     * benchmarks need. Default false.
     */
    canEndTurn?: boolean;
}

export interface GgufModelFacts {
    path: string;
    type: GgufWeightType;
    parameterCount: number;
    vocabularySize: number;
    fileSizeBytes: number;
    embeddingLength: number;
    blockCount: number;
    feedForwardLength: number;
    headCount: number;
    headCountKv: number;
    contextLength: number;
}

/** Shapes that name a model size the way tests and benchmarks talk about them. */
export const ggufModelPresets = {
    /** ~125k parameters: loads in milliseconds. */
    tiny: {embeddingLength: 64, blockCount: 2, headCount: 4, extraVocabTokens: 256},
    /** ~4M parameters. */
    small: {embeddingLength: 256, blockCount: 4, headCount: 8, extraVocabTokens: 1024},
    /** ~28M parameters (~30 MB at Q8_0): big enough for stable speed measurements. */
    medium: {embeddingLength: 512, blockCount: 8, headCount: 8, headCountKv: 4, extraVocabTokens: 4096},
    /** ~250M parameters (~270 MB at Q8_0): memory-bound like real models. */
    large: {embeddingLength: 1024, blockCount: 16, headCount: 16, headCountKv: 8, extraVocabTokens: 8192}
} satisfies Record<string, WriteGgufModelOptions>;

const GGML_TYPE = {F32: 0, F16: 1, Q4_0: 2, Q8_0: 8, Q4_K: 12, Q6_K: 14} as const;
const FILE_TYPE = {F32: 0, F16: 1, Q4_0: 2, Q8_0: 7, Q4_K_M: 15} as const;
/** K-quant super-block: 256 weights; Q4_K 144 bytes (f16 d, f16 dmin, 12 bytes of 6-bit scales and mins, 128 of nibbles), Q6_K 210. */
const K_BLOCK = 256;
const ALIGNMENT = 32;
const QUANT_BLOCK = 32;

const enum ValueType {
    UINT32 = 4,
    INT32 = 5,
    FLOAT32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9
}

const TOKEN_TYPE = {NORMAL: 1, UNKNOWN: 2, CONTROL: 3, BYTE: 6} as const;

const CHATML_TEMPLATE =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

type MetadataValue =
    | {type: ValueType.UINT32 | ValueType.INT32 | ValueType.FLOAT32; value: number}
    | {type: ValueType.BOOL; value: boolean}
    | {type: ValueType.STRING; value: string}
    | {type: ValueType.ARRAY; elementType: ValueType.STRING; value: string[]}
    | {type: ValueType.ARRAY; elementType: ValueType.FLOAT32 | ValueType.INT32; value: number[]};

interface TensorPlan {
    name: string;
    /** ne0 first (the contiguous dimension), as GGUF stores them. */
    dims: number[];
    type: TensorType;
    /** Norm weights are ones; everything else is random. */
    fill: "ones" | "random";
    /** Rows (ne1 indices) written as zeros. */
    zeroRows?: readonly number[];
}

/** Writes a GGUF model file and returns what it contains. Creates the parent folder if needed. */
export function writeGgufModel(filePath: string, options: WriteGgufModelOptions = {}): GgufModelFacts {
    const type = options.type ?? "Q8_0";
    const embeddingLength = options.embeddingLength ?? 64;
    const blockCount = options.blockCount ?? 2;
    const feedForwardLength = options.feedForwardLength ?? embeddingLength * 4;
    const headCount = options.headCount ?? 4;
    const headCountKv = options.headCountKv ?? headCount;
    const contextLength = options.contextLength ?? 4096;
    const headDim = embeddingLength / headCount;

    if (embeddingLength % QUANT_BLOCK !== 0 || feedForwardLength % QUANT_BLOCK !== 0)
        throw new Error("embeddingLength and feedForwardLength must be multiples of 32");
    if (!Number.isInteger(headDim) || headCount % headCountKv !== 0)
        throw new Error("embeddingLength must divide by headCount, and headCount by headCountKv");
    if (type === "Q4_K_M" && (embeddingLength % K_BLOCK !== 0 || feedForwardLength % K_BLOCK !== 0))
        throw new Error("Q4_K_M needs embeddingLength and feedForwardLength in multiples of 256");
    const base: TensorType = type === "Q4_K_M" ? "Q4_K" : type;
    // llama.cpp's use_more_bits: Q4_K_M keeps these layers' attn_v and ffn_down in Q6_K.
    const moreBits = (layer: number) => type === "Q4_K_M" && (layer < Math.floor(blockCount / 8) || layer >= Math.floor((7 * blockCount) / 8) || (layer - Math.floor(blockCount / 8)) % 3 === 2);
    const sensitive = (layer: number): TensorType => (moreBits(layer) ? "Q6_K" : base);

    const vocab = buildVocabulary(options.extraVocabTokens ?? 256);
    const kvDim = headDim * headCountKv;
    const tensors: TensorPlan[] = [
        {name: "token_embd.weight", dims: [embeddingLength, vocab.tokens.length], type: base, fill: "random"}
    ];
    for (let i = 0; i < blockCount; i++) {
        const b = `blk.${i}.`;
        tensors.push(
            {name: b + "attn_norm.weight", dims: [embeddingLength], type: "F32", fill: "ones"},
            {name: b + "attn_q.weight", dims: [embeddingLength, embeddingLength], type: base, fill: "random"},
            {name: b + "attn_k.weight", dims: [embeddingLength, kvDim], type: base, fill: "random"},
            {name: b + "attn_v.weight", dims: [embeddingLength, kvDim], type: sensitive(i), fill: "random"},
            {name: b + "attn_output.weight", dims: [embeddingLength, embeddingLength], type: base, fill: "random"},
            {name: b + "ffn_norm.weight", dims: [embeddingLength], type: "F32", fill: "ones"},
            {name: b + "ffn_gate.weight", dims: [embeddingLength, feedForwardLength], type: base, fill: "random"},
            {name: b + "ffn_up.weight", dims: [embeddingLength, feedForwardLength], type: base, fill: "random"},
            {name: b + "ffn_down.weight", dims: [feedForwardLength, embeddingLength], type: sensitive(i), fill: "random"}
        );
    }
    tensors.push(
        {name: "output_norm.weight", dims: [embeddingLength], type: "F32", fill: "ones"},
        {
            name: "output.weight",
            dims: [embeddingLength, vocab.tokens.length],
            type: type === "Q4_K_M" ? "Q6_K" : base,
            fill: "random",
            zeroRows: options.canEndTurn ? [] : [vocab.unkId, vocab.bosId, vocab.eosId, vocab.imStartId, vocab.imEndId]
        }
    );

    const metadata: [string, MetadataValue][] = [
        ["general.architecture", str("llama")],
        ["general.name", str(options.name ?? "AgentFit test model")],
        ["general.file_type", u32(FILE_TYPE[type])],
        ["general.alignment", u32(ALIGNMENT)],
        ["llama.context_length", u32(contextLength)],
        ["llama.embedding_length", u32(embeddingLength)],
        ["llama.block_count", u32(blockCount)],
        ["llama.feed_forward_length", u32(feedForwardLength)],
        ["llama.attention.head_count", u32(headCount)],
        ["llama.attention.head_count_kv", u32(headCountKv)],
        ["llama.rope.dimension_count", u32(headDim)],
        ["llama.rope.freq_base", f32(10000)],
        ["llama.attention.layer_norm_rms_epsilon", f32(1e-5)],
        ["llama.vocab_size", u32(vocab.tokens.length)],
        ["tokenizer.ggml.model", str("llama")],
        ["tokenizer.ggml.tokens", {type: ValueType.ARRAY, elementType: ValueType.STRING, value: vocab.tokens}],
        ["tokenizer.ggml.scores", {type: ValueType.ARRAY, elementType: ValueType.FLOAT32, value: vocab.scores}],
        ["tokenizer.ggml.token_type", {type: ValueType.ARRAY, elementType: ValueType.INT32, value: vocab.types}],
        ["tokenizer.ggml.unknown_token_id", u32(vocab.unkId)],
        ["tokenizer.ggml.bos_token_id", u32(vocab.bosId)],
        ["tokenizer.ggml.eos_token_id", u32(vocab.imEndId)],
        ["tokenizer.ggml.padding_token_id", u32(vocab.eosId)],
        ["tokenizer.ggml.add_bos_token", {type: ValueType.BOOL, value: false}],
        ["tokenizer.ggml.add_eos_token", {type: ValueType.BOOL, value: false}],
        ["tokenizer.chat_template", str(CHATML_TEMPLATE)]
    ];

    const header = new ByteWriter();
    header.u32(0x46554747); // "GGUF"
    header.u32(3);
    header.u64(tensors.length);
    header.u64(metadata.length);
    for (const [key, value] of metadata) {
        header.string(key);
        header.u32(value.type);
        writeMetadataValue(header, value);
    }
    let offset = 0;
    const offsets: number[] = [];
    for (const tensor of tensors) {
        header.string(tensor.name);
        header.u32(tensor.dims.length);
        for (const d of tensor.dims) header.u64(d);
        header.u32(GGML_TYPE[tensor.type]);
        header.u64(offset);
        offsets.push(offset);
        offset = alignUp(offset + tensorByteSize(tensor), ALIGNMENT);
    }
    header.padTo(ALIGNMENT);

    fs.mkdirSync(path.dirname(filePath), {recursive: true});
    const fd = fs.openSync(filePath, "w");
    try {
        fs.writeSync(fd, header.toBuffer());
        const random = seededRandom(options.seed ?? 1);
        let written = 0;
        for (let i = 0; i < tensors.length; i++) {
            const tensor = tensors[i]!;
            if (written < offsets[i]!) {
                fs.writeSync(fd, Buffer.alloc(offsets[i]! - written));
                written = offsets[i]!;
            }
            // Rows are written one chunk at a time so hundreds-of-MB models never sit in memory whole.
            const rowLength = tensor.dims[0]!;
            const rows = tensor.dims.slice(1).reduce((a, b) => a * b, 1);
            const rowsPerChunk = Math.max(1, Math.floor((1 << 22) / rowLength));
            for (let row = 0; row < rows; row += rowsPerChunk) {
                const count = Math.min(rowsPerChunk, rows - row) * rowLength;
                const chunk = encodeTensorData(tensor.type, count, tensor.fill, random, embeddingLength);
                const rowBytes = chunk.length / (count / rowLength);
                for (const zeroRow of tensor.zeroRows ?? [])
                    if (zeroRow >= row && zeroRow < row + count / rowLength) chunk.fill(0, (zeroRow - row) * rowBytes, (zeroRow - row + 1) * rowBytes);
                fs.writeSync(fd, chunk);
                written += chunk.length;
            }
        }
    } finally {
        fs.closeSync(fd);
    }

    const parameterCount = tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
    return {
        path: filePath,
        type,
        parameterCount,
        vocabularySize: vocab.tokens.length,
        fileSizeBytes: fs.statSync(filePath).size,
        embeddingLength,
        blockCount,
        feedForwardLength,
        headCount,
        headCountKv,
        contextLength
    };
}

function buildVocabulary(extraTokens: number) {
    const tokens: string[] = ["<unk>", "<s>", "</s>"];
    const types: number[] = [TOKEN_TYPE.UNKNOWN, TOKEN_TYPE.CONTROL, TOKEN_TYPE.CONTROL];
    for (let byte = 0; byte < 256; byte++) {
        tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`);
        types.push(TOKEN_TYPE.BYTE);
    }
    const imStartId = tokens.push("<|im_start|>") - 1;
    types.push(TOKEN_TYPE.CONTROL);
    const imEndId = tokens.push("<|im_end|>") - 1;
    types.push(TOKEN_TYPE.CONTROL);

    // Word pieces: "▁" plus printable ASCII, then common fragments, then synthetic pairs up to the
    // requested count. Unique pieces keep the SPM tokenizer's lookup well defined.
    const seen = new Set(tokens);
    const pieces: string[] = ["▁"];
    for (let c = 33; c < 127; c++) pieces.push(String.fromCharCode(c));
    for (const word of ["the", "and", "function", "return", "const", "user", "assistant", "system", "tool", "file", "code", "test"])
        pieces.push("▁" + word, word);
    const letters = "etaoinshrdlucmfwypvbgkqjxz";
    for (let i = 0; pieces.length < extraTokens + 1; i++) {
        const a = letters[i % letters.length]!;
        const b = letters[Math.floor(i / letters.length) % letters.length]!;
        const c = Math.floor(i / (letters.length * letters.length));
        pieces.push((i % 2 === 0 ? "▁" : "") + a + b + (c > 0 ? letters[c % letters.length]! + String(c) : ""));
    }
    for (const piece of pieces.slice(0, extraTokens + 1)) {
        if (seen.has(piece)) continue;
        seen.add(piece);
        tokens.push(piece);
        types.push(TOKEN_TYPE.NORMAL);
    }
    // SPM prefers higher scores when merging: longer pieces score higher.
    const scores = tokens.map((token, i) => (types[i] === TOKEN_TYPE.NORMAL ? token.length * 1.0 - i * 1e-4 : 0));
    return {tokens, scores, types, unkId: 0, bosId: 1, eosId: 2, imStartId, imEndId};
}

function tensorByteSize(tensor: TensorPlan): number {
    const elements = tensor.dims.reduce((a, b) => a * b, 1);
    switch (tensor.type) {
        case "F32": return elements * 4;
        case "F16": return elements * 2;
        case "Q8_0": return (elements / QUANT_BLOCK) * 34;
        case "Q4_0": return (elements / QUANT_BLOCK) * 18;
        case "Q4_K": return (elements / K_BLOCK) * 144;
        case "Q6_K": return (elements / K_BLOCK) * 210;
    }
}

/**
 * Random weights scaled like a trained model's (std ≈ 1/sqrt(fan-in)), so activations stay finite.
 * Quantized types are produced as blocks directly: a shared scale and random quants.
 */
function encodeTensorData(type: TensorType, count: number, fill: "ones" | "random", random: () => number, fanIn: number): Buffer {
    const scale = 1 / Math.sqrt(fanIn);
    if (type === "F32") {
        const out = new Float32Array(count);
        for (let i = 0; i < count; i++) out[i] = fill === "ones" ? 1 : (random() * 2 - 1) * scale;
        return Buffer.from(out.buffer);
    }
    if (type === "F16") {
        const out = new Uint16Array(count);
        for (let i = 0; i < count; i++) out[i] = floatToHalf((random() * 2 - 1) * scale);
        return Buffer.from(out.buffer);
    }
    if (type === "Q4_K") {
        // w = d × scale × q − dmin × min, with 6-bit scales and mins per 32 weights and 4-bit q.
        const out = Buffer.alloc((count / K_BLOCK) * 144);
        for (let base = 0; base < out.length; base += 144) {
            out.writeUInt16LE(floatToHalf(scale / (63 * 15)), base);
            out.writeUInt16LE(floatToHalf(scale / (2 * 63)), base + 2);
            for (let j = 0; j < 140; j++) out[base + 4 + j] = Math.floor(random() * 256);
        }
        return out;
    }
    if (type === "Q6_K") {
        // w = d × scale × (q − 32), with int8 scales per 16 weights and 6-bit q split into low nibbles and high bit pairs.
        const out = Buffer.alloc((count / K_BLOCK) * 210);
        for (let base = 0; base < out.length; base += 210) {
            for (let j = 0; j < 192; j++) out[base + j] = Math.floor(random() * 256);
            for (let j = 0; j < 16; j++) out.writeInt8(1 + Math.floor(random() * 63), base + 192 + j);
            out.writeUInt16LE(floatToHalf(scale / (63 * 32)), base + 208);
        }
        return out;
    }
    const blocks = count / QUANT_BLOCK;
    if (type === "Q8_0") {
        const out = Buffer.alloc(blocks * 34);
        for (let b = 0; b < blocks; b++) {
            const base = b * 34;
            out.writeUInt16LE(floatToHalf(scale / 127), base);
            for (let j = 0; j < QUANT_BLOCK; j++) out.writeInt8(Math.floor(random() * 255) - 127, base + 2 + j);
        }
        return out;
    }
    const out = Buffer.alloc(blocks * 18);
    for (let b = 0; b < blocks; b++) {
        const base = b * 18;
        out.writeUInt16LE(floatToHalf(-scale / 8), base);
        for (let j = 0; j < 16; j++) out[base + 2 + j] = Math.floor(random() * 256);
    }
    return out;
}

/** Mulberry32: fast, seedable, good enough for weights. */
const halfBuffer = new DataView(new ArrayBuffer(4));
/** IEEE 754 binary32 → binary16 with round-to-nearest; enough range for weights. */
export function floatToHalf(value: number): number {
    halfBuffer.setFloat32(0, value);
    const bits = halfBuffer.getUint32(0);
    const sign = (bits >>> 16) & 0x8000;
    const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
    const mantissa = bits & 0x7fffff;
    if (exponent <= 0) {
        if (exponent < -10) return sign;
        const m = (mantissa | 0x800000) >> (1 - exponent);
        return sign | ((m + 0x1000) >> 13);
    }
    if (exponent >= 31) return sign | 0x7c00;
    return sign | (exponent << 10) | ((mantissa + 0x1000) >> 13);
}

function alignUp(value: number, alignment: number): number {
    return Math.ceil(value / alignment) * alignment;
}

const str = (value: string): MetadataValue => ({type: ValueType.STRING, value});
const u32 = (value: number): MetadataValue => ({type: ValueType.UINT32, value});
const f32 = (value: number): MetadataValue => ({type: ValueType.FLOAT32, value});

function writeMetadataValue(writer: ByteWriter, value: MetadataValue) {
    switch (value.type) {
        case ValueType.UINT32: writer.u32(value.value); break;
        case ValueType.INT32: writer.i32(value.value); break;
        case ValueType.FLOAT32: writer.f32(value.value); break;
        case ValueType.BOOL: writer.u8(value.value ? 1 : 0); break;
        case ValueType.STRING: writer.string(value.value); break;
        case ValueType.ARRAY:
            writer.u32(value.elementType);
            writer.u64(value.value.length);
            for (const element of value.value) {
                if (typeof element === "string") writer.string(element);
                else if (value.elementType === ValueType.FLOAT32) writer.f32(element);
                else writer.i32(element);
            }
            break;
    }
}

class ByteWriter {
    private chunks: Buffer[] = [];
    private length = 0;

    private push(buffer: Buffer) {
        this.chunks.push(buffer);
        this.length += buffer.length;
    }
    u8(v: number) { const b = Buffer.alloc(1); b.writeUInt8(v); this.push(b); }
    u32(v: number) { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.push(b); }
    i32(v: number) { const b = Buffer.alloc(4); b.writeInt32LE(v); this.push(b); }
    f32(v: number) { const b = Buffer.alloc(4); b.writeFloatLE(v); this.push(b); }
    u64(v: number) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); this.push(b); }
    string(v: string) {
        const bytes = Buffer.from(v, "utf8");
        this.u64(bytes.length);
        this.push(bytes);
    }
    padTo(alignment: number) {
        const padding = alignUp(this.length, alignment) - this.length;
        if (padding > 0) this.push(Buffer.alloc(padding));
    }
    toBuffer() { return Buffer.concat(this.chunks, this.length); }
}
