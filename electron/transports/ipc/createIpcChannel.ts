import {ApiCallError, type ApiChannel} from "../client/createApiClient.ts";
import type {AgentFitBridge} from "./ipcProtocol.ts";

/** ApiChannel over the preload bridge (desktop window). */
export function createIpcChannel(bridge: AgentFitBridge): ApiChannel {
    return {
        async invoke(method, arg) {
            const outcome = await bridge.invoke(method, arg);
            if (!outcome.ok) throw new ApiCallError(outcome.error.code, outcome.error.message);
            return outcome.result;
        },
        subscribe: (listener) => bridge.subscribe(listener)
    };
}
