import {useMemo, useState} from "react";
import type {AnswerPlan, AnswerProfile, AnswerStep} from "../../../../electron/api/AnswerApi.ts";
import type {RegisteredModel} from "../../../../electron/api/DownloadsApi.ts";
import type {ModelRecommendation, RecommendationReport} from "../../../../electron/api/ModelsApi.ts";
import {formatBytes, formatDuration, formatElapsedAndEta, plural} from "../../../../electron/shared/format.ts";
import {levelLabels} from "../../../../electron/shared/verdictLevels.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {Badge, type Tone} from "../../components/Badge.tsx";
import {BandwidthUnderLoadNotice} from "../../components/BandwidthUnderLoadNotice.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {TextWithCode} from "../../components/TextWithCode.tsx";
import {Icon} from "../../components/Icon.tsx";
import {LevelBadge} from "../../components/LevelBadge.tsx";
import {Meter} from "../../components/Meter.tsx";
import {PageHeader} from "../../components/PageHeader.tsx";
import {benchmarkLink, evaluateLink} from "../../components/screenLink.ts";
import {EngineBuildOffer} from "./EngineBuildOffer.tsx";
import "./AnswerScreen.css";

const stepTone: Record<AnswerStep["state"], Tone> = {pending: "neutral", running: "info", paused: "warn", done: "good", skipped: "neutral", failed: "bad"};
const seconds = (value: number | null) => (value === null ? "unknown" : formatDuration(value * 1000));

/** The first-launch page: the predicted answer, then one plan that measures it, step by step. */
export function AnswerScreen() {
    const current = useApiQuery("answer.current", {});
    const [plan, setPlan] = useState<AnswerPlan | null | undefined>(undefined);
    const shown = plan === undefined ? current.data : plan;
    useApiEvent("answer.updated", (updated) => setPlan(updated));

    return (
        <div className="page answer-page" data-testid="answer-screen">
            <PageHeader
                title="Answer for this machine"
                subtitle="Can this machine run a usable coding agent on a local model? The catalog predicts it; one plan measures it: download, speed at the agent context, a quick eval, then the Verdict."
            />
            <ErrorBanner error={current.error} />
            {current.loading && current.data === undefined && plan === undefined ? (
                <p className="muted">Reading the saved plan…</p>
            ) : shown ? (
                <PlanView plan={shown} onPlan={setPlan} />
            ) : (
                <Planner onPlan={setPlan} />
            )}
            {/* Below the answer path: a user who came for the answer sees it first. */}
            <EngineBuildOffer />
        </div>
    );
}

/** Before any plan: the prediction from the catalog and the button that plans the measurements. */
function Planner(props: {onPlan: (plan: AnswerPlan) => void; profile?: AnswerProfile}) {
    const prediction = useApiQuery("models.recommend", {});
    const planner = useApiAction("answer.plan");
    const [offline, setOffline] = useState(false);
    const plan = async (profile: AnswerProfile) => {
        const made = await planner.run({profile, ...(offline ? {offline: true} : {})});
        if (made) props.onPlan(made);
    };
    return (
        <Card title="The predicted answer" subtitle="From the catalog and this machine's probe; nothing is measured yet." testId="predicted-answer">
            {prediction.loading && !prediction.data && <p className="muted">Probing this machine and reading the catalog…</p>}
            <ErrorBanner error={prediction.error} />
            {prediction.data && <p data-testid="predicted-summary">{prediction.data.summary}</p>}
            {prediction.data && <BandwidthUnderLoadNotice underLoad={prediction.data.hardware.bandwidthUnderLoad} chosen={prediction.data.hardware.bandwidthMeasurement} />}
            <ErrorBanner error={planner.error} />
            <div className="form-actions">
                <button className="button primary" onClick={() => void plan("quick")} disabled={planner.running} data-testid="plan-button">
                    <Icon name="play" /> {planner.running ? "Planning…" : "Plan the measurements"}
                </button>
                <label className="checkbox">
                    <input type="checkbox" checked={offline} onChange={(e) => setOffline(e.target.checked)} data-testid="offline-checkbox" />
                    <span>Offline: use models already on disk (Ollama, LM Studio, Jan, the Hugging Face cache are scanned)</span>
                </label>
            </div>
        </Card>
    );
}

