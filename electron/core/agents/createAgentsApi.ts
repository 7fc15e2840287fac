import {z} from "zod";
import type {AgentConnectionRecipe, AgentConnectionTest, AgentsApi, CodingAgentId} from "../../api/AgentsApi.ts";
import {errorMessage} from "../../shared/AppError.ts";
import {emptyArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {codingAgentIds, codingAgents, describeAgent} from "./codingAgents.ts";
import {sendProbeRequest} from "./sendProbeRequest.ts";

export interface AgentsApiOptions {
    /** Environment searched for agents (PATH, HOME, AGENTFIT_AGENT_DIRS). Default process.env. */
    env?: NodeJS.ProcessEnv;
}

const agentSchema = z.enum(codingAgentIds as [CodingAgentId, ...CodingAgentId[]]);
const targetSchema = z.strictObject({
    agent: agentSchema,
    baseUrl: z.url({protocol: /^https?$/}),
    model: z.string().trim().min(1).max(500),
    apiKey: z.string().min(1).max(4000).optional()
});

/** Placeholder folder shown in recipes; the launch command makes a real temporary one. */
const CONFIG_DIR = "$AGENTFIT_AGENT_CONFIG";
const shellQuote = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`);

/** The agents domain: which agents are installed, how to connect each, and a one-request connection test. */
export function createAgentsApi(options: AgentsApiOptions = {}): MethodTable<AgentsApi> {
    const env = options.env ?? process.env;
    return {
        "agents.list": {schema: emptyArgument, handler: () => Promise.all(codingAgentIds.map((id) => describeAgent(codingAgents[id], env)))},

        "agents.connection": {
            schema: targetSchema,
            async handler({agent: id, baseUrl, model, apiKey}): Promise<AgentConnectionRecipe> {
                const agent = codingAgents[id];
                const setup = agent.connect({baseUrl, model, apiKey: apiKey ?? "agentfit", contextSize: agent.contextSize}, CONFIG_DIR);
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
            schema: targetSchema,
            async handler({agent: id, baseUrl, model, apiKey}): Promise<AgentConnectionTest> {
                const agent = codingAgents[id];
                const started = performance.now();
                try {
                    const answer = await sendProbeRequest(agent.protocol, {baseUrl, model, apiKey: apiKey ?? "agentfit"});
                    return {agent: id, ...answer, durationMs: performance.now() - started};
                } catch (error) {
                    return {agent: id, ok: false, request: baseUrl, status: null, message: errorMessage(error), durationMs: performance.now() - started};
                }
            }
        }
    };
}
