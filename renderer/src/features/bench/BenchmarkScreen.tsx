import {useEffect, useMemo, useState} from "react";
import type {BenchKvCacheType, BenchResult, BenchRun, BenchRunDetail, BenchStartRequest} from "../../../../electron/api/BenchApi.ts";
import {formatBytes, formatElapsedAndEta, formatModelFile, plural, remainingSeconds} from "../../../../electron/shared/format.ts";
import {api} from "../../api/client.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {activatable} from "../../components/activatable.ts";
import {Badge, type Tone} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {Meter} from "../../components/Meter.tsx";
import {numberList} from "../../components/numberList.ts";
import {PageHeader} from "../../components/PageHeader.tsx";
import {screenLinkParams} from "../../components/screenLink.ts";
import {useNow} from "../../components/useNow.ts";
import {DepthChart, QuantizationChart} from "./BenchCharts.tsx";
import {EndpointBenchmarkCard} from "./EndpointBenchmarkCard.tsx";
import {EngineBinaryCard} from "./EngineBinaryCard.tsx";
import {benchConfigurationLabel as configurationLabel, benchNoiseWarning, benchSpeedText as speedText, benchTestName as testName} from "../../../../electron/shared/benchFormat.ts";
import "./BenchmarkScreen.css";

interface Form {
    models: string[];
    otherPath: string;
    promptTokens: string;
    generatedTokens: string;
    repetitions: string;
    depths: string;
    /** Tokens; "" lets the run size the context to its tests. */
    contextSize: string;
    kvCacheTypes: BenchKvCacheType[];
    threads: string;
    flashAttention: "auto" | "on" | "off" | "both";
    timeToFirstToken: boolean;
    agent: boolean;
    agentTurns: string;
}

const defaultForm: Form = {
    models: [],
    otherPath: "",
    promptTokens: "512",
    generatedTokens: "128",
    repetitions: "5",
    depths: "0",
    contextSize: "",
    kvCacheTypes: ["f16"],
    threads: "",
    flashAttention: "auto",
    timeToFirstToken: true,
    agent: false,
    agentTurns: "4"
};

/**
 * The form a link opened it with (`#/benchmark?model=…&ctx=16384&depth=8192&kv=q8_0`, from the Verdict or
 * the guided path): that model at that context, measured at that depth, its agent workload included.
 */
function formFromLink(): Form {
    const params = screenLinkParams();
    const model = params.get("model");
    if (!model) return defaultForm;
    const kv = params.get("kv");
    const whole = (name: string) => (/^\d+$/.test(params.get(name) ?? "") ? params.get(name)! : null);
    return {
        ...defaultForm,
        models: [model],
        agent: true,
        kvCacheTypes: kv === "q8_0" || kv === "q4_0" ? [kv] : defaultForm.kvCacheTypes,
        contextSize: whole("ctx") ?? defaultForm.contextSize,
        depths: whole("depth") ?? defaultForm.depths
    };
}

const statusTone: Record<BenchRun["status"], Tone> = {running: "info", completed: "good", failed: "bad", cancelled: "warn", interrupted: "warn"};
const resultTone: Record<BenchResult["status"], Tone> = {completed: "good", skipped: "warn", failed: "bad", cancelled: "warn"};

