import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {describe, expect, it} from "vitest";
import type {SpeedPrediction} from "../../electron/api/ModelsApi.ts";
import type {VerdictEvalEvidence, VerdictMemoryEvidence, VerdictSpeedEvidence} from "../../electron/api/VerdictApi.ts";
import {wilsonInterval} from "../../electron/core/evals/evalStatistics.ts";
import {openStore} from "../../electron/core/store/openStore.ts";
import {judgeModel, judgePrediction} from "../../electron/core/rules/judgeModel.ts";
import {levelLegend} from "../../electron/shared/verdictLevels.ts";
import {defaultThresholds} from "../../electron/core/rules/defaultThresholds.ts";
import {currentThresholds, updateThresholds} from "../../electron/core/verdict/verdictThresholds.ts";
import {weighChange, whatIfChanges} from "../../electron/core/verdict/whatIfChanges.ts";
import type {HardwareProfile, RecommendationReport} from "../../electron/api/ModelsApi.ts";
import type {LocalModelVerdict, Verdict} from "../../electron/api/VerdictApi.ts";

const GB = 1024 ** 3;
const fits: VerdictMemoryEvidence = {
    contextSize: 32768,
    fitClass: "cpu-only",
    ramNeededBytes: 6 * GB,
    vramNeededBytes: 0,
    ramCapacityBytes: 20 * GB,
    vramCapacityBytes: 0,
    headroomBytes: 14 * GB,
    tight: false,
    parts: [],
    measured: null,
    trainedContextSize: 32768
};
const speed = (generationTps: number | null, turnSeconds: number | null): VerdictSpeedEvidence => ({
    promptTps: 200,
    generationTps,
    generationSource: generationTps === null ? null : "bench",
    generationDepth: 0,
    timeToFirstTokenMs: null,
    turnSeconds,
    turnSource: turnSeconds === null ? null : "bench-agent",
    predictedGenerationTps: 12,
    predictedTurnSeconds: 20,
    settings: null,
    binary: "prebuilt",
    benchRunIds: [1],
    measuredAt: null
});
const evals = (successes: number, samples: number): VerdictEvalEvidence => ({
    task: "r-skill-frontmatter",
    samples,
    successes,
    successRate: successes / samples,
    interval: wilsonInterval(successes, samples),
    strictRate: null,
    meanTurns: 8,
    meanWallMs: 60_000,
    costPerRun: 0,
    energyWhPerRun: null,
    outputTokensPerSecond: 12,
    failureModes: {},
    runIds: [1]
});
const t = {...defaultThresholds};

