import {useEffect, useMemo, useState} from "react";
import type {EvalEstimate, EvalProfileOption} from "../../../../electron/api/AnswerApi.ts";
import {formatDuration} from "../../../../electron/shared/format.ts";
import {api} from "../../api/client.ts";
import type {EvalHarnessId, EvalModelSpec, EvalProviderId, EvalProviderInfo, EvalRunSummary, EvalTaskInfo} from "../../../../electron/api/EvalApi.ts";
import {useApiAction, useApiQuery} from "../../api/hooks.ts";
import {Badge} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {TextWithCode} from "../../components/TextWithCode.tsx";
import {Icon} from "../../components/Icon.tsx";
import {screenLinkParams} from "../../components/screenLink.ts";
import {providerLabels} from "./evalLabels.ts";

const placeholders: Record<EvalProviderId, string> = {
    local: "/path/to/model-Q4_K_M.gguf or a downloaded model id",
    openai: "gpt-4.1",
    anthropic: "claude-sonnet-4-5",
    openrouter: "anthropic/claude-sonnet-4.5",
    gemini: "gemini-2.5-pro",
    "openai-compatible": "qwen3:8b"
};

/** What the quick profile fills in before the profiles load (the same numbers `answer.evalProfiles` returns). */
const QUICK_DEFAULTS = {runs: 3, maxTurns: 20, maxOutputTokensPerTurn: 1024};

/** The models a start would run: the added ones, or the one typed in when none was added. */
function toRunOf(models: EvalModelSpec[], provider: EvalProviderId, typed: string, baseUrl = ""): EvalModelSpec[] {
    if (models.length > 0 || !typed.trim()) return models;
    return [{provider, model: typed.trim(), ...(baseUrl.trim() ? {baseUrl: baseUrl.trim()} : {})}];
}

/** "About 4 min 10 s (predicted: 3 runs × about 10 turns × …)", or why there is no estimate. */
function estimateText(estimate: EvalEstimate): string {
    if (estimate.estimate.seconds === null) return `No estimate: ${[...new Set(estimate.models.map((m) => m.estimate.text.replace(/^unknown: /, "")))].join("; ")}.`;
    return `About ${formatDuration(estimate.estimate.seconds * 1000)} (${estimate.estimate.text}).`;
}

