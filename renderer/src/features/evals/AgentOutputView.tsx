import type {EvalAgentOutput} from "../../../../electron/api/EvalApi.ts";

/** Characters of each stream shown: the end, where an agent says how it finished. */
const TAIL_CHARS = 4000;

const tail = (text: string) => (text.length > TAIL_CHARS ? `… ${text.slice(-TAIL_CHARS)}` : text);
/** Arguments as typed, long ones (the task's prompt) shortened. */
const shownArgs = (args: string[]) => args.map((a) => (a.length > 80 ? JSON.stringify(`${a.slice(0, 60)}…`) : /[\s"]/.test(a) ? JSON.stringify(a) : a)).join(" ");

/** What a coding agent printed itself, beside the transcript AgentFit recorded on the wire: who ran, with which flags, how it ended. */
export function AgentOutputView({output}: {output: EvalAgentOutput}) {
    const ending = output.timedOut ? "killed at the wall-time limit" : output.exitCode === null ? "stopped by AgentFit (a limit) or could not start" : `exit code ${output.exitCode}`;
    return (
        <section className="agent-output" data-testid="agent-output" aria-label="The agent's own output">
            <h3 className="section-title">The agent's own output</h3>
            <dl className="facts">
                <dt>Agent</dt>
                <dd>
                    {output.agent}
                    {output.version ? ` ${output.version}` : ""}
                </dd>
                <dt>Ended</dt>
                <dd data-testid="agent-exit">{ending}</dd>
                <dt>Flags</dt>
                <dd>
                    <code className="agent-args">{shownArgs(output.args)}</code>
                </dd>
            </dl>
            {(["stdout", "stderr"] as const).map((stream) => (
                <div key={stream}>
                    <div className="muted small">
                        {stream}
                        {output[stream].length > TAIL_CHARS ? ` (last ${TAIL_CHARS.toLocaleString("en")} of ${output[stream].length.toLocaleString("en")} characters)` : ""}
                    </div>
                    <pre className="msg-text agent-stream" data-testid={`agent-${stream}`}>
                        {output[stream] ? tail(output[stream]) : "(nothing)"}
                    </pre>
                </div>
            ))}
        </section>
    );
}
