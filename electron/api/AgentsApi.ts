/**
 * Real coding agents (Claude Code, Codex CLI, OpenCode, Aider) pointed at a model AgentFit serves:
 * which are installed, how each connects, and the eval harness they become.
 */

export type CodingAgentId = "claude-code" | "codex" | "opencode" | "aider";

/** The wire protocol an agent speaks to its model. */
export type AgentProtocol = "openai-chat" | "anthropic-messages" | "openai-responses";

export interface CodingAgentInfo {
    id: CodingAgentId;
    label: string;
    protocol: AgentProtocol;
    /** Found on PATH or in one of its usual install places. */
    installed: boolean;
    /** The executable found, null when not installed. */
    path: string | null;
    /** As the agent prints it, e.g. "0.86.2"; null when not installed or it would not say. */
    version: string | null;
    /** The version AgentFit's tests run. */
    testedVersion: string;
    /** How to install it, e.g. "npm install -g opencode-ai". */
    install: string;
    /** Context the agent's first request needs (system prompt + tools), tokens, measured; launch serves at least `contextSize`. */
    firstRequestTokens: number;
    /** Context AgentFit serves this agent with by default, tokens. */
    contextSize: number;
    /** Environment variables AgentFit sets to point it at a model (values not shown). */
    connectVariables: string[];
    /** Config files AgentFit writes in a temporary folder it points the agent at (never the user's own). */
    configFiles: string[];
}

/** How to point an agent at a served model by hand, for the Connect screen. */
export interface AgentConnectionRecipe {
    agent: CodingAgentId;
    /** Shell lines (POSIX) that set the environment and start the agent. */
    shell: string;
    /** Config files to write first, with their content ({} when none). */
    files: {path: string; content: string}[];
    /** The one-line AgentFit command that does all of it. */
    launch: string;
}

export interface AgentConnectionTest {
    agent: CodingAgentId;
    ok: boolean;
    /** The endpoint the request went to, e.g. "POST http://127.0.0.1:8723/v1/chat/completions". */
    request: string;
    status: number | null;
    /** The model's answer (first 500 characters), or the error. */
    message: string;
    durationMs: number;
}

export interface AgentsApi {
    /** Every supported agent, installed or not, with its version and how it connects. */
    "agents.list": (arg: Record<string, never>) => Promise<CodingAgentInfo[]>;
    /** The exact commands and config that point an agent at a served model (base URL like "http://127.0.0.1:8723/v1"). */
    "agents.connection": (arg: {agent: CodingAgentId; baseUrl: string; model: string; apiKey?: string}) => Promise<AgentConnectionRecipe>;
    /** Sends one short request in the agent's protocol to the served model and reports the answer. */
    "agents.testConnection": (arg: {agent: CodingAgentId; baseUrl: string; model: string; apiKey?: string}) => Promise<AgentConnectionTest>;
}