export function BenchmarkScreen() {
    const runs = useApiQuery("bench.runs", {limit: 50});
    const localModels = useApiQuery("engine.localModels", {});
    const start = useApiAction("bench.start");
    const cancel = useApiAction("bench.cancel");
    const [form, setForm] = useState<Form>(formFromLink);
    const [selectedId, setSelectedId] = useState<number | undefined>();
    const [detail, setDetail] = useState<BenchRunDetail | undefined>();
    const [live, setLive] = useState<BenchRun | undefined>();

    const list = useMemo(() => runs.data ?? [], [runs.data]);
    const shownId = selectedId ?? list[0]?.id;

    useEffect(() => {
        if (form.models.length === 0 && localModels.data?.[0]) setForm((f) => ({...f, models: [localModels.data![0]!.path]}));
    }, [localModels.data, form.models.length]);

    useEffect(() => {
        if (shownId === undefined) return;
        let stale = false;
        void api.call("bench.run", {runId: shownId}).then((d) => !stale && setDetail(d));
        return () => {
            stale = true;
        };
    }, [shownId]);

    useApiEvent("bench.progress", (run) => {
        // The list shows the run's new status in the same render as the status line, before the reload answers.
        runs.update((list) => (list?.some((r) => r.id === run.id) ? list.map((r) => (r.id === run.id ? run : r)) : [run, ...(list ?? [])]));
        if (run.status === "running") setLive(run);
        else {
            setLive(undefined);
            void runs.reload();
        }
        if (run.id === shownId || selectedId === undefined) void api.call("bench.run", {runId: run.id}).then(setDetail);
    });
    useApiEvent("bench.result", (result) => {
        setDetail((d) => (d && d.id === result.runId ? {...d, results: [...d.results.filter((r) => r.id !== result.id), result]} : d));
    });

    const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({...f, [key]: value}));
    const toggle = <T,>(items: T[], item: T) => (items.includes(item) ? items.filter((i) => i !== item) : [...items, item]);
    const chosenModels = [...form.models, ...(form.otherPath.trim() ? [form.otherPath.trim()] : [])];
    const running = live !== undefined || list.some((r) => r.status === "running");

    const onStart = async () => {
        const request: BenchStartRequest = {
            models: chosenModels,
            promptTokens: Number(form.promptTokens),
            generatedTokens: Number(form.generatedTokens),
            repetitions: Number(form.repetitions),
            depths: numberList(form.depths),
            matrix: {
                kvCacheTypes: form.kvCacheTypes.length ? form.kvCacheTypes : undefined,
                threads: form.threads.trim() ? numberList(form.threads) : undefined,
                flashAttention: form.flashAttention === "auto" ? undefined : form.flashAttention === "both" ? [false, true] : [form.flashAttention === "on"]
            },
            timeToFirstToken: form.timeToFirstToken,
            agent: form.agent ? {turns: Number(form.agentTurns)} : false,
            ...(form.contextSize.trim() ? {contextSize: Number(form.contextSize)} : {})
        };
        const run = await start.run(request);
        if (run) {
            setSelectedId(run.id);
            setLive(run);
            setDetail({...run, results: []});
            void runs.reload();
        }
    };

    const runningId = live?.id ?? list.find((r) => r.status === "running")?.id;
    return (
        <div className="page bench-page">
            <PageHeader
                title="Benchmark"
                subtitle="How fast your models really run on this machine, measured the way llama-bench does: prompt processing, generation, time to first token, and agent turns."
                actions={
                    runningId !== undefined ? (
                        <button className="button" onClick={() => void cancel.run({runId: runningId})} disabled={cancel.running} data-testid="bench-cancel">
                            <Icon name="stop" size={16} />
                            {cancel.running ? "Cancelling…" : "Cancel run"}
                        </button>
                    ) : null
                }
            />
            <ErrorBanner error={start.error ?? cancel.error ?? runs.error} title="The benchmark could not do that" />
            <div className="grid grid-split">
                <Card title={<><Icon name="gauge" /> New benchmark</>} subtitle="Pick several files (e.g. quantizations of one model) and settings to compare them in one run." className="bench-form" testId="bench-form">
                    <div className="form">
                        <div className="field wide">
                            <span>Models</span>
                            <div className="bench-model-list" data-testid="bench-models">
                                {(localModels.data ?? []).map((m) => (
                                    <label key={m.path} className="bench-model-option">
                                        <input type="checkbox" checked={form.models.includes(m.path)} onChange={() => set("models", toggle(form.models, m.path))} />
                                        <span>
                                            {m.name} <span className="muted">· {formatBytes(m.bytes)}</span>
                                        </span>
                                    </label>
                                ))}
                                {localModels.data?.length === 0 && <small className="muted">No GGUF files in the models folder yet; give a path below.</small>}
                            </div>
                        </div>
                        <label className="field wide">
                            <span>Another GGUF file (optional)</span>
                            <input value={form.otherPath} placeholder="/path/to/model.gguf" onChange={(e) => set("otherPath", e.target.value)} data-testid="bench-path" />
                        </label>
                        <label className="field">
                            <span>Prompt tokens (pp)</span>
                            <input type="number" min={0} value={form.promptTokens} onChange={(e) => set("promptTokens", e.target.value)} data-testid="bench-pp" />
                        </label>
                        <label className="field">
                            <span>Generated tokens (tg)</span>
                            <input type="number" min={0} value={form.generatedTokens} onChange={(e) => set("generatedTokens", e.target.value)} data-testid="bench-tg" />
                        </label>
                        <label className="field">
                            <span>Repetitions</span>
                            <input type="number" min={1} max={100} value={form.repetitions} onChange={(e) => set("repetitions", e.target.value)} data-testid="bench-reps" />
                        </label>
                        <label className="field">
                            <span>Context depths</span>
                            <input value={form.depths} placeholder="0,4096,16384" onChange={(e) => set("depths", e.target.value)} data-testid="bench-depths" />
                        </label>
                        <label className="field">
                            <span>Context size (tokens)</span>
                            <input type="number" min={256} value={form.contextSize} placeholder="what the tests need" onChange={(e) => set("contextSize", e.target.value)} data-testid="bench-context" />
                        </label>
                        <label className="field">
                            <span>Threads (comma-separated)</span>
                            <input value={form.threads} placeholder="physical cores" onChange={(e) => set("threads", e.target.value)} data-testid="bench-threads" />
                        </label>
                        <label className="field">
                            <span>Flash attention</span>
                            <select value={form.flashAttention} onChange={(e) => set("flashAttention", e.target.value as Form["flashAttention"])} data-testid="bench-fa">
                                <option value="auto">auto (on for a quantized KV cache)</option>
                                <option value="on">on</option>
                                <option value="off">off</option>
                                <option value="both">compare on and off</option>
                            </select>
                        </label>
                        <div className="field wide">
                            <span>KV cache types to compare</span>
                            <div className="chips">
                                {(["f16", "q8_0", "q4_0"] as const).map((kv) => (
                                    <label key={kv} className="check-chip">
                                        <input type="checkbox" checked={form.kvCacheTypes.includes(kv)} onChange={() => set("kvCacheTypes", toggle(form.kvCacheTypes, kv))} data-testid={`bench-kv-${kv}`} />
                                        {kv}
                                    </label>
                                ))}
                            </div>
                        </div>
                        <label className="field check">
                            <input type="checkbox" checked={form.timeToFirstToken} onChange={(e) => set("timeToFirstToken", e.target.checked)} />
                            <span>Time to first token</span>
                        </label>
                        <label className="field check">
                            <input type="checkbox" checked={form.agent} onChange={(e) => set("agent", e.target.checked)} data-testid="bench-agent" />
                            <span>
                                Agent workload <small className="muted">(long system prompt, tools, a source file, {form.agentTurns} turns)</small>
                            </span>
                        </label>
                    </div>
                    <div className="form-actions">
                        <button className="button primary" onClick={() => void onStart()} disabled={start.running || running || chosenModels.length === 0} data-testid="bench-start">
                            <Icon name="play" size={16} />
                            {start.running ? "Starting…" : running ? "A run is measuring" : "Run benchmark"}
                        </button>
                    </div>
                </Card>
                <div className="stack">
                    <Card
                        title={<><Icon name="bolt" /> Progress</>}
                        actions={detail ? <Badge tone={statusTone[live?.status ?? detail.status]} testId="bench-status">{live?.status ?? detail.status}</Badge> : undefined}
                        testId="bench-progress"
                    >
                        <ProgressView run={live ?? detail} />
                    </Card>
                    {detail && detail.scores.length > 0 && (
                        <Card title="LocalScore-style score" subtitle="One number per configuration, higher is faster: 10 × ∛(prompt tok/s × generation tok/s × 1000 ÷ TTFT ms), LocalScore's formula. It ranks configurations on this machine; LocalScore's published scores use their own prompts and models, so compare with them only roughly." className="bench-scores" testId="bench-scores">
                            <div className="tiles">
                                {detail.scores.map((s) => (
                                    <div className="tile" key={s.configuration}>
                                        <div className="tile-label">{configurationLabel(s.modelFile, s.settings)}</div>
                                        <div className="tile-value" data-testid="bench-score">
                                            {s.score.toFixed(0)}
                                        </div>
                                        <div className="muted small">
                                            pp {s.promptTokensPerSecond.toFixed(0)} · tg {s.generationTokensPerSecond.toFixed(1)} tok/s · TTFT {s.timeToFirstTokenMs.toFixed(0)} ms
                                        </div>
                                    </div>
                                ))}
                            </div>
                        </Card>
                    )}
                    <EngineBinaryCard />
                </div>
            </div>
            {detail && detail.results.some((r) => r.status === "completed") && (
                <div className="grid bench-charts">
                    <Card title="Tokens/s per quantization" subtitle="Prompt processing and generation at an empty context (mean of the repetitions), each in its own panel and scale." testId="chart-quantization">
                        <QuantizationChart results={detail.results} />
                    </Card>
                    <Card title="Tokens/s against context depth" subtitle="How speed falls as the context fills, per model and settings." testId="chart-depth">
                        <DepthChart results={detail.results} />
                    </Card>
                </div>
            )}
            {detail && <ResultsTable run={detail} />}
            <EndpointBenchmarkCard />
            {list.length > 0 && (
                <Card title="Runs" subtitle="Every run is kept with its machine, engine, settings and raw samples." testId="bench-runs">
                    <table className="table">
                        <thead>
                            <tr>
                                <th>#</th>
                                <th>Started</th>
                                <th>Models</th>
                                <th>Tests</th>
                                <th className="num">Best score</th>
                                <th>Status</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.map((run) => (
                                <tr key={run.id} className={run.id === shownId ? "selected clickable" : "clickable"} {...activatable(() => setSelectedId(run.id))} data-testid="bench-run-row">
                                    <td>{run.id}</td>
                                    <td>{new Date(run.createdAt).toLocaleString()}</td>
                                    <td className="path">{run.spec.models.map((m) => m.split(/[\\/]/).pop()).join(", ")}</td>
                                    <td>
                                        {run.progress.testsDone}/{run.progress.testsTotal}
                                    </td>
                                    <td className="num">{run.scores.length ? Math.max(...run.scores.map((s) => s.score)).toFixed(0) : "–"}</td>
                                    <td>
                                        <Badge tone={statusTone[run.status]}>{run.status}</Badge>
                                    </td>
                                </tr>
                            ))}
                        </tbody>
                    </table>
                </Card>
            )}
        </div>
    );
}

