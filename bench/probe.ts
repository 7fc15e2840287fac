import {spawnSync} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {probeHardware} from "../electron/core/hardware/probeHardware.ts";
import type {Benchmark} from "./index.ts";
import {ratioLine, summarize} from "./stats.ts";

/** Target: a probe takes under a second, in the app (warm) and as a fresh `agentfit probe` process. */
export const probeBenchmark: Benchmark = {
    name: "probe",
    description: "hardware probe time against the 1 s target",
    async run() {
        const modelsPath = path.join(os.tmpdir(), "agentfit-bench-models");
        const inProcess: number[] = [];
        for (let i = 0; i < 5; i++) inProcess.push((await probeHardware({modelsPath, appVersion: "bench"})).durationMs);
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-bench-"));
        const reported: number[] = [];
        const wall: number[] = [];
        for (let i = 0; i < 3; i++) {
            const started = performance.now();
            const result = spawnSync(process.execPath, ["bin/agentfit.js", "probe", "--json"], {env: {...process.env, AGENTFIT_HOME: home}, encoding: "utf8"});
            wall.push(performance.now() - started);
            reported.push((JSON.parse(result.stdout) as {durationMs: number}).durationMs);
        }
        fs.rmSync(home, {recursive: true, force: true});
        const warm = summarize(inProcess.slice(1));
        const cold = summarize(reported);
        console.log(`   in-process probe (warm)       ${warm.mean.toFixed(0)} ± ${warm.sd.toFixed(0)} ms`);
        console.log(`   first probe in a process      ${inProcess[0]!.toFixed(0)} ms`);
        console.log(`   agentfit probe: probe itself  ${cold.mean.toFixed(0)} ± ${cold.sd.toFixed(0)} ms; whole command ${summarize(wall).mean.toFixed(0)} ms`);
        console.log(ratioLine("warm probe ÷ 1000 ms", warm.mean / 1000, {atMost: 1}));
        console.log(ratioLine("CLI probe ÷ 1000 ms", cold.mean / 1000, {atMost: 1}));
    }
};
