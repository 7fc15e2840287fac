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
    /** The least context it can work in: its first request plus room for the work (`agentfit launch` refuses less). */
    minimumContext: number;
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
    /** The agent tested; null for a protocol tested on its own (clients set up by hand). */
    agent: CodingAgentId | null;
    protocol: AgentProtocol;
    /** The server answered 200 with a stream in the protocol's shape that ended with its last event. */
    ok: boolean;
    /** The request line, e.g. "POST http://127.0.0.1:8723/v1/messages?beta=true". */
    request: string;
    /** The JSON body sent, indented. */
    requestBody: string;
    status: number | null;
    /** The model's answer (first 500 characters), or what went wrong. */
    message: string;
    /** Server-sent events received. */
    events: number;
    durationMs: number;
}

/** Where a connection test goes: an agent (its protocol), or a protocol by name. */
export type ConnectionTestTarget = ({agent: CodingAgentId; protocol?: undefined} | {protocol: AgentProtocol; agent?: undefined}) & {baseUrl: string; model: string; apiKey?: string};

export interface AgentsApi {
    /** Every supported agent, installed or not, with its version and how it connects. */
    "agents.list": (arg: Record<string, never>) => Promise<CodingAgentInfo[]>;
    /** The exact commands and config that point an agent at a served model (base URL like "http://127.0.0.1:8723/v1"; contextSize: what it is served with, told to agents that size their history by it). */
    "agents.connection": (arg: {agent: CodingAgentId; baseUrl: string; model: string; apiKey?: string; contextSize?: number}) => Promise<AgentConnectionRecipe>;
    /** Sends one short streamed request in the agent's protocol (or the one named) to the served model and reports the answer. */
    "agents.testConnection": (arg: ConnectionTestTarget) => Promise<AgentConnectionTest>;
}