describe("judgeModel", () => {
    it("is usable only when every criterion passes, over enough runs", () => {
        const usable = judgeModel({memory: fits, speed: speed(14, 12), eval: evals(9, 10)}, t);
        expect(usable.verdict).toBe("usable");
        expect(usable.criteria.map((c) => c.status)).toEqual(["pass", "pass", "pass", "pass"]);
        expect(usable.headline).toBe("Usable: refactors 90% of the time at 14.0 tok/s, 12 s per turn.");
        // Helperbench's GPT-4.1 score, 8/10, is the lowest usable one.
        expect(judgeModel({memory: fits, speed: speed(14, 12), eval: evals(8, 10)}, t).verdict).toBe("usable");
        expect(judgeModel({memory: fits, speed: speed(14, 12), eval: evals(7, 10)}, t).verdict).toBe("almost");
    });

    it("holds back a perfect score over too few runs, but counts a miss", () => {
        const few = judgeModel({memory: fits, speed: speed(14, 12), eval: evals(3, 3)}, t);
        expect(few.verdict).toBe("almost");
        expect(few.headline).toBe("Almost: 3 runs so far, 10 needed.");
        expect(judgeModel({memory: fits, speed: speed(14, 12), eval: evals(0, 3)}, t).verdict).toBe("no");
    });

    it("says doesn't fit, or no when the model is too slow or a turn takes too long", () => {
        const noFit = judgeModel({memory: {...fits, fitClass: "no-fit", ramNeededBytes: 30 * GB, headroomBytes: -10 * GB}, speed: speed(null, null), eval: null}, t);
        expect(noFit.verdict).toBe("no-fit");
        expect(noFit.headline).toBe("Doesn't fit: it needs 30.0 GB of 20.0 GB at a 32k context.");
        expect(noFit.criteria[0]!.cause).toBe("memory");
        expect(judgeModel({memory: fits, speed: speed(4, 12), eval: evals(10, 10)}, t).headline).toBe("No: generation at 4.0 tok/s is below 5 tok/s.");
        expect(judgeModel({memory: fits, speed: speed(14, 120), eval: evals(10, 10)}, t).headline).toBe("No: an agent turn takes 2.0 min, over 90 s.");
        const slowish = judgeModel({memory: fits, speed: speed(7, 45), eval: evals(10, 10)}, t);
        expect(slowish.verdict).toBe("almost");
        expect(slowish.headline).toBe("Almost: 7.0 tok/s (needs 10); 45 s per turn (needs ≤ 30 s).");
    });

    it("is untested when it fits and runs but the eval has not run; predictions never count as measurements", () => {
        const untested = judgeModel({memory: fits, speed: speed(null, null), eval: null}, t);
        expect(untested.verdict).toBe("untested");
        expect(untested.criteria.find((c) => c.id === "generation")).toMatchObject({status: "unknown", value: "~12.0 tok/s predicted", source: "predicted"});
        expect(untested.criteria.find((c) => c.id === "turn")).toMatchObject({status: "unknown", value: "~20 s predicted", source: "predicted"});
    });

    it("fails the fit when the model was trained for less than the agent context, whatever the memory says", () => {
        const short = judgeModel({memory: {...fits, trainedContextSize: 8192}, speed: speed(200, 2), eval: evals(10, 10)}, t);
        expect(short.verdict).toBe("no-fit");
        expect(short.criteria[0]).toMatchObject({id: "fit", status: "fail", value: "trained for 8k", cause: "trained-context"});
        expect(short.criteria[0]!.detail).toContain("Trained for 8,192 tokens; the agent context is 32,768");
        expect(short.headline).toBe("Doesn't fit: trained for 8,192 tokens; the agent context is 32,768.");
        // At an agent context it was trained for, the same model fits.
        expect(judgeModel({memory: {...fits, trainedContextSize: 8192}, speed: speed(200, 2), eval: evals(10, 10)}, {...t, contextSize: 8192}).verdict).toBe("usable");
    });

    it("judges a model on a local server by what the server reports", () => {
        const facts = {server: "ollama" as const, quantization: "Q4_K_M", trainedContextSize: 40960, contextSize: null, sources: []};
        const served = judgeModel({memory: null, server: {facts, host: "127.0.0.1:11434"}, speed: {...speed(14, 12), turnSource: "eval", generationSource: "eval"}, eval: evals(9, 10)}, t);
        expect(served.verdict).toBe("usable");
        expect(served.criteria[0]).toMatchObject({status: "pass", value: "runs on 127.0.0.1:11434", source: "measured"});
        const small = judgeModel({memory: null, server: {facts: {...facts, contextSize: 4096}, host: "127.0.0.1:11434"}, speed: speed(14, 12), eval: evals(9, 10)}, t);
        expect(small.verdict).toBe("no-fit");
        expect(small.criteria[0]!.cause).toBe("served-context");
        expect(small.headline).toBe("Doesn't fit: the server at 127.0.0.1:11434 runs it with a 4,096-token context; the agent context is 32,768.");
        expect(judgeModel({memory: null, server: {facts: {...facts, trainedContextSize: 8192}, host: "h:1"}, speed: speed(14, 12), eval: evals(9, 10)}, t).verdict).toBe("no-fit");
    });
});

describe("one set of rules: predictions are judged like measurements", () => {
    const prediction = (generation: number, turn: number): SpeedPrediction => ({
        predicted: true,
        generationTokensPerSecond: generation * 1.2,
        generationAtDepthTokensPerSecond: generation,
        depth: 16384,
        promptTokensPerSecond: 100,
        agentPromptSeconds: 81.92,
        agentTurnSeconds: turn,
        firstTurnSeconds: turn * 4,
        laterTurnSeconds: turn * 0.7,
        bytesPerToken: 1e9,
        basis: "test",
        calibrationLabel: "uncalibrated estimate",
        calibration: null,
        measured: null
    });

    it("gives a prediction the level the same measured numbers get, by the same thresholds", () => {
        for (const [generation, turn] of [
            [14, 12],
            [7, 12],
            [14, 45],
            [4, 12],
            [14, 120]
        ] as const) {
            const predicted = judgePrediction(fits, prediction(generation, turn), t);
            const measured = judgeModel({memory: fits, speed: speed(generation, turn), eval: evals(10, 10)}, t);
            expect(predicted.verdict, `${generation} tok/s, ${turn} s`).toBe(measured.verdict);
            expect(predicted.criteria.map((c) => [c.id, c.status])).toEqual(measured.criteria.filter((c) => c.id !== "success").map((c) => [c.id, c.status]));
            expect(predicted.criteria.slice(1).every((c) => c.source === "predicted" && c.value.startsWith("~"))).toBe(true);
        }
        expect(judgePrediction(fits, prediction(14, 12), t).headline).toBe("Usable (predicted): ~14.0 tok/s at the agent's depth, ~12 s per agent turn.");
        // A fast generator whose turns are slow (a long prompt read slowly) is not usable.
        expect(judgePrediction(fits, prediction(11, 569), t).verdict).toBe("no");
        // Edited thresholds move the bar for predictions too.
        expect(judgePrediction(fits, prediction(11, 569), {...t, usableTurnSeconds: 600, almostTurnSeconds: 900}).verdict).toBe("usable");
    });

    it("explains every level in one legend, with the thresholds in force", () => {
        const legend = levelLegend({...t, usableTurnSeconds: 20}, "predicted");
        expect(legend.map((e) => e.label)).toEqual(["Usable", "Almost", "No", "Doesn't fit"]);
        expect(legend[0]!.meaning).toBe("fits at 32k context, generates ≥ 10 tok/s at the agent's depth (16k) and takes ≤ 20 s per agent turn");
        expect(levelLegend(t, "verdict").map((e) => e.label)).toEqual(["Usable", "Almost", "No", "Doesn't fit", "Not evaluated"]);
        expect(levelLegend(t, "verdict")[0]!.meaning).toContain("refactors ≥ 80% of ≥ 10 eval runs");
    });
});

