import {createApiClient, type ApiClient} from "../../../electron/transports/client/createApiClient.ts";
import {createHttpChannel} from "../../../electron/transports/http/createHttpChannel.ts";
import {createIpcChannel} from "../../../electron/transports/ipc/createIpcChannel.ts";
import type {AgentFitBridge} from "../../../electron/transports/ipc/ipcProtocol.ts";

declare global {
    interface Window {
        /** Present only in the desktop window (exposed by the preload). */
        agentfitBridge?: AgentFitBridge;
    }
}

/** The one API client of the UI: IPC inside the desktop window, HTTP to its own origin in a browser. */
export const api: ApiClient = createApiClient(
    window.agentfitBridge ? createIpcChannel(window.agentfitBridge) : createHttpChannel({baseUrl: ""})
);
