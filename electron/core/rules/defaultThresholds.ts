import type {VerdictThresholds} from "../../api/VerdictApi.ts";
import {DEFAULT_CONTEXT_SIZE} from "../../protocol/engineSettings.ts";

/**
 * Defaults that mirror helperbench and the article it came from (docs/verdict.md, "Why these
 * defaults"): 8/10 successes over 10 runs is the lowest score the article still counted as reliable
 * (GPT-4.1); 10 tok/s is the recommendations' speed floor for an agent; a turn of 30 s keeps a
 * 10–15-turn refactor within a few minutes.
 */
export const defaultThresholds: Readonly<VerdictThresholds> = Object.freeze({
    contextSize: DEFAULT_CONTEXT_SIZE,
    usableSuccessRate: 0.8,
    almostSuccessRate: 0.5,
    minRuns: 10,
    usableGenerationTps: 10,
    almostGenerationTps: 5,
    usableTurnSeconds: 30,
    almostTurnSeconds: 90
});
