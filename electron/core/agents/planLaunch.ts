import type {RegisteredModel} from "../../api/DownloadsApi.ts";
import type {RecommendationReport} from "../../api/ModelsApi.ts";
import {AgentError} from "./AgentError.ts";
import type {CodingAgent} from "./CodingAgent.ts";

/** Tokens of room an agent needs beyond its first request: the task, file contents, the first answers. */
export const WORK_ROOM_TOKENS = 4096;

/** The least context an agent can work in: its first request plus room for the work. */
export function minimumContext(agent: CodingAgent): number {
    return agent.firstRequestTokens + WORK_ROOM_TOKENS;
}

/**
 * The model `agentfit launch` serves when none is named: the downloaded model the recommendations
 * rank best (by catalog id); otherwise the registered model with the longest trained context.
 * Null when nothing is registered.
 */
export function pickLaunchModel(registered: readonly RegisteredModel[], recommendations: RecommendationReport | null): RegisteredModel | null {
    if (registered.length === 0) return null;
    const rank = new Map((recommendations?.models ?? []).filter((r) => r.verdict !== "no-fit").map((r) => [r.model.id, r.rank]));
    const catalogId = (m: RegisteredModel) => (m.source.kind === "huggingface" ? m.source.catalogId : null);
    return [...registered].sort(
        (a, b) =>
            (rank.get(catalogId(a) ?? "") ?? Infinity) - (rank.get(catalogId(b) ?? "") ?? Infinity) ||
            (b.facts.contextLength ?? 0) - (a.facts.contextLength ?? 0)
    )[0]!;
}

/**
 * The context to serve an agent with: the one asked for, else the agent's default, capped at the
 * model's trained context. Refuses (AGENT_CONTEXT_TOO_SMALL) when that cannot hold the agent's first
 * request plus room to work, saying why.
 */
export function launchContext(agent: CodingAgent, model: {name: string; trainedContext: number | null}, asked: number | undefined): number {
    const need = minimumContext(agent);
    if (model.trainedContext !== null && model.trainedContext < need)
        throw new AgentError(
            "AGENT_CONTEXT_TOO_SMALL",
            `${model.name} was trained on ${model.trainedContext.toLocaleString("en-US")} tokens of context; ${agent.label}'s first request alone is about ${agent.firstRequestTokens.toLocaleString("en-US")} tokens (system prompt and tools), so it needs at least ${need.toLocaleString("en-US")}. Pick a model with a longer context (agentfit recommend), or an agent with a smaller prompt (agentfit agents).`
        );
    if (asked !== undefined && asked < need)
        throw new AgentError(
            "AGENT_CONTEXT_TOO_SMALL",
            `--ctx ${asked} cannot hold ${agent.label}'s first request (about ${agent.firstRequestTokens.toLocaleString("en-US")} tokens) and room to work: give at least ${need.toLocaleString("en-US")}.`
        );
    const wanted = asked ?? agent.contextSize;
    return model.trainedContext !== null ? Math.min(wanted, model.trainedContext) : wanted;
}
