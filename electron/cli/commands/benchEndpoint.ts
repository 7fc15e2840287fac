import type {EndpointBenchRequest, EndpointBenchRun} from "../../api/EndpointsApi.ts";
import type {AppService} from "../../core/AppService.ts";
import {endpointLabel, endpointSummaryRows} from "../../shared/endpointFormat.ts";
import {bold, dim, keyValues, red, table} from "../utils/format.ts";
import {onInterrupt} from "../utils/onInterrupt.ts";

/** Prints one endpoint run: what it measured and its figures. */
export function printEndpointRun(run: EndpointBenchRun) {
    console.log(bold(endpointLabel(run)));
    console.log(keyValues(endpointSummaryRows(run)));
    console.log(dim(`Endpoint run ${run.id} · ${run.status} · stored under ${run.endpointKey}, apart from this machine's results`));
}

/** `agentfit bench --base-url URL --model ID`: measures the endpoint, printing each phase as it ends. */
export async function runEndpointBench(app: AppService, request: EndpointBenchRequest, options: {json?: boolean}): Promise<number> {
    let finished: (run: EndpointBenchRun) => void = () => {};
    const ended = new Promise<EndpointBenchRun>((resolve) => (finished = resolve));
    const mine: {runId?: number} = {};
    let lastPhase: string | null = null;
    const unsubscribe = app.events.subscribe((event, payload) => {
        if (event !== "endpoints.progress") return;
        const run = payload as EndpointBenchRun;
        if (run.id !== mine.runId) return;
        if (run.phase && run.phase !== lastPhase) console.error(dim(`measuring ${run.phase}…`));
        lastPhase = run.phase;
        if (run.status !== "running") finished(run);
    });
    const started = await app["endpoints.bench"](request);
    mine.runId = started.id;
    console.error(`Endpoint run ${started.id}: ${endpointLabel(started)}; Ctrl-C cancels (finished phases are kept).`);
    const stopListening = onInterrupt(() => void app["endpoints.cancel"]({runId: started.id}).catch(() => {}));
    const run = await ended;
    unsubscribe();
    stopListening();
    if (options.json) console.log(JSON.stringify(run, null, 2));
    else printEndpointRun(run);
    if (run.status === "failed") {
        console.error(red(`error [${run.error?.code}]: ${run.error?.message}`));
        return 1;
    }
    return run.status === "cancelled" ? 130 : 0;
}

/** The endpoint runs as a table, newest first. */
export function endpointRunsTable(runs: EndpointBenchRun[]): string {
    const tps = (value: number | null) => (value === null ? "–" : value.toFixed(1));
    return table(
        ["run", "started", "status", "endpoint", "gen t/s", "pp t/s", "prefix cache", "best aggregate"],
        runs.map((run) => [
            `e${run.id}`,
            run.createdAt.replace("T", " ").slice(0, 19),
            run.status,
            endpointLabel(run),
            tps(run.summary.generationTps),
            tps(run.summary.promptTps),
            run.summary.prefixCache ?? "–",
            run.summary.bestAggregateTps === null ? "–" : `${tps(run.summary.bestAggregateTps)} @ ${run.summary.bestAggregateStreams}`
        ])
    );
}
