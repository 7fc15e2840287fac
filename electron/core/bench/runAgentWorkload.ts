import fs from "node:fs";
import path from "node:path";
import type {BenchAgentTurn} from "../../api/BenchApi.ts";
import type {ChatCompletionRequest, ChatMessage} from "../engine/chatCompletionRequest.ts";
import type {LoadedEngineModel} from "../engine/loadEngineModel.ts";
import {OpenAiHttpError} from "../engine/OpenAiHttpError.ts";
import {runChatCompletion} from "../engine/runChatCompletion.ts";
import {systemPrompts} from "../evals/systemPrompts.ts";
import {loadRefactorTasks} from "../evals/tasks/refactorTasks.ts";
import {toolDefinitions} from "../evals/workspaceTools.ts";
import {BenchError} from "./BenchError.ts";

export interface AgentWorkloadOptions {
    /** Model calls per repetition. */
    turns: number;
    /** Tokens the model may generate per turn. */
    maxTokensPerTurn: number;
    /** "long": thousands of tokens, like real coding agents' prompts; "concise": AgentFit's short one. */
    systemPrompt: "long" | "concise";
    /** Timed repetitions (each a fresh conversation on an emptied sequence). */
    repetitions: number;
    /** Run one untimed turn first. Default true. */
    warmup?: boolean;
    signal: AbortSignal;
    /** Called after each timed turn; listener errors are ignored. */
    onTurn?: (turn: BenchAgentTurn) => void;
    onWarmup?: () => void;
}

const TASK = "js-timesheet-durations";

/** The conversation's opening: the eval's own task prompt with its whole target file attached. */
function openingMessages(systemPrompt: "long" | "concise"): {messages: ChatMessage[]; sourceFile: string} {
    const task = loadRefactorTasks().find((t) => t.name === TASK) ?? loadRefactorTasks()[0]!;
    const sourceFile = fs.readFileSync(path.join(task.projectDir, task.targetFile), "utf8");
    return {
        sourceFile,
        messages: [
            {role: "system", content: systemPrompts[systemPrompt]},
            {role: "user", content: `${task.prompt}\n\nHere is ${task.targetFile}:\n\n\`\`\`${task.fence}\n${sourceFile}\n\`\`\``}
        ]
    };
}

/** What a tool would have answered: deterministic, about the size real tool results have. */
function toolResult(name: string, sourceFile: string): string {
    if (name === "read_file") return sourceFile;
    if (name === "run_tests") return "ok 1 - durations add up\nok 2 - invoice totals\nok 3 - formats hours\n# pass 3\n# fail 0";
    if (name === "list_files") return "README.md (412 bytes)\npackage.json (208 bytes)\nsrc/format.js (1190 bytes)\nsrc/index.js (96 bytes)\nsrc/invoice.js (2307 bytes)\ntest/invoice.test.js (1873 bytes)";
    if (name === "search_files") return sourceFile.split("\n").slice(0, 8).map((line, i) => `src/invoice.js:${i + 1}: ${line}`).join("\n");
    return "Done.";
}

/**
 * The agent-shaped workload: a coding agent's system prompt, its tool schemas and a source file, then
 * several turns, each resending the whole conversation the way OpenAI-compatible agents do. It goes
 * through the serving path (`runChatCompletion`: chat template, function-calling prompt, sequence
 * routing and prefix reuse), so what a turn costs here is what it costs an agent. Whatever the model
 * answers is kept: tool calls get canned tool results, plain answers a "continue" from the user.
 */
export async function runAgentWorkload(loaded: LoadedEngineModel, options: AgentWorkloadOptions): Promise<BenchAgentTurn[]> {
    const {messages: opening, sourceFile} = openingMessages(options.systemPrompt);
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
                tools: toolDefinitions,
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
                    throw new BenchError(
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
                try {
                    options.onTurn?.(entry);
                } catch {}
            }
            if (outcome.toolCalls.length > 0) {
                messages.push({
                    role: "assistant",
                    content: outcome.content || null,
                    tool_calls: outcome.toolCalls.map((call) => ({id: call.id, type: "function" as const, function: {name: call.name, arguments: call.arguments}}))
                });
                for (const call of outcome.toolCalls) messages.push({role: "tool", tool_call_id: call.id, content: toolResult(call.name, sourceFile)});
            } else {
                messages.push({role: "assistant", content: outcome.content});
                messages.push({role: "user", content: "Continue: make the change in the file, then run the tests."});
            }
        }
    };

    if (options.warmup ?? true) {
        try {
            options.onWarmup?.();
        } catch {}
        await conversation(-1, 1, false);
    }
    for (let repetition = 0; repetition < options.repetitions; repetition++) await conversation(repetition, options.turns, true);
    return turns;
}

/** Characters of the workload's opening (system prompt, tools, task and file), for sizing a context before loading. */
export function agentOpeningCharacters(systemPrompt: "long" | "concise"): number {
    const {messages} = openingMessages(systemPrompt);
    return messages.reduce((sum, m) => sum + String(m.content).length, 0) + JSON.stringify(toolDefinitions).length;
}