describe("verdict thresholds in SQLite", () => {
    it("stores only edits, validates them, and resets", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-verdict-"));
        try {
            {
                await using store = await openStore({file: path.join(dir, "agentfit.sqlite")});
                expect(currentThresholds(store.verdict)).toMatchObject({thresholds: defaultThresholds, edited: [], updatedAt: null});
                const edited = updateThresholds(store.verdict, {usableSuccessRate: 0.9, minRuns: 5}, new Date("2026-11-26T10:00:00Z"));
                expect(edited.edited).toEqual(["usableSuccessRate", "minRuns"]);
                expect(store.verdict.thresholds()).toEqual({values: {usableSuccessRate: 0.9, minRuns: 5}, updatedAt: "2026-11-26T10:00:00.000Z"});
                expect(() => updateThresholds(store.verdict, {almostSuccessRate: 0.95})).toThrow(/usableSuccessRate \(0.9\) must be at least almostSuccessRate \(0.95\)/);
                expect(() => updateThresholds(store.verdict, {usableSuccessRate: 80})).toThrow(expect.objectContaining({code: "VERDICT_THRESHOLDS_INVALID"}));
                expect(() => updateThresholds(store.verdict, {usableTurnSeconds: 200})).toThrow(/usableTurnSeconds \(200\) must be at most almostTurnSeconds \(90\)/);
                expect(() => updateThresholds(store.verdict, {speed: 3})).toThrow(/has no field named speed/);
                // Every kind of nonsense is refused with the code, and nothing is stored.
                const nonsense: Record<string, unknown>[] = [
                    {usableGenerationTps: -1},
                    {almostGenerationTps: Number.NaN},
                    {usableTurnSeconds: 0},
                    {almostTurnSeconds: 0},
                    {usableTurnSeconds: Number.POSITIVE_INFINITY},
                    {usableSuccessRate: "0.9"},
                    {minRuns: "ten"},
                    {minRuns: 2.5},
                    {minRuns: 0},
                    {contextSize: -32768},
                    {contextSize: Number.NaN},
                    {almostSuccessRate: -0.1},
                    {usableGenerationTps: null},
                    {reset: "yes"},
                    {usableGenerationTps: 4},
                    {usableTurnSeconds: 100},
                    {almostSuccessRate: 0.95}
                ];
                for (const patch of nonsense) {
                    expect(() => updateThresholds(store.verdict, patch), JSON.stringify(patch)).toThrow(expect.objectContaining({code: "VERDICT_THRESHOLDS_INVALID"}));
                    expect(store.verdict.thresholds()!.values).toEqual({usableSuccessRate: 0.9, minRuns: 5});
                }
                expect(() => updateThresholds(store.verdict, "usable")).toThrow(expect.objectContaining({code: "VERDICT_THRESHOLDS_INVALID"}));
                expect(() => updateThresholds(store.verdict, [1, 2])).toThrow(expect.objectContaining({code: "VERDICT_THRESHOLDS_INVALID"}));
                expect(store.verdict.thresholds()!.values).toEqual({usableSuccessRate: 0.9, minRuns: 5});
            }
            {
                await using store = await openStore({file: path.join(dir, "agentfit.sqlite")});
                expect(currentThresholds(store.verdict).thresholds.minRuns).toBe(5);
                // Setting a value back to its default drops the edit.
                expect(updateThresholds(store.verdict, {minRuns: 10}).edited).toEqual(["usableSuccessRate"]);
                expect(updateThresholds(store.verdict, {reset: true}).edited).toEqual([]);
                expect(store.verdict.thresholds()).toBeNull();
            }
        } finally {
            fs.rmSync(dir, {recursive: true, force: true});
        }
    });
});

