import {useState} from "react";
import type {AnswerPlan, AnswerProfile, AnswerStep} from "../../../../electron/api/AnswerApi.ts";
import {formatBytes, formatDuration, plural} from "../../../../electron/shared/format.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {Badge, type Tone} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {LevelBadge} from "../../components/LevelBadge.tsx";
import {Meter} from "../../components/Meter.tsx";
import {PageHeader} from "../../components/PageHeader.tsx";
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
                {!running && plan.state !== "done" && (
                    <p className="small">
                        <button
                            className="button small ghost"
                            onClick={() => void act(replan.run({profile: plan.eval.alternative.profile, candidates: plan.candidates.map((c) => c.key), ...(plan.offline ? {offline: true} : {})}))}
                            disabled={replan.running}
                            data-testid="other-profile"
                        >
                            Switch to the {plan.eval.alternative.description}
                        </button>{" "}
                        <span className="muted">({plan.eval.alternative.estimate.text})</span>
                    </p>
                )}
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
    const [text, setText] = useState<string | null>(null);
    const editable = plan.state !== "running";
    const submit = async () => {
        const candidates = (text ?? "")
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
        const updated = await change.run({planId: plan.id, candidates});
        if (updated) {
            setText(null);
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
                                            <a href="#/benchmark">bench</a> · <a href="#/evaluate">eval</a> · <a href="#/serve">serve</a>
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
                (text === null ? (
                    <button className="button small edit-candidates" onClick={() => setText(plan.candidates.map((c) => c.key).join(", "))} data-testid="edit-candidates">
                        Change candidates
                    </button>
                ) : (
                    <form
                        className="input-row"
                        onSubmit={(e) => {
                            e.preventDefault();
                            void submit();
                        }}
                    >
                        <label className="field">
                            <span>Registered ids, GGUF paths or catalog ids (id:QUANT), comma-separated</span>
                            <input value={text} onChange={(e) => setText(e.target.value)} data-testid="candidates-input" />
                        </label>
                        <button className="button primary" type="submit" disabled={change.running} data-testid="save-candidates">
                            Save
                        </button>
                        <button className="button ghost" type="button" onClick={() => setText(null)}>
                            Cancel
                        </button>
                    </form>
                ))}
            <ErrorBanner error={change.error} />
        </Card>
    );
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
                {(step.state === "running" || step.state === "paused") && (
                    <span data-testid="step-timing">
                        Elapsed {seconds(step.elapsedSeconds)} · ETA {step.state === "paused" ? "paused" : seconds(step.etaSeconds)} <span className="muted">(estimate {step.estimate.basis})</span>
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
