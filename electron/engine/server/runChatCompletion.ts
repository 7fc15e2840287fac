import crypto from "node:crypto";
import {
    LlamaChat,
    LlamaJsonSchemaValidationError,
    type ChatHistoryItem,
    type ChatModelFunctions,
    type ChatWrapper,
    type ChatWrapperGenerateContextStateOptions,
    type ChatWrapperGeneratedContextState,
    type GbnfJsonSchema,
    type LlamaChatResponseChunk,
    type LlamaContextSequence,
    type LlamaGrammar,
    type Token
} from "node-llama-cpp";
import type {ChatCompletionRequest} from "./chatCompletionRequest.ts";
import type {LoadedEngineModel} from "../model/loadEngineModel.ts";
import {toChatHistory} from "./openAiChatHistory.ts";
import {commonPrefixLength} from "../model/SequencePool.ts";
import {OpenAiHttpError} from "./OpenAiHttpError.ts";
import {jsonSchemaProblem} from "./jsonSchemaProblem.ts";
import {notifyListener} from "../../shared/notifyListener.ts";
import {GenerationMeter, type CompletionTimings, type GenerationUsage} from "./GenerationMeter.ts";

/** Sampling defaults when a request leaves a field out (llama-server's). */
export const samplingDefaults = {temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05} as const;

export interface ToolCallDelta {
    /** Position of the call in this response's tool_calls. */
    index: number;
    /** Set on the first delta of a call. */
    id?: string;
    name?: string;
    argumentsDelta: string;
}

export interface CompletionCallbacks {
    /** A piece of the reply text. */
    onContent?(text: string): void;
    /** A piece of the model's reasoning, when its chat template separates thoughts from the answer. */
    onReasoning?(text: string): void;
    onToolCall?(delta: ToolCallDelta): void;
}

export interface CompletionOutcome {
    content: string;
    /** The model's thoughts, when its chat template separates them ("" otherwise). */
    reasoning: string;
    toolCalls: {id: string; name: string; arguments: string}[];
    finishReason: "stop" | "length" | "tool_calls";
    /** The request's stop string that ended the generation, if one did. */
    stopSequence?: string;
    usage: GenerationUsage;
    timings: CompletionTimings;
}

/**
 * A chat wrapper that starts the model's turn inside a function call, so it must call one of the
 * functions offered (tool_choice "required" or a named tool). Everything else is the model's own wrapper.
 */
function forcingFunctionCall(base: ChatWrapper): ChatWrapper {
    const wrapper = Object.create(base) as ChatWrapper;
    wrapper.generateContextState = (options: ChatWrapperGenerateContextStateOptions): ChatWrapperGeneratedContextState => {
        const {contextText, stopGenerationTriggers, ignoreStartText} = base.generateContextState(options);
        return {contextText, stopGenerationTriggers, ignoreStartText, functionCall: {initiallyEngaged: true, disengageInitiallyEngaged: []}};
    };
    return wrapper;
}

function toolCallId(): string {
    return `call_${crypto.randomBytes(12).toString("base64url")}`;
}

async function grammarFor(loaded: LoadedEngineModel, format: ChatCompletionRequest["response_format"]): Promise<LlamaGrammar | undefined> {
    if (!format || format.type === "text") return undefined;
    const schema = format.type === "json_schema" ? format.json_schema.schema : undefined;
    if (format.type === "json_schema") {
        const problem = schema === undefined ? "response_format.json_schema.schema is missing: json_schema output needs the schema to follow." : jsonSchemaProblem(schema, "response_format.json_schema.schema");
        if (problem) throw new OpenAiHttpError(400, "invalid_request_error", `Invalid schema for response_format: ${problem}`, "response_format.json_schema.schema", "invalid_json_schema");
    }
    const key = schema ? JSON.stringify(schema) : "json";
    const cached = loaded.grammars.get(key);
    if (cached) return cached;
    let grammar: LlamaGrammar;
    try {
        grammar = schema
            ? await loaded.llama.createGrammarForJsonSchema(schema as Parameters<typeof loaded.llama.createGrammarForJsonSchema>[0])
            : await loaded.llama.getGrammarFor("json");
    } catch (error) {
        throw new OpenAiHttpError(
            400,
            "invalid_request_error",
            `Invalid schema for response_format: ${(error as Error).message}`,
            "response_format.json_schema.schema",
            "invalid_json_schema"
        );
    }
    loaded.grammars.set(key, grammar);
    if (loaded.grammars.size > 64) loaded.grammars.delete(loaded.grammars.keys().next().value!);
    return grammar;
}

