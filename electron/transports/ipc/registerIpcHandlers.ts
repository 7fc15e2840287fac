import {ipcMain, type BrowserWindow, type IpcMainInvokeEvent} from "electron";
import type {AppEvents} from "../../api/AppApi.ts";
import type {AppMethodTable} from "../../shared/MethodTable.ts";
import {dispatchApiCall} from "../server/dispatchApiCall.ts";
import {IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type IpcInvokeResult} from "./ipcProtocol.ts";

export interface IpcServedApp {
    methods: AppMethodTable;
    subscribe(listener: <E extends keyof AppEvents>(event: E, payload: AppEvents[E]) => void): () => void;
}

/**
 * Answers API calls from this one window only (any other webContents or frame is refused) and
 * forwards every app event to it. Returns the function that removes the handlers.
 */
export function registerIpcHandlers(window: BrowserWindow, app: IpcServedApp): () => void {
    const handle = async (event: IpcMainInvokeEvent, method: unknown, arg: unknown): Promise<IpcInvokeResult> => {
        if (event.sender !== window.webContents || event.senderFrame !== window.webContents.mainFrame)
            return {ok: false, error: {code: "FORBIDDEN_SENDER", message: "Only the AgentFit window may call the API."}};
        // The same dispatcher as HTTP; only the code crosses (a status means nothing here).
        const outcome = await dispatchApiCall(app.methods, method, arg);
        return outcome.ok ? outcome : {ok: false, error: outcome.error};
    };
    ipcMain.handle(IPC_INVOKE_CHANNEL, handle);
    const unsubscribe = app.subscribe((event, payload) => {
        if (!window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event, payload);
    });
    return () => {
        ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
        unsubscribe();
    };
}
