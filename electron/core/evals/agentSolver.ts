import {createOwnedTempFolder, removeOrphanedTempFolders} from "../jobs/ownedTempFolder.ts";
import {processStartTime, type JobOwner} from "../jobs/JobOwner.ts";
import {signalProcessTree} from "../processes/signalProcessTree.ts";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {EvalLimitKind, EvalMessage} from "../../api/EvalApi.ts";
import {notifyListener} from "../../shared/notifyListener.ts";
import type {CodingAgent} from "../agents/CodingAgent.ts";
import {emptyTrace, type AgentProcessReport, type EvalSolver, type SolverTrace} from "./EvalSolver.ts";
import {bwrapArguments, prepareSandbox, privateTmpWrites, SANDBOX_FILES, type RunConfinement} from "./confineAgent.ts";
import {runCommand} from "./process/runCommand.ts";
import {readOutsideAccess, type ToolExchange} from "./readOutsideAccess.ts";
import {readExchange, type WireMessage} from "./readExchange.ts";
import {isModelCall, startRecordingProxy} from "./recordingProxy.ts";
import {listFiles} from "./workspace.ts";

export interface AgentSolverOptions {
    agent: CodingAgent;
    /** The agent's executable (from locateAgent). */
    executable: string;
    /** Placeholder key the agent holds; the proxy sends the real one upstream. Default "agentfit". */
    agentKey?: string;
    /** Marks the agent's scratch folder, so a later process removes it if this one is killed. */
    owner: JobOwner;
    /** How the agent's process is confined: the run's record and, confined, the forwarder it names (confinementOfRun); absent: unconfined. */
    confinement?: RunConfinement;
}

/** Prefix of the scratch folders (temporary HOME and config) of agents in flight, each marked with its owner. */
export const AGENT_SCRATCH_PREFIX = "agentfit-agent-";

/** In an agent's scratch folder: its process group id and start time, so a later process can stop an agent whose eval was killed. */
const AGENT_PID_FILE = "agent.pid";

/**
 * Removes the scratch folders of agents whose eval process is gone, first killing the agent's
 * process group when it still runs (same pid and start time as recorded; where the system gives no
 * start time, such as macOS, the agent is left to fail on its own, its proxy being gone).
 */
export function removeOrphanedAgentScratch(parent = os.tmpdir()): string[] {
    return removeOrphanedTempFolders(AGENT_SCRATCH_PREFIX, parent, (folder) => {
        let recorded: string[];
        try {
            recorded = fs.readFileSync(path.join(folder, AGENT_PID_FILE), "utf8").split("\n");
        } catch {
            return;
        }
        const [pid, startTime] = [Number(recorded[0]), recorded[1]];
        if (!Number.isInteger(pid) || pid <= 1 || !startTime || processStartTime(pid) !== startTime) return;
        try {
            // runCommand started it detached: pid is its process group's id.
            signalProcessTree({pid, detached: true}, "SIGKILL");
        } catch (error) {
            console.error(`[agentfit] An agent left by an interrupted eval may still run: ${(error as Error).message}`);
        }
    });
}

/** Config folders agents write to in a user's home: a headless sample must leave them untouched. */
const USER_AGENT_STATE = [".claude", ".claude.json", ".codex", ".config/opencode", ".local/share/opencode", ".local/state/opencode", ".cache/opencode", ".aider", ".aider.conf.yml"];

/**
 * A real coding agent as the eval's harness: the agent runs headless in the sample's workspace (its
 * cwd), with HOME, XDG folders and TMPDIR in a temporary folder of its own, pointed at a recording
 * proxy in front of the model; confined by bubblewrap when `confinement` says so (writes only there,
 * no network but the proxy), and what it wrote or tried to reach outside is recorded either way. The transcript, tokens and timings come from what the proxy saw; turn
 * and token limits are enforced there (the agent is stopped), wall time by killing its process group.
 */
