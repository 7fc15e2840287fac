// Entry of the engine process (a Node child process, or Electron's utilityProcess in the desktop
// app). It owns node-llama-cpp, the loaded model and the OpenAI-compatible server, and answers
// the app's typed commands (engineProtocol.ts). Whatever happens in here, the app survives it.
import {createEngineRuntime} from "./createEngineRuntime.ts";
import type {EngineCommand, EngineCommandHandlers, EngineMessage, ParentMessage} from "../protocol/engineProtocol.ts";
import {AppError, errorBody} from "../shared/AppError.ts";

interface ParentPort {
    send(message: EngineMessage): void;
    onMessage(listener: (message: ParentMessage) => void): void;
    onDisconnect(listener: () => void): void;
}

/** Electron's utilityProcess exposes `process.parentPort`; a Node child process uses its IPC channel. */
function connectToParent(): ParentPort {
    const electronPort = (process as unknown as {parentPort?: {postMessage(m: unknown): void; on(e: "message", l: (e: {data: unknown}) => void): void}}).parentPort;
    if (electronPort)
        return {
            send: (message) => electronPort.postMessage(message),
            onMessage: (listener) => electronPort.on("message", (event) => listener(event.data as ParentMessage)),
            onDisconnect: () => {}
        };
    if (!process.send) throw new Error("The engine process must be started by AgentFit (it talks to its parent over IPC).");
    return {
        send: (message) => process.send!(message),
        onMessage: (listener) => process.on("message", (message) => listener(message as ParentMessage)),
        onDisconnect: (listener) => process.on("disconnect", listener)
    };
}

const port = connectToParent();
const runtime = createEngineRuntime((event, payload) => port.send({type: "event", event, payload} as EngineMessage));
const inFlight = new Map<number, AbortController>();

async function exit(code: number) {
    try {
        await runtime.dispose();
    } finally {
        process.exit(code);
    }
}

port.onMessage((message) => {
    if (message.type === "cancel") {
        inFlight.get(message.id)?.abort(new Error("Cancelled by the app."));
        return;
    }
    // Shutting down cancels whatever is still running (a load in progress ends as cancelled, not failed).
    if (message.command === "shutdown") for (const running of inFlight.values()) running.abort(new Error("The engine is shutting down."));
    const controller = new AbortController();
    inFlight.set(message.id, controller);
    const handler = runtime.handlers[message.command as EngineCommand] as
        | ((arg: unknown, context: Parameters<EngineCommandHandlers[EngineCommand]>[1]) => Promise<unknown>)
        | undefined;
    const run = handler
        ? handler(message.arg, {
              signal: controller.signal,
              emit: (event, payload) => port.send({type: "event", event, payload} as EngineMessage)
          })
        : Promise.reject(new AppError("ENGINE_UNKNOWN_COMMAND", `Unknown engine command "${message.command}".`));
    run.then(
        (result) => port.send({type: "response", id: message.id, ok: true, result: result ?? null}),
        (error: unknown) => port.send({type: "response", id: message.id, ok: false, error: errorBody(error, "ENGINE_ERROR")})
    ).finally(() => {
        inFlight.delete(message.id);
        if (message.command === "shutdown") void exit(0);
    });
});

// The app went away (killed, crashed): stop whatever runs (a long benchmark would otherwise hold the exit) and leave.
port.onDisconnect(() => {
    for (const running of inFlight.values()) running.abort(new Error("The app went away."));
    void exit(0);
});
// Ctrl-C in a terminal reaches the whole process group; the app decides when the engine stops.
process.on("SIGINT", () => {});
process.on("uncaughtException", (error) => {
    console.error("[engine] uncaught exception:", error);
    process.exit(70);
});
process.on("unhandledRejection", (error) => {
    console.error("[engine] unhandled rejection:", error);
    process.exit(70);
});

port.send({type: "ready", pid: process.pid});
