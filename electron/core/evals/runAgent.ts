import {randomUUID} from "node:crypto";
import type OpenAI from "openai";
import {APIError, APIUserAbortError} from "openai";
import type {ChatCompletionMessageParam, ChatCompletionMessageFunctionToolCall} from "openai/resources/chat/completions";
import type {EvalLimitKind, EvalLimits, EvalMessage, EvalUsage} from "../../api/EvalApi.ts";
import {emptyTrace, type SolverTrace} from "./EvalSolver.ts";
import type {ProviderDefinition} from "./providers.ts";
import {executeToolCall, toolDefinitions, type ToolContext} from "./workspaceTools.ts";
import {notifyListener} from "../../shared/notifyListener.ts";

export interface RunAgentOptions {
    /** An OpenAI client pointed at the provider's base URL (local engine or cloud: same path). */
    client: OpenAI;
    model: string;
    systemPrompt: string;
    prompt: string;
    tools: ToolContext;
    limits: EvalLimits;
    /** Sampling temperature; the provider's default when undefined. */
    temperature?: number;
    /** The request field that carries `limits.maxOutputTokensPerTurn` (the provider's, see ProviderDefinition). Default "max_tokens". */
    outputCapField?: ProviderDefinition["outputCapField"];
    /** Aborting stops the loop at once and rejects with the signal's reason. */
    signal?: AbortSignal;
    /** Every message as it joins the conversation, in order. Listener errors are ignored. */
    onMessage?: (message: EvalMessage) => void;
    /** After each turn (a model call and its tool calls). Listener errors are ignored. */
    onTurn?: (trace: SolverTrace) => void;
}

const CONTEXT_OVERFLOW =
    /context[ _-]?(length|size|window)|maximum context|exceed(s|ed)?[_ ]context|prompt is too long|too many tokens|input is too long|reduce the length|maximum number of tokens/i;

/** Tool calls a model wrote into its answer instead of calling them. */
const TEXT_TOOL_CALL = new RegExp(
    String.raw`<tool_call>|<function[=_]|"(name|function|tool)"\s*:\s*"(list_files|read_file|write_file|replace_in_file|search_files|run_tests)"|\b(list_files|read_file|write_file|replace_in_file|search_files|run_tests)\s*\(`
);

/**
 * The builtin agent (toolLoopSolver): a plain tool-calling loop over the OpenAI chat-completions API. It ends when the
 * model answers without tool calls, or at a limit (recorded), or on a provider error (recorded).
 * Tool-call arguments go back into the history exactly as the model produced them.
 */
