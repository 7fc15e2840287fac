import type {EndpointBenchRun} from "../../api/EndpointsApi.ts";
import type {ServerVerdict, VerdictEvalEvidence, VerdictSpeedEvidence, VerdictThresholds} from "../../api/VerdictApi.ts";
import {endpointLabel} from "../../shared/endpointFormat.ts";
import {judgeModel} from "../rules/judgeModel.ts";

/**
 * The verdict on each model served at a benchmarked endpoint, from its newest completed run, by the
 * same rules as a local model: the context the server reports (it runs there, so memory is the
 * server's business), the eval's success when the model was evaluated as
 * `openai-compatible:<model id>`, and the generation speed and agent-turn time measured through the API.
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
        const speed: VerdictSpeedEvidence = {
            promptTps: run.summary.promptTps,
            generationTps: run.summary.generationTps,
            generationSource: run.summary.generationTps !== null ? "bench" : null,
            generationDepth: null,
            timeToFirstTokenMs: run.summary.timeToFirstTokenMs,
            turnSeconds: run.summary.turnSeconds,
            turnSource: run.summary.turnSeconds !== null ? "bench-agent" : null,
            predictedGenerationTps: null,
            predictedTurnSeconds: null,
            settings: null,
            binary: null,
            benchRunIds: [],
            measuredAt: run.completedAt
        };
        const judged = judgeModel(
            {
                memory: null,
                server: {
                    facts: {server: run.server.kind, quantization: run.server.quantization, trainedContextSize: run.server.trainedContextSize ?? null, contextSize: run.server.contextSize, sources: ["GET /models"]},
                    host: new URL(run.spec.baseUrl).host
                },
                speed,
                eval: evalOf(run.spec.model)
            },
            t
        );
        return {
            key,
            label: endpointLabel(run),
            baseUrl: run.spec.baseUrl,
            model: run.spec.model,
            quantization: run.server.quantization,
            verdict: judged.verdict,
            headline: `On this server: ${judged.headline.charAt(0).toLowerCase()}${judged.headline.slice(1)}`,
            criteria: judged.criteria,
            runId: run.id,
            measuredAt: run.completedAt ?? run.createdAt
        };
    });
}