function functionsFor(request: ChatCompletionRequest): {functions?: ChatModelFunctions; forced: boolean} {
    const tools = request.tools ?? [];
    const choice = request.tool_choice ?? "auto";
    if (tools.length === 0) {
        if (choice === "required" || typeof choice === "object")
            throw new OpenAiHttpError(400, "invalid_request_error", "tool_choice requires 'tools' to list at least one function.", "tool_choice", "invalid_value");
        return {forced: false};
    }
    if (choice === "none") return {forced: false};
    let offered = tools;
    if (typeof choice === "object") {
        offered = tools.filter((t) => t.function.name === choice.function.name);
        if (offered.length === 0)
            throw new OpenAiHttpError(
                400,
                "invalid_request_error",
                `tool_choice names the function "${choice.function.name}", which is not in 'tools'.`,
                "tool_choice.function.name",
                "invalid_value"
            );
    }
    for (const [index, t] of tools.entries()) {
        const problem = t.function.parameters && jsonSchemaProblem(t.function.parameters, `tools[${index}].function.parameters`);
        if (problem)
            throw new OpenAiHttpError(400, "invalid_request_error", `Invalid schema for function '${t.function.name}': ${problem}`, `tools[${index}].function.parameters`, "invalid_function_parameters");
    }
    const functions: Record<string, ChatModelFunctions[string]> = {};
    for (const t of offered)
        functions[t.function.name] = {
            ...(t.function.description ? {description: t.function.description} : {}),
            ...(t.function.parameters && Object.keys(t.function.parameters).length > 0 ? {params: t.function.parameters as GbnfJsonSchema} : {})
        };
    return {functions, forced: choice === "required" || typeof choice === "object"};
}

/** The prompt a chat request renders to on the loaded model, with what generating from it needs. */
export interface RenderedChatPrompt {
    functions?: ChatModelFunctions;
    grammar?: LlamaGrammar;
    history: ChatHistoryItem[];
    chatWrapper: ChatWrapper;
    promptTokens: Token[];
}

/**
 * Converts a request into the chat history and tokens the model will evaluate (also what
 * count_tokens reports). Throws OpenAiHttpError for tools, formats or messages that cannot be used.
 */
export async function renderChatPrompt(loaded: LoadedEngineModel, request: ChatCompletionRequest): Promise<RenderedChatPrompt> {
    const {functions, forced} = functionsFor(request);
    if (functions && request.response_format && request.response_format.type !== "text")
        throw new OpenAiHttpError(
            400,
            "invalid_request_error",
            "response_format json_object/json_schema cannot be combined with tools in one request here; send tool_choice \"none\" or drop response_format.",
            "response_format",
            "unsupported_value"
        );
    const grammar = await grammarFor(loaded, request.response_format);
    const history = toChatHistory(request.messages, {rawCallFor: (id, name, args) => loaded.toolCalls.rawFor(id, name, args)});
    const chatWrapper = forced ? forcingFunctionCall(loaded.chatWrapper) : loaded.chatWrapper;
    let promptTokens: Token[];
    try {
        promptTokens = chatWrapper.generateContextState({chatHistory: history, availableFunctions: functions}).contextText.tokenize(loaded.model.tokenizer);
    } catch (error) {
        throw new OpenAiHttpError(400, "invalid_request_error", `The messages or tools cannot be rendered for this model: ${(error as Error).message}`, "messages", "invalid_value");
    }
    return {functions, grammar, history, chatWrapper, promptTokens};
}

