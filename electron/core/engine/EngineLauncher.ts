import {fork} from "node:child_process";
import path from "node:path";
import {fileURLToPath} from "node:url";
import type {EngineMessage, ParentMessage} from "../../protocol/engineProtocol.ts";

/** A running engine process, whatever started it (a Node child process or Electron's utilityProcess). */
export interface EngineProcessHandle {
    readonly pid: number | undefined;
    send(message: ParentMessage): void;
    onMessage(listener: (message: EngineMessage) => void): void;
    /** Output the engine writes (llama.cpp errors, assertions), for crash reports. */
    onOutput(listener: (text: string) => void): void;
    onExit(listener: (exit: {code: number | null; signal: string | null}) => void): void;
    kill(signal?: NodeJS.Signals): void;
}

export interface EngineLaunchOptions {
    /** Environment of the engine process; always includes UV_THREADPOOL_SIZE=1 (FACTS §3). */
    env: NodeJS.ProcessEnv;
}

/** Starts an engine process. The desktop app injects one built on Electron's utilityProcess. */
export type EngineLauncher = (options: EngineLaunchOptions) => EngineProcessHandle;

const here = path.dirname(fileURLToPath(import.meta.url));

/** The engine process's entry: the only file of electron/engine/ the app names (it never imports that folder). */
export const ENGINE_ENTRY = path.resolve(here, "..", "..", "engine", "engineProcessMain.ts");

/**
 * The default launcher: a Node child process running the engine entry through tsx (the CLI and
 * tests run the TypeScript sources directly), talking over Node's IPC channel.
 */
export const launchNodeEngineProcess: EngineLauncher = ({env}) => {
    const runTs = path.resolve(here, "..", "..", "..", "bin", "run-ts.js");
    const child = fork(runTs, [ENGINE_ENTRY], {env, stdio: ["ignore", "pipe", "pipe", "ipc"], serialization: "advanced"});
    return {
        get pid() {
            return child.pid;
        },
        send: (message) => {
            // A process that is going away cannot receive; its exit is reported through onExit.
            if (child.connected) child.send(message, () => {});
        },
        onMessage: (listener) => child.on("message", (message) => listener(message as EngineMessage)),
        onOutput: (listener) => {
            child.stdout?.on("data", (data: Buffer) => listener(data.toString()));
            child.stderr?.on("data", (data: Buffer) => listener(data.toString()));
        },
        onExit: (listener) => child.on("exit", (code, signal) => listener({code, signal})),
        kill: (signal) => void child.kill(signal)
    };
};
