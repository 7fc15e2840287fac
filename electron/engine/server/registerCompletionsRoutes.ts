import crypto from "node:crypto";
import type {FastifyInstance} from "fastify";
import {streamFailureEvents} from "../../protocol/wireErrors.ts";
import type {ChatRouteContext} from "./ChatRouteContext.ts";
import type {OpenAiHttpError} from "./OpenAiHttpError.ts";
import {parseTextCompletionRequest, runTextCompletion, type TextCompletionOutcome} from "./runTextCompletion.ts";

function usageOf(outcome: TextCompletionOutcome) {
    const {promptTokens, cachedTokens, completionTokens} = outcome.usage;
    return {prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens, prompt_tokens_details: {cached_tokens: cachedTokens}};
}

/** POST /v1/completions: legacy text completions, streamed or not, with fill-in-the-middle by `suffix`. */
export function registerCompletionsRoutes(server: FastifyInstance, routes: ChatRouteContext) {
    server.post("/v1/completions", async (request, reply) => {
        routes.countRequest();
        try {
            const body = parseTextCompletionRequest(request.body);
            const loaded = routes.modelFor(body.model);
            const id = `cmpl-${crypto.randomBytes(12).toString("base64url")}`;
            const created = Math.floor(Date.now() / 1000);
            const choice = (text: string, finishReason: TextCompletionOutcome["finishReason"] | null) => ({
                id,
                object: "text_completion",
                created,
                model: loaded.info.id,
                choices: [{text, index: 0, logprobs: null, finish_reason: finishReason}]
            });
            if (!body.stream) {
                const outcome = await runTextCompletion(loaded, body, routes.hooks(reply));
                return reply.type("application/json").send(JSON.stringify({...choice(outcome.text, outcome.finishReason), usage: usageOf(outcome), timings: outcome.timings}));
            }
            await routes.streamJob(
                reply,
                (stream) => ({
                    start: () => {},
                    finish(outcome: TextCompletionOutcome) {
                        stream.send({...choice("", outcome.finishReason), timings: outcome.timings});
                        if (body.stream_options?.include_usage) stream.send({...choice("", null), choices: [], usage: usageOf(outcome)});
                        stream.send("[DONE]");
                        stream.end();
                    },
                    fail: (error: OpenAiHttpError) => stream.endWith(streamFailureEvents("completions", error)),
                    text: (text: string) => stream.send(choice(text, null))
                }),
                (events) => runTextCompletion(loaded, body, {...routes.hooks(reply, events.start), onText: events.text})
            );
        } catch (error) {
            return routes.replyWithError(reply, error);
        }
    });
}
