import fs from "node:fs";
import type {GgufFacts} from "../../api/GgufFacts.ts";
import {errorMessage} from "../../shared/AppError.ts";
import {GgufError} from "./GgufError.ts";

export interface ReadGgufFactsOptions {
    /** Extra HTTP headers for remote sources, e.g. `Authorization: Bearer <HF token>`. */
    headers?: Record<string, string>;
    /** Base URL used to resolve `hf:` URIs. Default: HF_ENDPOINT or https://huggingface.co/. */
    huggingFaceEndpoint?: string;
    signal?: AbortSignal;
}

const isRemote = (source: string) => /^(https?:|hf:|huggingface:)/i.test(source);

/**
 * Reads a GGUF header (a local file, an http(s) URL, or an `hf:user/repo:quant` /
 * `hf:user/repo/file.gguf` URI) without reading the weights: remote sources are read with HTTP
 * range requests. Split models (`-00001-of-0000N`) are read as one. Local files shorter than their
 * header promises are reported as truncated.
 */
export async function readGgufFacts(source: string, options: ReadGgufFactsOptions = {}): Promise<GgufFacts> {
    const {readGgufFileInfo, GgufInsights, GgufFileType} = await import("node-llama-cpp");
    const remote = isRemote(source);
    if (!remote && !fs.existsSync(source)) throw new GgufError("GGUF_NOT_FOUND", source, `No file at ${source}.`);

    let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
    try {
        info = await readGgufFileInfo(source, {
            logWarnings: false,
            fetchHeaders: options.headers,
            fetchRetryOptions: {retries: 2, minTimeout: 200, maxTimeout: 1000},
            endpoints: options.huggingFaceEndpoint ? {huggingFace: options.huggingFaceEndpoint} : undefined,
            signal: options.signal,
            ignoreKeys: ["tokenizer.ggml.merges", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"]
        });
    } catch (error) {
        if (options.signal?.aborted) throw error;
        throw classifyReadError(source, error);
    }

    const architecture = info.metadata?.general?.architecture;
    if (!architecture) throw new GgufError("GGUF_INVALID", source, `${source} has no general.architecture key: it is not a usable GGUF model.`);

    const insights = await GgufInsights.from(info);
    const arch = (info.architectureMetadata ?? {}) as Record<string, unknown>;
    const attention = (arch.attention ?? {}) as Record<string, unknown>;
    const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : Array.isArray(value) ? maxNumber(value) : null);
    const tensorBytes = insights.modelSize;
    const dataStart = alignUp(info.infoEndOffset ?? 0, num(info.metadata.general.alignment) ?? 32);
    const splitParts = info.splicedParts ?? 1;
    // Each split part repeats a header; the lower bound below counts only the first one.
    const expectedFileBytes = dataStart + tensorBytes;

    const fileType = info.metadata.general.file_type;
    const headCount = num(attention.head_count);
    const embeddingLength = num(arch.embedding_length);
    const facts: GgufFacts = {
        source,
        architecture,
        name: info.metadata.general.name ?? null,
        quantization: fileType != null ? quantizationName((GgufFileType as unknown as Record<number, string | undefined>)[fileType], fileType) : null,
        parameterCount: insights.totalParameters,
        tensorBytes,
        expectedFileBytes,
        splitParts,
        contextLength: num(arch.context_length),
        blockCount: num(arch.block_count),
        embeddingLength,
        feedForwardLength: num(arch.feed_forward_length),
        headCount,
        headCountKv: num(attention.head_count_kv) ?? headCount,
        keyLength: num(attention.key_length) ?? (embeddingLength && headCount ? embeddingLength / headCount : null),
        valueLength: num(attention.value_length) ?? num(attention.key_length) ?? (embeddingLength && headCount ? embeddingLength / headCount : null),
        slidingWindow: num(attention.sliding_window) ?? insights.swaSize ?? null,
        expertCount: num(arch.expert_count),
        expertUsedCount: num(arch.expert_used_count),
        ...tensorCounts(info.fullTensorInfo ?? info.tensorInfo ?? [], num(arch.expert_count), num(arch.expert_used_count)),
        repackedTensorBytes: repackedBytes(info.fullTensorInfo ?? info.tensorInfo ?? []),
        vocabularySize: info.metadata.tokenizer?.ggml?.tokens?.length ?? num(arch.vocab_size),
        tokenizerModel: typeof info.metadata.tokenizer?.ggml?.model === "string" ? info.metadata.tokenizer.ggml.model : null,
        hasChatTemplate: typeof info.metadata.tokenizer?.chat_template === "string",
        supportedByLlamaCpp: insights.isSupportedByLlamaCpp
    };

    if (!remote && splitParts === 1) {
        const actual = fs.statSync(source).size;
        if (actual < expectedFileBytes)
            throw new GgufError(
                "GGUF_TRUNCATED",
                source,
                `${source} is truncated: its header describes ${expectedFileBytes} bytes but the file has ${actual}. Download it again.`
            );
    }
    return facts;
}

