import {z} from "zod";
import type {AgentConnectionRecipe, AgentConnectionTest, AgentProtocol, AgentsApi, CodingAgentId} from "../../api/AgentsApi.ts";
import {errorMessage} from "../../shared/AppError.ts";
import {emptyArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {codingAgentIds, codingAgents, describeAgent} from "./codingAgents.ts";
import {sendProbeRequest} from "./sendProbeRequest.ts";

export interface AgentsApiOptions {
    /** Environment searched for agents (PATH, HOME, AGENTFIT_AGENT_DIRS). Default process.env. */
    env?: NodeJS.ProcessEnv;
}

const agentSchema = z.enum(codingAgentIds as [CodingAgentId, ...CodingAgentId[]]);
const endpointFields = {
    baseUrl: z.url({protocol: /^https?$/}),
    model: z.string().trim().min(1).max(500),
    apiKey: z.string().min(1).max(4000).optional()
};
const targetSchema = z.strictObject({agent: agentSchema, ...endpointFields});
const testTargetSchema = z.union([
    targetSchema,
    z.strictObject({protocol: z.enum(["openai-chat", "anthropic-messages", "openai-responses"] satisfies AgentProtocol[]), ...endpointFields})
]);

/** Placeholder folder shown in recipes; the launch command makes a real temporary one. */
const CONFIG_DIR = "$AGENTFIT_AGENT_CONFIG";
const shellQuote = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`);

/** The agents domain: which agents are installed, how to connect each, and a one-request connection test. */
export function createAgentsApi(options: AgentsApiOptions = {}): MethodTable<AgentsApi> {
    const env = options.env ?? process.env;
    return {
        "agents.list": {schema: emptyArgument, handler: () => Promise.all(codingAgentIds.map((id) => describeAgent(codingAgents[id], env)))},

        "agents.connection": {
            schema: targetSchema.extend({contextSize: z.int().min(256).max(16_777_216).optional()}),
            async handler({agent: id, baseUrl, model, apiKey, contextSize}): Promise<AgentConnectionRecipe> {
                const agent = codingAgents[id];
                const setup = agent.connect({baseUrl, model, apiKey: apiKey ?? "agentfit", contextSize: contextSize ?? agent.contextSize}, CONFIG_DIR);
                const lines = [
                    ...(setup.files.length ? [`export AGENTFIT_AGENT_CONFIG="$(mktemp -d)"`] : []),
                    ...setup.files.map((file) => `cat > "${CONFIG_DIR}/${file.path}" <<'EOF'\n${file.content.trimEnd()}\nEOF`),
                    ...Object.entries(setup.env).map(([name, value]) => `export ${name}=${value.startsWith(CONFIG_DIR) ? `"${value}"` : shellQuote(value)}`),
                    [agent.executable, ...setup.args.map((arg) => (arg.startsWith(CONFIG_DIR) ? `"${arg}"` : shellQuote(arg)))].join(" ")
                ];
                return {agent: id, shell: lines.join("\n"), files: setup.files, launch: `agentfit launch ${id} --model ${shellQuote(model)}`};
            }
        },

        "agents.testConnection": {
            schema: testTargetSchema,
            async handler(target): Promise<AgentConnectionTest> {
                const agent = target.agent ?? null;
                const protocol = target.agent !== undefined ? codingAgents[target.agent].protocol : target.protocol;
                const started = performance.now();
                try {
                    const answer = await sendProbeRequest(protocol, {baseUrl: target.baseUrl, model: target.model, apiKey: target.apiKey ?? "agentfit"});
                    return {agent, protocol, ...answer, durationMs: performance.now() - started};
                } catch (error) {
                    const cause = (error as {cause?: unknown}).cause;
                    const message = `${errorMessage(error)}${cause ? `: ${errorMessage(cause)}` : ""}`;
                    return {agent, protocol, ok: false, request: target.baseUrl, requestBody: "", status: null, message, events: 0, durationMs: performance.now() - started};
                }
            }
        }
    };
}