describe("what would change the answer", () => {
    const local = (label: string, judged: ReturnType<typeof judgeModel>, evidence: VerdictEvalEvidence | null): LocalModelVerdict => ({
        key: `/models/${label}.gguf`,
        label,
        detail: null,
        location: "engine",
        server: null,
        family: label,
        familyLabel: label,
        quantization: "Q4_K_M",
        bitsPerWeight: 4.8,
        path: `/models/${label}.gguf`,
        fileBytes: GB,
        parameterCount: 1e9,
        catalogModelId: null,
        verdict: judged.verdict,
        headline: judged.headline,
        criteria: judged.criteria,
        memory: fits,
        speed: speed(null, null),
        eval: evidence,
        versusCloud: null
    });
    const answer = (verdict: Verdict["answer"]["verdict"], best: LocalModelVerdict | null): Verdict["answer"] => ({verdict, headline: "", evidence: [], best: best?.key ?? null});
    // No catalog model: only the measurements this machine's own files lack are weighed.
    const changesFor = (models: LocalModelVerdict[], current: Verdict["answer"]) =>
        whatIfChanges({
            thresholds: t,
            hardware: {} as HardwareProfile,
            catalog: [],
            local: models,
            answer: current,
            task: "r-skill-frontmatter",
            recommend: async () => ({models: []}) as unknown as RecommendationReport,
            inspect: async () => null
        });

    it("lists the benchmark and the eval an untested model lacks as decisive, each with the action that tests it", async () => {
        const untested = local("Small", judgeModel({memory: fits, speed: speed(null, null), eval: null}, t), null);
        const changes = await changesFor([untested], answer("untested", untested));
        expect(changes.map((c) => [c.kind, c.decisive, c.expected])).toEqual([
            ["bench", true, "usable"],
            ["eval", true, "usable"]
        ]);
        expect(changes[0]!.action).toEqual({kind: "bench", model: "/models/Small.gguf", kvCacheType: null});
        expect(changes[1]!.action).toEqual({kind: "eval", model: "/models/Small.gguf", task: "r-skill-frontmatter", runs: 10});
        expect(changes[1]!.why).toBe('It could reach "Usable", better than the answer as it stands ("Not evaluated").');
    });

    it("asks for the missing runs when too few runs hold a perfect score back", async () => {
        const few = local("Few", judgeModel({memory: fits, speed: speed(14, 12), eval: evals(3, 3)}, t), evals(3, 3));
        const changes = await changesFor([few], answer("almost", few));
        expect(changes.filter((c) => c.kind === "eval")).toMatchObject([{decisive: true, expected: "usable", action: {kind: "eval", runs: 7}}]);
        expect(changes.find((c) => c.kind === "eval")!.text).toContain("Run 7 more eval runs of Few: 3 of the 10 runs needed");
    });

    it("lists nothing for a model that already fails a criterion, and nothing as decisive once the answer is Yes", async () => {
        const failing = local("Fails", judgeModel({memory: fits, speed: speed(null, null), eval: evals(0, 10)}, t), evals(0, 10));
        expect(failing.verdict).toBe("no");
        expect(await changesFor([failing], answer("no", failing))).toEqual([]);

        const usable = local("Good", judgeModel({memory: fits, speed: speed(14, 12), eval: evals(9, 10)}, t), evals(9, 10));
        const untested = local("Other", judgeModel({memory: fits, speed: speed(null, null), eval: null}, t), null);
        const changes = await changesFor([usable, untested], answer("usable", usable));
        expect(changes.length).toBeGreaterThan(0);
        expect(changes.every((c) => !c.decisive)).toBe(true);
        expect(changes[0]!.why).toBe("The answer is already Yes (Good is usable): this would add another option, not change it.");
    });

    it("weighs a change by the level it could reach against the answer's", () => {
        const current = (verdict: Verdict["answer"]["verdict"]) => answer(verdict, null);
        expect(weighChange("almost", current("no"), null).decisive).toBe(true);
        expect(weighChange("usable", current("almost"), null).decisive).toBe(true);
        expect(weighChange("almost", current("almost"), null)).toEqual({decisive: false, why: 'At best "Almost": no better than the answer as it stands ("Almost").'});
        expect(weighChange("no", current("untested"), null).decisive).toBe(false);
        expect(weighChange("usable", current("usable"), null).decisive).toBe(false);
    });
});
