import fs from "node:fs";
import path from "node:path";
import {expect} from "vitest";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import type {RunningApp} from "./startApp.ts";
import {startApp} from "./startApp.ts";
import {fixedMachine} from "./fixedMachines.ts";

/** The same generated model file on every machine of a test (same header, so the same row when machines are compared). */
export function writeComparedModel(folder: string): string {
    return writeGgufModel(path.join(folder, "team-tiny.Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 32768, name: "Team Tiny"}).path;
}

/** A real, quick speed benchmark of `model` (one thread, tiny tests), waited for until it completes. */
export async function benchQuickly(app: RunningApp, model: string): Promise<void> {
    const run = await app.client.call("bench.start", {models: [model], promptTokens: 32, generatedTokens: 8, repetitions: 1, timeToFirstToken: false, matrix: {threads: [1], gpuLayers: [0]}});
    await expect.poll(async () => (await app.client.call("bench.run", {runId: run.id})).status, {timeout: 180_000, interval: 250}).toBe("completed");
}

/**
 * Another machine's JSON report, made the way its user would (`reports.export` format json) by an app
 * whose probe describes a fixed laptop (a hardware key no test machine has), after benchmarking the
 * compared model there. Written to `file`.
 */
export async function writeOtherMachineReport(file: string, kind: "cpu-32gb" | "rtx4060-32gb" = "cpu-32gb"): Promise<void> {
    await using other = await startApp({service: {probeSources: fixedMachine(kind), measureBandwidthAutomatically: false}});
    await other.client.call("hardware.probe", {});
    await benchQuickly(other, writeComparedModel(other.home.models));
    const report = await other.client.call("reports.export", {format: "json"});
    fs.mkdirSync(path.dirname(file), {recursive: true});
    fs.writeFileSync(file, report.files[0]!.content);
}