function PlanView(props: {plan: AnswerPlan; onPlan: (plan: AnswerPlan) => void}) {
    const {plan} = props;
    const run = useApiAction("answer.run");
    const pause = useApiAction("answer.pause");
    const replan = useApiAction("answer.plan");
    const act = async (action: Promise<AnswerPlan | undefined>) => {
        const updated = await action;
        if (updated) props.onPlan(updated);
    };
    const running = plan.state === "running";
    return (
        <>
            <Card
                title={`Plan #${plan.id}`}
                subtitle={<span data-testid="plan-estimate">Total: {plan.estimate.text}</span>}
                actions={
                    <>
                        <Badge tone={plan.state === "done" ? "good" : running ? "info" : plan.state === "paused" ? "warn" : "neutral"} testId="plan-state">
                            {plan.state}
                        </Badge>
                        {running ? (
                            <button className="button" onClick={() => void act(pause.run({planId: plan.id}))} disabled={pause.running} data-testid="pause-plan">
                                <Icon name="pause" /> Pause
                            </button>
                        ) : plan.state !== "done" ? (
                            <button className="button primary" onClick={() => void act(run.run({planId: plan.id}))} disabled={run.running} data-testid="run-plan">
                                <Icon name="play" /> {plan.state === "ready" ? "Run the plan" : "Resume"}
                            </button>
                        ) : null}
                        {!running && (
                            <button className="button ghost" onClick={() => void act(replan.run({profile: plan.profile, ...(plan.offline ? {offline: true} : {})}))} disabled={replan.running} data-testid="new-plan">
                                New plan
                            </button>
                        )}
                    </>
                }
                testId="plan-card"
            >
                <ErrorBanner error={run.error ?? pause.error ?? replan.error} />
                <p className="muted small">Predicted from the catalog: {plan.predicted.summary}</p>
                <p data-testid="eval-description">
                    <strong>Eval:</strong> {plan.eval.description}. <span className="muted">Engine: {plural(plan.settings.threads, "thread")}, agent context {plan.settings.contextSize.toLocaleString("en-US")} tokens.</span>
                </p>
                {!running &&
                    plan.state !== "done" &&
                    (plan.eval.alternative.unavailable ? (
                        <p className="small muted" data-testid="other-profile-unavailable">
                            <TextWithCode text={plan.eval.alternative.unavailable} />
                        </p>
                    ) : (
                        <p className="small other-profile">
                            <button
                                className="button small ghost"
                                onClick={() => void act(replan.run({profile: plan.eval.alternative.profile, candidates: plan.candidates.map((c) => c.key), ...(plan.offline ? {offline: true} : {})}))}
                                disabled={replan.running}
                                data-testid="other-profile"
                            >
                                Switch to the {plan.eval.alternative.description}
                            </button>{" "}
                            <span className="muted" data-testid="other-profile-estimate">
                                ({plan.eval.alternative.estimate.text})
                            </span>
                        </p>
                    ))}
                {plan.disk.neededBytes > 0 && (
                    <p className="small" data-testid="disk-check">
                        Downloads need {formatBytes(plan.disk.neededBytes)}; {formatBytes(plan.disk.freeBytes)} free {plan.disk.enough ? "✓" : "— not enough"}
                    </p>
                )}
                {plan.limitations.length > 0 && (
                    <div className="notice warn" data-testid="limitations">
                        <ul>
                            {plan.limitations.map((line) => (
                                <li key={line}>{line}</li>
                            ))}
                        </ul>
                    </div>
                )}
            </Card>
            <Candidates plan={plan} onPlan={props.onPlan} />
            <Card title="Steps" subtitle="Each step shows its estimate before it runs, then progress, elapsed time and ETA." testId="steps-card">
                <ol className="steps">
                    {plan.steps.map((step) => (
                        <StepRow key={step.index} plan={plan} step={step} onPlan={props.onPlan} />
                    ))}
                </ol>
            </Card>
            {plan.verdict && (
                <Card title="The answer" testId="plan-verdict">
                    <p>
                        <LevelBadge level={plan.verdict.level} /> {plan.verdict.headline}
                    </p>
                    <a className="button primary" href="#/verdict" data-testid="open-verdict">
                        Open the Verdict, with its evidence
                    </a>
                </Card>
            )}
        </>
    );
}

