import OpenAI from "openai";
import type {EvalSolver} from "./EvalSolver.ts";
import {providerDefinitions} from "./providers.ts";
import {runAgent} from "./runAgent.ts";

/**
 * AgentFit's own harness: runAgent's tool-calling loop over the OpenAI client, with the file, search
 * and test tools of workspaceTools, the same for every provider. Retries live in the client.
 */
export const toolLoopSolver: EvalSolver = {
    id: "agentfit-tool-loop",
    solve(input) {
        const provider = providerDefinitions[input.endpoint.provider];
        const client = new OpenAI({
            baseURL: input.endpoint.baseUrl,
            apiKey: input.endpoint.apiKey ?? "agentfit-no-key",
            maxRetries: 2,
            timeout: input.limits.maxWallTimeMs,
            defaultHeaders: provider.headers
        });
        return runAgent({
            client,
            model: input.endpoint.model,
            systemPrompt: input.systemPrompt,
            prompt: input.prompt,
            tools: {root: input.workspace, toolchain: input.toolchain, signal: input.signal},
            limits: input.limits,
            temperature: input.temperature,
            outputCapField: provider.outputCapField,
            signal: input.signal,
            onMessage: input.onMessage,
            onTurn: input.onTurn
        });
    }
};
