import type {EvalModelLocation, EvalRunStatus, EvalSampleSummary} from "../../../../electron/api/EvalApi.ts";
import type {Tone} from "../../components/Badge.tsx";

export const runStatusTone: Record<EvalRunStatus, Tone> = {
    queued: "neutral",
    running: "info",
    completed: "good",
    failed: "bad",
    cancelled: "neutral",
    interrupted: "warn"
};

/** Tone of a sample tile: pending grey, running blue, passed green, failed red (amber when only the strict score failed). */
export function sampleTone(sample: EvalSampleSummary): Tone {
    if (sample.status === "pending") return "neutral";
    if (sample.status !== "completed") return "info";
    if (sample.score === "C") return sample.strictScore === "C" ? "good" : "warn";
    return "bad";
}

export const providerLabels: Record<string, string> = {
    local: "Local",
    openai: "OpenAI",
    anthropic: "Anthropic",
    openrouter: "OpenRouter",
    gemini: "Gemini",
    "openai-compatible": "OpenAI-compatible"
};

/** Where a run's model ran, in a few words. */
export const locationLabels: Record<EvalModelLocation, string> = {engine: "AgentFit engine", "local-server": "Local server", cloud: "Cloud"};
