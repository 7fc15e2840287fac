import type {FastifyReply} from "fastify";
import type {LoadedEngineModel} from "../model/loadEngineModel.ts";
import type {ChatCompletionRequest} from "./chatCompletionRequest.ts";
import type {EventStream} from "./openEventStream.ts";
import type {OpenAiHttpError} from "./OpenAiHttpError.ts";
import type {CompletionCallbacks, CompletionOutcome} from "./runChatCompletion.ts";

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
    /** Runs `request` for the client of `reply`. */
    run(
        reply: FastifyReply,
        loaded: LoadedEngineModel,
        request: ChatCompletionRequest,
        options?: {callbacks?: CompletionCallbacks; onStarted?: (prompt: {promptTokens: number}) => void}
    ): Promise<CompletionOutcome>;
    openStream(reply: FastifyReply): EventStream;
    /** Answers an error raised before anything was streamed, in the error shape of the request's protocol. */
    replyWithError(reply: FastifyReply, error: unknown): unknown;
    /** For an error after a stream opened: the error to write into it, or undefined when the client is gone. */
    streamFailure(reply: FastifyReply, error: unknown): OpenAiHttpError | undefined;
}
