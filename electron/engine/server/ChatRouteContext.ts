import type {FastifyReply} from "fastify";
import type {LoadedEngineModel} from "../model/loadEngineModel.ts";
import type {ChatCompletionRequest} from "./chatCompletionRequest.ts";
import type {EventStream} from "./openEventStream.ts";
import type {OpenAiHttpError} from "./OpenAiHttpError.ts";
import type {CompletionCallbacks, CompletionOutcome} from "./runChatCompletion.ts";
import type {GenerationUsage} from "./GenerationMeter.ts";

/**
 * What every protocol's routes share with the server: the model check, the one chat path (cancelled
 * when the client disconnects, counted in the metrics), event streams, and error handling. A
 * protocol is a conversion onto this, never a second generation loop.
 */
export interface ChatRouteContext {
    /** The loaded model if it answers to `name`; throws the 503 (none or loading) or 404 (another name) to answer. */
    modelFor(name: string): LoadedEngineModel;
    /** Counts a request in the server's metrics. */
    countRequest(): void;
    /** Adds a line to the request log's entry for this request: something accepted but not acted on. */
    note(reply: FastifyReply, line: string): void;
    /** What a generation for the client of `reply` needs: cancelled when it disconnects, counted in the metrics. */
    hooks(reply: FastifyReply, onStarted?: (prompt: {promptTokens: number}) => void): GenerationHooks;
    /** Runs `request` for the client of `reply`. */
    run(reply: FastifyReply, loaded: LoadedEngineModel, request: ChatCompletionRequest): Promise<CompletionOutcome>;
    /**
     * Runs `request` as an event stream written by `events` (made once the stream is open): its
     * callbacks get the pieces, `finish` the outcome, `fail` an error after the stream opened (not
     * when the client is gone). Resolves with the outcome, or undefined when it failed or was cancelled;
     * an error before the stream opened is thrown.
     */
    stream(reply: FastifyReply, loaded: LoadedEngineModel, request: ChatCompletionRequest, events: (stream: EventStream) => ChatEventWriter): Promise<CompletionOutcome | undefined>;
    /** The same for any generation: `job` runs with the writer, whose `finish` gets its result. */
    streamJob<T, W extends EventWriter<T>>(reply: FastifyReply, events: (stream: EventStream) => W, job: (events: W) => Promise<T>): Promise<T | undefined>;
    /** Answers an error raised before anything was streamed, in the error shape of the request's protocol. */
    replyWithError(reply: FastifyReply, error: unknown): unknown;
}

export interface GenerationHooks {
    signal: AbortSignal;
    onStarted: (prompt: {promptTokens: number}) => void;
    onFinished: (usage: GenerationUsage, timing: {promptMs: number; generationMs: number}) => void;
}

/** A protocol's writer of one streamed answer. */
export interface EventWriter<T> {
    /** A sequence is ready; the prompt is about to be read. */
    start(prompt: {promptTokens: number}): void;
    finish(result: T): void;
    fail(error: OpenAiHttpError): void;
}

export interface ChatEventWriter extends EventWriter<CompletionOutcome>, CompletionCallbacks {}
