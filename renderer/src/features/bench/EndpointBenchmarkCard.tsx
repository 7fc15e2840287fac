import {Fragment, useEffect, useMemo, useState, type InputHTMLAttributes} from "react";
import type {EndpointBenchRequest, EndpointBenchRun, EndpointConnectResult, EndpointPhase, EndpointProtocol} from "../../../../electron/api/EndpointsApi.ts";
import {endpointLabel, endpointSummaryRows} from "../../../../electron/shared/endpointFormat.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {Badge, type Tone} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {Meter} from "../../components/Meter.tsx";
import {numberList} from "../../components/numberList.ts";
import "./EndpointBenchmarkCard.css";

type KeySource = "none" | "env" | "memory";

interface Form {
    baseUrl: string;
    /** "detect": the app asks the server (OpenAI's model list, then Anthropic's). */
    protocol: EndpointProtocol | "detect";
    keySource: KeySource;
    apiKeyEnv: string;
    /** Held in this component's state only: sent with the request, never stored. */
    apiKey: string;
    model: string;
    promptSizes: string;
    generatedTokens: string;
    repetitions: string;
    agentTurns: string;
    concurrency: string;
}

const defaultForm: Form = {
    baseUrl: "",
    protocol: "detect",
    keySource: "none",
    apiKeyEnv: "",
    apiKey: "",
    model: "",
    promptSizes: "128,512,2048",
    generatedTokens: "128",
    repetitions: "3",
    agentTurns: "4",
    concurrency: "1,2,4,8"
};

const phaseNames: Record<EndpointPhase, string> = {ttft: "time to first token", generation: "generation", agent: "agent turns", concurrency: "concurrency"};
const statusTone: Record<EndpointBenchRun["status"], Tone> = {running: "info", completed: "good", failed: "bad", cancelled: "warn", interrupted: "warn"};

/** The phases a run's spec asks for, in the order the benchmark measures them. */
function plannedPhases(run: EndpointBenchRun): EndpointPhase[] {
    const {spec} = run;
    return [
        spec.promptSizes.length > 0 ? ("ttft" as const) : null,
        spec.generatedTokens > 0 ? ("generation" as const) : null,
        spec.agentTurns > 0 ? ("agent" as const) : null,
        spec.concurrency.length > 0 ? ("concurrency" as const) : null
    ].filter((p) => p !== null);
}

/**
 * Benchmarks a server's endpoint from the Benchmark screen: connect (the models it lists and what it
 * says about them), then the same `endpoints.bench` the CLI runs, with its phases as progress and the
 * figures labelled with the endpoint and the model and quantization the server reports.
 */
