import type {LlamaContextSequence, Token} from "node-llama-cpp";

/** The native context under node-llama-cpp's LlamaContext (3.22's internal AddonContext binding). */
interface NativeContextBinding {
    initBatch(size: number): void;
    addToBatch(sequenceId: number, firstTokenSequenceIndex: number, tokens: Uint32Array, logitIndexes: Uint32Array): Uint32Array;
    decodeBatch(): Promise<void>;
    removeTokenCellsFromSequence(sequenceId: number, startPos: number, endPos: number): boolean;
}

/**
 * One `llama_decode` of one token with its logits, as llama-bench's generation test does. The
 * public per-token path (`evaluateWithoutGeneratingNewTokens`) adds about 0.3 ms of scheduling per
 * token (measured here: 0.41 vs 0.09 ms per token on a tiny model), 4–6 % of a fast model's
 * generation time, which would be measured as the model's speed. node-llama-cpp is pinned, and the
 * engine tests fail if this binding changes.
 */
export function nativeTokenDecoder(sequence: LlamaContextSequence) {
    const native = (sequence.context as unknown as {_ctx?: Partial<NativeContextBinding>})._ctx;
    const sequenceId = (sequence as unknown as {_sequenceId?: unknown})._sequenceId;
    if (
        typeof native?.initBatch !== "function" ||
        typeof native.addToBatch !== "function" ||
        typeof native.decodeBatch !== "function" ||
        typeof native.removeTokenCellsFromSequence !== "function" ||
        typeof sequenceId !== "number"
    )
        throw new Error("This node-llama-cpp version has no AddonContext binding under LlamaContext._ctx: update nativeTokenDecoder for it.");
    const binding = native as NativeContextBinding;
    const onlyLogits = Uint32Array.of(0);
    return {
        /** Decodes `token` at `position` of the sequence. */
        async decode(token: Token, position: number) {
            binding.initBatch(1);
            binding.addToBatch(sequenceId, position, Uint32Array.of(token), onlyLogits);
            await binding.decodeBatch();
        },
        /** Removes what `decode` added from `position` on, which the sequence object does not know about. */
        forget(position: number) {
            binding.removeTokenCellsFromSequence(sequenceId, position, -1);
        }
    };
}
