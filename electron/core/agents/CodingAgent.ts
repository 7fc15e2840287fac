import type {CodingAgentInfo} from "../../api/AgentsApi.ts";

/** The model an agent is pointed at. */
export interface AgentTarget {
    /** OpenAI-style base URL ending in "/v1", e.g. "http://127.0.0.1:8723/v1" (Anthropic clients get it without "/v1"). */
    baseUrl: string;
    /** Sent as the agent's API key; AgentFit's server ignores it unless started with one. */
    apiKey: string;
    /** The id to send as `model`. */
    model: string;
    /** Context the model is served with, tokens (told to agents that size their history by it). */
    contextSize: number;
    /** Output tokens per model call, when capped. */
    maxOutputTokens?: number;
}

/** How to start an agent: environment on top of the caller's, config files in its own folder, arguments. */
export interface AgentSetup {
    env: Record<string, string>;
    /** Written under the temporary config folder (`configDir`) before the agent starts; paths relative to it. */
    files: {path: string; content: string}[];
    args: string[];
}

/** One sample of the eval, run headless. */
export interface HeadlessTask {
    prompt: string;
    /** Model calls the agent may make, where it has its own limit. */
    maxTurns: number;
    /** The project's test command (a shell line), for agents that run tests themselves. */
    testCommand: string;
    /** Relative path of the file the task names. */
    targetFile: string;
}

/**
 * One coding agent: where it is installed, the protocol it speaks, and how to point it at a model
 * through environment variables and a temporary config folder (`configDir`, never the user's own
 * config files). One module per agent, listed in codingAgents.ts.
 */
export interface CodingAgent
    extends Pick<CodingAgentInfo, "id" | "label" | "protocol" | "testedVersion" | "install" | "firstRequestTokens" | "contextSize" | "connectVariables" | "configFiles"> {
    /** Its command name on PATH. */
    executable: string;
    /** Where installers put it besides PATH, given the home folder. */
    usualPlaces(home: string): string[];
    /** Environment that turns off update checks, telemetry and other calls besides the model's. */
    quietEnv: Record<string, string>;
    /** An interactive session on the target. */
    connect(target: AgentTarget, configDir: string): AgentSetup;
    /** A headless run of one task in the current folder, allowed to edit files and run the tests without asking. */
    headless(target: AgentTarget, configDir: string, task: HeadlessTask): AgentSetup;
}

/** The base URL without its trailing "/v1", for clients that add it themselves (the Anthropic SDK). */
export function rootUrl(baseUrl: string): string {
    return baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
}
