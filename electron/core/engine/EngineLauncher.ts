import {fork} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type {EngineMessage, ParentMessage} from "../../protocol/engineProtocol.ts";
import {findAppRoot} from "../install/appRoot.ts";
import {EngineError} from "./EngineError.ts";

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
    /** Environment of the engine process, from engineProcessEnvironment (UV_THREADPOOL_SIZE=1, OpenMP wait policy). */
    env: NodeJS.ProcessEnv;
}

/** Starts an engine process. The desktop app injects one built on Electron's utilityProcess. */
export type EngineLauncher = (options: EngineLaunchOptions) => EngineProcessHandle;

/**
 * The engine process entry as built, relative to the app root. electron.vite.config.ts bundles the
 * entry's source (electron/engine/engineProcessMain.ts, the one file of electron/engine/ the app
 * names; it never imports that folder) there; every launcher (this one, the desktop app's
 * utilityProcess) starts this file, so the engine that tests run is the one that ships.
 */
export const BUILT_ENGINE_ENTRY = "out/engine/engineProcess.js";

/** Absolute path of the built engine entry; ENGINE_START_FAILED, saying how to build it, when it is missing. */
export function builtEngineEntryPath(): string {
    const file = path.join(findAppRoot(), BUILT_ENGINE_ENTRY);
    if (!fs.existsSync(file)) throw new EngineError("ENGINE_START_FAILED", `The engine process is not built (${file} is missing): run \`npm run build\` in ${findAppRoot()}.`);
    return file;
}

/**
 * The default launcher: a Node child process running the built engine entry, talking over Node's
 * IPC channel. It does not inherit the parent's Node flags (a test runner's loaders and conditions),
 * so it runs the same way under tests as under the CLI.
 */
export const launchNodeEngineProcess: EngineLauncher = ({env}) => {
    const child = fork(builtEngineEntryPath(), [], {env, execArgv: [], stdio: ["ignore", "pipe", "pipe", "ipc"], serialization: "advanced"});
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
