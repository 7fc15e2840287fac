// Child process of the speed-fidelity benchmark (AGENTFIT_BENCH_PLAIN=1): the engine's own load
// (loadEngineModel) and speed tests (runSpeedTests) in a plain Node process, without the engine
// process's IPC, the app or the store. Started with the engine's environment
// (engineProcessEnvironment); prints the pp512 and tg128 repetitions' tokens/s as one JSON line.
import {disposeLlama, loadEngineModel} from "../electron/engine/model/loadEngineModel.ts";
import {runSpeedTests} from "../electron/engine/bench/runSpeedTests.ts";
import {benchContextSize} from "../electron/core/bench/runBenchmark.ts";
import type {SpeedTestShape} from "../electron/protocol/engineProtocol.ts";

const job = JSON.parse(process.argv[2]!) as {file: string; threads: number; repetitions: number};

/** One test in a context of its own size, as the AgentFit side's benchmark run of that test alone loads it. */
async function measure(test: SpeedTestShape): Promise<number[]> {
    const contextSize = benchContextSize(test.depth + test.promptTokens + test.generatedTokens);
    await using loaded = await loadEngineModel(
        job.file,
        {contextSize, threads: job.threads, gpuLayers: 0, flashAttention: false, kvCacheType: "f16", batchSize: 512, parallel: 1},
        {trainedContextSize: null, quantization: null, mappedWeightBytes: 0}
    );
    const lease = await loaded.pool.acquire([]);
    try {
        const [result] = await runSpeedTests({sequence: lease.sequence, model: loaded.model, repetitions: job.repetitions, tests: [test]});
        return result!.samplesTokensPerSecond;
    } finally {
        lease.release();
    }
}

const pp = await measure({depth: 0, promptTokens: 512, generatedTokens: 0});
const tg = await measure({depth: 0, promptTokens: 0, generatedTokens: 128});
process.stdout.write(JSON.stringify({pp, tg}) + "\n");
await disposeLlama();
