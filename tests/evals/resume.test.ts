import {describe, expect, it} from "vitest";
import type {EvalRunDetail} from "../../electron/api/EvalApi.ts";
import {createAppService, type AppService} from "../../electron/core/AppService.ts";
import {task} from "../../testkit/evalFixtures.ts";
import {solver} from "../../testkit/scriptedAgents.ts";
import {startScriptedOpenAi} from "../../testkit/scriptedOpenAi.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

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
