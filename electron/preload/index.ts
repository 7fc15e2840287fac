import {contextBridge, ipcRenderer, type IpcRendererEvent} from "electron";
import {IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type AgentFitBridge} from "../transports/ipc/ipcProtocol.ts";

const bridge: AgentFitBridge = {
    invoke: (method, arg) => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, arg),
    subscribe(listener) {
        const forward = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
        ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
        return () => {
            ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward);
        };
    }
};

contextBridge.exposeInMainWorld("agentfitBridge", bridge);