function ProgressView({run}: {run: BenchRun | undefined}) {
    const now = useNow(run?.status === "running");
    if (!run) return <div className="empty-inline">No benchmark yet. Pick a model and run one: a pp512/tg128 run with 5 repetitions takes about a minute for a 7B model.</div>;
    const {testsDone, testsTotal, current} = run.progress;
    return (
        <div data-testid="bench-live">
            <Meter capacity={Math.max(1, testsTotal)} segments={[{label: "Tests done", value: testsDone, tone: run.status === "running" ? "info" : "good"}]} label="Tests done" />
            <div className="bench-progress-line">
                <strong>
                    {testsDone} of {plural(testsTotal, "test")}
                </strong>
                {current ? (
                    <span className="muted" data-testid="bench-current">
                        {" "}
                        · {current.modelFile} · {current.kind}
                        {current.depth ? ` @ d${current.depth}` : ""} ·{" "}
                        {current.phase === "measuring" ? `repetition ${current.repetition} of ${current.repetitions}` : current.phase === "warmup" ? "warm-up (not counted)" : "loading the model"}
                        {current.phase === "measuring" && current.lastTokensPerSecond !== undefined && ` · last ${current.lastTokensPerSecond.toFixed(current.lastTokensPerSecond >= 100 ? 0 : 1)} tok/s`}
                    </span>
                ) : (
                    <span className="muted"> · {run.status === "running" ? "starting" : `${run.status} ${run.completedAt ? new Date(run.completedAt).toLocaleTimeString() : ""}`}</span>
                )}
            </div>
            {run.status === "running" && <BenchTiming run={run} now={now} />}
            {current?.phase === "measuring" && (
                <div className="rep-strip" aria-label="Repetitions done">
                    {Array.from({length: current.repetitions}, (_, i) => (
                        <span key={i} className={`rep-dot ${i < current.repetition ? "done" : ""}`} />
                    ))}
                </div>
            )}
            {run.engine && (
                <div className="muted small">
                    node-llama-cpp {run.engine.nodeLlamaCpp} · llama.cpp {run.engine.llamaCppRelease}
                    {run.engine.binary && (run.engine.binary === "local" ? " (built for this CPU)" : " (prebuilt)")} · {run.engine.backend} · {run.engine.cpuInfo}
                </div>
            )}
            {run.error && <div className="notice bad">{run.error.message}</div>}
        </div>
    );
}

