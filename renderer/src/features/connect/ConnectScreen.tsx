import {useEffect, useMemo, useState} from "react";
import type {AgentConnectionTest, AgentProtocol, CodingAgentInfo, ConnectionTestTarget} from "../../../../electron/api/AgentsApi.ts";
import type {EngineStatus} from "../../../../electron/api/EngineApi.ts";
import {agentSnippets} from "../../../../electron/shared/agentSnippets.ts";
import {formatDuration} from "../../../../electron/shared/format.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {Badge} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {CopyButton} from "../../components/CopyButton.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {PageHeader} from "../../components/PageHeader.tsx";
import "./ConnectScreen.css";

/** The model being served, as agents reach it. */
interface Served {
    baseUrl: string;
    model: string;
    apiKey?: string;
    contextSize: number;
}

const protocolLabel: Record<AgentProtocol, string> = {
    "anthropic-messages": "Anthropic Messages API · /v1/messages",
    "openai-responses": "OpenAI Responses API · /v1/responses",
    "openai-chat": "OpenAI chat completions · /v1/chat/completions"
};

const tokens = (n: number) => `${n.toLocaleString("en-US")} tokens`;

export function ConnectScreen() {
    const statusQuery = useApiQuery("engine.status", {});
    const agents = useApiQuery("agents.list", {});
    const [status, setStatus] = useState<EngineStatus | undefined>();
    useEffect(() => {
        if (statusQuery.data) setStatus(statusQuery.data);
    }, [statusQuery.data]);
    useApiEvent("engine.status", setStatus);

    const served: Served | null = useMemo(
        () =>
            status?.state === "ready" && status.server && status.model
                ? {baseUrl: status.server.baseUrl, model: status.model.id, apiKey: status.server.apiKey ?? undefined, contextSize: status.model.settings.contextSize}
                : null,
        [status]
    );

    return (
        <div className="page connect-page">
            <PageHeader
                title="Connect"
                subtitle="Point a coding agent at the model being served: the exact set-up for each agent, the one command that does it all, and a test request in the agent's own protocol."
            />
            <ErrorBanner error={agents.error ?? statusQuery.error} title="Could not read the agents or the engine" />
            {served ? (
                <div className="connect-target" data-testid="connect-target">
                    <Icon name="server" />
                    <div>
                        <strong data-testid="connect-model">{served.model}</strong> is served at <code data-testid="connect-base-url">{served.baseUrl}</code> with{" "}
                        {tokens(served.contextSize)} of context{served.apiKey ? " (the key is filled in below)" : ""}.
                    </div>
                </div>
            ) : (
                <div className="notice warn" data-testid="connect-not-serving">
                    <Icon name="warn" />
                    <div>
                        {status?.state === "loading" || status?.state === "starting" ? "The model is loading; " : "No model is being served; "}
                        the set-up below needs a served model. <a href="#/serve">Start one on the Serve screen</a>, or run <code>agentfit launch &lt;agent&gt;</code>{" "}
                        in a terminal, which serves the model and starts the agent in one step.
                    </div>
                </div>
            )}
            <div className="grid grid-2 connect-agents">
                {agents.loading && !agents.data && <div className="empty-inline">Looking for agents on this machine…</div>}
                {agents.data?.map((agent) => <AgentCard key={agent.id} agent={agent} served={served} />)}
            </div>
            {served && <OtherClients served={served} />}
        </div>
    );
}

function AgentCard({agent, served}: {agent: CodingAgentInfo; served: Served | null}) {
    const tooSmall = served !== null && served.contextSize < agent.minimumContext;
    return (
        <Card
            title={agent.label}
            subtitle={protocolLabel[agent.protocol]}
            actions={
                agent.installed ? (
                    <Badge tone="good" testId={`agent-installed-${agent.id}`} title={agent.path ?? undefined}>
                        {agent.version ? `installed · ${agent.version}` : "installed"}
                    </Badge>
                ) : (
                    <Badge tone="neutral" testId={`agent-installed-${agent.id}`}>
                        not installed
                    </Badge>
                )
            }
            className="connect-agent"
            testId={`agent-card-${agent.id}`}
        >
            <dl className="facts">
                <dt>Context</dt>
                <dd>
                    first request about {tokens(agent.firstRequestTokens)}; needs at least {tokens(agent.minimumContext)}, launched with {tokens(agent.contextSize)}
                    {tooSmall && (
                        <div className="connect-warning" data-testid={`context-warning-${agent.id}`}>
                            <Badge tone="warn">too small</Badge> The model is served with {tokens(served.contextSize)}: {agent.label}'s first request will not fit. Serve it
                            with {tokens(agent.minimumContext)} or more.
                        </div>
                    )}
                </dd>
                <dt>Tested with</dt>
                <dd>{agent.testedVersion}</dd>
                {!agent.installed && (
                    <>
                        <dt>Install</dt>
                        <dd>
                            <div className="connect-line">
                                <code data-testid={`agent-install-${agent.id}`}>{agent.install}</code>
                                <CopyButton text={agent.install} />
                            </div>
                        </dd>
                    </>
                )}
            </dl>
            {served ? <AgentConnection agent={agent} served={served} /> : <div className="empty-inline">Serve a model to see how to connect {agent.label}.</div>}
        </Card>
    );
}

