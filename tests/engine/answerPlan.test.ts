import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";
import type {AnswerPlan} from "../../electron/api/AnswerApi.ts";
import type {ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {startApp} from "../utils/startApp.ts";
import {startCatalogModelOnHub} from "../utils/downloadFixtures.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

// The guided path on the real engine: a generated model (random weights, loads in milliseconds),
// a tiny eval (1 run, 2 turns, 64 output tokens per turn) so each plan finishes in seconds.

const service = {measureBandwidthAutomatically: false, answer: {pollMs: 100}};
const tinyEval = {runs: 1, maxTurns: 2, maxOutputTokensPerTurn: 64, threads: 1};

function writeModel(folder: string, name: string) {
    return writeGgufModel(path.join(folder, `${name}.Q8_0.gguf`), {...ggufModelPresets.tiny, contextLength: 4096, type: "Q8_0"}).path;
}

async function planWhen(client: ApiClient, planId: number, condition: (plan: AnswerPlan) => boolean, timeout = 240_000): Promise<AnswerPlan> {
    await expect.poll(async () => condition((await client.call("answer.current", {}))!), {timeout, interval: 200}).toBe(true);
    return (await client.call("answer.current", {}))!;
}

describe("the guided answer plan", () => {
    it("plans a model on disk, runs benchmark → eval → Verdict, and resumes the eval where it stopped after a restart", async () => {
        using home = createTempHome();
        const modelPath = writeModel(path.join(home.home, "elsewhere"), "random-guided");
        let planId: number;
        let evalJob: number | undefined;
        {
            await using app = await startApp({home, service});
            const plan = await app.client.call("answer.plan", {candidates: [modelPath], ...tinyEval});
            planId = plan.id;
            expect(plan.state).toBe("ready");
            expect(plan.candidates).toHaveLength(1);
            expect(plan.candidates[0]).toMatchObject({name: "random-guided.Q8_0", quantization: "Q8_0", downloadBytes: 0});
            expect(plan.candidates[0]!.modelId).not.toBeNull();
            // On disk already: no download step.
            expect(plan.steps.map((s) => s.kind)).toEqual(["bench", "eval", "verdict"]);
            expect(plan.steps.every((s) => s.state === "pending")).toBe(true);
            expect(plan.eval).toMatchObject({runs: 1, maxTurns: 2, maxOutputTokensPerTurn: 64});
            expect(plan.eval.description).toMatch(/^1 model × 1 task \(.+\) × 1 run, at most 2 turns and 64 output tokens per turn$/);
            expect(plan.eval.alternative.profile).toBe("full");
            expect(plan.limitations.join(" ")).toContain("trained for 4,096 tokens");
            expect(plan.settings.threads).toBe(1);
            expect(plan.disk).toMatchObject({neededBytes: 0, enough: true});
            for (const step of plan.steps) expect(["measured", "predicted", "assumed"]).toContain(step.estimate.basis);
            expect(plan.estimate.text).toMatch(/about/);

            const running = await app.client.call("answer.run", {planId});
            expect(running.state).toBe("running");
            const inEval = await planWhen(app.client, planId, (p) => p.steps[1]!.job !== null || p.state === "done");
            expect(inEval.steps[0]!.state).toBe("done");
            expect(inEval.steps[0]!.job?.kind).toBe("bench");
            evalJob = inEval.steps[1]!.job?.id;
            // The app stops (the desktop app quits) while the eval runs.
        }
        {
            await using app = await startApp({home, service});
            const stopped = (await app.client.call("answer.current", {}))!;
            expect(stopped.id).toBe(planId);
            expect(stopped.state).toBe("paused");
            expect(stopped.steps[0]!.state).toBe("done");
            await app.client.call("answer.run", {planId});
            const done = await planWhen(app.client, planId, (p) => p.state === "done");
            expect(done.steps.map((s) => s.state)).toEqual(["done", "done", "done"]);
            // The eval continued in the run it had started (its finished samples kept), not a new one.
            if (evalJob !== undefined) expect(done.steps[1]!.job?.id).toBe(evalJob);
            const run = await app.client.call("eval.run", {runId: done.steps[1]!.job!.id});
            expect(run.status).toBe("completed");
            expect(run.samples).toHaveLength(1);
            expect(run.spec.limits).toMatchObject({maxTurns: 2, maxOutputTokensPerTurn: 64});
            expect(run.spec.model.settings).toMatchObject({threads: 1, contextSize: 4096});
            expect(done.steps[1]!.detail).toMatch(/^1 of 1 run done, [01] passed \(success \d+%, 95% interval \d+–\d+%\)/);
            const bench = await app.client.call("bench.run", {runId: done.steps[0]!.job!.id});
            // Right-sized: speed at half the agent context and the agent workload, what the Verdict judges, and nothing else.
            expect(bench.spec).toMatchObject({depths: [2048], timeToFirstToken: false, contextSize: 4096, agent: {systemPrompt: run.spec.systemPrompt}});
            expect(bench.spec.matrix.threads).toEqual([1]);
            // The generated model's tiny vocabulary makes the eval's opening over 5,000 tokens: the agent workload cannot fit its
            // 4,096-token context, the step says so, and the Verdict takes the time per turn from the eval instead.
            expect(bench.results.map((r) => `${r.kind}@${r.depth}:${r.status}`)).toEqual(["pp@2048:completed", "tg@2048:completed", "agent@0:skipped"]);
            expect(bench.results[2]!.reason?.code).toBe("DEPTH_EXCEEDS_CONTEXT");
            expect(done.steps[0]!.detail).toMatch(/^2 tests done · generation [\d.]+ tok\/s at 2,048 tokens of context · 1 test not measured: .*agent workload needs more than the 4096-token context/);
            const verdict = await app.client.call("verdict.get", {});
            const judged = verdict.local.find((m) => m.path === modelPath)!;
            expect(judged.speed).toMatchObject({generationSource: "bench", generationDepth: 2048, turnSource: "eval"});
            expect(done.verdict).not.toBeNull();
            expect(done.verdict!.headline.length).toBeGreaterThan(0);
            await expect(app.client.call("answer.run", {planId})).rejects.toMatchObject({code: "ANSWER_PLAN_DONE"});
        }
    });

    it("says why the full profile cannot run where R is missing instead of offering a switch that would be refused", async () => {
        using home = createTempHome();
        const modelPath = writeModel(path.join(home.home, "elsewhere"), "random-no-r");
        await using app = await startApp({home, service: {...service, evalEnv: {...process.env, AGENTFIT_RSCRIPT: path.join(home.home, "no-such-Rscript")}}});
        const plan = await app.client.call("answer.plan", {candidates: [modelPath], ...tinyEval});
        const {alternative} = plan.eval;
        expect(alternative.profile).toBe("full");
        expect(alternative.unavailable).toMatch(/^The full profile runs helperbench's R task: .*no-such-Rscript.*[^.]\. Or run the quick profile\.$/);
        expect(alternative.description).toBe(alternative.unavailable);
        await expect(app.client.call("answer.plan", {candidates: [modelPath], ...tinyEval, profile: "full"})).rejects.toMatchObject({code: "ANSWER_TASK_UNAVAILABLE"});

        await using withR = await startApp({service});
        const offered = await withR.client.call("answer.plan", {candidates: [modelPath], ...tinyEval});
        if ((await withR.client.call("eval.tasks", {})).find((t) => t.language === "r")?.runtime.available) {
            expect(offered.eval.alternative.unavailable).toBeNull();
            expect(offered.eval.alternative.description).toMatch(/^full helperbench: 1 model × .+ × 10 runs, at most 40 turns$/);
        }
    });

    it("changes candidates (keeping finished steps), skips pending and running steps, and still reaches the Verdict", async () => {
        await using app = await startApp({service});
        const first = writeModel(path.join(app.home.home, "a"), "random-first");
        const second = writeModel(path.join(app.home.home, "b"), "random-second");
        const plan = await app.client.call("answer.plan", {candidates: [first], ...tinyEval});
        const changed = await app.client.call("answer.setCandidates", {planId: plan.id, candidates: [first, second]});
        expect(changed.candidates.map((c) => c.name)).toEqual(["random-first.Q8_0", "random-second.Q8_0"]);
        expect(changed.steps.map((s) => `${s.kind}:${s.candidate === null ? "-" : changed.candidates.findIndex((c) => c.key === s.candidate)}`)).toEqual([
            "bench:0",
            "bench:1",
            "eval:0",
            "eval:1",
            "verdict:-"
        ]);
        for (const step of [1, 2, 3]) await app.client.call("answer.skip", {planId: plan.id, step});
        await expect(app.client.call("answer.skip", {planId: plan.id, step: 1})).rejects.toMatchObject({code: "ANSWER_STEP_FINISHED"});
        await expect(app.client.call("answer.skip", {planId: plan.id, step: 9})).rejects.toMatchObject({code: "ANSWER_STEP_NOT_FOUND"});

        await app.client.call("answer.run", {planId: plan.id});
        await expect(app.client.call("answer.setCandidates", {planId: plan.id, candidates: [first]})).rejects.toMatchObject({code: "ANSWER_PLAN_RUNNING"});
        await planWhen(app.client, plan.id, (p) => p.steps[0]!.state === "running" || p.steps[0]!.state === "done");
        const afterSkip = await app.client.call("answer.skip", {planId: plan.id, step: 0}).catch(async (error: {code?: string}) => {
            if (error.code !== "ANSWER_STEP_FINISHED") throw error; // the benchmark ended first
            return app.client.call("answer.current", {});
        });
        expect(["skipped", "done"]).toContain(afterSkip!.steps[0]!.state);
        const done = await planWhen(app.client, plan.id, (p) => p.state === "done");
        expect(done.steps.slice(1, 4).map((s) => s.state)).toEqual(["skipped", "skipped", "skipped"]);
        expect(done.steps[4]!.state).toBe("done");

        // Candidates change after the plan ended: the finished first benchmark stays, the new eval is pending.
        const again = await app.client.call("answer.setCandidates", {planId: plan.id, candidates: [first]});
        expect(again.state).toBe("paused");
        expect(again.steps.map((s) => `${s.kind}:${s.state}`)).toEqual([`bench:${done.steps[0]!.state}`, "eval:skipped", "verdict:pending"]);
    });

    it("refuses bad requests with coded errors and loses nothing", async () => {
        using otherTools = createTempHome("agentfit-no-other-tools-");
        await using app = await startApp({service: {...service, downloads: {homeDir: otherTools.home}}});
        await expect(app.client.call("answer.plan", {bogus: 1} as never)).rejects.toMatchObject({code: "INVALID_ARGUMENT"});
        await expect(app.client.call("answer.plan", {runs: 0})).rejects.toMatchObject({code: "INVALID_ARGUMENT"});
        await expect(app.client.call("answer.plan", {candidates: ["no-such-model-anywhere"]})).rejects.toMatchObject({code: "ANSWER_CANDIDATE_UNKNOWN"});
        await expect(app.client.call("answer.plan", {offline: true})).rejects.toMatchObject({code: "ANSWER_NO_CANDIDATES"});
        await expect(app.client.call("answer.run", {planId: 42})).rejects.toMatchObject({code: "ANSWER_PLAN_NOT_FOUND"});
        expect(await app.client.call("answer.current", {})).toBeNull();
    });
});

describe("the guided download step", () => {
    it("downloads the recommended catalog model from Hugging Face (a local stand-in), then measures it and reaches the Verdict", async () => {
        using home = createTempHome();
        // Slow enough that the step is seen running with its progress.
        await using hub = await startCatalogModelOnHub(home.home, {downloadSeconds: 4, throttledRequests: 5});
        const {sizeBytes} = hub;
        await using app = await startApp({home, service: {...service, catalogFile: hub.catalogFile, downloads: hub.downloads}});

        const plan = await app.client.call("answer.plan", tinyEval);
        expect(plan.candidates).toMatchObject([{key: "tiny-guided:Q8_0", modelId: null, downloadBytes: sizeBytes}]);
        expect(plan.steps.map((s) => s.kind)).toEqual(["download", "bench", "eval", "verdict"]);
        // Nothing downloaded before: the download's speed is an assumption, and says so.
        expect(plan.steps[0]!.estimate.basis).toBe("assumed");
        expect(plan.disk.neededBytes).toBe(sizeBytes);
        // Planned from the catalog entry, which says the model was trained for 32k: nothing to say yet, estimates at the agent context.
        const agentContext = plan.settings.contextSize;
        expect(agentContext).toBeGreaterThan(4096);
        const atAgentContext = `at a ${agentContext.toLocaleString("en-US")}-token context`;
        expect(plan.limitations).toEqual([]);
        expect(plan.candidates[0]!.predicted).not.toBe("no-fit");
        expect(plan.steps[1]!.estimate.text).toContain(atAgentContext);
        expect(plan.steps[2]!.estimate.text).toContain(`per agent turn ${atAgentContext}`);
        // The other profile's eval, one click away, is estimated per candidate by the same estimator: from the catalog entry for now.
        const {alternative} = plan.eval;
        expect(alternative.candidates.map((s) => s.candidate)).toEqual([hub.key]);
        expect(alternative.candidates[0]!.estimate.text).toContain(`per agent turn ${atAgentContext}`);
        // What the Evaluate form estimates for that profile on the file the hub serves (read in place, registered nowhere):
        // the figure the plan must show once that file is downloaded.
        const forTheFile = (await app.client.call("answer.evalProfiles", {models: [{provider: "local", model: hub.filePath}]})).find((p) => p.profile === alternative.profile)!;
        expect(forTheFile.tasks).toEqual([alternative.task]);
        const fileEstimate = forTheFile.estimate!;
        expect(fileEstimate.models[0]!.estimate.text).toContain("per agent turn at a 4,096-token context");
        expect(fileEstimate.estimate.seconds!).toBeLessThan(alternative.estimate.seconds!);
        expect(await app.client.call("models.list", {})).toEqual([]);

        await app.client.call("answer.run", {planId: plan.id});
        const downloading = await planWhen(app.client, plan.id, (p) => p.steps[0]!.job !== null);
        expect(downloading.steps[0]!.job!.kind).toBe("download");
        // Downloaded: the file's header says 4,096 tokens. The plan says what that means in the Verdict's words, judges the
        // candidate as the Verdict will, and its next steps' estimates are the file's, at the context it runs at.
        const downloaded = await planWhen(app.client, plan.id, (p) => p.steps[0]!.state === "done");
        const file = (await app.client.call("models.list", {}))[0]!;
        expect(downloaded.limitations).toEqual([
            `Tiny Guided Q8_0 — Doesn't fit: trained for 4,096 tokens; the agent context is ${agentContext.toLocaleString("en-US")}. It is measured at the 4,096 tokens it was trained for.`
        ]);
        const inspected = await app.client.call("models.inspect", {source: file.path, contextSize: agentContext});
        expect(inspected.verdict).toBe("no-fit");
        expect(downloaded.candidates[0]).toMatchObject({modelId: file.id, downloadBytes: 0, sizeBytes: file.sizeBytes, contextSize: 4096, predicted: "no-fit"});
        expect(downloaded.steps[1]!.estimate.text).toContain("at a 4,096-token context");
        expect(downloaded.steps[2]!.estimate.text).toContain("per agent turn at a 4,096-token context");
        // The catalog entry it was planned from is a 1.5B model; the file is a tiny one: its steps are estimated far shorter, and so is the plan.
        expect(downloaded.steps[1]!.estimate.seconds!).toBeLessThan(plan.steps[1]!.estimate.seconds!);
        expect(downloaded.estimate.seconds!).toBeLessThan(plan.estimate.seconds!);
        // The other profile's estimate follows the file too, by the same rule: it is what the Evaluate form says of the file.
        expect(downloaded.eval.alternative.candidates).toEqual([{candidate: hub.key, estimate: fileEstimate.models[0]!.estimate}]);
        expect(downloaded.eval.alternative.estimate).toEqual(fileEstimate.estimate);
        const done = await planWhen(app.client, plan.id, (p) => p.state === "done");
        expect(done.steps.map((s) => s.state)).toEqual(["done", "done", "done", "done"]);
        // The candidate is now the registered download, measured by the benchmark and the eval.
        const registered = await app.client.call("models.list", {});
        expect(registered).toHaveLength(1);
        expect(registered[0]!.source).toMatchObject({kind: "huggingface", catalogId: "tiny-guided:Q8_0"});
        expect(done.candidates[0]!.modelId).toBe(registered[0]!.id);
        // Planned at the catalog entry's context, measured at the one the downloaded file's header states.
        expect(plan.candidates[0]!.contextSize).toBe(Math.min(plan.settings.contextSize, 32768));
        expect(done.candidates[0]!.contextSize).toBe(4096);
        expect(done.steps[1]!.title).toBe("Measure the speed of Tiny Guided Q8_0 at a 4,096-token context");
        expect(done.steps[0]!.detail).toMatch(/ downloaded · SHA-256 verified against the published checksum$/);
        const job = (await app.client.call("downloads.list", {})).find((d) => d.id === done.steps[0]!.job!.id)!;
        expect(job).toMatchObject({state: "completed", downloadedBytes: sizeBytes});
        const bench = await app.client.call("bench.run", {runId: done.steps[1]!.job!.id});
        expect(bench.spec.models).toEqual([registered[0]!.id]);
        expect(done.verdict).not.toBeNull();
        // The Verdict says of the file what the plan said once it was downloaded.
        const entry = (await app.client.call("verdict.get", {})).local.find((l) => l.location === "engine")!;
        expect(entry).toMatchObject({verdict: "no-fit", headline: `Doesn't fit: trained for 4,096 tokens; the agent context is ${agentContext.toLocaleString("en-US")}.`});
        expect(hub.hub.requests.some((r) => r.host === "content" && r.path.endsWith("tiny-guided-Q8_0.gguf"))).toBe(true);
    });
});

describe("eval estimates for the Evaluate form (the guided plan's estimator)", () => {
    it("states the plan in words and a predicted duration, registers nothing, and offers the quick and full profiles with theirs", async () => {
        using home = createTempHome();
        const modelPath = writeModel(path.join(home.home, "elsewhere"), "random-estimate");
        await using app = await startApp({home, service});
        const tasks = await app.client.call("eval.tasks", {});
        const task = tasks.find((t) => t.runtime.available)!;
        const estimate = await app.client.call("answer.estimateEval", {
            models: [
                {provider: "local", model: modelPath},
                {provider: "openai", model: "gpt-4.1"}
            ],
            tasks: [task.name],
            runs: 3,
            maxTurns: 20
        });
        expect(estimate.description).toBe(`2 models × 1 task (${task.title}) × 3 runs, at most 20 turns and 1,024 output tokens per turn`);
        expect(estimate.samples).toBe(6);
        const [local, cloud] = estimate.models;
        expect(local!.estimate).toMatchObject({basis: "predicted"});
        expect(local!.estimate.seconds).toBeGreaterThan(0);
        expect(local!.estimate.text).toMatch(/^predicted: 3 runs × about 10 turns × [\d.]+ s per agent turn/);
        // A cloud model that never ran here has nothing to go on, and says so.
        expect(cloud!.estimate).toEqual({seconds: null, basis: "predicted", text: "unknown: no earlier run of this model on this task; the ETA shows once runs finish"});
        expect(estimate.estimate.seconds).toBe(local!.estimate.seconds);
        expect(estimate.estimate.text).toMatch(/^predicted: about .+, plus 1 model that cannot be estimated$/);
        // Estimating never registers the file.
        expect(await app.client.call("models.list", {})).toEqual([]);

        const profiles = await app.client.call("answer.evalProfiles", {models: [{provider: "local", model: modelPath}]});
        expect(profiles.map((p) => [p.profile, p.runs, p.maxTurns, p.maxOutputTokensPerTurn])).toEqual([
            ["quick", 3, 20, 1024],
            ["full", 10, 40, 1024]
        ]);
        const [quick, full] = profiles;
        expect(quick!.tasks).toHaveLength(1);
        expect(quick!.estimate!.estimate.seconds).toBeGreaterThan(0);
        if (full!.unavailable === null) {
            expect(full!.tasks).toEqual([tasks.find((t) => t.language === "r")!.name]);
            expect(full!.estimate!.estimate.seconds).toBeGreaterThan(quick!.estimate!.estimate.seconds!);
        } else expect(full!.unavailable).toContain("R task");

        // A reference that is no model: the estimate says why it is unknown; bad arguments are refused with codes.
        const unknown = await app.client.call("answer.estimateEval", {models: [{provider: "local", model: "no-such-model-anywhere"}], runs: 1, maxTurns: 1});
        expect(unknown.models[0]!.estimate.seconds).toBeNull();
        expect(unknown.models[0]!.estimate.text).toContain('unknown: "no-such-model-anywhere" is neither a model on disk nor in the catalog');
        await expect(app.client.call("answer.estimateEval", {models: [], runs: 1, maxTurns: 1})).rejects.toMatchObject({code: "INVALID_ARGUMENT"});
        await expect(app.client.call("answer.estimateEval", {models: [{provider: "local", model: modelPath}], runs: 0, maxTurns: 1})).rejects.toMatchObject({code: "INVALID_ARGUMENT"});
        await expect(app.client.call("answer.estimateEval", {models: [{provider: "local", model: modelPath}], tasks: ["no-such-task"], runs: 1, maxTurns: 1})).rejects.toMatchObject({
            code: "EVAL_TASK_NOT_FOUND"
        });
    });
});

describe("the guided answer plan offline", () => {
    it("plans from models other tools keep on disk (Ollama's blobs, the Hugging Face cache), says it downloads nothing, and measures an Ollama blob", async () => {
        using userHome = createTempHome("agentfit-user-home-");
        // Ollama: manifests/<registry>/<namespace>/<model>/<tag> names blobs/sha256-<hex> (no .gguf extension).
        const ollama = path.join(userHome.home, ".ollama", "models");
        const staged = writeModel(path.join(userHome.home, "staging"), "random-ollama");
        const digest = crypto.createHash("sha256").update(fs.readFileSync(staged)).digest("hex");
        fs.mkdirSync(path.join(ollama, "blobs"), {recursive: true});
        fs.renameSync(staged, path.join(ollama, "blobs", `sha256-${digest}`));
        const manifest = path.join(ollama, "manifests", "registry.ollama.ai", "library", "random-ollama", "q8_0");
        fs.mkdirSync(path.dirname(manifest), {recursive: true});
        fs.writeFileSync(manifest, JSON.stringify({schemaVersion: 2, layers: [{mediaType: "application/vnd.ollama.image.model", digest: `sha256:${digest}`}]}));
        // Hugging Face cache: snapshots/<rev>/<file> links to blobs/<sha256>.
        const repo = path.join(userHome.home, ".cache", "huggingface", "hub", "models--acme--random-GGUF");
        const cached = writeModel(path.join(userHome.home, "staging"), "random-hf");
        const cachedDigest = crypto.createHash("sha256").update(fs.readFileSync(cached)).digest("hex");
        fs.mkdirSync(path.join(repo, "blobs"), {recursive: true});
        fs.mkdirSync(path.join(repo, "snapshots", "abc123"), {recursive: true});
        fs.renameSync(cached, path.join(repo, "blobs", cachedDigest));
        fs.symlinkSync(path.join("..", "..", "blobs", cachedDigest), path.join(repo, "snapshots", "abc123", "random-hf.Q8_0.gguf"));

        // Other tools' folders are found under this home (HF_HOME, HF_HUB_CACHE, XDG_CACHE_HOME or OLLAMA_MODELS would move them).
        if (process.env.HF_HOME || process.env.HF_HUB_CACHE || process.env.XDG_CACHE_HOME || process.env.OLLAMA_MODELS) return;
        await using app = await startApp({service: {...service, downloads: {homeDir: userHome.home}}});
        const plan = await app.client.call("answer.plan", {offline: true, ...tinyEval});
        expect(plan.offline).toBe(true);
        expect(plan.candidates.map((c) => c.name).sort()).toEqual(["random-hf.Q8_0", "random-ollama:q8_0"]);
        expect(plan.steps.some((s) => s.kind === "download")).toBe(false);
        expect(plan.disk.neededBytes).toBe(0);
        expect(plan.limitations[0]).toMatch(/^Offline: the plan measures models already on disk and downloads nothing/);

        // Measure the Ollama blob only: the engine loads a GGUF without its extension.
        const ollamaKey = plan.candidates.find((c) => c.name === "random-ollama:q8_0")!.key;
        for (const step of plan.steps.filter((s) => s.kind !== "verdict" && !(s.kind === "bench" && s.candidate === ollamaKey)))
            await app.client.call("answer.skip", {planId: plan.id, step: step.index});
        await app.client.call("answer.run", {planId: plan.id});
        const done = await planWhen(app.client, plan.id, (p) => p.state === "done");
        const bench = done.steps.find((s) => s.kind === "bench" && s.candidate === ollamaKey)!;
        expect(bench.state).toBe("done");
        const run = await app.client.call("bench.run", {runId: bench.job!.id});
        expect(run.results.filter((r) => r.status === "completed").length).toBeGreaterThan(0);
    });
});
