import {LlamaCompletion, type Token} from "node-llama-cpp";
import {z} from "zod";
import type {LoadedEngineModel} from "../model/loadEngineModel.ts";
import {parseOpenAiBody} from "./chatCompletionRequest.ts";
import {GenerationMeter, type CompletionTimings, type GenerationUsage} from "./GenerationMeter.ts";
import {OpenAiHttpError} from "./OpenAiHttpError.ts";
import {evaluatePromptInChunks, samplingDefaults} from "./runChatCompletion.ts";
import {notifyListener} from "../../shared/notifyListener.ts";

// Legacy completions (POST /v1/completions): raw text in, text out, what editor autocomplete sends.
// With `suffix`, fill-in-the-middle through the model's own FIM tokens.

export const textCompletionRequestSchema = z.strictObject({
    model: z.string().min(1),
    prompt: z.union([z.string(), z.array(z.string()).length(1, "must hold one prompt; this server completes one prompt per request")]),
    suffix: z.string().nullish(),
    max_tokens: z.number().int().min(1).nullish(),
    stream: z.boolean().nullish(),
    stream_options: z.strictObject({include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional()}).nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(16)]).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    top_k: z.number().int().min(0).nullish(),
    min_p: z.number().min(0).max(1).nullish(),
    seed: z.number().int().nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    echo: z.literal(false).nullish(),
    n: z.literal(1).nullish(),
    best_of: z.literal(1).nullish(),
    logprobs: z.null().optional(),
    user: z.string().optional()
});

export type TextCompletionRequest = z.infer<typeof textCompletionRequestSchema>;

/** OpenAI's default when a completions request leaves max_tokens out. */
const DEFAULT_MAX_TOKENS = 16;

export function parseTextCompletionRequest(body: unknown): TextCompletionRequest {
    return parseOpenAiBody(textCompletionRequestSchema, body);
}

export interface TextCompletionOutcome {
    text: string;
    finishReason: "stop" | "length";
    usage: GenerationUsage;
    timings: CompletionTimings;
}

/**
 * Completes `prompt` (or fills between `prompt` and `suffix` with the model's FIM tokens) on a
 * sequence from the pool, as runChatCompletion does for chats: the prompt must fit the context,
 * a long prompt is read in chunks so `signal` stops it, usage is reported when the sequence is released.
 */
export async function runTextCompletion(
    loaded: LoadedEngineModel,
    request: TextCompletionRequest,
    options: {
        signal: AbortSignal;
        onText?: (text: string) => void;
        onStarted?: (prompt: {promptTokens: number}) => void;
        onFinished?: (usage: GenerationUsage, timing: {promptMs: number; generationMs: number}) => void;
    }
): Promise<TextCompletionOutcome> {
    const {model, context} = loaded;
    const prompt = typeof request.prompt === "string" ? request.prompt : request.prompt[0]!;
    const infill = request.suffix != null;
    const fim = model.tokens.infill;
    if (infill && (fim.prefix == null || fim.suffix == null || fim.middle == null))
        throw new OpenAiHttpError(
            400,
            "invalid_request_error",
            `'suffix' needs a model with fill-in-the-middle tokens, and ${loaded.info.id} has none (its GGUF names no FIM prefix, suffix and middle tokens). Send the prompt alone, or serve a code model trained for FIM.`,
            "suffix",
            "unsupported_value"
        );
    const prefixTokens = model.tokenize(prompt);
    const suffixTokens = infill ? model.tokenize(request.suffix!) : [];
    // What the sequence will hold before generating: BOS (if the model adds one), then the prompt, or the FIM layout.
    const bos = model.tokens.shouldPrependBosToken && model.tokens.bos != null ? [model.tokens.bos] : [];
    const promptTokens: Token[] = infill ? [...bos, fim.prefix!, ...prefixTokens, fim.suffix!, ...suffixTokens, fim.middle!] : [...bos, ...prefixTokens];
    if (promptTokens.length + 1 >= context.contextSize)
        throw new OpenAiHttpError(
            400,
            "invalid_request_error",
            `This model's maximum context length is ${context.contextSize} tokens, however you requested ${promptTokens.length} tokens in your prompt. Please reduce your prompt, or load the model with a larger context.`,
            "prompt",
            "context_length_exceeded"
        );

    const lease = await loaded.pool.acquire(promptTokens, options.signal);
    options.onStarted?.({promptTokens: promptTokens.length});
    const {sequence} = lease;
    const meter = new GenerationMeter(sequence, promptTokens.length);
    const completion = new LlamaCompletion({contextSequence: sequence, autoDisposeSequence: false});
    try {
        if (!infill) await evaluatePromptInChunks(sequence, promptTokens, context.batchSize, options.signal);
        const penalties = (request.presence_penalty ?? 0) !== 0 || (request.frequency_penalty ?? 0) !== 0;
        const generation = {
            signal: options.signal,
            maxTokens: Math.min(request.max_tokens ?? DEFAULT_MAX_TOKENS, context.contextSize - promptTokens.length - 1),
            temperature: request.temperature ?? samplingDefaults.temperature,
            topK: request.top_k ?? samplingDefaults.topK,
            topP: request.top_p ?? samplingDefaults.topP,
            minP: request.min_p ?? samplingDefaults.minP,
            seed: request.seed ?? undefined,
            customStopTriggers: request.stop == null ? undefined : typeof request.stop === "string" ? [request.stop] : request.stop,
            repeatPenalty: penalties ? {penalty: 1, presencePenalty: request.presence_penalty ?? 0, frequencyPenalty: request.frequency_penalty ?? 0} : (false as const),
            onToken: meter.markFirstOutput,
            onTextChunk: (text: string) => {
                meter.markFirstOutput();
                if (text !== "") options.onText?.(text);
            }
        };
        const response = infill
            ? await completion.generateInfillCompletionWithMeta(prefixTokens, suffixTokens, generation)
            : await completion.generateCompletionWithMeta(promptTokens, generation);
        const {usage, timings} = meter.timings();
        return {text: response.response, finishReason: response.metadata.stopReason === "maxTokens" ? "length" : "stop", usage, timings};
    } catch (error) {
        if (options.signal.aborted) throw options.signal.reason;
        throw error;
    } finally {
        completion.dispose({disposeSequence: false});
        lease.release();
        const {usage, promptMs, generationMs} = meter.measure();
        notifyListener(options.onFinished, usage, {promptMs, generationMs});
    }
}
