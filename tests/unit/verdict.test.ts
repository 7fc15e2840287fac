import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {describe, expect, it} from "vitest";
import type {VerdictEvalEvidence, VerdictMemoryEvidence, VerdictSpeedEvidence} from "../../electron/api/VerdictApi.ts";
import {wilsonInterval} from "../../electron/core/evals/evalStatistics.ts";
import {openStore} from "../../electron/core/store/openStore.ts";
import {judgeModel} from "../../electron/core/verdict/judgeModel.ts";
import {currentThresholds, defaultThresholds, updateThresholds} from "../../electron/core/verdict/verdictThresholds.ts";

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
    measured: null
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
    settings: null,
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

    it("says no when the model does not fit, is too slow, or a turn takes too long", () => {
        const noFit = judgeModel({memory: {...fits, fitClass: "no-fit", ramNeededBytes: 30 * GB, headroomBytes: -10 * GB}, speed: speed(null, null), eval: null}, t);
        expect(noFit.verdict).toBe("no");
        expect(noFit.headline).toBe("No: it does not fit at a 32k context (needs 30.0 GB of 20.0 GB).");
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
