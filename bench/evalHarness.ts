import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {EvalConfinement, EvalHarnessId, EvalRunDetail} from "../electron/api/EvalApi.ts";
import {createAppService, type AppService} from "../electron/core/AppService.ts";
import {codingAgents, locateAgent} from "../electron/core/agents/codingAgents.ts";
import {sampleOutputDir} from "../electron/core/evals/EvalRunner.ts";
import {bwrapArguments, prepareSandbox, resolveConfinement} from "../electron/core/evals/confineAgent.ts";
import {runCommand} from "../electron/core/evals/process/runCommand.ts";
import {resolveSandboxForwarder, type SandboxForwarder} from "../electron/core/evals/sandboxForwarder.ts";
import type {RefactorTask} from "../electron/core/evals/tasks/refactorTasks.ts";
import {agentBinDirs} from "../testkit/codingAgentsCache.ts";
import {task} from "../testkit/evalFixtures.ts";
import {aiderSolver, claudeCodeSolver, codexSolver, openCodeSolver, solver} from "../testkit/scriptedAgents.ts";
import {startScriptedOpenAi, type ScriptedAgent, type ScriptedOpenAi} from "../testkit/scriptedOpenAi.ts";
import {createTempHome} from "../testkit/tempHome.ts";
import type {Benchmark} from "./index.ts";
import {describeMachineLoad} from "./machineLoadReadings.ts";
import {ratioLine, summarize} from "./stats.ts";

/** Model latency per turn of the scripted server, ms: a fast local model's turn. */
const LATENCY_MS = 1500;
const AGENT_EPOCHS = 2;

const agentSolvers: Record<Exclude<EvalHarnessId, "builtin">, (t: RefactorTask) => ScriptedAgent> = {
    "claude-code": claudeCodeSolver,
    codex: codexSolver,
    opencode: openCodeSolver,
    aider: aiderSolver
};

/**
 * Target: the harness's own time (everything but waiting for the model and the task's own commands:
 * tests, parse checks, analysis) is at most 2% of a run's wall time, scoring included. The model is a
 * scripted agent behind a real OpenAI-compatible HTTP server that answers each turn after a fixed
 * latency, so the run goes through the production path: OpenAI client, tools, SQLite records, events.
 */
export const evalHarnessBenchmark: Benchmark = {
    name: "eval-harness",
    description: "builtin eval harness overhead against the 2% of wall time target",
    async run() {
        console.log(`   ${await describeMachineLoad()}`);
        for (const [name, latencyMs] of [
            ["js-timesheet-durations", 0],
            ["js-timesheet-durations", LATENCY_MS],
            ["r-skill-frontmatter", LATENCY_MS]
        ] as const) {
            const t = task(name);
            await using server = await startScriptedOpenAi({agents: {solver: solver(t)}, delayMs: latencyMs});
            await using bench = await startBenchApp();
            const done = await runToEnd(bench.app, {tasks: [name], models: [{provider: "openai-compatible", model: "solver", baseUrl: server.baseUrl}], epochs: 4});
            // A run's wall time: from the sample's start (workspace copy) to its record being complete (scored, diffs saved).
            const wallMs = done.samples.map(sampleWallMs);
            const harness = done.samples.map((s, i) => wallMs[i]! - s.modelMs! - s.subprocessMs!);
            const perTurn = summarize(done.samples.map((s, i) => harness[i]! / s.turns));
            const ratios = done.samples.map((_, i) => harness[i]! / wallMs[i]!);
            const wall = summarize(wallMs);
            console.log(
                `   builtin, ${name}, model latency ${latencyMs} ms/turn: run ${wall.mean.toFixed(0)} ms, harness ${summarize(harness).mean.toFixed(1)} ± ${summarize(harness).sd.toFixed(1)} ms per run (${perTurn.mean.toFixed(1)} ms per turn), test, parse and analysis commands ${summarize(done.samples.map((s) => s.subprocessMs!)).mean.toFixed(0)} ms`
            );
            if (latencyMs > 0) console.log(ratioLine(`harness ÷ run wall time (builtin, ${name})`, summarize(ratios).mean, {atMost: 0.02}));
        }
    }
};

/**
 * Target: AgentFit's own time is at most 2% of a sample's wall time, for each coding agent installed
 * (the tests' pinned ones included), the scripted capable model behind a real HTTP server speaking
 * the agent's protocol (chat completions, Anthropic Messages, Responses) at the same fixed latency.
 * The agent process's lifetime is the agent's (its start-up, its thinking, the tools and tests it
 * runs, and the model calls it waits for), except what the recording proxy adds to each model call
 * (the call's time at the proxy − its time at the scripted server), which is AgentFit's; outside the
 * agent's lifetime everything but the scorer's commands is AgentFit's (workspace copy, scratch
 * folders, proxy start, snapshots, diffs, scoring, records). A confined agent's lifetime also holds
 * the sandbox's own start (bwrap and the forwarder the run used, measured apart with `/bin/true` as
 * the agent), which is AgentFit's too. Start-up: the agent's start, after the sandbox's, to its first
 * request reaching the server.
 */