export function createAgentSolver(options: AgentSolverOptions): EvalSolver {
    const {agent, executable} = options;
    return {
        id: `agent-${agent.id}`,
        async solve(input) {
            const started = performance.now();
            const scratchFolder = createOwnedTempFolder(AGENT_SCRATCH_PREFIX, options.owner);
            const scratch = scratchFolder.path;
            const home = path.join(scratch, "home");
            const configDir = path.join(scratch, "config");
            const tmp = path.join(scratch, "tmp");
            for (const dir of [home, configDir, tmp]) fs.mkdirSync(dir, {recursive: true});
            const before = snapshot(input.workspace);
            const userState = stateOf(USER_AGENT_STATE.map((p) => path.join(os.homedir(), p)));
            const trace = emptyTrace();
            const stop = new AbortController();
            let limitHit: EvalLimitKind | null = null;
            let modelCalls = 0;
            let errorStreak = 0;
            let overflows = 0;
            let outOfContext: SolverTrace["providerError"] = null;
            let longestErrorStreak = 0;
            let seq = 0;
            let conversation: WireMessage[] = [];
            const toolNames = new Map<string, string>();
            const toolArguments = new Map<string, string>();
            const toolExchanges: ToolExchange[] = [];
            const record = (message: Omit<EvalMessage, "seq" | "createdAt">) => notifyListener(input.onMessage, {...message, seq: seq++, createdAt: new Date().toISOString()});
            const emit = (message: WireMessage) => {
                for (const call of message.toolCalls ?? []) {
                    toolNames.set(call.id, call.name);
                    toolArguments.set(call.id, call.arguments);
                }
                if (message.role === "tool") {
                    toolExchanges.push({arguments: toolArguments.get(message.toolCallId ?? "") ?? "", result: message.content ?? ""});
                    errorStreak = message.isError ? errorStreak + 1 : 0;
                    longestErrorStreak = Math.max(longestErrorStreak, errorStreak);
                    if (message.isError) trace.toolErrors.failed++;
                }
                record({
                    role: message.role,
                    content: message.content,
                    ...(message.toolCalls ? {toolCalls: message.toolCalls} : {}),
                    ...(message.role === "tool"
                        ? {
                              toolCallId: message.toolCallId,
                              toolName: toolNames.get(message.toolCallId ?? "") ?? undefined,
                              toolError: message.isError ? {kind: "failed" as const, message: (message.content ?? "").slice(0, 300)} : null
                          }
                        : {})
                });
            };
            const stopAt = (limit: EvalLimitKind, why: string) => {
                limitHit ??= limit;
                // Let the refusal reach the agent first, so it can end on its own; the kill follows.
                setTimeout(() => stop.abort(why), 2000).unref();
                return why;
            };

            const confined = options.confinement?.mode === "bwrap" ? options.confinement : null;
            let sandboxEnv: NodeJS.ProcessEnv = {};
            try {
                if (confined) sandboxEnv = prepareSandbox(scratch, confined.forwarder);
            } catch (error) {
                void scratchFolder.removeInBackground();
                throw error;
            }
            // Disposed in the finally below (the built CLI's Node has no `await using`).
            const proxy = await startRecordingProxy({
                ...(confined ? {socketPath: path.join(scratch, SANDBOX_FILES.socket)} : {}),
                upstream: input.endpoint.baseUrl,
                apiKey: input.endpoint.apiKey,
                maxOutputTokens: input.limits.maxOutputTokensPerTurn,
                refuse: () => {
                    if (limitHit) return `AgentFit stopped this sample at its ${limitHit} limit.`;
                    if (modelCalls >= input.limits.maxTurns) return stopAt("turns", `AgentFit's eval allows ${input.limits.maxTurns} model calls per sample; this agent reached them.`);
                    const tokens = trace.usage.inputTokens + trace.usage.cachedInputTokens + trace.usage.outputTokens;
                    if (tokens >= input.limits.maxTokens) return stopAt("tokens", `AgentFit's eval allows ${input.limits.maxTokens} tokens per sample; this agent used ${tokens}.`);
                    modelCalls++;
                    return null;
                },
                onExchange: (exchange) => {
                    if (!isModelCall(exchange.method, exchange.path) || exchange.refused) return;
                    const call = readExchange(exchange);
                    const extends_ = call.input.length > conversation.length && conversation.every((m, i) => call.input[i]?.role === m.role);
                    // A call that does not continue the main conversation (a title or summary on the side) adds only its last message.
                    for (const message of extends_ ? call.input.slice(conversation.length) : call.input.slice(-1)) emit(message);
                    if (extends_ || conversation.length === 0) conversation = call.answer ? [...call.input, call.answer] : call.input;
                    trace.turns++;
                    trace.modelMs += exchange.durationMs;
                    trace.usage.inputTokens += call.usage.inputTokens;
                    trace.usage.cachedInputTokens += call.usage.cachedInputTokens;
                    trace.usage.outputTokens += call.usage.outputTokens;
                    if (call.answer) {
                        trace.toolCalls += call.answer.toolCalls?.length ?? 0;
                        if (call.answer.content) trace.finalText = call.answer.content;
                        record({
                            role: "assistant",
                            content: call.answer.content,
                            ...(call.answer.toolCalls ? {toolCalls: call.answer.toolCalls} : {}),
                            usage: call.usage,
                            durationMs: exchange.durationMs,
                            finishReason: call.finishReason
                        });
                        for (const c of call.answer.toolCalls ?? []) {
                            toolNames.set(c.id, c.name);
                            toolArguments.set(c.id, c.arguments);
                        }
                        if (call.finishReason === "length" && input.limits.maxOutputTokensPerTurn && call.usage.outputTokens >= input.limits.maxOutputTokensPerTurn) limitHit ??= "output";
                    }
                    trace.providerError = call.error;
                    // An agent whose opening request (its system prompt, tools and the task, no answer yet) overflows
                    // the context cannot work here, and one that compacts and overflows again cannot get under it:
                    // both are stopped as out of context (OpenCode would go on compacting and retrying).
                    const opening = !call.input.some((m) => m.role === "assistant");
                    if (call.error?.contextOverflow && (opening || ++overflows >= 2) && !outOfContext) {
                        outOfContext = call.error;
                        stop.abort("The agent's request does not fit the model's context.");
                    }
                    notifyListener(input.onTurn, {...trace, wallMs: performance.now() - started});
                }
            });

            const target = {
                baseUrl: proxy.baseUrl,
                apiKey: options.agentKey ?? "agentfit",
                model: input.endpoint.model,
                contextSize: agent.contextSize,
                maxOutputTokens: input.limits.maxOutputTokensPerTurn
            };
            const relativeTarget = input.targetFile ?? "";
            const setup = agent.headless(target, configDir, {prompt: input.prompt, maxTurns: input.limits.maxTurns, testCommand: input.toolchain.testCommand, targetFile: relativeTarget});
            for (const file of setup.files) {
                fs.mkdirSync(path.dirname(path.join(configDir, file.path)), {recursive: true});
                fs.writeFileSync(path.join(configDir, file.path), file.content);
            }
            const port = Number(new URL(proxy.baseUrl).port);
            const layout = {workspace: input.workspace, scratch, port, node: process.execPath};
            try {
                const agentStartedAt = Date.now();
                const result = await runCommand(confined ? confined.record.executable : executable, confined ? bwrapArguments(layout, executable, setup.args) : setup.args, {
                    cwd: input.workspace,
                    env: {
                        ...sandboxEnv,
                        ...setup.env,
                        HOME: home,
                        USERPROFILE: home,
                        XDG_CONFIG_HOME: path.join(home, ".config"),
                        XDG_DATA_HOME: path.join(home, ".local", "share"),
                        XDG_STATE_HOME: path.join(home, ".local", "state"),
                        XDG_CACHE_HOME: path.join(home, ".cache"),
                        TMPDIR: tmp,
                        TERM: "dumb",
                        CI: "1"
                    },
                    timeoutMs: input.limits.maxWallTimeMs,
                    maxOutputBytes: 256 * 1024,
                    onSpawn: (pid) => fs.writeFileSync(path.join(scratch, AGENT_PID_FILE), `${pid}\n${processStartTime(pid) ?? ""}`),
                    signal: AbortSignal.any([stop.signal, ...(input.signal ? [input.signal] : [])])
                });
                input.signal?.throwIfAborted();
                await proxy.idle();
                // An answer cut at the per-call cap does not stop an agent (it goes on); the wall time that then ran out did.
                if (result.timedOut && (limitHit === null || limitHit === "output")) limitHit = "time";
                if (input.outputDir) {
                    fs.mkdirSync(input.outputDir, {recursive: true});
                    fs.writeFileSync(path.join(input.outputDir, "stdout.txt"), result.stdout);
                    fs.writeFileSync(path.join(input.outputDir, "stderr.txt"), result.stderr);
                    fs.writeFileSync(
                        path.join(input.outputDir, "agent.json"),
                        JSON.stringify(
                            {
                                agent: agent.id,
                                executable,
                                args: setup.args,
                                confinement: options.confinement?.record ?? null,
                                exitCode: result.exitCode,
                                timedOut: result.timedOut,
                                spawnError: result.spawnError,
                                // When the agent ran (start and lifetime, ms): what `npm run bench -- eval-harness` charges to the agent.
                                startedAt: new Date(agentStartedAt).toISOString(),
                                durationMs: result.durationMs
                            },
                            null,
                            2
                        )
                    );
                }
                const report: AgentProcessReport = {
                    exitCode: result.spawnError ? null : result.exitCode,
                    timedOut: result.timedOut,
                    stoppedAtLimit: stop.signal.aborted,
                    outputTail: (result.spawnError ?? (result.stderr.trim() || result.stdout)).trim().slice(-2000),
                    editsWithTools: agent.id !== "aider",
                    longestToolErrorStreak: longestErrorStreak,
                    outsideAccess: readOutsideAccess({
                        tools: toolExchanges,
                        stderr: result.stderr,
                        allowed: [input.workspace, scratch],
                        modelAddress: `127.0.0.1:${port}`,
                        found: [
                            ...changedPaths(userState, stateOf(USER_AGENT_STATE.map((p) => path.join(os.homedir(), p)))).map((p) => ({path: p, outcome: "written" as const})),
                            ...(confined ? privateTmpWrites(layout).map((p) => ({path: p, outcome: "discarded" as const})) : [])
                        ]
                    })
                };
                const after = snapshot(input.workspace);
                trace.edited = [...after.keys()].filter((file) => before.get(file) !== after.get(file));
                trace.agent = report;
                trace.limitHit = limitHit;
                trace.wallMs = performance.now() - started;
                trace.toolMs = Math.max(0, trace.wallMs - trace.modelMs);
                // A model error the agent recovered from (it retried and went on) is not the end of the sample,
                // nor is a call cut short when a limit stopped the agent: the limit is. Running out of context
                // stays the reason even when the agent then retried until a limit stopped it.
                const recovered = report.exitCode === 0 && !limitHit;
                const cutByLimit = limitHit !== null && !trace.providerError?.contextOverflow;
                if (recovered || cutByLimit) trace.providerError = null;
                // Calls cut when the agent was stopped for overflowing end after the overflow that stopped it.
                if (outOfContext) trace.providerError = outOfContext;
                trace.endReason = trace.providerError ? "provider_error" : limitHit ? "limit" : "answered";
                return trace;
            } finally {
                await proxy.dispose();
                // Agents fill their temporary home (Codex writes ~100 files of system skills at each start): removed while the sample is scored.
                void scratchFolder.removeInBackground();
            }
        }
    };
}

/** Each file's size and modification time, by relative path. */
function snapshot(root: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const file of listFiles(root)) {
        const stat = fs.statSync(path.join(root, file));
        out.set(file, `${stat.size}:${stat.mtimeMs}`);
    }
    return out;
}

/** Modification times of paths and of their direct entries (absent paths: none). */
function stateOf(paths: string[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const p of paths) {
        try {
            const stat = fs.statSync(p);
            out.set(p, stat.mtimeMs);
            if (stat.isDirectory()) for (const entry of fs.readdirSync(p)) out.set(path.join(p, entry), fs.statSync(path.join(p, entry)).mtimeMs);
        } catch {}
    }
    return out;
}

function changedPaths(before: Map<string, number>, after: Map<string, number>): string[] {
    return [...after.entries()].filter(([p, mtime]) => before.get(p) !== mtime).map(([p]) => p);
}
