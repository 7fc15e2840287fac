import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {EvalConfinement, EvalHarnessId, EvalRunDetail} from "../electron/api/EvalApi.ts";
import {createAppService, type AppService} from "../electron/core/AppService.ts";
import {codingAgents, locateAgent} from "../electron/core/agents/codingAgents.ts";
import {sampleOutputDir} from "../electron/core/evals/EvalRunner.ts";
import type {RefactorTask} from "../electron/core/evals/tasks/refactorTasks.ts";
import {agentBinDirs} from "../testkit/codingAgentsCache.ts";
import {task} from "../testkit/evalFixtures.ts";
import {aiderSolver, claudeCodeSolver, codexSolver, openCodeSolver, solver} from "../testkit/scriptedAgents.ts";
import {startScriptedOpenAi, type ScriptedAgent, type ScriptedOpenAi} from "../testkit/scriptedOpenAi.ts";
import {createTempHome} from "../testkit/tempHome.ts";
import type {Benchmark} from "./index.ts";
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
        console.log(`   load average ${os.loadavg().map((l) => l.toFixed(1)).join(", ")} on ${os.cpus().length} cores`);
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
 * folders, proxy start, snapshots, diffs, scoring, records). Start-up: the agent's start to its
 * first request reaching the server.
 */
export const evalAgentHarnessBenchmark: Benchmark = {
    name: "eval-harness-agents",
    description: "AgentFit's overhead in an eval sample run by each installed coding agent, against the 2% of wall time target",
    async run() {
        console.log(`   load average ${os.loadavg().map((l) => l.toFixed(1)).join(", ")} on ${os.cpus().length} cores`);
        const agentEnv = {...process.env, AGENTFIT_AGENT_DIRS: agentBinDirs().join(path.delimiter)};
        const t = task("js-timesheet-durations");
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
            const parts = done.samples.map((sample) => agentSampleTimes(sample, done, bench.outputDir, server));
            const mean = (pick: (p: AgentSampleTimes) => number) => summarize(parts.map(pick)).mean;
            console.log(
                `   ${id} (${describeConfinement(done.spec.harness?.confinement)}), ${t.name}, model latency ${LATENCY_MS} ms/turn, ${mean((p) => p.turns).toFixed(1)} model calls: run ${mean((p) => p.wallMs).toFixed(0)} ms = agent ${mean((p) => p.agentMs).toFixed(0)} ms (start-up to its first request ${mean((p) => p.startupMs).toFixed(0)} ms, waiting for the model ${mean((p) => p.modelMs).toFixed(0)} ms) + scorer's commands ${mean((p) => p.scoringCommandsMs).toFixed(0)} ms + AgentFit ${mean((p) => p.agentFitMs).toFixed(0)} ms (of which the proxy's share of model calls ${mean((p) => p.proxyMs).toFixed(1)} ms)`
            );
            console.log(ratioLine(`AgentFit ÷ run wall time (${id})`, mean((p) => p.agentFitMs / p.wallMs), {atMost: 0.02}));
        }
    }
};

function describeConfinement(confinement: EvalConfinement | undefined): string {
    if (confinement?.mode === "bwrap") return "confined by bubblewrap; its forwarder's start counts in the agent's start-up";
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

/** Where one agent sample's wall time went (see the benchmark's comment for the attribution). */
function agentSampleTimes(sample: EvalRunDetail["samples"][number], run: EvalRunDetail, outputDir: string, server: ScriptedOpenAi): AgentSampleTimes {
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
        agentMs: agent.durationMs,
        startupMs: (requests[0]?.receivedAt ?? agentEnd) - agentStart,
        modelMs: sample.modelMs!,
        scoringCommandsMs: sample.subprocessMs!,
        proxyMs,
        agentFitMs: wallMs - agent.durationMs - sample.subprocessMs! + proxyMs
    };
}

const sampleWallMs = (sample: EvalRunDetail["samples"][number]) => Date.parse(sample.completedAt!) - Date.parse(sample.startedAt!);

async function startBenchApp(evalEnv?: NodeJS.ProcessEnv): Promise<{app: AppService; outputDir: string} & AsyncDisposable> {
    const home = createTempHome("agentfit-bench-");
    const app = await createAppService({paths: home, ...(evalEnv ? {evalEnv} : {})});
    return {
        app,
        outputDir: path.join(home.home, "eval-output"),
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