/** Active parameters of a mixture of experts and the number of blocks with attention, from the tensor list. */
function tensorCounts(
    tensors: readonly {name: string; dimensions: readonly (number | bigint)[]}[],
    expertCount: number | null,
    expertUsedCount: number | null
): {activeParameterCount: number | null; attentionLayerCount: number | null} {
    let expertParameters = 0;
    let allParameters = 0;
    const attentionBlocks = new Set<string>();
    for (const tensor of tensors) {
        const elements = tensor.dimensions.reduce<number>((product, d) => product * Number(d), 1);
        allParameters += elements;
        if (/_exps\./.test(tensor.name)) expertParameters += elements;
        const block = /^blk\.(\d+)\.attn_(k|qkv|kv_a_mqa)\./.exec(tensor.name)?.[1];
        if (block != null) attentionBlocks.add(block);
    }
    const active =
        expertCount && expertUsedCount && expertParameters > 0 ? Math.round(allParameters - expertParameters + (expertParameters * expertUsedCount) / expertCount) : null;
    return {activeParameterCount: active, attentionLayerCount: tensors.length > 0 ? attentionBlocks.size : null};
}

/**
 * Weight types llama.cpp's CPU backend repacks into interleaved blocks on x86 (AVX2/AVX-512) and
 * ARM (ggml-cpu/repack.cpp), with their bytes per block of elements; Q8_0 and the other K-quants
 * are used in place (measured: a Q4_K_M Gemma 3 270M repacks exactly its Q4_K matrices).
 */
const repackedTypes: Record<number, {blockElements: number; blockBytes: number}> = {2: {blockElements: 32, blockBytes: 18}, 12: {blockElements: 256, blockBytes: 144}, 20: {blockElements: 32, blockBytes: 18}};

function repackedBytes(tensors: readonly {name: string; ggmlType: number; dimensions: readonly (number | bigint)[]}[]): number | null {
    if (tensors.length === 0) return null;
    let bytes = 0;
    for (const tensor of tensors) {
        const type = repackedTypes[tensor.ggmlType];
        if (!type || tensor.name === "token_embd.weight" || tensor.dimensions.length < 2 || Number(tensor.dimensions[1]) % 8 !== 0) continue;
        const elements = tensor.dimensions.reduce<number>((product, d) => product * Number(d), 1);
        bytes += (elements / type.blockElements) * type.blockBytes;
    }
    return bytes;
}

function classifyReadError(source: string, error: unknown): GgufError {
    const message = errorMessage(error);
    const code = (error as {code?: string}).code;
    if (code === "ENOENT") return new GgufError("GGUF_NOT_FOUND", source, `No file at ${source}.`, {cause: error});
    if (/magic/i.test(message)) return new GgufError("GGUF_INVALID", source, `${source} is not a GGUF file (${message}).`, {cause: error});
    if (/\b(401|403)\b/.test(message) || /unauthori[sz]ed|gated/i.test(message))
        return new GgufError(
            "GGUF_UNAUTHORIZED",
            source,
            `${source} needs authorization (HTTP 401/403). If it is a gated Hugging Face repository, accept its terms on huggingface.co and set HF_TOKEN to an access token.`,
            {cause: error}
        );
    if (/\b404\b|does not exist|not found/i.test(message)) return new GgufError("GGUF_NOT_FOUND", source, `${source} was not found (${message}).`, {cause: error});
    const status = /\b([45]\d\d)\b/.exec(message)?.[1];
    if (status) return new GgufError("GGUF_HTTP_ERROR", source, `Reading ${source} failed with HTTP ${status} (${message}).`, {cause: error});
    if (/fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|network/i.test(message + String((error as {cause?: unknown}).cause ?? "")))
        return new GgufError("GGUF_UNREACHABLE", source, `Cannot reach ${source}: ${message}. Check the address and your connection.`, {cause: error});
    if (/out of range|offset|beyond|unexpected end|RangeError/i.test(message) || error instanceof RangeError) {
        // A header value asking for more bytes than the file holds (or than any header field can) is not a
        // truncated GGUF but a foreign or scrambled one: a truncated file has sane values and ends early.
        const requested = Number(/Received ([\d_]+)/.exec(message)?.[1]?.replaceAll("_", ""));
        if (requested > (isRemote(source) ? 2 ** 32 : fileSize(source)))
            return new GgufError("GGUF_INVALID", source, `${source} is not a GGUF file: its header is damaged or foreign (a value in it asks for ${requested} bytes, more than the file holds).`, {cause: error});
        return new GgufError("GGUF_TRUNCATED", source, `${source} ends before its header does: the file is truncated or damaged (${message}).`, {cause: error});
    }
    return new GgufError("GGUF_INVALID", source, `${source} could not be read as GGUF: ${message}`, {cause: error});
}

function fileSize(file: string): number {
    try {
        return fs.statSync(file).size;
    } catch {
        return Infinity;
    }
}

/** "MOSTLY_Q4_K_M" → "Q4_K_M", "ALL_F32" → "F32". */
function quantizationName(enumName: string | undefined, fileType: number): string {
    return enumName ? enumName.replace(/^(MOSTLY|ALL)_/, "") : `file_type ${fileType}`;
}

function maxNumber(values: unknown[]): number | null {
    const numbers = values.filter((v): v is number => typeof v === "number");
    return numbers.length ? Math.max(...numbers) : null;
}

function alignUp(value: number, alignment: number) {
    return Math.ceil(value / alignment) * alignment;
}
