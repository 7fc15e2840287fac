// Child process of the speed-fidelity benchmark (AGENTFIT_BENCH_PLAIN=1): the engine's own speed
// tests (runSpeedTests) on node-llama-cpp with the engine's load settings, in a plain Node process
// without the engine process's IPC, the app or the store. Started with the engine's environment
// (engineProcessEnvironment); prints the pp512 and tg128 repetitions' tokens/s as one JSON line.
import {getLlama, LlamaLogLevel} from "node-llama-cpp";
import {runSpeedTests} from "../electron/engine/bench/runSpeedTests.ts";

const job = JSON.parse(process.argv[2]!) as {file: string; threads: number; repetitions: number};
const llama = await getLlama({gpu: false, build: "never", usePrebuiltBinaries: true, progressLogs: false, logLevel: LlamaLogLevel.error, maxThreads: job.threads});
const model = await llama.loadModel({modelPath: job.file, gpuLayers: 0});
// 768 tokens: the context the benchmark loads for pp512 and tg128 (planConfigurations).
const context = await model.createContext({contextSize: 768, sequences: 1, threads: job.threads, flashAttention: false, batchSize: 512});
const [pp, tg] = await runSpeedTests({
    sequence: context.getSequence(),
    model,
    repetitions: job.repetitions,
    tests: [
        {depth: 0, promptTokens: 512, generatedTokens: 0},
        {depth: 0, promptTokens: 0, generatedTokens: 128}
    ]
});
process.stdout.write(JSON.stringify({pp: pp!.samplesTokensPerSecond, tg: tg!.samplesTokensPerSecond}) + "\n");
await llama.dispose();
