import {z} from "zod";
import type {VerdictThresholds, VerdictThresholdsState} from "../../api/VerdictApi.ts";
import {engineSettingSchemas} from "../../protocol/engineSettings.ts";
import {parseArgument, wholeNumber} from "../../shared/parseArgument.ts";
import type {VerdictRepository} from "../store/verdictRepository.ts";
import {defaultThresholds} from "../rules/defaultThresholds.ts";
import {VerdictError} from "./VerdictError.ts";

const rateMessage = "must be a fraction from 0 to 1 (0.8 = 80%)";
const rate = z.number({error: rateMessage}).min(0, {error: rateMessage}).max(1, {error: rateMessage});
const positive = (unit: string) => {
    const message = `must be a positive number of ${unit} (at most 1,000,000)`;
    return z.number({error: message}).positive({error: message}).max(1_000_000, {error: message});
};

const thresholdsSchema = z.strictObject({
    contextSize: engineSettingSchemas.contextSize,
    usableSuccessRate: rate,
    almostSuccessRate: rate,
    minRuns: wholeNumber(1, 1000),
    usableGenerationTps: positive("tokens per second"),
    almostGenerationTps: positive("tokens per second"),
    usableTurnSeconds: positive("seconds"),
    almostTurnSeconds: positive("seconds")
});

export const thresholdsPatchSchema = thresholdsSchema.partial().extend({reset: z.boolean().optional()}).strict();

const keys = Object.keys(defaultThresholds) as (keyof VerdictThresholds)[];

/** The thresholds in force: defaults with the stored edits applied. */
export function currentThresholds(repository: VerdictRepository): VerdictThresholdsState {
    const stored = repository.thresholds();
    const thresholds = {...defaultThresholds, ...(stored?.values ?? {})};
    return {
        thresholds,
        defaults: {...defaultThresholds},
        edited: keys.filter((key) => thresholds[key] !== defaultThresholds[key]),
        updatedAt: stored?.updatedAt ?? null
    };
}

/** Validates a patch against the current thresholds and stores only values that differ from the defaults. */
export function updateThresholds(repository: VerdictRepository, arg: unknown, now = new Date()): VerdictThresholdsState {
    const {reset, ...patch} = parseArgument(thresholdsPatchSchema, arg ?? {}, "VERDICT_THRESHOLDS_INVALID");
    if (reset) {
        repository.resetThresholds();
        if (Object.keys(patch).length === 0) return currentThresholds(repository);
    }
    const next: VerdictThresholds = {...currentThresholds(repository).thresholds, ...patch};
    const pairs: [keyof VerdictThresholds, keyof VerdictThresholds, "atLeast" | "atMost"][] = [
        ["usableSuccessRate", "almostSuccessRate", "atLeast"],
        ["usableGenerationTps", "almostGenerationTps", "atLeast"],
        ["usableTurnSeconds", "almostTurnSeconds", "atMost"]
    ];
    for (const [usable, almost, rule] of pairs) {
        const ok = rule === "atLeast" ? next[usable] >= next[almost] : next[usable] <= next[almost];
        if (!ok)
            throw new VerdictError(
                "VERDICT_THRESHOLDS_INVALID",
                `${usable} (${next[usable]}) must be ${rule === "atLeast" ? "at least" : "at most"} ${almost} (${next[almost]}): "usable" is the stricter level.`
            );
    }
    const edits = Object.fromEntries(keys.filter((key) => next[key] !== defaultThresholds[key]).map((key) => [key, next[key]]));
    if (Object.keys(edits).length === 0) repository.resetThresholds();
    else repository.saveThresholds(edits, now.toISOString());
    return currentThresholds(repository);
}
