/**
 * How downloads consume the model catalog (built in its own domain): a catalog id, with or without
 * a quantization, resolves to the Hugging Face files to fetch.
 */
export interface CatalogFileRef {
    modelId: string;
    quantization: string;
    huggingFaceRepo: string;
    /** File names in the repository, in order: one file, or every part of a split GGUF. */
    files: string[];
    /** Total bytes of all files. */
    sizeBytes: number;
    /** SHA-256 (hex) of a single-file model, when known. */
    sha256?: string;
}

export interface CatalogLookup {
    /** "qwen2.5-coder-7b-instruct" or "qwen2.5-coder-7b-instruct:Q4_K_M". Throws an AppError with code
     * "CATALOG_NOT_FOUND" whose message suggests close matches. */
    resolve(reference: string): CatalogFileRef;
}
