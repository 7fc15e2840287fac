import {Fragment, useState} from "react";
import type {EvalMessage, EvalSampleDetail, EvalScoreStep} from "../../../../electron/api/EvalApi.ts";
import {failureModeLabels, formatTokens, outsideAccessText, scoreWord, strictScoreMeaning} from "../../../../electron/shared/evalFormat.ts";
import {formatDuration} from "../../../../electron/shared/format.ts";
import {useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {Badge} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {AgentOutputView} from "./AgentOutputView.tsx";
import {DiffView} from "./DiffView.tsx";
import {sampleTone} from "./evalLabels.ts";
import "./TranscriptView.css";

/** What each scorer check is called in the transcript. */
const scoreStepLabels: Record<EvalScoreStep["check"], string> = {
    targetExists: "Target file",
    parses: "Parses",
    changed: "Changed",
    tests: "Tests (clean copy)",
    newHelper: "New helper",
    helperUsed: "Helper used",
    blockMoved: "Block moved out"
};

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Tool-call arguments as the model wrote them: one row per field, multi-line strings shown as text; raw when not a JSON object. */
function ToolArguments({text}: {text: string}) {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        return <pre className="msg-text">{text || "(no arguments)"}</pre>;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return <pre className="msg-text">{text}</pre>;
    const entries = Object.entries(parsed as Record<string, unknown>);
    if (entries.length === 0) return <div className="muted small">(no arguments)</div>;
    return (
        <dl className="tool-args">
            {entries.map(([key, value]) => (
                <div key={key} className="tool-arg">
                    <dt>{key}</dt>
                    <dd>
                        <pre className="msg-text">{typeof value === "string" ? value : JSON.stringify(value, null, 2)}</pre>
                    </dd>
                </div>
            ))}
        </dl>
    );
}

function Message({message, toolName}: {message: EvalMessage; toolName?: string}) {
    const [open, setOpen] = useState(message.role !== "system");
    if (message.role === "system")
        return (
            <div className="msg msg-system" data-testid="message">
                <button className="link" onClick={() => setOpen(!open)}>
                    System prompt ({message.content?.length ?? 0} characters) {open ? "▾" : "▸"}
                </button>
                {open && <pre className="msg-text">{message.content}</pre>}
            </div>
        );
    if (message.role === "tool")
        return (
            <div className={`msg msg-tool ${message.toolError ? "msg-error" : ""}`} data-testid="message">
                <div className="msg-head">
                    <Badge tone={message.toolError ? "bad" : "neutral"}>result · {toolName ?? message.toolName}</Badge>
                    {message.toolError && <span className="small">{message.toolError.kind === "unknownTool" ? "unknown tool" : message.toolError.kind === "badArguments" ? "bad arguments" : "failed"}</span>}
                </div>
                <pre className="msg-text">{message.content}</pre>
            </div>
        );
    return (
        <div className={`msg msg-${message.role}`} data-testid="message">
            <div className="msg-head">
                <Badge tone={message.role === "user" ? "accent" : "info"}>{message.role === "user" ? "user" : "assistant"}</Badge>
                {message.role === "assistant" && (
                    <span className="muted small">
                        {message.usage ? `${formatTokens(message.usage.inputTokens + message.usage.cachedInputTokens)} in · ${formatTokens(message.usage.outputTokens)} out` : ""}
                        {message.durationMs !== undefined ? ` · ${formatDuration(message.durationMs)}` : ""}
                        {message.finishReason ? ` · ${message.finishReason}` : ""}
                    </span>
                )}
            </div>
            {message.content && <div className="msg-text prose">{message.content}</div>}
            {message.toolCalls?.map((call) => (
                <div key={call.id} className="tool-call" data-testid="tool-call">
                    <div className="tool-call-name">
                        <code>{call.name}</code>
                        <span className="muted small">{call.id}</span>
                    </div>
                    <ToolArguments text={call.arguments} />
                </div>
            ))}
        </div>
    );
}

/** Every message, tool call and result of one sample, the scorer's checks, and the diff of each edited file. Live while it runs. */
export function TranscriptView({sampleId, onClose}: {sampleId: number; onClose: () => void}) {
    const sample = useApiQuery("eval.sample", {sampleId});
    useApiEvent("eval.sample.updated", (s) => {
        if (s.id === sampleId) void sample.reload();
    });
    const s: EvalSampleDetail | undefined = sample.data;
    const toolNames = new Map(s?.messages.flatMap((m) => m.toolCalls?.map((c) => [c.id, c.name] as const) ?? []));
    return (
        <Card
            title={`Transcript · sample #${sampleId}`}
            subtitle={s ? `Epoch ${s.epoch} · ${s.turns} turns · ${s.toolCalls} tool calls · ${formatDuration(s.wallMs)}` : undefined}
            actions={
                <button className="button" onClick={onClose}>
                    Close
                </button>
            }
            testId="transcript"
        >
            <ErrorBanner error={sample.error} />
            {s && (
                <>
                    <div className="scoreline" data-testid="transcript-score">
                        <Badge tone={sampleTone(s)} title={strictScoreMeaning}>
                            {s.status === "completed" ? `${capitalize(scoreWord(s.score))} · strict ${scoreWord(s.strictScore)}` : s.status}
                        </Badge>
                        {s.failureMode && <Badge tone="bad">{failureModeLabels[s.failureMode]}</Badge>}
                        {s.limitHit && <Badge tone="warn">{s.limitHit} limit hit</Badge>}
                        <span className="muted">{s.failureDetail ?? s.scoring?.strict.explanation}</span>
                    </div>
                    {outsideAccessText(s.outsideAccess) && (
                        <div className="notice warn" data-testid="outside-access">
                            <Icon name="warn" />
                            <div>Outside its workspace, the agent {outsideAccessText(s.outsideAccess)}.</div>
                        </div>
                    )}
                    {s.scoring?.steps && (
                        <dl className="facts checks" data-testid="score-steps">
                            {s.scoring.steps.map((step) => (
                                <Fragment key={step.check}>
                                    <dt>
                                        {scoreStepLabels[step.check]}
                                        {step.score === "strict" ? " (strict)" : ""}
                                    </dt>
                                    <dd>{step.passed === null ? step.detail : `${step.passed ? "passed" : "failed"} — ${step.detail}`}</dd>
                                </Fragment>
                            ))}
                        </dl>
                    )}
                    {s.scoring && !s.scoring.steps && (
                        <dl className="facts checks">
                            <dt>Target file</dt>
                            <dd>{s.scoring.checks.targetExists ? (s.scoring.checks.parses ? (s.scoring.checks.changed ? "exists, parses, changed" : "unchanged") : `does not parse: ${s.scoring.checks.parseError ?? ""}`) : "deleted"}</dd>
                            <dt>Tests (clean copy)</dt>
                            <dd>
                                {s.scoring.checks.tests
                                    ? s.scoring.checks.tests.ran
                                        ? `${s.scoring.checks.tests.tests} tests, ${s.scoring.checks.tests.failed} failed, ${s.scoring.checks.tests.errors} errors`
                                        : "the suite could not run"
                                    : "not run"}
                            </dd>
                            <dt>New functions</dt>
                            <dd>{s.scoring.checks.newFunctions.join(", ") || "none"}</dd>
                            <dt>Helper used</dt>
                            <dd>{s.scoring.checks.helperUsed ?? "no"}{s.scoring.checks.blockInline ? " · block still inline" : ""}</dd>
                        </dl>
                    )}
                    <div className={s.agentOutput ? "transcript-columns" : undefined}>
                        <div className="transcript" data-testid="messages">
                            {s.messages.map((m) => (
                                <Message key={m.seq} message={m} toolName={m.toolCallId ? toolNames.get(m.toolCallId) : undefined} />
                            ))}
                            {s.status === "running" && <div className="msg muted">Waiting for the model…</div>}
                        </div>
                        {s.agentOutput && <AgentOutputView output={s.agentOutput} />}
                    </div>
                    {s.diffs.length > 0 && (
                        <div className="diffs">
                            <h3 className="section-title">Edited files</h3>
                            {s.diffs.map((d) => (
                                <DiffView key={d.path} diff={d} />
                            ))}
                        </div>
                    )}
                    {s.status === "completed" && s.diffs.length === 0 && <div className="empty-inline">The agent changed no file.</div>}
                    {s.scoring?.checks.tests && !s.scoring.checks.tests.ran && <pre className="msg-text">{s.scoring.checks.tests.output}</pre>}
                </>
            )}
        </Card>
    );
}
