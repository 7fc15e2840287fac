import {ipcMain, type BrowserWindow, type IpcMainInvokeEvent} from "electron";
import type {AppApi, AppEvents} from "../../api/AppApi.ts";
import {isApiMethod} from "../apiMethods.ts";
import {IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type IpcInvokeResult} from "./ipcProtocol.ts";

export interface IpcServedApp {
    api: AppApi;
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
        if (typeof method !== "string" || !isApiMethod(method))
            return {ok: false, error: {code: "UNKNOWN_METHOD", message: `There is no API method "${String(method)}".`}};
        try {
            const handler = app.api[method] as (arg: unknown) => Promise<unknown>;
            return {ok: true, result: await handler.call(app.api, arg ?? {})};
        } catch (error) {
            const code = (error as {code?: unknown}).code;
            return {
                ok: false,
                error: {code: typeof code === "string" ? code : "INTERNAL", message: (error as Error).message ?? String(error)}
            };
        }
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