export function EndpointBenchmarkCard() {
    const runs = useApiQuery("endpoints.runs", {limit: 20});
    const connect = useApiAction("endpoints.connect");
    const start = useApiAction("endpoints.bench");
    const cancel = useApiAction("endpoints.cancel");
    const [form, setForm] = useState<Form>(defaultForm);
    const [connection, setConnection] = useState<EndpointConnectResult | undefined>();
    const [selectedId, setSelectedId] = useState<number | undefined>();
    const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({...f, [key]: value}));
    // What was connected to is no longer what the form says once the address, protocol or key changes.
    const connectionKey = `${form.baseUrl}|${form.protocol}|${form.keySource}|${form.apiKeyEnv}|${form.apiKey}`;
    useEffect(() => setConnection(undefined), [connectionKey]);

    useApiEvent("endpoints.progress", (run) => {
        runs.update((list) => [run, ...(list ?? []).filter((r) => r.id !== run.id)].sort((a, b) => b.id - a.id));
    });

    const list = useMemo(() => runs.data ?? [], [runs.data]);
    const shown = list.find((r) => r.id === selectedId) ?? list[0];
    const running = list.find((r) => r.status === "running");

    const textField = (
        key: "baseUrl" | "apiKeyEnv" | "apiKey" | "promptSizes" | "generatedTokens" | "repetitions" | "agentTurns" | "concurrency",
        label: string,
        testId: string,
        {wide, ...input}: {wide?: boolean} & InputHTMLAttributes<HTMLInputElement> = {}
    ) => (
        <label className={wide ? "field wide" : "field"}>
            <span>{label}</span>
            <input {...input} value={form[key]} onChange={(e) => set(key, e.target.value)} data-testid={testId} />
        </label>
    );

    const protocolField = (): Pick<EndpointBenchRequest, "protocol"> => (form.protocol === "detect" ? {} : {protocol: form.protocol});
    const keyFields = (): Pick<EndpointBenchRequest, "apiKey" | "apiKeyEnv"> =>
        form.keySource === "env" ? {apiKeyEnv: form.apiKeyEnv.trim()} : form.keySource === "memory" ? {apiKey: form.apiKey} : {};

    const onConnect = async () => {
        const result = await connect.run({baseUrl: form.baseUrl.trim(), ...protocolField(), ...keyFields()});
        if (!result) return;
        setConnection(result);
        if (!result.models.includes(form.model)) set("model", result.models[0] ?? "");
    };

    const onStart = async () => {
        const run = await start.run({
            baseUrl: form.baseUrl.trim(),
            ...protocolField(),
            ...keyFields(),
            model: form.model,
            promptSizes: numberList(form.promptSizes),
            generatedTokens: Number(form.generatedTokens),
            repetitions: Number(form.repetitions),
            agentTurns: Number(form.agentTurns),
            concurrency: numberList(form.concurrency)
        });
        if (run) {
            runs.update((l) => [run, ...(l ?? []).filter((r) => r.id !== run.id)]);
            setSelectedId(run.id);
        }
    };

    return (
        <Card
            title={<><Icon name="server" /> Benchmark a server</>}
            subtitle="A model served elsewhere (llama-server, vLLM, Ollama, LM Studio, another AgentFit) measured through its API the way an agent uses it. Results are kept per endpoint, apart from this machine's."
            className="endpoint-bench"
            testId="endpoint-bench"
        >
            <ErrorBanner error={connect.error ?? start.error ?? cancel.error ?? runs.error} title="The endpoint benchmark could not do that" />
            <div className="form">
                {textField("baseUrl", "Base URL", "endpoint-base-url", {wide: true, placeholder: "http://gpu-box:8080/v1"})}
                <label className="field">
                    <span>Protocol</span>
                    <select value={form.protocol} onChange={(e) => set("protocol", e.target.value as Form["protocol"])} data-testid="endpoint-protocol">
                        <option value="detect">detect (OpenAI, then Anthropic)</option>
                        <option value="openai">OpenAI chat completions</option>
                        <option value="anthropic">Anthropic Messages</option>
                    </select>
                </label>
                <label className="field">
                    <span>API key</span>
                    <select value={form.keySource} onChange={(e) => set("keySource", e.target.value as KeySource)} data-testid="endpoint-key-source">
                        <option value="none">no key</option>
                        <option value="env">from an environment variable</option>
                        <option value="memory">enter it (kept in memory, never stored)</option>
                    </select>
                </label>
                {form.keySource === "env" && textField("apiKeyEnv", "Environment variable of the app process", "endpoint-key-env", {wide: true, placeholder: "GPU_BOX_KEY"})}
                {form.keySource === "memory" && textField("apiKey", "Key (sent with this run only; not saved)", "endpoint-key", {wide: true, type: "password", autoComplete: "off"})}
            </div>
            <div className="form-actions">
                <button className="button" onClick={() => void onConnect()} disabled={connect.running || form.baseUrl.trim() === ""} data-testid="endpoint-connect">
                    <Icon name="plug" size={16} /> {connect.running ? "Connecting…" : "Connect"}
                </button>
            </div>
            {connection && (
                <div className="endpoint-connection" data-testid="endpoint-connection">
                    <p className="small">
                        <Badge tone="good">connected</Badge> {connection.server?.kind ?? "server"} at {connection.baseUrl}{" "}
                        <span data-testid="endpoint-protocol-used">({connection.protocol === "anthropic" ? "Anthropic Messages" : "OpenAI chat completions"})</span> lists {connection.models.length} model{connection.models.length === 1 ? "" : "s"}
                        {connection.server?.quantization ? ` · ${connection.server.quantization}` : ""}
                        {connection.server?.contextSize ? ` · ${connection.server.contextSize.toLocaleString()} tokens of context` : ""}
                        {connection.server?.parallelSlots ? ` · ${connection.server.parallelSlots} parallel slot${connection.server.parallelSlots === 1 ? "" : "s"}` : ""}.
                    </p>
                    <div className="form">
                        <label className="field wide">
                            <span>Model</span>
                            <select value={form.model} onChange={(e) => set("model", e.target.value)} data-testid="endpoint-model">
                                {connection.models.map((m) => (
                                    <option key={m} value={m}>
                                        {m}
                                    </option>
                                ))}
                            </select>
                        </label>
                        {textField("promptSizes", "Prompt sizes (tokens)", "endpoint-prompt-sizes")}
                        {textField("generatedTokens", "Generated tokens", "endpoint-tg", {type: "number", min: 0})}
                        {textField("repetitions", "Repetitions", "endpoint-reps", {type: "number", min: 1, max: 20})}
                        {textField("agentTurns", "Agent turns", "endpoint-agent-turns", {type: "number", min: 0, max: 20})}
                        {textField("concurrency", "Simultaneous streams", "endpoint-concurrency", {wide: true})}
                    </div>
                    <div className="form-actions">
                        <button className="button primary" onClick={() => void onStart()} disabled={start.running || running !== undefined || form.model === ""} data-testid="endpoint-start">
                            <Icon name="play" size={16} /> {start.running ? "Checking the endpoint…" : "Benchmark the endpoint"}
                        </button>
                    </div>
                </div>
            )}
            {list.length > 0 && (
                <div className="endpoint-runs">
                    {list.length > 1 && (
                        <label className="field">
                            <span>Endpoint run</span>
                            <select value={shown?.id} onChange={(e) => setSelectedId(Number(e.target.value))} data-testid="endpoint-run-select">
                                {list.map((r) => (
                                    <option key={r.id} value={r.id}>
                                        e{r.id} · {r.status} · {endpointLabel(r)}
                                    </option>
                                ))}
                            </select>
                        </label>
                    )}
                    {shown && <EndpointRunView run={shown} cancelling={cancel.running} onCancel={() => void cancel.run({runId: shown.id})} />}
                </div>
            )}
        </Card>
    );
}