export const evalAgentHarnessBenchmark: Benchmark = {
    name: "eval-harness-agents",
    description: "AgentFit's overhead in an eval sample run by each installed coding agent, against the 2% of wall time target",
    async run() {
        console.log(`   ${await describeMachineLoad()}`);
        const agentEnv = {...process.env, AGENTFIT_AGENT_DIRS: agentBinDirs().join(path.delimiter)};
        const t = task("js-timesheet-durations");
        await printSandboxStarts();
        for (const [id, agentSolver] of Object.entries(agentSolvers) as [Exclude<EvalHarnessId, "builtin">, (t: RefactorTask) => ScriptedAgent][]) {
            if (!locateAgent(codingAgents[id], agentEnv)) {
                console.log(`   ${id}: not installed (node bin/run-ts.js scripts/fetch-coding-agents.ts, or its own installer), skipped`);
                continue;
            }
            await using server = await startScriptedOpenAi({agents: {capable: agentSolver(t)}, delayMs: LATENCY_MS});
            await using bench = await startBenchApp(agentEnv);
            const done = await runToEnd(bench.app, {
                tasks: [t.name],
                models: [{provider: "openai-compatible", model: "capable", baseUrl: server.baseUrl}],
                epochs: AGENT_EPOCHS,
                harness: id,
                limits: {maxTurns: 8, maxWallTimeMs: 300_000}
            });
            const confinement = done.spec.harness?.confinement;
            const sandboxMs = confinement?.mode === "bwrap" ? await sandboxStartMs(confinement, await forwarderOfRun(confinement, bench.programs)) : 0;
            const parts = done.samples.map((sample) => agentSampleTimes(sample, done, bench.outputDir, server, sandboxMs));
            const mean = (pick: (p: AgentSampleTimes) => number) => summarize(parts.map(pick)).mean;
            console.log(
                `   ${id} (${describeConfinement(confinement)}), ${t.name}, model latency ${LATENCY_MS} ms/turn, ${mean((p) => p.turns).toFixed(1)} model calls: run ${mean((p) => p.wallMs).toFixed(0)} ms = agent ${mean((p) => p.agentMs).toFixed(0)} ms (start-up to its first request ${mean((p) => p.startupMs).toFixed(0)} ms, waiting for the model ${mean((p) => p.modelMs).toFixed(0)} ms) + scorer's commands ${mean((p) => p.scoringCommandsMs).toFixed(0)} ms + AgentFit ${mean((p) => p.agentFitMs).toFixed(0)} ms (of which the proxy's share of model calls ${mean((p) => p.proxyMs).toFixed(1)} ms, the sandbox's start ${sandboxMs.toFixed(0)} ms)`
            );
            console.log(ratioLine(`AgentFit ÷ run wall time (${id})`, mean((p) => p.agentFitMs / p.wallMs), {atMost: 0.02}));
        }
    }
};

function describeConfinement(confinement: EvalConfinement | undefined): string {
    if (confinement?.mode === "bwrap") return `confined by bubblewrap, ${confinement.forwarder ?? "node"} forwarder`;
    return `unconfined: ${confinement?.reason ?? "no confinement recorded"}`;
}

interface AgentSampleTimes {
    turns: number;
    wallMs: number;
    agentMs: number;
    startupMs: number;
    modelMs: number;
    scoringCommandsMs: number;
    proxyMs: number;
    agentFitMs: number;
}

/** Where one agent sample's wall time went (see the benchmark's comment for the attribution); `sandboxMs`: the sandbox's own start, 0 unconfined. */
function agentSampleTimes(sample: EvalRunDetail["samples"][number], run: EvalRunDetail, outputDir: string, server: ScriptedOpenAi, sandboxMs: number): AgentSampleTimes {
    const agent = JSON.parse(fs.readFileSync(path.join(sampleOutputDir(outputDir, run.id, sample.epoch), "agent.json"), "utf8")) as {startedAt: string; durationMs: number};
    const agentStart = Date.parse(agent.startedAt);
    const agentEnd = agentStart + agent.durationMs;
    // Samples run one at a time: the server's requests in the agent's lifetime are this sample's.
    const requests = server.requests.filter((r) => r.receivedAt >= agentStart && r.receivedAt <= agentEnd);
    const serverMs = requests.reduce((sum, r) => sum + (r.durationMs ?? 0), 0);
    const wallMs = sampleWallMs(sample);
    const proxyMs = Math.max(0, sample.modelMs! - serverMs);
    return {
        turns: sample.turns,
        wallMs,
        agentMs: agent.durationMs - sandboxMs,
        startupMs: (requests[0]?.receivedAt ?? agentEnd) - agentStart - sandboxMs,
        modelMs: sample.modelMs!,
        scoringCommandsMs: sample.subprocessMs!,
        proxyMs,
        agentFitMs: wallMs - agent.durationMs - sample.subprocessMs! + proxyMs + sandboxMs
    };
}

