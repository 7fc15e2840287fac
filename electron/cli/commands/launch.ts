import {spawn} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {Command} from "commander";
import {AgentError} from "../../core/agents/AgentError.ts";
import {codingAgentIds, codingAgents, locateAgent} from "../../core/agents/codingAgents.ts";
import {launchContext, pickLaunchModel} from "../../core/agents/planLaunch.ts";
import {hasExited, signalProcessTree, stopProcessTree} from "../../core/processes/signalProcessTree.ts";
import {followRequestLog} from "../utils/requestLog.ts";
import {onInterrupt} from "../utils/onInterrupt.ts";
import {createCliAppService} from "../utils/withAppService.ts";
import {InvalidArgumentError} from "../../shared/AppError.ts";
import {addEngineSettingsOptions, engineSettingsFrom, type EngineSettingsOptions} from "../utils/engineSettingsOptions.ts";
import {wholeNumber} from "../utils/optionParsers.ts";
import {bold, dim} from "../utils/format.ts";
import type {CodingAgentId} from "../../api/AgentsApi.ts";
import type {EngineStatus} from "../../api/EngineApi.ts";

interface LaunchOptions extends EngineSettingsOptions {
    model?: string;
    port: number;
    maxOutputTokens?: number;
    requestLog?: string;
}

/** Names people type for the agents. */
const aliases: Record<string, CodingAgentId> = {claude: "claude-code", "claude-code": "claude-code", codex: "codex", opencode: "opencode", aider: "aider"};

export function registerLaunchCommand(program: Command) {
    const command = program
        .command("launch <agent> [agentArgs...]")
        .description(`Serve a local model and run a coding agent on it in this terminal (${codingAgentIds.join(", ")}); serving stops when the agent exits. Agent arguments go after --`)
        .option("--model <id|path>", "the model to serve (default: the recommended downloaded one)");
    addEngineSettingsOptions(command, {contextHelp: "context in tokens (default: what the agent needs, e.g. 32k for Claude Code; capped at the model's trained context)"})
        .option("--port <n>", "TCP port to serve on (default: a free one)", wholeNumber("--port", 0, 65535), 0)
        .option("--max-output-tokens <n>", "cap each answer of the model, through the agent's own setting", wholeNumber("--max-output-tokens", 16))
        .option("--request-log <file>", "append every request the agent sends, as one JSON line, to this file (the terminal is the agent's)")
        .action(async (name: string, agentArgs: string[], options: LaunchOptions) => {
            const id = aliases[name];
            if (!id) throw new InvalidArgumentError(`Unknown agent "${name}". The agents are: ${codingAgentIds.join(", ")} (claude for claude-code).`);
            const agent = codingAgents[id];
            const executable = locateAgent(agent);
            if (!executable) throw new AgentError("AGENT_NOT_INSTALLED", `${agent.label} is not installed (not on PATH nor in its usual places). Install it with: ${agent.install}`);

            const app = await createCliAppService();
            if (options.requestLog) followRequestLog(app, {file: path.resolve(options.requestLog)});
            const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-launch-"));
            // Until the agent runs, a signal is launch's own: the load is cancelled (stopping the engine ends it) and the agent never starts.
            let received: NodeJS.Signals | null = null;
            const interruptedBy = (): NodeJS.Signals | null => received;
            let doing = "choosing the model";
            const stopListening = onInterrupt((signal) => {
                if (received) return;
                received = signal;
                void app["engine.stop"]({}).catch(() => {});
            }, FORWARDED_SIGNALS);
            let exitCode = 1;
            try {
                const registered = await app["models.list"]({});
                const reference =
                    options.model ??
                    pickLaunchModel(registered, await app["models.recommend"]({contextSize: agent.contextSize}).catch(() => null))?.id ??
                    null;
                if (!reference) throw new InvalidArgumentError("No model is downloaded yet: pull one (agentfit recommend, then agentfit pull <id>) or give --model <path>.");
                const model = await app["models.inspect"]({source: resolvePath(registered, reference)}).catch(() => null);
                const settings = engineSettingsFrom(options);
                const contextSize = launchContext(agent, {name: model?.facts.name ?? reference, trainedContext: model?.facts.contextLength ?? null}, settings.contextSize);
                let status: EngineStatus | null = null;
                if (!interruptedBy()) {
                    doing = `loading ${reference}`;
                    console.error(dim(`Loading ${reference} with ${contextSize.toLocaleString("en-US")} tokens of context for ${agent.label}…`));
                    status = await app["engine.start"]({model: reference, settings: {...settings, contextSize}, server: {host: "127.0.0.1", port: options.port}}).catch((error: unknown) => {
                        // Cancelled by the interruption (or failed meanwhile): the interruption is what happened.
                        if (interruptedBy()) return null;
                        throw error;
                    });
                }
                const signal = interruptedBy();
                if (signal) {
                    // A load that ended just before the signal was handled is serving: stopped all the same.
                    await app["engine.stop"]({});
                    console.error(`${signal} received while ${doing}: launch was interrupted before ${agent.label} started; serving stopped.`);
                    exitCode = 128 + os.constants.signals[signal];
                    return;
                }
                // Not interrupted, so the start succeeded (a failure was thrown).
                const served = status!.model!;
                const server = status!.server!;
                const setup = agent.connect({baseUrl: server.baseUrl, apiKey: "agentfit", model: served.id, contextSize: served.settings.contextSize, maxOutputTokens: options.maxOutputTokens}, configDir);
                for (const file of setup.files) fs.writeFileSync(path.join(configDir, file.path), file.content);
                // PWD is this folder's: a program that started launch in another folder passes its own PWD on, and
                // OpenCode takes PWD over its working directory for the project it works on.
                const running = runAgentInTerminal(executable, [...setup.args, ...agentArgs], {...process.env, ...setup.env, PWD: process.cwd()}, (pid) =>
                    console.error(`${bold("Serving")} ${served.id} at ${server.baseUrl} · started ${agent.label} (${executable}, pid ${pid})`)
                );
                // The agent's own forwarding listens from here on (registered before this one leaves, so no signal finds none).
                stopListening();
                const outcome = await running;
                console.error(dim(`${outcome.stoppedBy ? `${outcome.stoppedBy} received and passed on; ` : ""}${agent.label} exited (${outcome.exitCode}); serving stopped.`));
                // Stopped by a signal, launch exits as a process killed by it would (128 + its number), whatever the agent returned.
                exitCode = outcome.stoppedBy ? 128 + os.constants.signals[outcome.stoppedBy] : outcome.exitCode;
            } finally {
                stopListening();
                await app.dispose();
                fs.rmSync(configDir, {recursive: true, force: true});
                process.exitCode = exitCode;
            }
        });
}

