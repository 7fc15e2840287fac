/**
 * What AgentFit knows about a GGUF model from its header alone: enough to estimate memory and
 * speed before loading (or downloading) it. Nulls mean the header does not say.
 */
export interface GgufFacts {
    /** The path, URL or hf: URI the facts were read from. */
    source: string;
    /** `general.architecture`, e.g. "llama", "qwen3", "gemma3", "gpt-oss". */
    architecture: string;
    /** `general.name`. */
    name: string | null;
    /** Quantization of the file as a whole, e.g. "Q4_K_M", from `general.file_type`. */
    quantization: string | null;
    /** Parameters counted from the tensor shapes. */
    parameterCount: number;
    /** Bytes of tensor data (the weights), all split parts together. */
    tensorBytes: number;
    /** Size a complete file (all parts) must have, from its header; a shorter file is truncated. */
    expectedFileBytes: number;
    /** Number of split parts (1 for a single file). */
    splitParts: number;
    /** Trained context length in tokens. */
    contextLength: number | null;
    blockCount: number | null;
    embeddingLength: number | null;
    feedForwardLength: number | null;
    headCount: number | null;
    headCountKv: number | null;
    /** Per-head dimension of keys (and values, where they match). */
    keyLength: number | null;
    valueLength: number | null;
    /** Sliding-window attention size in tokens, when the architecture uses it. */
    slidingWindow: number | null;
    /** Mixture of experts: experts in total and used per token (null for dense models). */
    expertCount: number | null;
    expertUsedCount: number | null;
    /** Parameters used per token of a mixture of experts (shared tensors + the used share of expert tensors); null for dense models. */
    activeParameterCount?: number | null;
    /** Blocks with attention key weights, i.e. that keep a KV cache (fewer than blockCount in hybrid recurrent models). */
    attentionLayerCount?: number | null;
    /**
     * Bytes of weights llama.cpp's CPU backend repacks into an interleaved copy at load (Q4_0, Q4_K and
     * IQ4_NL matrices with rows in multiples of 8, not the token embeddings). With mmap the mapped
     * originals of these are never read again, so memory holds each weight once either way.
     */
    repackedTensorBytes?: number | null;
    vocabularySize: number | null;
    /** tokenizer.ggml.model: "gpt2" (BPE, with a merge table), "llama" (SentencePiece), … */
    tokenizerModel?: string | null;
    hasChatTemplate: boolean;
    /** Whether the llama.cpp bundled with AgentFit knows this architecture. */
    supportedByLlamaCpp: boolean;
}