/** Elapsed time and ETA of a running benchmark, extrapolated from the tests and repetitions done. */
function BenchTiming({run, now}: {run: BenchRun; now: number}) {
    const {testsDone, testsTotal, current} = run.progress;
    const elapsed = Math.max(0, (now - Date.parse(run.createdAt)) / 1000);
    const inTest = current?.phase === "measuring" && current.repetitions > 0 ? current.repetition / current.repetitions : 0;
    const done = testsTotal > 0 ? (testsDone + inTest) / testsTotal : null;
    return (
        <div className="muted small" data-testid="bench-timing">
            {formatElapsedAndEta(elapsed, remainingSeconds(elapsed, done))}
        </div>
    );
}

function ResultsTable({run}: {run: BenchRunDetail}) {
    const results = [...run.results].sort((a, b) => a.seq - b.seq);
    const exportJson = async () => {
        const json = await api.call("bench.exportJson", {runId: run.id});
        const url = URL.createObjectURL(new Blob([JSON.stringify(json, null, 2)], {type: "application/json"}));
        const link = document.createElement("a");
        link.href = url;
        link.download = `agentfit-bench-${run.id}.json`;
        link.click();
        URL.revokeObjectURL(url);
    };
    return (
        <Card
            title={`Results of run ${run.id}`}
            subtitle={`${plural(run.spec.repetitions, "repetition")} per test after an uncounted warm-up; mean ± standard deviation.`}
            actions={
                <button className="button" onClick={() => void exportJson()} data-testid="bench-export">
                    <Icon name="download" size={16} />
                    llama-bench JSON
                </button>
            }
            testId="bench-results"
        >
            {run.modelFiles.map((file) => (
                <div className="muted small path" key={file.reference} data-testid="bench-model-file">
                    {formatModelFile(file)}
                </div>
            ))}
            {results.length === 0 ? (
                <div className="empty-inline">Results appear here as each test finishes.</div>
            ) : (
                <table className="table">
                    <thead>
                        <tr>
                            <th>Model</th>
                            <th>Quant</th>
                            <th className="num">Size</th>
                            <th>Settings</th>
                            <th>Test</th>
                            <th className="num">Speed</th>
                            <th>Status</th>
                        </tr>
                    </thead>
                    <tbody>
                        {results.map((r) => (
                            <tr key={r.id} data-testid="bench-result-row">
                                <td className="path" title={r.model.path}>
                                    {r.model.fileName}
                                </td>
                                <td>{r.model.quantization ?? "–"}</td>
                                <td className="num">{formatBytes(r.model.fileBytes)}</td>
                                <td>
                                    {plural(r.settings?.threads ?? r.requested.threads, "thread")} · KV {r.requested.kvCacheType} · FA {r.requested.flashAttention ? "on" : "off"}
                                    {(r.settings?.gpuLayers ?? 0) > 0 ? ` · ${r.settings!.gpuLayers} GPU layers` : ""}
                                </td>
                                <td>{testName(r)}</td>
                                <td className="num" data-testid="bench-speed">
                                    {speedText(r)}
                                </td>
                                <td>
                                    <span title={r.reason?.message}>
                                        <Badge tone={resultTone[r.status]}>{r.status}</Badge>
                                    </span>
                                    {r.reason && r.status !== "completed" && <div className="muted small bench-reason">{r.reason.message}</div>}
                                    {benchNoiseWarning(r) && (
                                        <div className="small bench-reason" data-testid="bench-noise">
                                            {benchNoiseWarning(r)}
                                        </div>
                                    )}
                                </td>
                            </tr>
                        ))}
                    </tbody>
                </table>
            )}
        </Card>
    );
}
