import {useEffect, useState} from "react";
import type {VerdictThresholds} from "../../../../electron/api/VerdictApi.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";

type Field = {key: keyof VerdictThresholds; label: string; unit: string; percent?: boolean; step: number};

const rows: {title: string; usable: Field; almost?: Field}[] = [
    {
        title: "Refactor success",
        usable: {key: "usableSuccessRate", label: "usable ≥", unit: "%", percent: true, step: 5},
        almost: {key: "almostSuccessRate", label: "almost ≥", unit: "%", percent: true, step: 5}
    },
    {title: "Generation speed", usable: {key: "usableGenerationTps", label: "usable ≥", unit: "tok/s", step: 1}, almost: {key: "almostGenerationTps", label: "almost ≥", unit: "tok/s", step: 1}},
    {title: "Time per agent turn", usable: {key: "usableTurnSeconds", label: "usable ≤", unit: "s", step: 5}, almost: {key: "almostTurnSeconds", label: "almost ≤", unit: "s", step: 5}},
    {title: "Eval runs before usable", usable: {key: "minRuns", label: "at least", unit: "runs", step: 1}},
    {title: "Agent context (fit)", usable: {key: "contextSize", label: "", unit: "tokens", step: 1024}}
];

const toInput = (f: Field, value: number) => String(f.percent ? Math.round(value * 1000) / 10 : value);
// An empty field is no number (sent as null and refused with VERDICT_THRESHOLDS_INVALID), never a silent 0.
const fromInput = (f: Field, text: string) => (text.trim() === "" ? Number.NaN : Number(text) / (f.percent ? 100 : 1));

/** The verdict's rules, editable: each criterion's "usable" and "almost" bars. */
export function ThresholdsCard() {
    const state = useApiQuery("verdict.thresholds", {});
    const save = useApiAction("verdict.setThresholds");
    const [draft, setDraft] = useState<Record<string, string>>({});
    useApiEvent("verdict.thresholdsChanged", () => void state.reload());
    const t = state.data?.thresholds;
    useEffect(() => {
        if (!t) return;
        const next: Record<string, string> = {};
        for (const row of rows) for (const f of [row.usable, row.almost]) if (f) next[f.key] = toInput(f, t[f.key]);
        setDraft(next);
    }, [t]);
    if (!state.data || !t) return <Card title="Thresholds">{state.error ? <ErrorBanner error={state.error} /> : <div className="empty-inline">Loading…</div>}</Card>;
    const fields = rows.flatMap((r) => [r.usable, ...(r.almost ? [r.almost] : [])]);
    const changed = fields.filter((f) => draft[f.key] !== undefined && !Object.is(fromInput(f, draft[f.key]!), t[f.key]));
    const onSave = async () => {
        await save.run(Object.fromEntries(changed.map((f) => [f.key, fromInput(f, draft[f.key]!)])));
    };
    return (
        <Card
            title="Thresholds"
            subtitle={`${state.data.edited.length ? `Edited: ${state.data.edited.length} of ${fields.length}. Defaults mirror helperbench (8/10 over 10 runs).` : "Defaults mirror helperbench: 8/10 successes over 10 runs, 10 tok/s, 30 s per turn."} The Models screen and agentfit recommend judge their predictions with these too.`}
            testId="verdict-thresholds"
        >
            <ErrorBanner error={save.error} title="Not saved" />
            <table className="table thresholds-table">
                <tbody>
                    {rows.map((row) => (
                        <tr key={row.title}>
                            <td>{row.title}</td>
                            {[row.usable, row.almost].map((f, i) =>
                                f ? (
                                    <td key={f.key}>
                                        <label className="threshold-input">
                                            <span className="muted">{f.label}</span>
                                            <input
                                                type="number"
                                                step={f.step}
                                                min={0}
                                                value={draft[f.key] ?? ""}
                                                onChange={(e) => setDraft({...draft, [f.key]: e.target.value})}
                                                className={state.data!.edited.includes(f.key) ? "edited" : ""}
                                                data-testid={`threshold-${f.key}`}
                                            />
                                            <span className="muted">{f.unit}</span>
                                        </label>
                                    </td>
                                ) : (
                                    <td key={i} />
                                )
                            )}
                        </tr>
                    ))}
                </tbody>
            </table>
            <div className="form-actions">
                <button className="button primary" disabled={changed.length === 0 || save.running} onClick={() => void onSave()} data-testid="thresholds-save">
                    {save.running ? "Saving…" : changed.length ? `Save ${changed.length} change${changed.length === 1 ? "" : "s"}` : "Saved"}
                </button>
                <button className="button" disabled={state.data.edited.length === 0 || save.running} onClick={() => void save.run({reset: true})} data-testid="thresholds-reset">
                    Reset to defaults
                </button>
            </div>
        </Card>
    );
}
