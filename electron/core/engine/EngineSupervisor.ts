import type {EngineCrash} from "../../api/EngineApi.ts";
import {AppError} from "../../shared/AppError.ts";
import {engineProcessEnvironment} from "./engineProcessEnvironment.ts";
import {EngineError} from "./EngineError.ts";
import type {EngineLauncher, EngineProcessHandle} from "./EngineLauncher.ts";
import type {EngineCommand, EngineCommands, EngineEventMap, EngineMessage} from "../../protocol/engineProtocol.ts";
import {notifyListener} from "../../shared/notifyListener.ts";
import {explainSigkill, systemKillEvidence, type KillEvidenceSources, type SigkillExplanation} from "./killEvidence.ts";

export interface EngineSupervisorOptions {
    launcher: EngineLauncher;
    /** Extra environment for the engine process (engineProcessEnvironment adds what every engine process needs). */
    env?: NodeJS.ProcessEnv;
    /** How long the process may take to start and say it is ready, ms. Default 60 000. */
    startTimeoutMs?: number;
    /** How long a polite shutdown may take before the process is killed, ms. Default 10 000. */
    shutdownTimeoutMs?: number;
    onEvent?: <E extends keyof EngineEventMap>(event: E, payload: EngineEventMap[E]) => void;
    /** The process ended without being asked to. */
    onCrash?: (crash: EngineCrash) => void;
    /** Where the reason of a SIGKILL is looked up (default: this machine's /proc/vmstat and kernel log). */
    killEvidence?: KillEvidenceSources;
}

interface Pending {
    resolve(result: unknown): void;
    reject(error: unknown): void;
}

const STDERR_LINES = 30;

/** Signals worth a sentence for people (SIGKILL's depends on evidence: explainSigkill). */
const signalMeaning: Record<string, string> = {
    SIGSEGV: "crashed in native code (SIGSEGV)",
    SIGABRT: "aborted in native code (SIGABRT, usually a llama.cpp assertion)",
    SIGBUS: "crashed reading memory (SIGBUS; the model file may have changed or be damaged)",
    SIGILL: "used a CPU instruction this machine lacks (SIGILL)",
    SIGTERM: "was terminated (SIGTERM)"
};

/**
 * Starts the engine process on demand, sends it typed commands and watches it. When it dies, every
 * command in flight fails with ENGINE_CRASHED naming the reason (signal, exit code, last output),
 * and the next command starts a fresh process.
 */
export class EngineSupervisor implements AsyncDisposable {
    private child: EngineProcessHandle | undefined;
    private starting: Promise<EngineProcessHandle> | undefined;
    /** The process while it starts, until it says it is ready or exits. */
    private startingChild: EngineProcessHandle | undefined;
    private readonly pending = new Map<number, Pending>();
    private nextId = 1;
    private output: string[] = [];
    private expectingExit = false;
    private disposed = false;

    constructor(private readonly options: EngineSupervisorOptions) {}

    get pid(): number | null {
        return this.child?.pid ?? null;
    }

    get running(): boolean {
        return this.child !== undefined;
    }

    /** Sends a command, starting the process first if needed. Aborting `signal` cancels it in the engine. */
    async call<C extends EngineCommand>(command: C, arg: EngineCommands[C]["arg"], options: {signal?: AbortSignal} = {}): Promise<EngineCommands[C]["result"]> {
        options.signal?.throwIfAborted();
        const child = await this.ensureStarted();
        const id = this.nextId++;
        return new Promise<EngineCommands[C]["result"]>((resolve, reject) => {
            const onAbort = () => child.send({type: "cancel", id});
            options.signal?.addEventListener("abort", onAbort, {once: true});
            this.pending.set(id, {
                resolve: (result) => {
                    options.signal?.removeEventListener("abort", onAbort);
                    resolve(result as EngineCommands[C]["result"]);
                },
                reject: (error) => {
                    options.signal?.removeEventListener("abort", onAbort);
                    reject(error);
                }
            });
            child.send({type: "request", id, command, arg});
        });
    }

