import type {EndpointBenchRun} from "../../api/EndpointsApi.ts";
import type {ServerVerdict, VerdictEvalEvidence, VerdictLevel, VerdictSpeedEvidence, VerdictThresholds} from "../../api/VerdictApi.ts";
import {endpointLabel} from "../../shared/endpointFormat.ts";
import {generationCriterion, successCriterion, turnCriterion} from "./judgeModel.ts";

/**
 * The verdict on each model served at a benchmarked endpoint, from its newest completed run: the
 * generation speed and agent-turn time measured through the API, and the eval's success when the
 * model was evaluated as `openai-compatible:<model id>`. Fit is the server's business: it ran there.
 */
export function judgeServers(
    runs: readonly EndpointBenchRun[],
    /** The eval's pooled results of `openai-compatible:<model>` on the verdict's task, null when there are none. */
    evalOf: (model: string) => VerdictEvalEvidence | null,
    t: VerdictThresholds
): ServerVerdict[] {
    const newest = new Map<string, EndpointBenchRun>();
    for (const run of runs) {
        if (run.status !== "completed") continue;
        const key = `${run.endpointKey}|${run.spec.model}`;
        if (!newest.has(key) || newest.get(key)!.id < run.id) newest.set(key, run);
    }
    return [...newest.entries()].map(([key, run]) => {
        const evalEvidence = evalOf(run.spec.model);
        const speed: VerdictSpeedEvidence = {
            promptTps: run.summary.promptTps,
            generationTps: run.summary.generationTps,
            generationSource: run.summary.generationTps !== null ? "bench" : null,
            generationDepth: null,
            timeToFirstTokenMs: run.summary.timeToFirstTokenMs,
            turnSeconds: run.summary.turnSeconds,
            turnSource: run.summary.turnSeconds !== null ? "bench-agent" : null,
            predictedGenerationTps: null,
            settings: null,
            benchRunIds: [],
            measuredAt: run.completedAt
        };
        const criteria = [
            successCriterion(evalEvidence, t),
            {...generationCriterion(speed, t), detail: `streamed through the endpoint's API; usable ≥ ${t.usableGenerationTps} tok/s, almost ≥ ${t.almostGenerationTps}`},
            {...turnCriterion(speed, t), detail: `agent turns through the endpoint's API; usable ≤ ${t.usableTurnSeconds} s, almost ≤ ${t.almostTurnSeconds} s`}
        ];
        const verdict: VerdictLevel = criteria.some((c) => c.status === "fail")
            ? "no"
            : criteria.every((c) => c.status === "pass")
              ? "usable"
              : criteria[0]!.status === "unknown"
                ? "untested"
                : "almost";
        const gaps = criteria.filter((c) => c.status !== "pass").map((c) => `${c.label.toLowerCase()} ${c.status === "unknown" ? "not measured" : c.value}`);
        const headline = {
            usable: `On this server: usable — ${criteria.map((c) => c.value).join(", ")}.`,
            almost: `On this server: almost — ${gaps.join("; ")}.`,
            untested: `On this server: not evaluated yet — ${criteria[1]!.value}, ${criteria[2]!.value} per turn; run the eval with --model openai-compatible:${run.spec.model} --base-url ${run.spec.baseUrl}.`,
            no: `On this server: no — ${criteria.filter((c) => c.status === "fail").map((c) => `${c.label.toLowerCase()} ${c.value}`).join("; ")}.`
        }[verdict];
        return {
            key,
            label: endpointLabel(run),
            baseUrl: run.spec.baseUrl,
            model: run.spec.model,
            quantization: run.server.quantization,
            verdict,
            headline,
            criteria,
            runId: run.id,
            measuredAt: run.completedAt ?? run.createdAt
        };
    });
}
