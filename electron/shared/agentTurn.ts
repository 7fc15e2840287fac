/**
 * The agent turn AgentFit judges "time per agent turn" on, when it is predicted or estimated rather
 * than measured. Pure: the renderer bundles this file, so the definition reads the same everywhere.
 */

/**
 * A refactoring session as a coding agent runs it: the first turn reads the whole agent prompt
 * (system prompt, tool definitions, the files it was given) cold; every later turn reads only what
 * is new since the last one (a tool result and the framing around it), because the server keeps the
 * conversation's prefix in its KV cache; every turn writes a reply (a tool call with code, or prose).
 */
export interface AgentTurnShape {
    /** Turns in the session; helperbench's refactors took 5–15. */
    sessionTurns: number;
    /** Tokens the first turn reads cold. */
    firstPromptTokens: number;
    /** New tokens each later turn reads (the rest is reused from the prefix cache). */
    laterPromptTokens: number;
    /** Tokens each turn generates. */
    outputTokens: number;
}

export const agentTurnShape: Readonly<AgentTurnShape> = Object.freeze({sessionTurns: 10, firstPromptTokens: 8192, laterPromptTokens: 1024, outputTokens: 256});

export interface AgentTurnTimes {
    /** The judged figure: the session's wall time divided by its turns, seconds (what the eval's wall time ÷ turns measures). */
    agentTurnSeconds: number;
    /** The first turn alone: the whole agent prompt read cold, then the reply, seconds. */
    firstTurnSeconds: number;
    /** Each later turn: new tokens read, then the reply, seconds. */
    laterTurnSeconds: number;
}

/**
 * Seconds per agent turn from a prompt-processing and a generation speed (tokens/s; generation at the
 * agent's depth). Null when either speed is missing or not positive.
 */
export function agentTurnTimes(promptTokensPerSecond: number | null | undefined, generationTokensPerSecond: number | null | undefined, shape: AgentTurnShape = agentTurnShape): AgentTurnTimes | null {
    if (!(promptTokensPerSecond! > 0) || !(generationTokensPerSecond! > 0) || !Number.isFinite(promptTokensPerSecond) || !Number.isFinite(generationTokensPerSecond)) return null;
    const reply = shape.outputTokens / generationTokensPerSecond!;
    const firstTurnSeconds = shape.firstPromptTokens / promptTokensPerSecond! + reply;
    const laterTurnSeconds = shape.laterPromptTokens / promptTokensPerSecond! + reply;
    return {firstTurnSeconds, laterTurnSeconds, agentTurnSeconds: (firstTurnSeconds + (shape.sessionTurns - 1) * laterTurnSeconds) / shape.sessionTurns};
}

const n = (value: number) => value.toLocaleString("en-US");

/** The definition in one sentence, for legends, footnotes and reports. */
export function describeAgentTurn(shape: AgentTurnShape = agentTurnShape): string {
    return (
        `Time per agent turn = a ${shape.sessionTurns}-turn session's time ÷ ${shape.sessionTurns}: the first turn reads the ${n(shape.firstPromptTokens)}-token agent prompt cold, ` +
        `each later turn reads ${n(shape.laterPromptTokens)} new tokens (the rest comes from the prefix cache), and every turn writes ${n(shape.outputTokens)} tokens at the generation speed at the agent's depth.`
    );
}

/**
 * The depth an agent session works at once a few files are read: half its context. The Verdict reads
 * generation speed there, so the guided benchmark and every link that opens Benchmark measure there.
 */
export function agentSessionDepth(contextSize: number): number {
    return Math.floor(contextSize / 2);
}