function Candidates(props: {plan: AnswerPlan; onPlan: (plan: AnswerPlan) => void}) {
    const {plan} = props;
    const change = useApiAction("answer.setCandidates");
    const [draft, setDraft] = useState<string[] | null>(null);
    const editable = plan.state !== "running";
    const submit = async (candidates: string[]) => {
        const updated = await change.run({planId: plan.id, candidates});
        if (updated) {
            setDraft(null);
            props.onPlan(updated);
        }
    };
    return (
        <Card title="Candidates" subtitle="The models this plan measures (at most 3)." testId="candidates-card">
            <div>
                <table className="table">
                    <thead>
                        <tr>
                            <th>Model</th>
                            <th>Quantization</th>
                            <th>Size</th>
                            <th>To download</th>
                            <th>Predicted</th>
                            <th>Why</th>
                            <th>Next</th>
                        </tr>
                    </thead>
                    <tbody>
                        {plan.candidates.map((c) => (
                            <tr key={c.key} data-testid="candidate-row">
                                <td>{c.name}</td>
                                <td>{c.quantization ?? "?"}</td>
                                <td>{formatBytes(c.sizeBytes)}</td>
                                <td>{c.downloadBytes > 0 ? formatBytes(c.downloadBytes) : "on disk"}</td>
                                <td>{c.predicted ? <LevelBadge level={c.predicted} /> : "unknown"}</td>
                                <td className="small">{c.reason}</td>
                                <td className="links">
                                    {c.modelId ? (
                                        <>
                                            <a href={benchmarkLink({model: c.modelId, contextSize: c.contextSize})} data-testid="candidate-bench">
                                                bench
                                            </a>{" "}
                                            ·{" "}
                                            <a href={evaluateLink({model: c.modelId, contextSize: c.contextSize, runs: plan.eval.runs, task: plan.eval.task})} data-testid="candidate-eval">
                                                eval
                                            </a> · <a href="#/serve">serve</a>
                                        </>
                                    ) : (
                                        <a href="#/downloads">download</a>
                                    )}
                                </td>
                            </tr>
                        ))}
                    </tbody>
                </table>
            </div>
            {editable &&
                (draft === null ? (
                    <button className="button small edit-candidates" onClick={() => setDraft(plan.candidates.map((c) => c.key))} data-testid="edit-candidates">
                        Change candidates
                    </button>
                ) : (
                    <CandidatePicker
                        initial={draft}
                        saving={change.running}
                        onCancel={() => setDraft(null)}
                        onSave={(candidates) => void submit(candidates)}
                    />
                ))}
            <ErrorBanner error={change.error} />
        </Card>
    );
}

const MAX_CANDIDATES = 3;

/** One choice of the picker: a model on disk, or a catalog model at one quantization (downloaded by the plan). */
interface CandidateChoice {
    /** What the plan is given: the registered id, or "catalogId:QUANT". */
    reference: string;
    /** The same model whichever way it was named (a downloaded catalog model is both), for spotting duplicates. */
    identity: string;
    label: string;
    sizeBytes: number;
    onDisk: boolean;
    predicted: ModelRecommendation["verdict"] | null;
    /** Predicted seconds per agent turn and generation tok/s at the agent's depth, when the catalog predicts them. */
    turnSeconds: number | null;
    generationTps: number | null;
}

/**
 * Picks 1–3 candidates from the models on disk and the recommendation's catalog models (one
 * quantization each), showing each one's size, whether it must be downloaded and its predicted speed.
 * Duplicates and an empty list are refused here; the plan checks again.
 */
