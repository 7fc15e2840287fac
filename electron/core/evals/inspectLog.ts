import type {EvalMessage, EvalSampleSummary, EvalScoring, EvalUsage, InspectEvalLog} from "../../api/EvalApi.ts";
import type {EvalRunRecord} from "../store/evalRepository.ts";
import type {RefactorTask} from "./tasks/refactorTasks.ts";
import {toolDefinitions} from "./workspaceTools.ts";

export interface InspectLogInput {
    run: EvalRunRecord;
    task: RefactorTask;
    samples: readonly (EvalSampleSummary & {scoring: EvalScoring | null})[];
    messages: (sampleId: number) => EvalMessage[];
    appVersion: string;
}

const SOLVER = "agentfit/tool_loop";

function inspectUsage(usage: EvalUsage) {
    return {
        input_tokens: usage.inputTokens,
        output_tokens: usage.outputTokens,
        total_tokens: usage.inputTokens + usage.cachedInputTokens + usage.outputTokens,
        input_tokens_cache_read: usage.cachedInputTokens
    };
}

function sumUsage(samples: readonly EvalSampleSummary[]): EvalUsage {
    return samples.reduce(
        (sum, s) => ({
            inputTokens: sum.inputTokens + s.usage.inputTokens,
            cachedInputTokens: sum.cachedInputTokens + s.usage.cachedInputTokens,
            outputTokens: sum.outputTokens + s.usage.outputTokens
        }),
        {inputTokens: 0, cachedInputTokens: 0, outputTokens: 0}
    );
}

const toolErrorType = {unknownTool: "parsing", badArguments: "parsing", failed: "unknown"} as const;

/** Chat messages in Inspect's shape: tool calls with parsed arguments (and parse_error when they are not JSON). */
function inspectMessages(messages: EvalMessage[], model: string) {
    return messages.map((message) => {
        switch (message.role) {
            case "system":
                return {role: "system", content: message.content ?? "", source: "input"};
            case "user":
                return {role: "user", content: message.content ?? "", source: "input"};
            case "assistant":
                return {
                    role: "assistant",
                    content: message.content ?? "",
                    source: "generate",
                    model,
                    tool_calls: message.toolCalls?.length
                        ? message.toolCalls.map((call) => {
                              let parsed: unknown;
                              let parseError: string | null = null;
                              try {
                                  parsed = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
                              } catch (error) {
                                  parseError = `${(error as Error).message}: ${call.arguments}`;
                              }
                              const args = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
                              return {id: call.id, function: call.name, arguments: args, type: "function", ...(parseError ? {parse_error: parseError} : {})};
                          })
                        : null
                };
            case "tool":
                return {
                    role: "tool",
                    content: message.content ?? "",
                    tool_call_id: message.toolCallId ?? null,
                    function: message.toolName ?? null,
                    error: message.toolError ? {type: toolErrorType[message.toolError.kind], message: message.toolError.message} : null
                };
        }
    });
}

function stopReason(finishReason: string | null | undefined): string {
    return finishReason === "stop" || finishReason === "length" || finishReason === "tool_calls" || finishReason === "content_filter" ? finishReason : "unknown";
}

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

/**
 * An Inspect AI eval log (JSON, format version 2) for one run: one dataset sample (the task's
 * prompt) scored over `epochs` epochs by two scorers, "original" and "strict". `inspect view`
 * opens it. Keys and secrets are never part of a run record, so they cannot reach the log.
 */
