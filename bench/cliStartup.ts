import {spawnSync} from "node:child_process";
import type {Benchmark} from "./index.ts";
import {ratioLine, summarize} from "./stats.ts";

const rounds = 15;

/** Wall time of one `node <args>` process, ms. */
function timeNode(args: string[]): number {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, {stdio: "ignore"});
    const elapsed = performance.now() - started;
    if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited with ${result.status ?? result.signal}`);
    return elapsed;
}

/**
 * Target: `agentfit --help` (the built CLI through bin/agentfit.js) starts within 8× a bare
 * `node -e 0`, both timed alternately in one run so the machine's load weighs on both alike.
 */
export const cliStartupBenchmark: Benchmark = {
    name: "cli-startup",
    description: "`agentfit --help` against a bare `node -e 0` start",
    async run() {
        timeNode(["bin/agentfit.js", "--help"]); // file cache warm for both
        const bare: number[] = [];
        const help: number[] = [];
        for (let i = 0; i < rounds; i++) {
            bare.push(timeNode(["-e", "0"]));
            help.push(timeNode(["bin/agentfit.js", "--help"]));
        }
        const line = (label: string, samples: number[]) => {
            const s = summarize(samples);
            return `   ${label.padEnd(18)} median ${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)} ms over ${rounds} runs)`;
        };
        console.log(line("node -e 0", bare));
        console.log(line("agentfit --help", help));
        console.log(ratioLine("agentfit --help ÷ node -e 0 (medians)", summarize(help).median / summarize(bare).median, {atMost: 8}));
    }
};
