/**
 * Effective bits per weight of whole GGUF files by quantization (llama.cpp tools/quantize/README.md,
 * Llama 2 7B column; Q8_0 and 16-bit by format; MXFP4 files from OpenAI's gpt-oss card: 4.25 bits for
 * the expert weights, 8 or more for the rest: 4.63 over bartowski's 12.1 GB file). Used to estimate
 * file sizes that no listing gives, and to check the catalog's published sizes for consistency.
 */
export const bitsPerWeight: Readonly<Record<string, number>> = {
    Q2_K: 3.35,
    Q3_K_S: 3.5,
    Q3_K_M: 3.91,
    Q3_K_L: 4.27,
    Q4_0: 4.55,
    Q4_1: 5.0,
    Q4_K_S: 4.58,
    Q4_K_M: 4.84,
    Q5_K_S: 5.52,
    Q5_K_M: 5.68,
    Q6_K: 6.56,
    Q8_0: 8.5,
    MXFP4: 4.63,
    F16: 16,
    BF16: 16,
    F32: 32
};

/**
 * A rough guide to output quality relative to the unquantized model (1.0), ordered as the community
 * perplexity/KL-divergence measurements of llama.cpp quantizations order them. Used only to choose
 * among quantizations that fit: the exact numbers matter less than the order.
 */
const qualityByQuantization: Readonly<Record<string, number>> = {
    Q2_K: 0.7,
    Q3_K_S: 0.8,
    Q3_K_M: 0.85,
    Q3_K_L: 0.87,
    Q4_0: 0.91,
    Q4_1: 0.92,
    Q4_K_S: 0.93,
    Q4_K_M: 0.95,
    Q5_K_S: 0.96,
    Q5_K_M: 0.97,
    Q6_K: 0.985,
    Q8_0: 0.995,
    MXFP4: 1,
    F16: 1,
    BF16: 1,
    F32: 1
};

export function quantizationQuality(quantization: string): number {
    return qualityByQuantization[quantization.toUpperCase()] ?? 0.9;
}

/** Bytes per parameter of a file: its size over its parameter count. */
export function bytesPerParameter(sizeBytes: number, parameters: number): number {
    return parameters > 0 ? sizeBytes / parameters : 0;
}