export async function runAgent(options: RunAgentOptions): Promise<SolverTrace> {
    const started = performance.now();
    const deadline = started + options.limits.maxWallTimeMs;
    const trace = emptyTrace();
    let seq = 0;
    const record = (message: Omit<EvalMessage, "seq" | "createdAt">) => {
        const full: EvalMessage = {...message, seq: seq++, createdAt: new Date().toISOString()};
        notifyListener(options.onMessage, full);
    };
    const messages: ChatCompletionMessageParam[] = [
        {role: "system", content: options.systemPrompt},
        {role: "user", content: options.prompt}
    ];
    record({role: "system", content: options.systemPrompt});
    record({role: "user", content: options.prompt});

    const stopAt = (limit: EvalLimitKind) => {
        trace.limitHit = limit;
        trace.endReason = "limit";
    };

    for (;;) {
        options.signal?.throwIfAborted();
        if (trace.turns >= options.limits.maxTurns) {
            stopAt("turns");
            break;
        }
        if (trace.usage.inputTokens + trace.usage.cachedInputTokens + trace.usage.outputTokens >= options.limits.maxTokens) {
            stopAt("tokens");
            break;
        }
        const timeLeft = deadline - performance.now();
        if (timeLeft <= 0) {
            stopAt("time");
            break;
        }

        const timeout = AbortSignal.timeout(Math.ceil(timeLeft));
        const callSignal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
        const callStarted = performance.now();
        let completion: OpenAI.Chat.Completions.ChatCompletion;
        try {
            completion = await options.client.chat.completions.create(
                {
                    model: options.model,
                    messages,
                    tools: toolDefinitions,
                    tool_choice: "auto",
                    ...(options.temperature !== undefined ? {temperature: options.temperature} : {}),
                    ...(options.limits.maxOutputTokensPerTurn !== undefined
                        ? {[options.outputCapField ?? "max_tokens"]: options.limits.maxOutputTokensPerTurn}
                        : {})
                },
                {signal: callSignal}
            );
        } catch (error) {
            trace.modelMs += performance.now() - callStarted;
            options.signal?.throwIfAborted();
            if (timeout.aborted || error instanceof APIUserAbortError) {
                stopAt("time");
                break;
            }
            trace.providerError = describeProviderError(error);
            trace.endReason = "provider_error";
            break;
        }
        const durationMs = performance.now() - callStarted;
        trace.modelMs += durationMs;
        trace.turns++;

        const usage = completion.usage;
        const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
        const turnUsage: EvalUsage = {
            inputTokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached),
            cachedInputTokens: cached,
            outputTokens: usage?.completion_tokens ?? 0
        };
        trace.usage.inputTokens += turnUsage.inputTokens;
        trace.usage.cachedInputTokens += turnUsage.cachedInputTokens;
        trace.usage.outputTokens += turnUsage.outputTokens;

        const choice = completion.choices?.[0];
        if (!choice?.message) {
            trace.providerError = {message: "The provider answered without a message (no choices).", status: null, contextOverflow: false};
            trace.endReason = "provider_error";
            break;
        }
        const message = choice.message;
        const calls = (message.tool_calls ?? [])
            .filter((call): call is ChatCompletionMessageFunctionToolCall => call.type === "function" || "function" in call)
            .map((call) => ({
                ...call,
                id: call.id || `call_${randomUUID().slice(0, 12)}`,
                type: "function" as const,
                // The protocol says a JSON string; a few servers send an object, which cannot go back verbatim anyway.
                function: {name: call.function?.name ?? "", arguments: typeof call.function?.arguments === "string" ? call.function.arguments : JSON.stringify(call.function?.arguments ?? {})}
            }));
        const content = message.content ?? null;
        messages.push({
            role: "assistant",
            content,
            ...(calls.length > 0 ? {tool_calls: calls.map((c) => ({id: c.id, type: "function", function: {name: c.function.name, arguments: c.function.arguments}}))} : {})
        });
        record({
            role: "assistant",
            content,
            toolCalls: calls.map((c) => ({id: c.id, name: c.function.name, arguments: c.function.arguments})),
            usage: turnUsage,
            durationMs,
            finishReason: choice.finish_reason ?? null
        });

        if (calls.length === 0) {
            trace.finalText = content;
            trace.toolCallsAsText = TEXT_TOOL_CALL.test(content ?? "");
            const cap = options.limits.maxOutputTokensPerTurn;
            if (choice.finish_reason !== "length") trace.endReason = "answered";
            // Cut off by our own per-turn cap, not by a full context.
            else if (cap !== undefined && turnUsage.outputTokens >= cap) stopAt("output");
            else trace.endReason = "length";
            notifyListener(options.onTurn, trace);
            break;
        }

        for (const call of calls) {
            options.signal?.throwIfAborted();
            const toolStarted = performance.now();
            const outcome = await executeToolCall(options.tools, call.function.name, call.function.arguments ?? "");
            trace.toolMs += performance.now() - toolStarted;
            trace.subprocessMs += outcome.subprocessMs ?? 0;
            trace.toolCalls++;
            if (outcome.error) trace.toolErrors[outcome.error.kind]++;
            if (outcome.edited && !trace.edited.includes(outcome.edited)) trace.edited.push(outcome.edited);
            messages.push({role: "tool", tool_call_id: call.id, content: outcome.content});
            record({role: "tool", content: outcome.content, toolCallId: call.id, toolName: call.function.name, toolError: outcome.error});
        }
        trace.wallMs = performance.now() - started;
        notifyListener(options.onTurn, trace);
    }
    trace.wallMs = performance.now() - started;
    return trace;
}

function describeProviderError(error: unknown): NonNullable<SolverTrace["providerError"]> {
    if (error instanceof APIError) {
        const body = error.error as {message?: string; code?: string; type?: string} | undefined;
        const detail = [body?.message ?? error.message, body?.code, body?.type].filter(Boolean).join(" ");
        const status = typeof error.status === "number" ? error.status : null;
        const hint =
            status === 401 || status === 403
                ? " The API key was refused: check it."
                : status === 404
                  ? " Check the model name and the base URL."
                  : status === 429
                    ? " The provider is rate-limiting: lower the concurrency or try later."
                    : "";
        return {message: `${status ? `HTTP ${status}: ` : ""}${error.message}${hint}`, status, contextOverflow: CONTEXT_OVERFLOW.test(detail)};
    }
    const message = error instanceof Error ? error.message : String(error);
    return {message, status: null, contextOverflow: CONTEXT_OVERFLOW.test(message)};
}
