import {utilityProcess} from "electron";
import {builtEngineEntryPath, type EngineLauncher} from "../core/engine/EngineLauncher.ts";
import type {EngineMessage} from "../protocol/engineProtocol.ts";

/**
 * Runs the engine in Electron's utilityProcess (the same built engine entry the CLI and tests run),
 * so a native crash in llama.cpp never takes the window down. utilityProcess reports only an exit
 * code, so a signal is inferred from the code where the OS encodes it (128 + signal number).
 */
export function utilityProcessEngineLauncher(): EngineLauncher {
    return ({env}) => {
        const child = utilityProcess.fork(builtEngineEntryPath(), [], {env, stdio: "pipe", serviceName: "AgentFit engine"});
        return {
            get pid() {
                return child.pid;
            },
            send: (message) => child.postMessage(message),
            onMessage: (listener) => child.on("message", (message: EngineMessage) => listener(message)),
            onOutput: (listener) => {
                child.stdout?.on("data", (data: Buffer) => listener(data.toString()));
                child.stderr?.on("data", (data: Buffer) => listener(data.toString()));
            },
            onExit: (listener) => child.on("exit", (code) => listener({code, signal: code > 128 && code < 160 ? signalName(code - 128) : null})),
            kill: () => void child.kill()
        };
    };
}

const signals: Record<number, string> = {4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM"};
function signalName(number: number): string | null {
    return signals[number] ?? null;
}
