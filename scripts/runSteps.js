#!/usr/bin/env node
// `npm test`'s driver: runs every step (each `name=shell command`) in order even when an earlier one
// fails, so one failing project never hides the ones after it (the engine build runs last), then
// prints which steps failed and exits 1 if any did.
import {spawnSync} from "node:child_process";

const steps = process.argv.slice(2).map((argument) => {
    const split = argument.indexOf("=");
    if (split <= 0) {
        console.error(`runSteps: "${argument}" is not a step; write each as name=command.`);
        process.exit(2);
    }
    return {name: argument.slice(0, split), command: argument.slice(split + 1)};
});

const failed = [];
for (const step of steps) {
    console.log(`\n▶ ${step.name}: ${step.command}`);
    const result = spawnSync(step.command, {shell: true, stdio: "inherit"});
    if (result.status !== 0) failed.push(`${step.name} (${result.signal ? `killed by ${result.signal}` : `exit ${result.status ?? result.error?.message}`})`);
}
console.log(failed.length === 0 ? `\n✔ all ${steps.length} steps passed` : `\n✘ ${failed.length} of ${steps.length} steps failed: ${failed.join(", ")}`);
process.exit(failed.length === 0 ? 0 : 1);
