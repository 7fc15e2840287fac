import type {BenchApi} from "../../api/BenchApi.ts";
import type {AppContext} from "../AppContext.ts";
import {InvalidArgumentError} from "../AppError.ts";
import {BenchError} from "./BenchError.ts";
import {toLlamaBenchJson} from "./toLlamaBenchJson.ts";

function runIdOf(arg: {runId?: unknown} | undefined): number {
    const runId = arg?.runId;
    if (typeof runId !== "number" || !Number.isInteger(runId) || runId < 1) throw new InvalidArgumentError(`runId must be a run's id (a whole number), got ${JSON.stringify(runId)}.`);
    return runId;
}

/** The speed benchmark's slice of AppApi. */
export function createBenchApi(context: AppContext): BenchApi {
    const {store} = context;
    store.bench.markInterrupted();
    const getRun = (runId: number) => {
        const run = store.bench.getRun(runId);
        if (!run) throw new BenchError("BENCH_RUN_NOT_FOUND", `There is no benchmark run ${runId}; 'agentfit bench runs' lists them.`);
        return run;
    };
    return {
        async "bench.start"() {
            throw new BenchError("BENCH_BUSY", "Benchmark runs are not available yet.");
        },
        async "bench.cancel"(arg) {
            const run = getRun(runIdOf(arg));
            if (run.status !== "running") throw new BenchError("BENCH_STATE_CONFLICT", `Benchmark run ${run.id} has already ended (${run.status}).`);
            return run;
        },
        async "bench.runs"(arg) {
            const limit = arg?.limit ?? 50;
            if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InvalidArgumentError(`limit must be a whole number from 1 to 1000, got ${JSON.stringify(arg.limit)}.`);
            return store.bench.listRuns(limit);
        },
        async "bench.run"(arg) {
            const run = getRun(runIdOf(arg));
            return {...run, results: store.bench.results(run.id)};
        },
        async "bench.latest"(arg) {
            return store.bench.latest(arg ?? {});
        },
        async "bench.exportJson"(arg) {
            const run = getRun(runIdOf(arg));
            return toLlamaBenchJson(run, store.bench.results(run.id), {includeSkipped: arg.includeSkipped === true});
        }
    };
}