/** How long an agent gets to exit after a forwarded signal before its process group is killed. */
const AGENT_EXIT_GRACE_MS = 10_000;

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Runs the agent with this terminal's stdio until it exits. SIGINT, SIGTERM and SIGHUP sent to
 * `launch` are forwarded to the agent and `launch` waits for it (killing it after a grace period),
 * so serving never stops under a running agent nor outlives it. With a terminal the agent stays in
 * launch's process group (it must, to read the terminal): the terminal's Ctrl-C already reaches it,
 * and is not forwarded — a second copy would end Claude Code's session where the user only meant to
 * interrupt a turn. Without a terminal the agent gets a group of its own, and each signal goes to
 * that whole group, the agent's own children included (npm-installed agents are a Node wrapper
 * around a binary). The forwarding listens from the moment this returns.
 */
function runAgentInTerminal(
    executable: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    onStart: (pid: number) => void
): Promise<{exitCode: number; stoppedBy: NodeJS.Signals | null}> {
    const detached = process.platform !== "win32" && !process.stdin.isTTY;
    return new Promise((resolve) => {
        const child = spawn(executable, args, {stdio: "inherit", env, detached});
        if (child.pid !== undefined) onStart(child.pid);
        const report = (error: unknown) => console.error(`Could not stop ${executable}: ${(error as Error).message}`);
        let stoppedBy: NodeJS.Signals | null = null;
        const forward = (signal: NodeJS.Signals) => {
            if (signal === "SIGINT" && !detached) return;
            const first = stoppedBy === null;
            stoppedBy ??= signal;
            if (child.pid === undefined || hasExited(child)) return;
            if (first) stopProcessTree(child, {detached, signal, graceMs: AGENT_EXIT_GRACE_MS}).catch(report);
            else
                try {
                    // A later signal is passed on too; the SIGKILL after the grace period is already planned.
                    signalProcessTree({pid: child.pid, detached}, signal);
                } catch (error) {
                    report(error);
                }
        };
        const stopListening = onInterrupt(forward, FORWARDED_SIGNALS);
        const settle = (exitCode: number) => {
            stopListening();
            // Whatever the agent left running in its own group goes with it.
            if (detached && child.pid !== undefined)
                try {
                    signalProcessTree({pid: child.pid, detached}, "SIGKILL");
                } catch (error) {
                    report(error);
                }
            resolve({exitCode, stoppedBy});
        };
        child.on("error", (error) => {
            console.error(`Could not start ${executable}: ${error.message}`);
            settle(1);
        });
        child.on("close", (code, signal) => settle(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1)));
    });
}

/** A registered model's file, or the reference itself (a path). */
function resolvePath(registered: readonly {id: string; path: string}[], reference: string): string {
    return registered.find((m) => m.id === reference)?.path ?? reference;
}
