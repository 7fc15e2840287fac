// Child process of the speed-fidelity benchmark (AGENTFIT_BENCH_PLAIN=1): the engine's own load
// (loadEngineModel) and speed tests (runSpeedTests) in a plain Node process, without the engine
// process's IPC, the app or the store. Started with the engine's environment
// (engineProcessEnvironment); prints the pp512 and tg128 repetitions' tokens/s as one JSON line.
import {disposeLlama, loadEngineModel} from "../electron/engine/model/loadEngineModel.ts";
import {runSpeedTests} from "../electron/engine/bench/runSpeedTests.ts";

const job = JSON.parse(process.argv[2]!) as {file: string; threads: number; repetitions: number};
{
    // 768 tokens: the context the benchmark loads for pp512 and tg128 (planConfigurations).
    await using loaded = await loadEngineModel(
        job.file,
        {contextSize: 768, threads: job.threads, gpuLayers: 0, flashAttention: false, kvCacheType: "f16", batchSize: 512, parallel: 1},
        {trainedContextSize: null, quantization: null, mappedWeightBytes: 0}
    );
    const lease = await loaded.pool.acquire([]);
    const [pp, tg] = await runSpeedTests({
        sequence: lease.sequence,
        model: loaded.model,
        repetitions: job.repetitions,
        tests: [
            {depth: 0, promptTokens: 512, generatedTokens: 0},
            {depth: 0, promptTokens: 0, generatedTokens: 128}
        ]
    });
    lease.release();
    process.stdout.write(JSON.stringify({pp: pp!.samplesTokensPerSecond, tg: tg!.samplesTokensPerSecond}) + "\n");
}
await disposeLlama();
