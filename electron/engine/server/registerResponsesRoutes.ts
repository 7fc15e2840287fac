import type {FastifyInstance} from "fastify";
import type {ChatRouteContext} from "./ChatRouteContext.ts";
import type {ChatMessage} from "./chatCompletionRequest.ts";
import {OpenAiHttpError} from "./OpenAiHttpError.ts";
import {
    finishedResponse,
    newResponse,
    parseResponsesRequest,
    ResponseStore,
    ResponsesEventWriter,
    responseOutputMessages,
    responsesInputToMessages,
    responsesToChatRequest
} from "./openAiResponses.ts";

/** POST /v1/responses and GET /v1/responses/{id}, with stored responses kept in memory (ResponseStore's bounds). */
export function registerResponsesRoutes(server: FastifyInstance, routes: ChatRouteContext) {
    const store = new ResponseStore();

    server.post("/v1/responses", async (request, reply) => {
        routes.countRequest();
        try {
            const body = parseResponsesRequest(request.body);
            const loaded = routes.modelFor(body.model);
            let earlier: ChatMessage[] = [];
            if (body.previous_response_id) {
                const previous = store.get(body.previous_response_id);
                if (!previous)
                    throw new OpenAiHttpError(
                        404,
                        "invalid_request_error",
                        `Previous response with id '${body.previous_response_id}' not found. Responses are kept in memory (the newest 256, up to 64 MiB) and only when sent with store: true.`,
                        "previous_response_id",
                        "previous_response_not_found"
                    );
                earlier = [...previous.conversation, ...responseOutputMessages(previous.response)];
            }
            // Instructions apply to this request only (the API does not carry them over), so the stored conversation leaves them out.
            const conversation = [...earlier, ...responsesInputToMessages(body.input)];
            const messages: ChatMessage[] = body.instructions ? [{role: "system", content: body.instructions}, ...conversation] : conversation;
            const chat = responsesToChatRequest(body, messages, (line) => routes.note(reply, line));
            const response = newResponse(body, chat);
            const remember = () => {
                if (body.store !== false) store.put(response, conversation);
            };
            if (!body.stream) {
                const outcome = await routes.run(reply, loaded, chat);
                finishedResponse(response, outcome);
                remember();
                return reply.type("application/json").send(JSON.stringify(response));
            }
            const outcome = await routes.stream(reply, loaded, chat, (stream) => new ResponsesEventWriter(stream, response));
            if (outcome) remember();
        } catch (error) {
            return routes.replyWithError(reply, error);
        }
    });

    server.get<{Params: {id: string}}>("/v1/responses/:id", async (request, reply) => {
        const entry = store.get(request.params.id);
        if (!entry) return routes.replyWithError(reply, new OpenAiHttpError(404, "invalid_request_error", `No response with id '${request.params.id}' is stored here.`, "response_id", "not_found"));
        return reply.send(entry.response);
    });
}