/**
 * Runs one chat completion on the loaded model: converts the request, checks it fits the context,
 * waits for a sequence (the one holding the longest prefix of this prompt), generates, and reports
 * what was reused from cache and how long each phase took. Throws OpenAiHttpError for bad input;
 * an aborted `signal` stops the generation at once.
 */
export async function runChatCompletion(
    loaded: LoadedEngineModel,
    request: ChatCompletionRequest,
    options: {
        signal: AbortSignal;
        callbacks?: CompletionCallbacks;
        /** Called once a sequence is ready, before the prompt is evaluated. */
        onStarted?: (prompt: {promptTokens: number}) => void;
        /** Called once the sequence is released, also after a cancelled or failed generation: tokens actually evaluated and generated. */
        onFinished?: (usage: CompletionOutcome["usage"], timing: {promptMs: number; generationMs: number}) => void;
    }
): Promise<CompletionOutcome> {
    const {context} = loaded;
    const {functions, grammar, history, chatWrapper, promptTokens} = await renderChatPrompt(loaded, request);
    const contextSize = context.contextSize;
    if (promptTokens.length + 1 >= contextSize)
        throw new OpenAiHttpError(
            400,
            "invalid_request_error",
            `This model's maximum context length is ${contextSize} tokens. However, your messages resulted in ${promptTokens.length} tokens. Please reduce the length of the messages, or load the model with a larger context.`,
            "messages",
            "context_length_exceeded"
        );

    const lease = await loaded.pool.acquire(promptTokens, options.signal);
    options.onStarted?.({promptTokens: promptTokens.length});
    const {sequence} = lease;
    const meter = new GenerationMeter(sequence, promptTokens.length);
    const markFirstOutput = meter.markFirstOutput;
    try {
        await evaluatePromptInChunks(sequence, promptTokens, context.batchSize, options.signal);
    } catch (error) {
        lease.release();
        throw options.signal.aborted ? options.signal.reason : error;
    }
    const chat = new LlamaChat({contextSequence: sequence, chatWrapper, autoDisposeSequence: false});
    // Argument text as generated; trailing whitespace (grammars allow it) is held back until more text follows.
    const streamedCalls = new Map<number, {id: string; name: string; text: string; heldBack: string}>();
    const requested = request.max_completion_tokens ?? request.max_tokens ?? Infinity;
    const room = contextSize - promptTokens.length - 1;
    const maxTokens = Math.min(requested, room);
    const temperature = request.temperature ?? samplingDefaults.temperature;
    const penalties = (request.presence_penalty ?? 0) !== 0 || (request.frequency_penalty ?? 0) !== 0;
    try {
        const common = {
            signal: options.signal,
            maxTokens,
            temperature,
            topK: request.top_k ?? samplingDefaults.topK,
            topP: request.top_p ?? samplingDefaults.topP,
            minP: request.min_p ?? samplingDefaults.minP,
            seed: request.seed ?? undefined,
            customStopTriggers: request.stop == null ? undefined : typeof request.stop === "string" ? [request.stop] : request.stop,
            repeatPenalty: penalties
                ? {penalty: 1, presencePenalty: request.presence_penalty ?? 0, frequencyPenalty: request.frequency_penalty ?? 0}
                : (false as const),
            onToken: markFirstOutput,
            onTextChunk: (text: string) => {
                markFirstOutput();
                if (text !== "") options.callbacks?.onContent?.(text);
            },
            onResponseChunk: options.callbacks?.onReasoning
                ? (chunk: LlamaChatResponseChunk) => {
                      if (chunk.type === "segment" && chunk.segmentType === "thought" && chunk.text !== "") {
                          markFirstOutput();
                          options.callbacks?.onReasoning?.(chunk.text);
                      }
                  }
                : undefined
        };
        const response = functions
            ? await chat.generateResponse(history, {
                  ...common,
                  functions,
                  maxParallelFunctionCalls: request.parallel_tool_calls === false ? 1 : undefined,
                  onFunctionCallParamsChunk: ({callIndex, functionName, paramsChunk}) => {
                      markFirstOutput();
                      let call = streamedCalls.get(callIndex);
                      if (!call) {
                          call = {id: toolCallId(), name: functionName, text: "", heldBack: ""};
                          streamedCalls.set(callIndex, call);
                          options.callbacks?.onToolCall?.({index: callIndex, id: call.id, name: functionName, argumentsDelta: ""});
                      }
                      const pending = call.heldBack + paramsChunk;
                      const delta = pending.trimEnd();
                      call.heldBack = pending.slice(delta.length);
                      call.text += delta;
                      if (delta !== "") options.callbacks?.onToolCall?.({index: callIndex, argumentsDelta: delta});
                  }
              })
            : await chat.generateResponse(history, {...common, grammar});

        const ended = performance.now();
        const toolCalls: CompletionOutcome["toolCalls"] = [];
        for (const [index, call] of (response.functionCalls ?? []).entries()) {
            const streamed = streamedCalls.get(index);
            const exact = streamed && streamed.name === call.functionName && parsesAs(streamed.text, call.params);
            const args = exact ? streamed.text : call.params === undefined ? "{}" : JSON.stringify(call.params);
            const id = streamed?.id ?? toolCallId();
            if (!streamed) options.callbacks?.onToolCall?.({index, id, name: call.functionName, argumentsDelta: args});
            toolCalls.push({id, name: call.functionName, arguments: args});
            loaded.toolCalls.remember(id, {name: call.functionName, arguments: args, raw: call.raw});
        }

        const {usage, timings} = meter.timings(ended);
        const {metadata} = response;
        const stopReason = metadata.stopReason;
        return {
            content: response.response,
            reasoning: response.fullResponse
                .filter((part) => typeof part !== "string" && part.type === "segment" && part.segmentType === "thought")
                .map((part) => (part as {text: string}).text)
                .join(""),
            toolCalls,
            finishReason: toolCalls.length > 0 ? "tool_calls" : stopReason === "maxTokens" ? "length" : "stop",
            ...(metadata.stopReason === "customStopTrigger" ? {stopSequence: metadata.customStopTrigger.filter((part) => typeof part === "string").join("")} : {}),
            usage,
            timings
        };
    } catch (error) {
        if (options.signal.aborted) throw options.signal.reason;
        if (error instanceof LlamaJsonSchemaValidationError)
            throw new OpenAiHttpError(500, "server_error", `The model produced output that does not match the schema: ${error.message}`, null, "generation_failed");
        throw error;
    } finally {
        chat.dispose({disposeSequence: false});
        lease.release();
        const {usage, promptMs, generationMs} = meter.measure();
        notifyListener(options.onFinished, usage, {promptMs, generationMs});
    }
}

/**
 * Evaluates all but the last prompt token in chunks of `chunkSize`, checking `signal` between them:
 * node-llama-cpp checks it only between generated tokens, so a client that gives up during a long
 * prompt (an agent's 20k-token system prompt) would otherwise hold the sequence until the whole
 * prompt is read. LlamaChat then finds these tokens in the sequence and evaluates only the last one.
 */
export async function evaluatePromptInChunks(sequence: LlamaContextSequence, tokens: readonly Token[], chunkSize: number, signal: AbortSignal) {
    const reused = commonPrefixLength(sequence.contextTokens, tokens);
    if (sequence.nextTokenIndex > reused) await sequence.eraseContextTokenRanges([{start: reused, end: sequence.nextTokenIndex}]);
    for (let start = reused; start < tokens.length - 1; start += chunkSize) {
        signal.throwIfAborted();
        await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(start, Math.min(start + chunkSize, tokens.length - 1)));
    }
    signal.throwIfAborted();
}

function parsesAs(text: string, value: unknown): boolean {
    try {
        return JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
    } catch {
        return false;
    }
}
