/** Channel names and the envelope shared by main, preload and the renderer. */
export const IPC_INVOKE_CHANNEL = "agentfit:invoke";
export const IPC_EVENT_CHANNEL = "agentfit:event";

/** Errors cross IPC as data: Electron would otherwise flatten them into a prefixed message. */
export type IpcInvokeResult = {ok: true; result: unknown} | {ok: false; error: {code: string; message: string}};

/** What the preload exposes on `window.agentfitBridge`, and nothing more. */
export interface AgentFitBridge {
    invoke(method: string, arg: unknown): Promise<IpcInvokeResult>;
    subscribe(listener: (event: string, payload: unknown) => void): () => void;
}
