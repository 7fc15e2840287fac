/**
 * How eval results read, the same in the CLI and the UI. Pure: the renderer bundles this file.
 */
import type {EvalConfinement, EvalFailureMode, EvalHarnessSpec, EvalInterval, EvalOutsideAccess, EvalScoreValue} from "../api/EvalApi.ts";

/** A score in plain words: "C" (correct) reads "passed", "I" (incorrect) "failed". */
export function scoreWord(score: EvalScoreValue | null | undefined): string {
    return score === "C" ? "passed" : score === "I" ? "failed" : "–";
}

/** What the strict score adds to the original one, said wherever it appears. */
export const strictScoreMeaning = "Strict: also extracted a real helper that the function calls and the block no longer inline.";

/** "80%". */
export function formatPercent(rate: number | null | undefined): string {
    return rate == null || !Number.isFinite(rate) ? "–" : `${Math.round(rate * 100)}%`;
}

/** "49–94%" for a 95% interval. */
export function formatInterval(interval: EvalInterval | null | undefined): string {
    return interval ? `${Math.round(interval.low * 100)}–${Math.round(interval.high * 100)}%` : "–";
}

/** "8/10 (80%, 95% CI 49–94%)". */
export function formatScore(successes: number, samples: number, interval: EvalInterval | null | undefined): string {
    if (samples === 0) return "–";
    return `${successes}/${samples} (${formatPercent(successes / samples)}, 95% CI ${formatInterval(interval)})`;
}

/** "$0.39", "$0.0042", "free", "–" (unknown price). */
export function formatCost(dollars: number | null | undefined): string {
    if (dollars == null || !Number.isFinite(dollars)) return "–";
    if (dollars === 0) return "free";
    if (dollars >= 1) return `$${dollars.toFixed(2)}`;
    if (dollars >= 0.01) return `$${dollars.toFixed(3)}`;
    return `$${dollars.toPrecision(2)}`;
}

/** "950", "12.3k", "1.24M". */
export function formatTokens(count: number | null | undefined): string {
    if (count == null || !Number.isFinite(count)) return "–";
    if (count < 1000) return String(Math.round(count));
    if (count < 1_000_000) return `${(count / 1000).toFixed(count < 10_000 ? 1 : 0)}k`;
    return `${(count / 1_000_000).toFixed(2)}M`;
}

/** What each failure mode means, in a few words. */
export const failureModeLabels: Record<EvalFailureMode, string> = {
    no_tool_calls: "no tool calls",
    tool_calls_as_text: "tool calls written as text",
    bad_tool_calls: "unknown tools or bad arguments",
    never_edited_target: "never edited the target",
    edited_other_files_only: "edited other files only",
    target_broken: "target deleted or does not parse",
    tests_fail: "tests fail",
    limit_reached: "limit reached",
    context_overflow: "context overflow",
    provider_error: "provider error",
    tool_error_loop: "looped on tool errors",
    agent_crashed: "agent crashed",
    wrote_outside_workspace: "wrote outside its workspace",
    tried_network: "tried to reach the network"
};

/** "tests fail ×2, limit reached ×1". */
export function formatFailureModes(modes: Partial<Record<EvalFailureMode, number>>): string {
    const entries = Object.entries(modes) as [EvalFailureMode, number][];
    return entries.length === 0 ? "–" : entries.sort((a, b) => b[1] - a[1]).map(([mode, count]) => `${failureModeLabels[mode]} ×${count}`).join(", ");
}

/** "bubblewrap 0.8.0 (writes: the workspace only; network: the model only), native forwarder" or "none: <why>". */
export function confinementText(confinement: EvalConfinement): string {
    return confinement.mode === "bwrap"
        ? `bubblewrap${confinement.version ? ` ${confinement.version}` : ""} (writes: the workspace only; network: the model only)${forwarderSuffix(confinement)}`
        : `none: ${confinement.reason}`;
}

/** "confined, native forwarder", "confined" (a run recorded before there was a choice of forwarder) or "unconfined". */
export function confinementLabel(confinement: EvalConfinement): string {
    return confinement.mode === "bwrap" ? `confined${forwarderSuffix(confinement)}` : "unconfined";
}

function forwarderSuffix(confinement: Extract<EvalConfinement, {mode: "bwrap"}>): string {
    return confinement.forwarder ? `, ${confinement.forwarder === "native" ? "native" : "Node"} forwarder` : "";
}

/** The one line a run whose coding agent ran unconfined shows; null when it was confined (or is not an agent's run). */
export function unconfinedNotice(harness: EvalHarnessSpec | undefined): string | null {
    const confinement = harness?.confinement;
    return confinement?.mode === "none" ? `Agents ran unconfined (they could write outside the workspace and reach the network): ${confinement.reason}` : null;
}

/** "wrote /home/u/x (blocked), /tmp/y (discarded); tried to reach example.com", or null when the agent stayed inside. */
export function outsideAccessText(access: EvalOutsideAccess | null | undefined): string | null {
    if (!access || (access.writes.length === 0 && access.network.length === 0)) return null;
    const parts = [
        ...(access.writes.length ? [`wrote ${access.writes.map((w) => `${w.path} (${w.outcome})`).join(", ")}`] : []),
        ...(access.network.length ? [`tried to reach ${access.network.join(", ")}`] : [])
    ];
    return parts.join("; ");
}