function CandidatePicker(props: {initial: string[]; saving: boolean; onCancel: () => void; onSave: (candidates: string[]) => void}) {
    const recommendation = useApiQuery("models.recommend", {});
    const registered = useApiQuery("models.list", {});
    const choices = useMemo(() => candidateChoices(recommendation.data, registered.data), [recommendation.data, registered.data]);
    const [rows, setRows] = useState<string[]>(props.initial);
    const byReference = new Map(choices.map((c) => [c.reference, c]));
    const modelOf = (reference: string) => reference.split(":")[0]!;
    const catalogModels = recommendation.data?.models.filter((m) => m.options.length > 0) ?? [];
    const identities = rows.map((r) => byReference.get(r)?.identity ?? r);
    const problem =
        rows.length === 0
            ? "Pick at least one model."
            : new Set(identities).size < identities.length
              ? "A model is picked twice: pick another one or remove the row."
              : rows.some((r) => r === "")
                ? "Pick a model in every row, or remove the empty one."
                : null;
    const setRow = (index: number, reference: string) => setRows((list) => list.map((r, i) => (i === index ? reference : r)));
    if (!recommendation.data || !registered.data) return <p className="muted">Reading the models on disk and the catalog…</p>;
    return (
        <form
            className="candidate-picker"
            onSubmit={(e) => {
                e.preventDefault();
                if (!problem) props.onSave(rows);
            }}
            data-testid="candidate-picker"
        >
            <ol className="picker-rows">
                {rows.map((reference, index) => {
                    const choice = byReference.get(reference);
                    const catalog = catalogModels.find((m) => m.model.id === modelOf(reference) && !registered.data!.some((r) => r.id === reference));
                    return (
                        <li key={index} className="picker-row" data-testid="picker-row">
                            <label className="field">
                                <span>Model {index + 1}</span>
                                <select
                                    value={catalog ? `catalog:${catalog.model.id}` : reference}
                                    onChange={(e) => {
                                        const value = e.target.value;
                                        if (value.startsWith("catalog:")) {
                                            const model = catalogModels.find((m) => `catalog:${m.model.id}` === value)!;
                                            setRow(index, `${model.model.id}:${model.bestQuantization ?? model.model.defaultQuantization}`);
                                        } else setRow(index, value);
                                    }}
                                    data-testid="picker-model"
                                >
                                    {reference === "" && <option value="">Choose a model…</option>}
                                    {!choice && reference !== "" && !catalog && <option value={reference}>{reference}</option>}
                                    <optgroup label="On disk">
                                        {registered.data!.map((m) => (
                                            <option key={m.id} value={m.id}>
                                                {m.name} · {formatBytes(m.sizeBytes)}
                                            </option>
                                        ))}
                                    </optgroup>
                                    <optgroup label="From the catalog (downloaded by the plan)">
                                        {catalogModels.map((m) => (
                                            <option key={m.model.id} value={`catalog:${m.model.id}`}>
                                                {m.model.name} · predicted {levelLabels[m.verdict].toLowerCase()}
                                            </option>
                                        ))}
                                    </optgroup>
                                </select>
                            </label>
                            {catalog && (
                                <label className="field">
                                    <span>Quantization</span>
                                    <select value={reference} onChange={(e) => setRow(index, e.target.value)} data-testid="picker-quantization">
                                        {catalog.options.map((o) => (
                                            <option key={o.quantization} value={`${catalog.model.id}:${o.quantization}`}>
                                                {o.quantization} · {formatBytes(o.sizeBytes)} · {levelLabels[o.verdict].toLowerCase()}
                                            </option>
                                        ))}
                                    </select>
                                </label>
                            )}
                            <div className="picker-facts small" data-testid="picker-facts">
                                {choice ? (
                                    <>
                                        <span>{choice.onDisk ? `on disk, ${formatBytes(choice.sizeBytes)}` : `downloads ${formatBytes(choice.sizeBytes)}`}</span>
                                        {choice.predicted && <LevelBadge level={choice.predicted} />}
                                        {choice.turnSeconds !== null && choice.generationTps !== null && (
                                            <span className="muted">
                                                ~{choice.generationTps.toFixed(1)} tok/s, ~{formatDuration(choice.turnSeconds * 1000)} per agent turn (predicted)
                                            </span>
                                        )}
                                    </>
                                ) : (
                                    <span className="muted">{reference === "" ? "" : "not in the catalog or on disk: the plan will say what it can do"}</span>
                                )}
                            </div>
                            <button type="button" className="button small ghost" onClick={() => setRows(rows.filter((_, i) => i !== index))} aria-label={`Remove model ${index + 1}`} data-testid="picker-remove">
                                Remove
                            </button>
                        </li>
                    );
                })}
            </ol>
            {problem && (
                <p className="error-text small" role="alert" data-testid="picker-problem">
                    {problem}
                </p>
            )}
            <div className="form-actions">
                {rows.length < MAX_CANDIDATES && (
                    <button type="button" className="button small" onClick={() => setRows([...rows, ""])} data-testid="picker-add">
                        Add a model
                    </button>
                )}
                <button className="button primary" type="submit" disabled={props.saving || problem !== null} data-testid="save-candidates">
                    Save
                </button>
                <button className="button ghost" type="button" onClick={props.onCancel}>
                    Cancel
                </button>
            </div>
        </form>
    );
}

