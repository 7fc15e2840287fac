import type {EndpointServerInfo} from "../../api/EndpointsApi.ts";
import {detectServedModel} from "../servers/detectServedModel.ts";
import {EndpointError} from "./EndpointError.ts";
import {authHeaders, getEndpointJson, type EndpointConnection} from "./streamChatCompletion.ts";

/**
 * What the server says about itself, read by the same detector the eval uses for local servers
 * (`detectServedModel`), after a strict `GET /models`: an unreachable server, a refused key or a
 * model missing from a list that names any are coded errors here, never guesses.
 */
export async function describeEndpoint(connection: EndpointConnection, model: string): Promise<EndpointServerInfo> {
    const modelList = await getEndpointJson(connection, "/models");
    const detected = await detectServedModel(connection.baseUrl, model, {authHeaders: authHeaders(connection), signal: connection.signal, timeoutMs: connection.timeoutMs, modelList});
    if (detected.models.length > 0 && !detected.models.includes(model))
        throw new EndpointError("ENDPOINT_MODEL_NOT_FOUND", `${connection.baseUrl} does not serve a model "${model}"; it lists: ${detected.models.join(", ")}.`);
    const {server: kind, models, reportedModel, quantization, trainedContextSize, contextSize, parallelSlots} = detected;
    return {kind, models, reportedModel, quantization, trainedContextSize, contextSize, parallelSlots};
}
