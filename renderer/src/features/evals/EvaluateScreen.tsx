import {useState} from "react";
import {useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {PageHeader} from "../../components/PageHeader.tsx";
import {NewEvalForm} from "./NewEvalForm.tsx";
import {PricesCard} from "./PricesCard.tsx";
import {ProvidersCard} from "./ProvidersCard.tsx";
import {RunDetail} from "./RunDetail.tsx";
import {RunsTable} from "./RunsTable.tsx";
import {TranscriptView} from "./TranscriptView.tsx";
import "./EvaluateScreen.css";

/** The refactor eval: start runs, watch them live, read every transcript. */
export function EvaluateScreen() {
    const tasks = useApiQuery("eval.tasks", {});
    const providers = useApiQuery("eval.providers", {});
    const runs = useApiQuery("eval.runs", {limit: 100});
    const [selectedRunId, setSelectedRunId] = useState<number | undefined>();
    const [sampleId, setSampleId] = useState<number | undefined>();
    useApiEvent("eval.run.updated", () => void runs.reload());
    const runId = selectedRunId ?? runs.data?.[0]?.id;

    return (
        <div className="page eval-page">
            <PageHeader
                title="Evaluate"
                subtitle="Can this model refactor code reliably as a coding agent? Each run gives the agent a small project and a one-line request to move a block into a helper, then grades it with the project's own tests, as helperbench does."
            />
            <ErrorBanner error={tasks.error ?? providers.error ?? runs.error} title="The eval could not load" />
            {tasks.data && providers.data && (
                <NewEvalForm
                    tasks={tasks.data}
                    providers={providers.data}
                    onStarted={(created) => {
                        setSelectedRunId(created[0]?.id);
                        setSampleId(undefined);
                        void runs.reload();
                    }}
                />
            )}
            <Card title="Runs" subtitle="Live while they run. Passed: the target changed, parses and every test passes. Strict passed: also extracted a real helper that the function calls and the block no longer inline." testId="runs">
                {runs.data && runs.data.length === 0 ? (
                    <div className="empty-inline" data-testid="no-runs">
                        No evaluations yet. Choose a model and a task above.
                    </div>
                ) : (
                    <RunsTable
                        runs={runs.data ?? []}
                        selectedId={runId}
                        onSelect={(id) => {
                            setSelectedRunId(id);
                            setSampleId(undefined);
                        }}
                    />
                )}
            </Card>
            {runId !== undefined && <RunDetail key={`run-${runId}`} runId={runId} selectedSampleId={sampleId} onSelectSample={setSampleId} />}
            {sampleId !== undefined && <TranscriptView key={`sample-${sampleId}`} sampleId={sampleId} onClose={() => setSampleId(undefined)} />}
            {providers.data && <ProvidersCard providers={providers.data} onChanged={() => void providers.reload()} />}
            <PricesCard onChanged={() => void runs.reload()} />
        </div>
    );
}