    /**
     * Asks the process to release everything and exit; kills it if it does not in time. A process
     * still starting holds nothing yet: it is killed at once, and its start fails as cancelled.
     * Idempotent.
     */
    async stop(): Promise<void> {
        const starting = this.startingChild;
        if (starting) {
            this.expectingExit = true;
            const exited = new Promise<void>((resolve) => starting.onExit(() => resolve()));
            starting.kill("SIGKILL");
            await exited;
            return;
        }
        const child = this.child ?? (await this.starting?.catch(() => undefined));
        if (!child) return;
        this.expectingExit = true;
        const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
        if (this.child !== child) return;
        const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), this.options.shutdownTimeoutMs ?? 10_000).unref());
        void this.call("shutdown", {}).catch(() => {});
        if ((await Promise.race([exited, timeout])) === "timeout") {
            child.kill("SIGKILL");
            await exited;
        }
    }

    async dispose(): Promise<void> {
        if (this.disposed) return;
        this.disposed = true;
        await this.stop();
    }

    [Symbol.asyncDispose]() {
        return this.dispose();
    }

    private ensureStarted(): Promise<EngineProcessHandle> {
        if (this.child) return Promise.resolve(this.child);
        if (this.disposed) return Promise.reject(new EngineError("ENGINE_START_FAILED", "The app is shutting down."));
        this.starting ??= this.start().finally(() => (this.starting = undefined));
        return this.starting;
    }

    private start(): Promise<EngineProcessHandle> {
        this.output = [];
        this.expectingExit = false;
        let child: EngineProcessHandle;
        const killEvidence = this.options.killEvidence ?? systemKillEvidence;
        const oomKillsAtStart = killEvidence.oomKillCount();
        try {
            child = this.options.launcher({env: engineProcessEnvironment(process.env, this.options.env)});
        } catch (error) {
            return Promise.reject(error instanceof EngineError ? error : new EngineError("ENGINE_START_FAILED", `The engine process could not start: ${(error as Error).message}`, {cause: error}));
        }
        this.startingChild = child;
        return new Promise<EngineProcessHandle>((resolve, reject) => {
            let ready = false;
            const timer = setTimeout(() => {
                if (ready) return;
                child.kill("SIGKILL");
                reject(new EngineError("ENGINE_START_FAILED", `The engine process did not start within ${(this.options.startTimeoutMs ?? 60_000) / 1000} s.${this.outputHint()}`));
            }, this.options.startTimeoutMs ?? 60_000);
            child.onOutput((text) => {
                for (const line of text.split(/\r?\n/)) if (line.trim() !== "") this.output.push(line);
                if (this.output.length > STDERR_LINES) this.output.splice(0, this.output.length - STDERR_LINES);
            });
            child.onMessage((message: EngineMessage) => {
                if (message.type === "ready") {
                    ready = true;
                    clearTimeout(timer);
                    if (this.startingChild === child) this.startingChild = undefined;
                    this.child = child;
                    resolve(child);
                } else if (message.type === "response") {
                    const pending = this.pending.get(message.id);
                    this.pending.delete(message.id);
                    if (message.ok) pending?.resolve(message.result);
                    else pending?.reject(new AppError(message.error.code, message.error.message));
                } else if (message.type === "event") {
                    notifyListener(this.options.onEvent, message.event, message.payload as never);
                }
            });
            child.onExit(({code, signal}) => {
                clearTimeout(timer);
                const expected = this.expectingExit;
                if (this.child === child) this.child = undefined;
                if (this.startingChild === child) this.startingChild = undefined;
                // What was in flight belongs to this process; a restart may send new commands meanwhile.
                const inFlight = [...this.pending.values()];
                this.pending.clear();
                const output = [...this.output];
                void (signal === "SIGKILL" && !expected ? explainSigkill(child.pid, oomKillsAtStart, killEvidence) : Promise.resolve(undefined)).then((killed) => {
                    const crash = describeExit(code, signal, output, killed);
                    const error = new EngineError(expected ? "ENGINE_CANCELLED" : "ENGINE_CRASHED", expected ? "The engine was stopped." : crash.reason);
                    for (const pending of inFlight) pending.reject(error);
                    if (!ready)
                        reject(expected ? new EngineError("ENGINE_CANCELLED", "The engine was stopped while it started.") : new EngineError("ENGINE_START_FAILED", `The engine process could not start: ${crash.reason}`));
                    else if (!expected) notifyListener(this.options.onCrash, crash);
                });
            });
        });
    }

    private outputHint(): string {
        return this.output.length > 0 ? ` Last output: ${this.output.slice(-3).join(" | ")}` : "";
    }
}

/** The crash record of an exit; `killed` is what is known about a SIGKILL (explainSigkill). */
function describeExit(code: number | null, signal: string | null, output: string[], killed: SigkillExplanation | undefined): EngineCrash {
    const what = killed?.text ?? (signal ? (signalMeaning[signal] ?? `was stopped by ${signal}`) : `exited with code ${code}`);
    const lastLine = [...output].reverse().find((line) => /error|assert|abort|fail|out of memory|exception/i.test(line));
    return {
        at: new Date().toISOString(),
        exitCode: code,
        signal,
        outOfMemory: killed?.outOfMemory ?? false,
        reason: `The engine process ${what}.${lastLine ? ` Its last error: ${lastLine.trim().slice(0, 300)}` : ""}`,
        stderrTail: output
    };
}