function EndpointRunView(props: {run: EndpointBenchRun; cancelling: boolean; onCancel(): void}) {
    const {run} = props;
    const planned = plannedPhases(run);
    const s = run.summary;
    const tile = (label: string, value: string, testId: string) => (
        <div className="tile" data-testid={testId}>
            <div className="tile-label">{label}</div>
            <div className="tile-value">{value}</div>
        </div>
    );
    const tps = (value: number | null) => (value === null ? "–" : `${value.toFixed(value >= 100 ? 0 : 1)} tok/s`);
    return (
        <div className="endpoint-run" data-testid="endpoint-run">
            <div className="endpoint-run-head">
                <strong data-testid="endpoint-run-label">{endpointLabel(run)}</strong>
                <Badge tone={statusTone[run.status]} testId="endpoint-run-status">
                    {run.status}
                </Badge>
                <span className="muted small">
                    {run.spec.protocol === "anthropic" ? "Anthropic Messages" : "OpenAI chat completions"}
                    {run.spec.apiKeyEnv ? ` · key from ${run.spec.apiKeyEnv}` : run.spec.apiKeyInMemory ? " · key entered for this run (not stored)" : ""}
                </span>
            </div>
            {run.status === "running" && (
                <div data-testid="endpoint-progress">
                    <Meter capacity={Math.max(1, planned.length)} segments={[{label: "Phases done", value: run.phasesDone.length, tone: "info"}]} label="Phases done" />
                    <div className="muted small">
                        {run.phase ? `Measuring ${phaseNames[run.phase]}` : "Starting"} · {run.phasesDone.length} of {planned.length} phases done
                    </div>
                    <div className="form-actions">
                        <button className="button" onClick={props.onCancel} disabled={props.cancelling} data-testid="endpoint-cancel">
                            <Icon name="stop" size={16} /> {props.cancelling ? "Cancelling…" : "Cancel"}
                        </button>
                    </div>
                </div>
            )}
            {run.error && (
                <div className="notice bad" data-testid="endpoint-run-error">
                    [{run.error.code}] {run.error.message}
                </div>
            )}
            <div className="tiles">
                {tile("Generation", tps(s.generationTps), "endpoint-generation")}
                {tile("Prompt processing", tps(s.promptTps), "endpoint-prompt")}
                {tile("First token", s.timeToFirstTokenMs === null ? "–" : `${Math.round(s.timeToFirstTokenMs)} ms`, "endpoint-ttft")}
                {tile("Agent turn", s.turnSeconds === null ? "–" : `${s.turnSeconds.toFixed(1)} s`, "endpoint-turn")}
            </div>
            <dl className="facts" data-testid="endpoint-summary">
                {endpointSummaryRows(run).map(([label, value]) => (
                    <Fragment key={label}>
                        <dt>{label}</dt>
                        <dd>{value}</dd>
                    </Fragment>
                ))}
            </dl>
        </div>
    );
}