function AgentConnection({agent, served}: {agent: CodingAgentInfo; served: Served}) {
    const target = {agent: agent.id, baseUrl: served.baseUrl, model: served.model, ...(served.apiKey ? {apiKey: served.apiKey} : {})};
    const recipe = useApiQuery("agents.connection", {...target, contextSize: served.contextSize});
    return (
        <div className="connect-recipe">
            <ErrorBanner error={recipe.error} title="Could not build the set-up" />
            {recipe.data && (
                <>
                    <div className="connect-head">
                        <span className="muted">One command: serves a model and runs {agent.label} on it</span>
                        <CopyButton text={recipe.data.launch} testId={`copy-launch-${agent.id}`} />
                    </div>
                    <pre className="code-block" data-testid={`launch-command-${agent.id}`}>
                        <code>{recipe.data.launch}</code>
                    </pre>
                    <div className="connect-head">
                        <span className="muted">Or point it at this server yourself (shell)</span>
                        <CopyButton text={recipe.data.shell} testId={`copy-shell-${agent.id}`} />
                    </div>
                    <pre className="code-block" data-testid={`connect-shell-${agent.id}`}>
                        <code>{recipe.data.shell}</code>
                    </pre>
                </>
            )}
            <ConnectionTest target={target} testId={agent.id} label={`one request as ${agent.label} sends it`} />
        </div>
    );
}

/** Clients set up by hand (editors, R, curl), all on chat completions, with one test of that protocol. */
function OtherClients({served}: {served: Served}) {
    const snippets = useMemo(() => agentSnippets(served), [served]);
    const [selected, setSelected] = useState(snippets[0]!.id);
    const snippet = snippets.find((s) => s.id === selected) ?? snippets[0]!;
    return (
        <Card
            title={<><Icon name="plug" /> Editors and other clients</>}
            subtitle="Set up by hand; all of them speak OpenAI chat completions to this server."
            testId="snippets-card"
        >
            <div className="tabs" role="tablist">
                {snippets.map((s) => (
                    <button key={s.id} role="tab" aria-selected={s.id === snippet.id} className={`tab ${s.id === snippet.id ? "active" : ""}`} onClick={() => setSelected(s.id)} data-testid={`snippet-tab-${s.id}`}>
                        {s.label}
                    </button>
                ))}
            </div>
            <div className="connect-head">
                <span className="muted">{snippet.where}</span>
                <CopyButton text={snippet.code} testId="copy-snippet" />
            </div>
            <pre className="code-block" data-testid="snippet-code">
                <code>{snippet.code}</code>
            </pre>
            <p className="muted">{snippet.note}</p>
            <ConnectionTest
                target={{protocol: "openai-chat", baseUrl: served.baseUrl, model: served.model, ...(served.apiKey ? {apiKey: served.apiKey} : {})}}
                testId="openai-chat"
                label="one streamed chat completion"
            />
        </Card>
    );
}

function ConnectionTest({target, testId, label}: {target: ConnectionTestTarget; testId: string; label: string}) {
    const test = useApiAction("agents.testConnection");
    const [result, setResult] = useState<AgentConnectionTest | undefined>();
    return (
        <div className="connect-test">
            <div className="connect-head">
                <button
                    className="button"
                    onClick={() => {
                        setResult(undefined);
                        void test.run(target).then((answer) => answer && setResult(answer));
                    }}
                    disabled={test.running}
                    data-testid={`test-connection-${testId}`}
                >
                    <Icon name="bolt" size={16} />
                    {test.running ? "Testing…" : "Test connection"}
                </button>
                <span className="muted">{label}</span>
            </div>
            <ErrorBanner error={test.error} title="The test could not run" />
            {result && <TestResult result={result} testId={testId} />}
        </div>
    );
}

function TestResult({result, testId}: {result: AgentConnectionTest; testId: string}) {
    return (
        <div className={`connect-result ${result.ok ? "ok" : "failed"}`} data-testid={`test-result-${testId}`} data-ok={String(result.ok)}>
            <div className="connect-result-head">
                <Badge tone={result.ok ? "good" : "bad"}>{result.ok ? "Connected" : "Failed"}</Badge>
                <span data-testid={`test-summary-${testId}`}>
                    {result.status !== null ? `HTTP ${result.status}` : "no answer"} · {result.events} streamed events · {formatDuration(result.durationMs)}
                </span>
            </div>
            <dl className="facts">
                <dt>Request</dt>
                <dd>
                    <code data-testid={`test-request-${testId}`}>{result.request}</code>
                    {result.requestBody && (
                        <details>
                            <summary>Body sent</summary>
                            <pre className="code-block">{result.requestBody}</pre>
                        </details>
                    )}
                </dd>
                <dt>{result.ok ? "Answer" : "Error"}</dt>
                <dd data-testid={`test-message-${testId}`}>{result.message || <span className="muted">(empty: the model ended its turn at once)</span>}</dd>
            </dl>
        </div>
    );
}
