import type {EvalModelResult} from "../../api/EvalApi.ts";
import type {VerdictHarnessAnswer, VerdictThresholds} from "../../api/VerdictApi.ts";
import {formatPercent} from "../../shared/evalFormat.ts";
import {codingAgents} from "../agents/codingAgents.ts";

/**
 * The answer per coding agent ("with Aider: almost"): for each agent harness with local results on
 * the task (AgentFit's engine or a local server, as the main answer judges them), its best local model and quantization judged on eval success alone (the same success
 * thresholds and run count as the main answer, whose fit and speed criteria do not depend on the
 * harness). Sorted closest to usable first.
 */
export function harnessAnswers(results: readonly EvalModelResult[], task: string | null, t: VerdictThresholds): VerdictHarnessAnswer[] {
    const byHarness = new Map<string, EvalModelResult[]>();
    for (const r of results)
        if (r.task === task && r.harness !== "builtin" && r.location !== "cloud" && r.stats.samples > 0) byHarness.set(r.harness, [...(byHarness.get(r.harness) ?? []), r]);
    const answers = [...byHarness.entries()].map(([harness, rs]): VerdictHarnessAnswer => {
        const best = [...rs].sort((a, b) => (b.stats.successRate ?? 0) - (a.stats.successRate ?? 0) || b.stats.samples - a.stats.samples)[0]!;
        const rate = best.stats.successRate ?? 0;
        const verdict = rate >= t.usableSuccessRate && best.stats.samples >= t.minRuns ? "usable" : rate >= t.almostSuccessRate ? "almost" : "no";
        const label = codingAgents[harness as keyof typeof codingAgents]?.label ?? harness;
        const model = `${best.model.split(/[\\/]/).pop()}${best.quantization ? ` (${best.quantization})` : ""}`;
        return {
            harness: best.harness,
            label,
            verdict,
            model,
            successes: best.stats.successes,
            samples: best.stats.samples,
            sentence: `With ${label}: ${verdict} — best local model ${model} refactors ${best.stats.successes}/${best.stats.samples} (${formatPercent(rate)}).`
        };
    });
    const order = {usable: 0, almost: 1, no: 2};
    return answers.sort((a, b) => order[a.verdict] - order[b.verdict] || b.successes / b.samples - a.successes / a.samples);
}
