// `npm run bench`: speed and accuracy targets, measured side by side in one run and printed as
// ratios. Not part of CI (timings on shared machines are noisy). `npm run bench -- probe` runs one,
// `npm run bench -- serve` every serve-… one.
import {cliStartupBenchmark} from "./cliStartup.ts";
import {evalAgentHarnessBenchmark, evalHarnessBenchmark} from "./evalHarness.ts";
import {downloadsBenchmark} from "./downloads.ts";
import {probeBenchmark} from "./probe.ts";
import {serveFrontBenchmark, serveLatencyBenchmark, servePrefixReuseBenchmark, serveProtocolsBenchmark, serveThroughputBenchmark} from "./serve.ts";
import {recommendAccuracyBenchmark} from "./recommendAccuracy.ts";
import {speedFidelityBenchmark} from "./speedFidelity.ts";

export interface Benchmark {
    name: string;
    description: string;
    run(): Promise<void>;
}

const benchmarks: Benchmark[] = [cliStartupBenchmark, probeBenchmark, recommendAccuracyBenchmark, downloadsBenchmark, serveThroughputBenchmark, serveLatencyBenchmark, servePrefixReuseBenchmark, serveFrontBenchmark, serveProtocolsBenchmark, evalHarnessBenchmark, evalAgentHarnessBenchmark, speedFidelityBenchmark];

const wanted = process.argv.slice(2);
let failed = false;
for (const benchmark of benchmarks.filter((b) => wanted.length === 0 || wanted.some((name) => b.name === name || b.name.startsWith(`${name}-`)))) {
    console.log(`\n== ${benchmark.name}: ${benchmark.description}`);
    try {
        await benchmark.run();
    } catch (error) {
        failed = true;
        console.error(`   ${benchmark.name} failed:`, error);
    }
}
process.exit(failed ? 1 : 0);