/** The plan in words and its estimated duration, asked again (debounced) whenever the form changes. */
function useEvalEstimate(
    models: {provider: EvalProviderId; model: string}[],
    tasks: string[],
    runs: number,
    maxTurns: number,
    maxOutputTokensPerTurn: number | undefined
): EvalEstimate | {error: string} | null {
    const [estimate, setEstimate] = useState<EvalEstimate | {error: string} | null>(null);
    const key = JSON.stringify({models, tasks, runs, maxTurns, maxOutputTokensPerTurn});
    useEffect(() => {
        setEstimate(null);
        if (models.length === 0 || tasks.length === 0 || !(runs >= 1) || !(maxTurns >= 1)) return;
        let stale = false;
        const timer = setTimeout(() => {
            api.call("answer.estimateEval", {models, tasks, runs, maxTurns, ...(maxOutputTokensPerTurn ? {maxOutputTokensPerTurn} : {})}).then(
                (result) => !stale && setEstimate(result),
                (error: unknown) => !stale && setEstimate({error: error instanceof Error ? error.message : String(error)})
            );
        }, 300);
        return () => {
            stale = true;
            clearTimeout(timer);
        };
        // The key holds every input.
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [key]);
    return estimate;
}

function modelText(spec: EvalModelSpec): string {
    return `${providerLabels[spec.provider]} · ${spec.model}${spec.quantization ? ` · ${spec.quantization}` : ""}${spec.baseUrl ? ` · ${spec.baseUrl}` : ""}`;
}

/** Choose models, tasks and runs, then queue one run per model × task. */
export function NewEvalForm(props: {tasks: EvalTaskInfo[]; providers: EvalProviderInfo[]; onStarted: (runs: EvalRunSummary[]) => void}) {
    const start = useApiAction("eval.start");
    const firstAvailable = props.providers.find((p) => p.id === "local" && p.available) ? "local" : "openai-compatible";
    const [provider, setProvider] = useState<EvalProviderId>(firstAvailable);
    const [model, setModel] = useState("");
    const [baseUrl, setBaseUrl] = useState("");
    const [quantization, setQuantization] = useState("");
    // A link (`#/evaluate?model=…&ctx=…&runs=…&task=…`, from the Verdict or the guided path) fills the plan in.
    const [link] = useState(screenLinkParams);
    const linkContext = /^\d+$/.test(link.get("ctx") ?? "") ? Number(link.get("ctx")) : null;
    const [contextSize, setContextSize] = useState(linkContext ? String(linkContext) : "");
    const [models, setModels] = useState<EvalModelSpec[]>(() =>
        link.get("model") ? [{provider: "local", model: link.get("model")!, ...(linkContext ? {settings: {contextSize: linkContext}} : {})}] : []
    );
    const runnable = useMemo(() => props.tasks.filter((t) => t.runtime.available).map((t) => t.name), [props.tasks]);
    const [chosenTasks, setChosenTasks] = useState<string[] | undefined>(() => (link.get("task") ? [link.get("task")!] : undefined));
    // The quick profile by default (a laptop finishes it in minutes); the full helperbench profile is one click away.
    const [epochs, setEpochs] = useState(() => Number(link.get("runs")) || QUICK_DEFAULTS.runs);
    const [concurrency, setConcurrency] = useState("");
    const [maxTurns, setMaxTurns] = useState(QUICK_DEFAULTS.maxTurns);
    const [maxOutputTokens, setMaxOutputTokens] = useState(String(QUICK_DEFAULTS.maxOutputTokensPerTurn));
    const [longPrompt, setLongPrompt] = useState(false);
    const [wattage, setWattage] = useState("");
    const providerInfo = props.providers.find((p) => p.id === provider);
    // Downloaded and imported models, offered as suggestions for the local provider.
    const localModels = useApiQuery("engine.localModels", {});
    // Who drives the model: AgentFit's own tool loop, or a coding agent installed here, run headless.
    const agents = useApiQuery("agents.list", {});
    const [harness, setHarness] = useState<EvalHarnessId>("builtin");
    const harnessAgent = agents.data?.find((a) => a.id === harness);

    const addModel = () => {
        if (!model.trim()) return;
        const spec: EvalModelSpec = {provider, model: model.trim()};
        if (baseUrl.trim()) spec.baseUrl = baseUrl.trim();
        if (quantization.trim()) spec.quantization = quantization.trim();
        if (provider === "local" && Number(contextSize) > 0) spec.settings = {contextSize: Number(contextSize)};
        setModels((list) => [...list, spec]);
        setModel("");
        setQuantization("");
    };
    const estimatedModels = useMemo(() => toRunOf(models, provider, model).map((m) => ({provider: m.provider, model: m.model})), [models, provider, model]);
    const profiles = useApiQuery("answer.evalProfiles", {models: estimatedModels});
    const quick = profiles.data?.find((p) => p.profile === "quick");
    const tasks = chosenTasks ?? (quick?.tasks.length ? quick.tasks : runnable.slice(0, 1));
    const applyProfile = (option: EvalProfileOption) => {
        setEpochs(option.runs);
        setMaxTurns(option.maxTurns);
        setMaxOutputTokens(String(option.maxOutputTokensPerTurn));
        setChosenTasks(option.tasks);
    };
    const profileInUse = profiles.data?.find(
        (p) => p.runs === epochs && p.maxTurns === maxTurns && String(p.maxOutputTokensPerTurn) === maxOutputTokens && p.tasks.join() === tasks.join()
    );
    const estimate = useEvalEstimate(estimatedModels, tasks, epochs, maxTurns, Number(maxOutputTokens) > 0 ? Number(maxOutputTokens) : undefined);
    const toggleTask = (name: string) => setChosenTasks(tasks.includes(name) ? tasks.filter((t) => t !== name) : [...tasks, name]);
    const toRun = toRunOf(models, provider, model, baseUrl);

    const onStart = async () => {
        const runs = await start.run({
            tasks,
            models: toRun,
            epochs,
            ...(Number(concurrency) > 0 ? {concurrency: Number(concurrency)} : {}),
            limits: {maxTurns, ...(Number(maxOutputTokens) > 0 ? {maxOutputTokensPerTurn: Number(maxOutputTokens)} : {})},
            systemPrompt: longPrompt ? "long" : "concise",
            ...(Number(wattage) > 0 ? {wattage: Number(wattage)} : {}),
            harness
        });
        if (runs) {
            setModels([]);
            props.onStarted(runs);
        }
    };

    return (
        <Card title={<><Icon name="flask" /> New evaluation</>} subtitle="Each model runs each task independently, graded by the task's own test suite." testId="new-eval">
            <div className="eval-form">
                <div className="eval-form-section">
                    <div className="field-label">Models</div>
                    <div className="model-row">
                        <select value={provider} onChange={(e) => setProvider(e.target.value as EvalProviderId)} aria-label="Provider" data-testid="provider-select">
                            {props.providers.map((p) => (
                                <option key={p.id} value={p.id} disabled={!p.available}>
                                    {p.label}
                                    {!p.available ? " (unavailable)" : ""}
                                </option>
                            ))}
                        </select>
                        <input
                            className="grow"
                            value={model}
                            onChange={(e) => setModel(e.target.value)}
                            onKeyDown={(e) => e.key === "Enter" && addModel()}
                            placeholder={placeholders[provider]}
                            aria-label="Model"
                            data-testid="model-input"
                            list={provider === "local" ? "eval-local-models" : undefined}
                        />
                        <datalist id="eval-local-models">
                            {(localModels.data ?? []).map((m) => (
                                <option key={m.path} value={m.modelId ?? m.path}>
                                    {m.name}
                                </option>
                            ))}
                        </datalist>
                        {provider !== "local" && (
                            <input
                                value={baseUrl}
                                onChange={(e) => setBaseUrl(e.target.value)}
                                placeholder={providerInfo?.defaultBaseUrl ?? "http://127.0.0.1:11434/v1"}
                                aria-label="Base URL"
                                data-testid="base-url-input"
                            />
                        )}
                        {provider === "local" && (
                            <>
                                <input className="narrow" value={quantization} onChange={(e) => setQuantization(e.target.value)} placeholder="Q4_K_M" aria-label="Quantization" />
                                <input className="narrow" value={contextSize} onChange={(e) => setContextSize(e.target.value)} placeholder="context" aria-label="Context size" />
                            </>
                        )}
                        <button className="button" onClick={addModel} disabled={!model.trim()} data-testid="add-model">
                            Add
                        </button>
                    </div>
                    {providerInfo?.note && <p className="hint">{providerInfo.note}</p>}
                    <div className="model-row">
                        <label className="grow">
                            <span className="field-label">Harness</span>
                            <select value={harness} onChange={(e) => setHarness(e.target.value as EvalHarnessId)} aria-label="Harness" data-testid="harness-select">
                                <option value="builtin">AgentFit's tool loop (builtin)</option>
                                {(agents.data ?? []).map((a) => (
                                    <option key={a.id} value={a.id} disabled={!a.installed}>
                                        {a.label}
                                        {a.installed ? ` ${a.version ?? ""}` : " (not installed)"}
                                    </option>
                                ))}
                            </select>
                        </label>
                    </div>
                    {harnessAgent && (
                        <p className="hint" data-testid="harness-note">
                            {harnessAgent.label} runs headless in each sample's copy of the project, through a recording proxy to the model; it needs about{" "}
                            {Math.round(harnessAgent.firstRequestTokens / 1000)}k tokens of context for its first request (serve at least {Math.round(harnessAgent.contextSize / 1024)}k).
                        </p>
                    )}
                    {models.length > 0 && (
                        <ul className="model-chips" data-testid="model-list">
                            {models.map((m, i) => (
                                <li key={i} className="chip">
                                    {modelText(m)}
                                    <button className="chip-remove" onClick={() => setModels(models.filter((_, j) => j !== i))} aria-label={`Remove ${m.model}`}>
                                        ×
                                    </button>
                                </li>
                            ))}
                        </ul>
                    )}
                </div>
                <div className="eval-form-section">
                    <div className="field-label">Tasks</div>
                    <div className="task-list">
                        {props.tasks.map((t) => (
                            <label key={t.name} className={`task-option ${t.runtime.available ? "" : "disabled"}`} data-testid={`task-${t.name}`}>
                                <input type="checkbox" checked={tasks.includes(t.name)} disabled={!t.runtime.available} onChange={() => toggleTask(t.name)} />
                                <div>
                                    <div className="task-title">
                                        {t.title}{" "}
                                        {t.runtime.available ? (
                                            <Badge tone="good">{t.runtime.version}</Badge>
                                        ) : (
                                            <Badge tone="bad" testId="runtime-missing">
                                                {t.runtime.command} missing
                                            </Badge>
                                        )}
                                    </div>
                                    <div className="muted small">
                                        <code>{t.targetFile}</code> · {t.runtime.available ? t.description : t.runtime.message}
                                    </div>
                                </div>
                            </label>
                        ))}
                    </div>
                </div>
                <div className="eval-form-section">
                    <div className="field-label">Profile</div>
                    <div className="profile-options" data-testid="eval-profiles">
                        {(profiles.data ?? []).map((option) => (
                            <button
                                key={option.profile}
                                type="button"
                                className={`profile-option ${profileInUse?.profile === option.profile ? "active" : ""}`}
                                aria-pressed={profileInUse?.profile === option.profile}
                                disabled={option.unavailable !== null}
                                onClick={() => applyProfile(option)}
                                data-testid={`profile-${option.profile}`}
                            >
                                <strong>{option.label}</strong>
                                <span className="small">
                                    {option.unavailable !== null ? (
                                        <TextWithCode text={option.unavailable} />
                                    ) : (
                                        `${option.runs} runs of ${option.tasks.map((name) => props.tasks.find((t) => t.name === name)?.title ?? name).join(", ")}, at most ${option.maxTurns} turns and ${option.maxOutputTokensPerTurn.toLocaleString("en-US")} output tokens per turn`
                                    )}
                                </span>
                                {option.estimate && (
                                    <span className="small muted" data-testid={`profile-${option.profile}-estimate`}>
                                        {estimateText(option.estimate)}
                                    </span>
                                )}
                            </button>
                        ))}
                    </div>
                </div>
                <div className="eval-form-section settings-row">
                    <label>
                        <span className="field-label">Runs per model</span>
                        <input type="number" min={1} max={100} value={epochs} onChange={(e) => setEpochs(Number(e.target.value))} data-testid="epochs-input" />
                    </label>
                    <label>
                        <span className="field-label">In parallel</span>
                        <input type="number" min={1} max={16} value={concurrency} placeholder="auto" onChange={(e) => setConcurrency(e.target.value)} />
                    </label>
                    <label>
                        <span className="field-label">Max turns</span>
                        <input type="number" min={1} max={1000} value={maxTurns} onChange={(e) => setMaxTurns(Number(e.target.value))} />
                    </label>
                    <label title="Output tokens per model call. Empty: the provider's default; a local model may then fill its whole context on one turn.">
                        <span className="field-label">Max output / turn</span>
                        <input type="number" min={16} value={maxOutputTokens} placeholder="default" onChange={(e) => setMaxOutputTokens(e.target.value)} data-testid="max-output-input" />
                    </label>
                    <label>
                        <span className="field-label">Watts (local)</span>
                        <input type="number" min={1} value={wattage} placeholder="optional" onChange={(e) => setWattage(e.target.value)} />
                    </label>
                    <label className="checkbox">
                        <input type="checkbox" checked={longPrompt} onChange={(e) => setLongPrompt(e.target.checked)} />
                        Long system prompt (~2k tokens, like real agents)
                    </label>
                </div>
                <ErrorBanner error={start.error} title="The evaluation could not start" />
                <div className="form-actions">
                    <span className="eval-plan" data-testid="eval-plan">
                        {toRun.length === 0 ? (
                            "Add a model to evaluate."
                        ) : tasks.length === 0 ? (
                            "Choose a task."
                        ) : estimate && "error" in estimate ? (
                            <span className="muted" data-testid="eval-estimate">
                                No estimate: {estimate.error}
                            </span>
                        ) : estimate ? (
                            <>
                                <span data-testid="eval-plan-words">{estimate.description}.</span>{" "}
                                <span className="muted" data-testid="eval-estimate">
                                    {estimateText(estimate)}
                                </span>
                            </>
                        ) : (
                            <span className="muted">Estimating…</span>
                        )}
                    </span>
                    <button className="button primary" onClick={onStart} disabled={start.running || toRun.length === 0 || tasks.length === 0} data-testid="start-eval">
                        <Icon name="play" size={16} />
                        {start.running ? "Starting…" : "Start evaluation"}
                    </button>
                </div>
            </div>
        </Card>
    );
}
