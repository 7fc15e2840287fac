import {agentSessionDepth} from "../../../electron/shared/agentTurn.ts";

/**
 * Links between screens that carry what to preselect: `#/benchmark?model=…`. The screen id is the
 * hash's first segment (App.tsx); the parameters after "?" are read once, when a screen opens.
 */
export function screenLink(screen: string, params: Record<string, string | number | null | undefined> = {}): string {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== "") query.set(key, String(value));
    const text = query.toString();
    return `#/${screen}${text ? `?${text}` : ""}`;
}

/** The parameters of the link that opened the current screen. */
export function screenLinkParams(): URLSearchParams {
    const hash = window.location.hash;
    const at = hash.indexOf("?");
    return new URLSearchParams(at < 0 ? "" : hash.slice(at + 1));
}

/**
 * Opens Benchmark on a model at a context, measuring at `depth` — by default the agent session's
 * depth (half the context), where the Verdict reads generation speed.
 */
export function benchmarkLink(target: {model: string; contextSize: number; depth?: number; kvCacheType?: string | null}): string {
    return screenLink("benchmark", {model: target.model, ctx: target.contextSize, depth: target.depth ?? agentSessionDepth(target.contextSize), kv: target.kvCacheType});
}

/** Opens Evaluate on a model at a context, with the runs and task preselected. */
export function evaluateLink(target: {model: string; contextSize: number; runs: number; task: string | null}): string {
    return screenLink("evaluate", {model: target.model, ctx: target.contextSize, runs: target.runs, task: target.task});
}
