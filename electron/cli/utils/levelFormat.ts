/** How levels, criteria and their legend read in the terminal: `recommend`, `inspect` and `verdict` alike. */
import type {CriterionStatus, LevelLegendEntry, VerdictCriterion, VerdictLevel} from "../../api/VerdictApi.ts";
import {levelLabels} from "../../shared/verdictLevels.ts";
import {dim, green, red, yellow} from "./format.ts";

/** A level in its colour: usable green, almost yellow, no and doesn't fit red, not evaluated dim. */
export const paintLevel = (level: VerdictLevel, text = levelLabels[level]) => (level === "usable" ? green : level === "almost" ? yellow : level === "no" || level === "no-fit" ? red : dim)(text);

const mark: Record<CriterionStatus, string> = {pass: green("✓"), near: yellow("~"), fail: red("✗"), unknown: dim("?")};

/** One line per criterion: mark, label, value, the rule or reason, where the value comes from. */
export function criteriaLines(criteria: readonly VerdictCriterion[], indent = "    "): string[] {
    return criteria.map((c) => `${indent}${mark[c.status]} ${c.label.padEnd(22)} ${c.value}  ${dim(c.detail)}${c.source ? dim(` · ${c.source}`) : ""}`);
}

/** The legend every table of levels ends with. */
export function legendLines(legend: readonly LevelLegendEntry[]): string[] {
    return [dim("Legend:"), ...legend.map((e) => dim(`  ${e.label}: ${e.meaning}.`))];
}