const SANDBOX_STARTS = 5;

/**
 * The sandbox's own start as an agent's gets it: bwrap with the arguments bwrapArguments builds and
 * `forwarder`, running `/bin/true` as the agent (median of 5, ms).
 */
async function sandboxStartMs(confinement: Extract<EvalConfinement, {mode: "bwrap"}>, forwarder: SandboxForwarder): Promise<number> {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-bench-workspace-"));
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-bench-sandbox-"));
    try {
        const env = prepareSandbox(scratch, forwarder);
        // The port is the namespace's own: any free one there.
        const layout = {workspace, scratch, port: 40_000, node: process.execPath};
        const times: number[] = [];
        for (let i = 0; i < SANDBOX_STARTS; i++) {
            const result = await runCommand(confinement.executable, bwrapArguments(layout, "/bin/true", []), {cwd: workspace, env, timeoutMs: 60_000});
            if (result.exitCode !== 0) throw new Error(`the sandbox with the ${forwarder.kind} forwarder did not start: ${result.stderr || result.spawnError}`);
            times.push(result.durationMs);
        }
        return summarize(times).median;
    } finally {
        fs.rmSync(workspace, {recursive: true, force: true});
        fs.rmSync(scratch, {recursive: true, force: true});
    }
}

/** The forwarder a confined run's samples started through (runs recorded before the choice used the Node one). */
async function forwarderOfRun(confinement: Extract<EvalConfinement, {mode: "bwrap"}>, programs: string): Promise<SandboxForwarder> {
    if (confinement.forwarder !== "native") return {kind: "node", reason: "the run used it"};
    const forwarder = await resolveSandboxForwarder({folder: programs, env: process.env});
    if (forwarder.kind !== "native") throw new Error(`the run used the native forwarder, but it is gone: ${forwarder.reason}`);
    return forwarder;
}

/** Both forwarders' sandbox start on this machine, for comparison (the native one only when it builds here). */
async function printSandboxStarts(): Promise<void> {
    const programs = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-bench-programs-"));
    try {
        const confinement = await resolveConfinement("auto", process.env, programs);
        if (confinement.mode !== "bwrap") return console.log(`   agents run unconfined here: ${confinement.reason}`);
        const native = await resolveSandboxForwarder({folder: programs, env: process.env});
        const starts = [
            native.kind === "native" ? `native forwarder ${(await sandboxStartMs(confinement, native)).toFixed(0)} ms` : `no native forwarder (${native.reason})`,
            `Node forwarder ${(await sandboxStartMs(confinement, {kind: "node", reason: "compared"})).toFixed(0)} ms`
        ];
        console.log(`   sandbox start (bwrap ${confinement.version ?? ""} + forwarder + /bin/true, median of ${SANDBOX_STARTS}): ${starts.join(", ")}`);
    } finally {
        fs.rmSync(programs, {recursive: true, force: true});
    }
}

const sampleWallMs = (sample: EvalRunDetail["samples"][number]) => Date.parse(sample.completedAt!) - Date.parse(sample.startedAt!);

async function startBenchApp(evalEnv?: NodeJS.ProcessEnv): Promise<{app: AppService; outputDir: string; programs: string} & AsyncDisposable> {
    const home = createTempHome("agentfit-bench-");
    const app = await createAppService({paths: home, ...(evalEnv ? {evalEnv} : {})});
    return {
        app,
        outputDir: path.join(home.home, "eval-output"),
        programs: home.programs,
        async [Symbol.asyncDispose]() {
            await app.dispose();
            home[Symbol.dispose]();
        }
    };
}

async function runToEnd(app: AppService, request: Parameters<AppService["eval.start"]>[0]): Promise<EvalRunDetail> {
    const [run] = await app["eval.start"](request);
    for (;;) {
        const current = await app["eval.run"]({runId: run!.id});
        if (current.status !== "queued" && current.status !== "running") break;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const done = await app["eval.run"]({runId: run!.id});
    const passes = done.samples.filter((s) => s.score === "C").length;
    if (done.status !== "completed" || passes !== done.samples.length) throw new Error(`the ${request.harness ?? "builtin"} run did not pass: ${JSON.stringify(done.error ?? done.stats)}`);
    return done;
}
