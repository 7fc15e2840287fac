import {createAppService} from "../electron/core/AppService.ts";
import {createTempHome} from "../testkit/tempHome.ts";
import {solver} from "../testkit/scriptedAgents.ts";
import {startScriptedOpenAi} from "../testkit/scriptedOpenAi.ts";
import {task} from "../testkit/evalFixtures.ts";
import type {Benchmark} from "./index.ts";
import {ratioLine, summarize} from "./stats.ts";

/**
 * Target: the harness's own time (everything but waiting for the model and the task's own
 * commands: tests, parse checks, analysis) is at most 2% of a run's wall time, scoring included. The model is a scripted agent behind a real
 * OpenAI-compatible HTTP server that answers each turn after a fixed latency, so the run goes
 * through the production path: OpenAI client, tools, SQLite records, events.
 */
export const evalHarnessBenchmark: Benchmark = {
    name: "eval-harness",
    description: "eval harness overhead against the 2% of wall time target",
    async run() {
        for (const [name, latencyMs] of [
            ["js-timesheet-durations", 0],
            ["js-timesheet-durations", 1500],
            ["r-skill-frontmatter", 1500]
        ] as const) {
            const t = task(name);
            await using server = await startScriptedOpenAi({agents: {solver: solver(t)}, delayMs: latencyMs});
            using home = createTempHome("agentfit-bench-");
            await using app = await createAppService({paths: home});
            const [run] = await app["eval.start"]({tasks: [name], models: [{provider: "openai-compatible", model: "solver", baseUrl: server.baseUrl}], epochs: 4});
            for (;;) {
                const current = await app["eval.run"]({runId: run!.id});
                if (current.status !== "queued" && current.status !== "running") break;
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            const done = await app["eval.run"]({runId: run!.id});
            if (done.status !== "completed" || done.stats.successes !== 4) throw new Error(`the solver run did not pass: ${JSON.stringify(done.error ?? done.stats)}`);
            // A run's wall time: from the sample's start (workspace copy) to its record being complete (scored, diffs saved).
            const wallMs = done.samples.map((s) => Date.parse(s.completedAt!) - Date.parse(s.startedAt!));
            const harness = done.samples.map((s, i) => wallMs[i]! - s.modelMs! - s.subprocessMs!);
            const perTurn = summarize(done.samples.map((s, i) => harness[i]! / s.turns));
            const ratios = done.samples.map((_, i) => harness[i]! / wallMs[i]!);
            const wall = summarize(wallMs);
            console.log(
                `   ${name}, model latency ${latencyMs} ms/turn: run ${wall.mean.toFixed(0)} ms, harness ${summarize(harness).mean.toFixed(1)} ± ${summarize(harness).sd.toFixed(1)} ms per run (${perTurn.mean.toFixed(1)} ms per turn), test, parse and analysis commands ${summarize(done.samples.map((s) => s.subprocessMs!)).mean.toFixed(0)} ms`
            );
            if (latencyMs > 0) console.log(ratioLine(`harness ÷ run wall time (${name})`, summarize(ratios).mean, {atMost: 0.02}));
        }
    }
};
