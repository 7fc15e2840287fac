import fs from "node:fs";
import {describe, expect, it} from "vitest";
import type {EvalRunDetail} from "../../electron/api/EvalApi.ts";
import {createAppService, type AppService} from "../../electron/core/AppService.ts";
import {task} from "../../testkit/evalFixtures.ts";
import {sequence, solver} from "../../testkit/scriptedAgents.ts";
import {startScriptedOpenAi} from "../../testkit/scriptedOpenAi.ts";
import {createTempHome} from "../../testkit/tempHome.ts";
import {createForwarderProbeAgent, forwarderNamed} from "../utils/forwarderProbeAgent.ts";

const js = task("js-timesheet-durations");

async function until(app: AppService, runId: number, done: (run: EvalRunDetail) => boolean): Promise<EvalRunDetail> {
    await expect.poll(async () => done(await app["eval.run"]({runId})), {timeout: 60_000, interval: 50}).toBe(true);
    return app["eval.run"]({runId});
}

describe("interrupted and cancelled runs", () => {
    it("a run stopped with the app is marked interrupted, keeps its finished samples and resumes", async () => {
        await using server = await startScriptedOpenAi({agents: {solver: solver(js)}, delayMs: 150});
        using home = createTempHome();
        const first = await createAppService({paths: home});
        const [run] = await first["eval.start"]({tasks: [js.name], models: [{provider: "openai-compatible", model: "solver", baseUrl: server.baseUrl}], epochs: 3});
        const partial = await until(first, run!.id, (r) => r.progress.completed >= 1);
        expect(partial.status).toBe("running");
        const kept = partial.samples.find((s) => s.status === "completed")!;
        await first.dispose();

        await using second = await createAppService({paths: home});
        const stopped = await second["eval.run"]({runId: run!.id});
        expect(stopped.status).toBe("interrupted");
        expect(stopped.error).toMatchObject({code: "EVAL_INTERRUPTED"});
        expect(stopped.samples.filter((s) => s.status === "completed")).toEqual([kept]);
        expect(stopped.samples.filter((s) => s.status !== "completed").every((s) => s.status === "pending" && s.turns === 0)).toBe(true);
        for (const sample of stopped.samples.filter((s) => s.status === "pending"))
            expect((await second["eval.sample"]({sampleId: sample.id})).messages).toEqual([]);

        await expect(second["eval.resume"]({runId: run!.id})).resolves.toMatchObject({status: "queued"});
        const resumed = await until(second, run!.id, (r) => r.status !== "queued" && r.status !== "running");
        expect(resumed.status).toBe("completed");
        expect(resumed.error).toBeNull();
        expect(resumed.samples.map((s) => s.score)).toEqual(["C", "C", "C"]);
        expect(resumed.samples.find((s) => s.id === kept.id)).toEqual(kept);
        await expect(second["eval.resume"]({runId: run!.id})).rejects.toMatchObject({code: "EVAL_RUN_CONFLICT"});
    });

    it("a cancelled run stops at once and can be resumed", async () => {
        await using server = await startScriptedOpenAi({agents: {solver: solver(js)}, delayMs: 150});
        using home = createTempHome();
        await using app = await createAppService({paths: home});
        const [run] = await app["eval.start"]({tasks: [js.name], models: [{provider: "openai-compatible", model: "solver", baseUrl: server.baseUrl}], epochs: 2});
        const [queued] = await app["eval.start"]({tasks: [js.name], models: [{provider: "openai-compatible", model: "solver", baseUrl: server.baseUrl}], epochs: 1});
        await until(app, run!.id, (r) => r.samples[0]!.turns >= 1);
        expect(await app["eval.cancel"]({runId: queued!.id})).toMatchObject({status: "cancelled"});
        const cancelled = await app["eval.cancel"]({runId: run!.id});
        expect(cancelled.status).toBe("cancelled");
        expect(cancelled.progress).toMatchObject({completed: 0, running: 0});
        await app["eval.resume"]({runId: run!.id});
        const done = await until(app, run!.id, (r) => r.status === "completed");
        expect(done.samples.map((s) => s.score)).toEqual(["C", "C"]);
        expect((await app["eval.run"]({runId: queued!.id})).status).toBe("cancelled");
    });
});

// A confined agent's samples start through the sandbox forwarder its run records (native or Node),
// whatever other runs of the same process resolved since; the agent here is a probe that prints the
// forwarder that started it (tests/utils/forwarderProbeAgent.ts). Real bubblewrap, Linux only.
describe.skipIf(process.platform !== "linux")("a confined coding agent's run and its sandbox forwarder", () => {
    it("starts through the forwarder its record names, beside another app's run resolved after it; resumed where that one cannot be had, goes on with the one this machine gives and records it", async () => {
        await using server = await startScriptedOpenAi({agents: {probe: sequence([], "Nothing to do.")}});
        using agent = createForwarderProbeAgent();
        using nativeHome = createTempHome();
        using nodeHome = createTempHome();
        const env = {...process.env, AGENTFIT_AGENT_DIRS: agent.dir};
        const nodeEnv = {...env, AGENTFIT_SANDBOX_FORWARDER: "node"};
        const start = async (app: AppService) =>
            (await app["eval.start"]({tasks: [js.name], models: [{provider: "openai-compatible", model: "probe", baseUrl: server.baseUrl}], epochs: 1, harness: "aider", confine: "required"}))[0]!;
        const startedThrough = async (app: AppService, runId: number) => {
            const run = await until(app, runId, (r) => r.status !== "queued" && r.status !== "running");
            expect(run.status, JSON.stringify(run.error)).toBe("completed");
            const sample = await app["eval.sample"]({sampleId: run.samples[0]!.id});
            const confinement = run.spec.harness?.confinement;
            return {recorded: confinement?.mode === "bwrap" ? confinement.forwarder : null, started: forwarderNamed(sample.agentOutput?.stdout ?? "")};
        };

        // The first run's agent waits while the hold file exists, so the second run waits in the queue,
        // resolved (native) but not started, while another app of this process resolves the Node forwarder.
        fs.writeFileSync(agent.hold, "");
        await using nativeApp = await createAppService({paths: nativeHome, evalEnv: env});
        const held = await start(nativeApp);
        const queued = await start(nativeApp);
        await until(nativeApp, held.id, (r) => r.samples[0]!.status === "running");
        await using nodeApp = await createAppService({paths: nodeHome, evalEnv: nodeEnv});
        const other = await start(nodeApp);
        fs.rmSync(agent.hold);
        expect(await startedThrough(nativeApp, held.id)).toEqual({recorded: "native", started: "native"});
        expect(await startedThrough(nativeApp, queued.id)).toEqual({recorded: "native", started: "native"});
        expect(await startedThrough(nodeApp, other.id)).toEqual({recorded: "node", started: "node"});

        // A run stopped mid-sample, resumed by an app that can only give the Node forwarder: it goes on through it, and says so in its record.
        fs.writeFileSync(agent.hold, "");
        const stopped = await start(nativeApp);
        await until(nativeApp, stopped.id, (r) => r.samples[0]!.status === "running");
        expect(await nativeApp["eval.cancel"]({runId: stopped.id})).toMatchObject({status: "cancelled"});
        await nativeApp.dispose();
        fs.rmSync(agent.hold);
        await using resumer = await createAppService({paths: nativeHome, evalEnv: nodeEnv});
        expect((await resumer["eval.resume"]({runId: stopped.id})).spec.harness?.confinement).toMatchObject({mode: "bwrap", forwarder: "node"});
        expect(await startedThrough(resumer, stopped.id)).toEqual({recorded: "node", started: "node"});
    });
});