export function buildInspectLog({run, task, samples, messages, appVersion}: InspectLogInput): InspectEvalLog {
    const spec = run.spec;
    const model = `${spec.model.provider}/${spec.model.model}`;
    const scored = samples.filter((s) => s.status === "completed" && s.score !== null);
    const metric = (pick: (s: EvalSampleSummary) => string | null) => {
        const values = scored.map((s) => (pick(s) === "C" ? 1 : 0));
        const n = values.length;
        const accuracy = n ? values.reduce((a: number, b: number) => a + b, 0) / n : 0;
        const stderr = n > 1 ? Math.sqrt((accuracy * (1 - accuracy)) / (n - 1)) : 0;
        return {accuracy: {name: "accuracy", value: accuracy, params: {}}, stderr: {name: "stderr", value: stderr, params: {}}};
    };
    const status = run.status === "completed" ? "success" : run.status === "cancelled" ? "cancelled" : run.status === "queued" || run.status === "running" ? "started" : "error";
    const generateConfig = {
        ...(spec.temperature !== undefined ? {temperature: spec.temperature} : {}),
        ...(spec.limits.maxOutputTokensPerTurn !== undefined ? {max_tokens: spec.limits.maxOutputTokensPerTurn} : {})
    };
    const limitType = {turns: "custom", tokens: "token", time: "time", output: "custom"} as const;
    const limitValue = {turns: spec.limits.maxTurns, tokens: spec.limits.maxTokens, time: spec.limits.maxWallTimeMs / 1000, output: spec.limits.maxOutputTokensPerTurn ?? null};

    return {
        version: 2,
        status,
        eval: {
            eval_id: `agentfit-${run.id}-${Date.parse(run.createdAt).toString(36)}`,
            run_id: `agentfit-run-${run.id}`,
            created: run.createdAt,
            task: `agentfit/${task.name}`,
            task_id: task.name,
            task_version: 1,
            task_display_name: task.title,
            task_attribs: {},
            task_args: {},
            task_args_passed: {},
            solver: SOLVER,
            solver_args: {system_prompt: spec.systemPrompt},
            tags: ["agentfit", spec.model.provider],
            dataset: {name: task.name, samples: 1, sample_ids: [task.name], shuffled: false},
            model,
            model_generate_config: generateConfig,
            model_base_url: spec.model.provider === "local" ? null : (spec.model.baseUrl ?? null),
            model_args: {},
            config: {epochs: spec.epochs, token_limit: spec.limits.maxTokens, time_limit: Math.round(spec.limits.maxWallTimeMs / 1000), max_samples: spec.concurrency},
            packages: {agentfit: appVersion},
            metadata: {
                agentfit_run_id: run.id,
                provider: spec.model.provider,
                quantization: spec.model.quantization ?? null,
                local_settings: spec.model.settings ?? null,
                max_turns: spec.limits.maxTurns,
                hardware_snapshot_id: run.hardwareSnapshotId,
                language: task.language,
                target_file: task.targetFile
            },
            scorers: [
                {name: "original", options: {}, metrics: [{name: "accuracy", options: {}}, {name: "stderr", options: {}}], metadata: {}},
                {name: "strict", options: {}, metrics: [{name: "accuracy", options: {}}, {name: "stderr", options: {}}], metadata: {}}
            ]
        },
        plan: {
            name: "plan",
            steps: [{solver: SOLVER, params: {system_prompt: spec.systemPrompt, tools: toolDefinitions.map((t) => t.function.name), max_turns: spec.limits.maxTurns}}],
            config: generateConfig
        },
        results: {
            total_samples: samples.length,
            completed_samples: scored.length,
            scores: [
                {name: "original", scorer: "original", scored_samples: scored.length, unscored_samples: samples.length - scored.length, params: {}, metrics: metric((s) => s.score)},
                {name: "strict", scorer: "strict", scored_samples: scored.length, unscored_samples: samples.length - scored.length, params: {}, metrics: metric((s) => s.strictScore)}
            ]
        },
        stats: {started_at: run.startedAt ?? "", completed_at: run.completedAt ?? "", model_usage: {[model]: inspectUsage(sumUsage(scored))}},
        ...(status === "error" && run.error ? {error: {message: `${run.error.code}: ${run.error.message}`, traceback: "", traceback_ansi: ""}} : {}),
        samples: scored.map((sample) => {
            const transcript = messages(sample.id);
            const last = [...transcript].reverse().find((m) => m.role === "assistant");
            const converted = inspectMessages(transcript, model);
            const lastConverted = [...converted].reverse().find((m) => m.role === "assistant");
            return {
                id: task.name,
                epoch: sample.epoch,
                input: task.prompt,
                target: `${task.functionName} calls a new top-level helper and the whole test suite passes`,
                messages: converted,
                output: {
                    model,
                    choices: lastConverted ? [{message: lastConverted, stop_reason: stopReason(last?.finishReason)}] : [],
                    usage: inspectUsage(sample.usage),
                    time: seconds(sample.modelMs)
                },
                scores: {
                    original: {value: sample.score, explanation: sample.scoring?.original.explanation ?? null, metadata: {failure_mode: sample.failureMode}},
                    strict: {value: sample.strictScore, explanation: sample.scoring?.strict.explanation ?? null, metadata: sample.scoring ? {checks: sample.scoring.checks} : {}}
                },
                metadata: {
                    failure_mode: sample.failureMode,
                    failure_detail: sample.failureDetail,
                    turns: sample.turns,
                    tool_calls: sample.toolCalls,
                    tool_errors: sample.toolErrors,
                    limit_hit: sample.limitHit,
                    scoring_ms: sample.scoringMs,
                    subprocess_ms: sample.subprocessMs
                },
                store: {},
                events: [],
                model_usage: {[model]: inspectUsage(sample.usage)},
                started_at: sample.startedAt,
                completed_at: sample.completedAt,
                total_time: seconds(sample.wallMs),
                working_time: seconds(sample.wallMs),
                uuid: `agentfit-${run.id}-${sample.id}`,
                ...(sample.error ? {error: {message: sample.error, traceback: "", traceback_ansi: ""}} : {}),
                ...(sample.limitHit ? {limit: {type: limitType[sample.limitHit], limit: limitValue[sample.limitHit]}} : {}),
                ...(sample.failureMode === "context_overflow" ? {limit: {type: "context", limit: spec.model.settings?.contextSize ?? 0}} : {})
            };
        })
    };
}
