import type {BenchAgentTurn} from "../../api/BenchApi.ts";
import type {AgentWorkloadScript} from "../../protocol/engineProtocol.ts";
import {AppError} from "../../shared/AppError.ts";
import type {LoadedEngineModel} from "../model/loadEngineModel.ts";
import type {ChatCompletionRequest, ChatMessage} from "../server/chatCompletionRequest.ts";
import {OpenAiHttpError} from "../server/OpenAiHttpError.ts";
import {runChatCompletion} from "../server/runChatCompletion.ts";
import {notifyListener} from "../../shared/notifyListener.ts";

export interface AgentWorkloadOptions {
    /** The conversation to replay: system prompt, task, tools and canned tool results (the app builds it). */
    script: AgentWorkloadScript;
    /** Model calls per repetition. */
    turns: number;
    /** Tokens the model may generate per turn. */
    maxTokensPerTurn: number;
    /** Timed repetitions (each a fresh conversation on an emptied sequence). */
    repetitions: number;
    /** Run one untimed turn first. Default true. */
    warmup?: boolean;
    signal: AbortSignal;
    /** Called after each timed turn; listener errors are ignored. */
    onTurn?: (turn: BenchAgentTurn) => void;
    onWarmup?: () => void;
}

/**
 * The agent-shaped workload: a coding agent's system prompt, its tool schemas and a source file, then
 * several turns, each resending the whole conversation the way OpenAI-compatible agents do. It goes
 * through the serving path (`runChatCompletion`: chat template, function-calling prompt, sequence
 * routing and prefix reuse), so what a turn costs here is what it costs an agent. Whatever the model
 * answers is kept: tool calls get canned tool results, plain answers a "continue" from the user.
 */
export async function runAgentWorkload(loaded: LoadedEngineModel, options: AgentWorkloadOptions): Promise<BenchAgentTurn[]> {
    const {script} = options;
    const opening: ChatMessage[] = [
        {role: "system", content: script.systemPrompt},
        {role: "user", content: script.userPrompt}
    ];
    const turns: BenchAgentTurn[] = [];

    const conversation = async (repetition: number, turnCount: number, timed: boolean) => {
        // Each repetition starts cold, as a new agent session would.
        const lease = await loaded.pool.acquire([], options.signal);
        try {
            await lease.sequence.clearHistory();
        } finally {
            lease.release();
        }
        const messages: ChatMessage[] = [...opening];
        for (let turn = 0; turn < turnCount; turn++) {
            options.signal.throwIfAborted();
            const request = {
                model: "bench",
                messages,
                tools: script.tools,
                max_tokens: options.maxTokensPerTurn,
                temperature: 0,
                seed: 42 + turn
            } as ChatCompletionRequest;
            const started = performance.now();
            let outcome: Awaited<ReturnType<typeof runChatCompletion>>;
            try {
                outcome = await runChatCompletion(loaded, request, {signal: options.signal});
            } catch (error) {
                if (error instanceof OpenAiHttpError && error.code === "context_length_exceeded")
                    throw new AppError(
                        "DEPTH_EXCEEDS_CONTEXT",
                        `Turn ${turn + 1} of the agent workload needs more than the ${loaded.context.contextSize}-token context: ${error.message} Use a larger context size or fewer turns.`
                    );
                throw error;
            }
            const totalMs = performance.now() - started;
            if (timed) {
                const entry: BenchAgentTurn = {
                    repetition,
                    turn,
                    promptTokens: outcome.usage.promptTokens,
                    cachedTokens: outcome.usage.cachedTokens,
                    generatedTokens: outcome.usage.completionTokens,
                    promptMs: outcome.timings.prompt_ms,
                    generationMs: outcome.timings.predicted_ms,
                    totalMs,
                    toolCalls: outcome.toolCalls.length
                };
                turns.push(entry);
                notifyListener(options.onTurn, entry);
            }
            if (outcome.toolCalls.length > 0) {
                messages.push({
                    role: "assistant",
                    content: outcome.content || null,
                    tool_calls: outcome.toolCalls.map((call) => ({id: call.id, type: "function" as const, function: {name: call.name, arguments: call.arguments}}))
                });
                for (const call of outcome.toolCalls) messages.push({role: "tool", tool_call_id: call.id, content: script.toolResults[call.name] ?? script.defaultToolResult});
            } else {
                messages.push({role: "assistant", content: outcome.content});
                messages.push({role: "user", content: script.continuePrompt});
            }
        }
    };

    if (options.warmup ?? true) {
        notifyListener(options.onWarmup);
        await conversation(-1, 1, false);
    }
    for (let repetition = 0; repetition < options.repetitions; repetition++) await conversation(repetition, options.turns, true);
    return turns;
}
