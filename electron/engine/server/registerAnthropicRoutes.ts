import type {FastifyInstance} from "fastify";
import {
    AnthropicEventWriter,
    anthropicMessageBody,
    anthropicToChatRequest,
    parseAnthropicCountTokensRequest,
    parseAnthropicMessagesRequest
} from "./anthropicMessages.ts";
import type {ChatRouteContext} from "./ChatRouteContext.ts";
import {renderChatPrompt} from "./runChatCompletion.ts";

/** POST /v1/messages (also `?beta=true`, as Claude Code sends it) and /v1/messages/count_tokens. */
export function registerAnthropicRoutes(server: FastifyInstance, routes: ChatRouteContext) {
    server.post("/v1/messages", async (request, reply) => {
        routes.countRequest();
        try {
            const body = parseAnthropicMessagesRequest(request.body);
            const loaded = routes.modelFor(body.model);
            const chatRequest = anthropicToChatRequest(body, (id, name, input) => loaded.toolCalls.argumentsFor(id, name, input));
            if (!body.stream) {
                const outcome = await routes.run(reply, loaded, chatRequest);
                return reply.type("application/json").send(JSON.stringify(anthropicMessageBody(body.model, outcome)));
            }
            await routes.stream(reply, loaded, chatRequest, (stream) => new AnthropicEventWriter(stream, body.model));
        } catch (error) {
            return routes.replyWithError(reply, error);
        }
    });

    server.post("/v1/messages/count_tokens", async (request, reply) => {
        routes.countRequest();
        try {
            const body = parseAnthropicCountTokensRequest(request.body);
            const loaded = routes.modelFor(body.model);
            const chatRequest = anthropicToChatRequest(body, (id, name, input) => loaded.toolCalls.argumentsFor(id, name, input));
            const {promptTokens} = await renderChatPrompt(loaded, chatRequest);
            return reply.send({input_tokens: promptTokens.length});
        } catch (error) {
            return routes.replyWithError(reply, error);
        }
    });
}
