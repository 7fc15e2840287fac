import type {AppApi} from "../../api/AppApi.ts";
import type {BenchResult, BenchRun} from "../../api/BenchApi.ts";
import type {ModelLoadRecord} from "../../api/EngineApi.ts";
import type {EvalModelResult, EvalPrice, EvalRunSummary, EvalSampleSummary} from "../../api/EvalApi.ts";
import type {HardwareSnapshot} from "../../api/HardwareApi.ts";
import type {Verdict, VerdictThresholdsState} from "../../api/VerdictApi.ts";
import type {Store} from "../store/Store.ts";

/** Every measurement a report carries, read from the store (and the eval's statistics) at one moment. */
export interface ReportData {
    /** "agentfit-report/1": bump when a field changes meaning. */
    schema: "agentfit-report/1";
    generatedAt: string;
    appVersion: string;
    /** The latest hardware snapshot. */
    machine: HardwareSnapshot | null;
    thresholds: VerdictThresholdsState;
    verdict: Verdict;
    /** `results`: the statistics per harness × model × quantization × task, as `eval results` shows them. */
    evals: {runs: (EvalRunSummary & {samples: EvalSampleSummary[]})[]; results: EvalModelResult[]; prices: EvalPrice[]};
    bench: {runs: (BenchRun & {results: BenchResult[]})[]};
    modelLoads: ModelLoadRecord[];
}

export interface ReportSources {
    verdict: Verdict;
    store: Store;
    app: AppApi;
    appVersion: string;
}

export async function collectReportData(sources: ReportSources): Promise<ReportData> {
    const {store, app} = sources;
    const evalRuns = await app["eval.runs"]({limit: 1000});
    return {
        schema: "agentfit-report/1",
        generatedAt: sources.verdict.generatedAt,
        appVersion: sources.appVersion,
        machine: store.hardware.latest() ?? null,
        thresholds: await app["verdict.thresholds"]({}),
        verdict: sources.verdict,
        evals: {
            runs: evalRuns.map((run) => ({...run, samples: store.evals.samples(run.id)})).reverse(),
            results: await app["eval.results"]({}),
            prices: await app["eval.prices"]({})
        },
        bench: {runs: store.bench.listRuns(1000).reverse().map((run) => ({...run, results: store.bench.results(run.id)}))},
        modelLoads: store.modelLoads.list(1000).reverse()
    };
}