/** Every model the picker offers: those on disk, then each catalog model's quantizations. */
function candidateChoices(recommendation: RecommendationReport | undefined, registered: RegisteredModel[] | undefined): CandidateChoice[] {
    const choices: CandidateChoice[] = [];
    for (const m of registered ?? []) {
        const catalogId = m.source.kind === "huggingface" ? m.source.catalogId : null;
        const [modelId, quant] = catalogId?.split(":") ?? [];
        const option = recommendation?.models.find((r) => r.model.id === modelId)?.options.find((o) => o.quantization === quant);
        choices.push({
            reference: m.id,
            identity: catalogId ?? m.id,
            label: m.name,
            sizeBytes: m.sizeBytes,
            onDisk: true,
            predicted: option?.verdict ?? null,
            turnSeconds: option?.speed.agentTurnSeconds ?? null,
            generationTps: option?.speed.generationAtDepthTokensPerSecond ?? null
        });
    }
    for (const r of recommendation?.models ?? [])
        for (const o of r.options)
            choices.push({
                reference: `${r.model.id}:${o.quantization}`,
                identity: `${r.model.id}:${o.quantization}`,
                label: `${r.model.name} ${o.quantization}`,
                sizeBytes: o.sizeBytes,
                onDisk: false,
                predicted: o.verdict,
                turnSeconds: o.speed.agentTurnSeconds,
                generationTps: o.speed.generationAtDepthTokensPerSecond
            });
    return choices;
}

function StepRow(props: {plan: AnswerPlan; step: AnswerStep; onPlan: (plan: AnswerPlan) => void}) {
    const {plan, step} = props;
    const skip = useApiAction("answer.skip");
    const open = ["pending", "running", "paused"].includes(step.state);
    const result = step.state === "done" ? {bench: "#/benchmark", eval: "#/verdict", download: "#/models", verdict: "#/verdict"}[step.kind] : null;
    return (
        <li className={`step step-${step.state}`} data-testid="plan-step" data-state={step.state} data-kind={step.kind}>
            <div className="step-head">
                <Badge tone={stepTone[step.state]}>{step.state}</Badge>
                <strong>{step.title}</strong>
                {open && (
                    <button
                        className="button small ghost"
                        onClick={() => void skip.run({planId: plan.id, step: step.index}).then((p) => p && props.onPlan(p))}
                        disabled={skip.running}
                        data-testid="skip-step"
                    >
                        Skip
                    </button>
                )}
                {result && (
                    <a className="small" href={result} data-testid="step-result">
                        {step.kind === "eval" ? "Its Verdict →" : step.kind === "bench" ? "Its speeds →" : step.kind === "download" ? "The model →" : "Open →"}
                    </a>
                )}
            </div>
            {(step.state === "running" || step.state === "paused") && step.progress !== null && (
                <Meter segments={[{label: "done", value: step.progress, tone: "info"}]} capacity={1} label={`${Math.round(step.progress * 100)}% done`} />
            )}
            <div className="step-facts small">
                {step.state === "pending" && <span data-testid="step-estimate">Estimate: {step.estimate.seconds === null ? step.estimate.text : `${seconds(step.estimate.seconds)} (${step.estimate.text})`}</span>}
                {(step.state === "running" || step.state === "paused") && step.progress !== null && <strong data-testid="step-percent">{Math.round(step.progress * 100)}%</strong>}
                {(step.state === "running" || step.state === "paused") && (
                    <span data-testid="step-timing">
                        {step.state === "paused" ? formatElapsedAndEta(step.elapsedSeconds, null, "paused") : formatElapsedAndEta(step.elapsedSeconds, step.etaSeconds, "unknown")}{" "}
                        <span className="muted">(estimate {step.estimate.basis})</span>
                    </span>
                )}
                {step.detail && <span data-testid="step-detail">{step.detail}</span>}
                {step.note && <span className="muted">{step.note}</span>}
                {step.error && (
                    <span className="error-text">
                        [{step.error.code}] {step.error.message}
                    </span>
                )}
            </div>
            <ErrorBanner error={skip.error} />
        </li>
    );
}
