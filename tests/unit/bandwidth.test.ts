import {describe, expect, it} from "vitest";
import type {BandwidthMeasurement, MachineLoad} from "../../electron/api/ModelsApi.ts";
import {createAppService} from "../../electron/core/AppService.ts";
import {chooseBandwidth} from "../../electron/core/catalog/hardwareProfile.ts";
import type {BandwidthResult, MeasureBandwidthOptions} from "../../electron/core/catalog/measureBandwidth.ts";
import {measureBandwidth} from "../../electron/core/catalog/measureBandwidth.ts";
import {isBusy, loadBetween, type CpuTimes} from "../../electron/core/catalog/watchMachineLoad.ts";
import {fixedMachine} from "../utils/fixedMachines.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

const quiet: MachineLoad = {otherBusyCores: 0.05, cores: 2, loadAverage1m: 0.2, busy: false};
const busy: MachineLoad = {otherBusyCores: 1.9, cores: 2, loadAverage1m: 4.1, busy: true};
const measurement = (gbps: number, load: MachineLoad | undefined, day = 1): BandwidthMeasurement => ({
    hardwareKey: "k",
    bytesPerSecond: gbps * 1e9,
    threads: 2,
    method: "test",
    measuredAt: `2026-12-0${day}T00:00:00Z`,
    ...(load ? {load} : {})
});

describe("machine load", () => {
    const times = (busyMs: number, totalMs: number, ownMicros: number, cores = 2): CpuTimes => ({busyMs, totalMs, ownMicros, cores});

    it("counts other processes' busy cores: all cores' busy time minus this process's own", () => {
        // 1 s on 2 cores = 2000 ms; 1900 ms busy of which 1800 ms were ours: others used 0.1 core.
        expect(loadBetween(times(0, 0, 0), times(1900, 2000, 1_800_000))).toMatchObject({otherBusyCores: 0.1, cores: 2, busy: false});
        // Two busy loops next to our two measuring threads: the cores were shared, others got half.
        expect(loadBetween(times(0, 0, 0), times(2000, 2000, 1_000_000))).toMatchObject({otherBusyCores: 1, busy: true});
    });

    it("classifies busy at 15 % of the cores and at least a quarter core", () => {
        expect(isBusy(0.2, 2)).toBe(false);
        expect(isBusy(0.3, 2)).toBe(true);
        expect(isBusy(1.0, 8)).toBe(false);
        expect(isBusy(1.3, 8)).toBe(true);
        expect(isBusy(0.24, 1)).toBe(false);
    });
});

describe("choosing the bandwidth figure", () => {
    it("keeps the best quiet measurement, even when a later busy one is higher", () => {
        const choice = chooseBandwidth([measurement(31, busy, 3), measurement(24, quiet, 2), measurement(22, quiet, 1)]);
        expect(choice).toMatchObject({underLoad: false, chosen: {bytesPerSecond: 24e9}});
    });

    it("flags a figure when only measurements under load (or without a load reading) exist", () => {
        expect(chooseBandwidth([measurement(5.1, busy), measurement(19.9, busy)])).toMatchObject({underLoad: true, chosen: {bytesPerSecond: 19.9e9}});
        expect(chooseBandwidth([measurement(24, undefined)])).toMatchObject({underLoad: true});
        expect(chooseBandwidth([])).toBeNull();
    });
});

describe("measureBandwidth", () => {
    it("measures repeated rounds with their spread and the load other processes put on the machine", async () => {
        let reads = 0;
        // Injected counters: between the two readings other processes kept 1.5 of 2 cores busy.
        const readCpuTimes = (): CpuTimes => (reads++ === 0 ? {busyMs: 0, totalMs: 0, ownMicros: 0, cores: 2} : {busyMs: 1900, totalMs: 2000, ownMicros: 400_000, cores: 2});
        const result = await measureBandwidth({threads: 2, rounds: 5, roundMs: 20, bufferBytes: 8 * 1024 ** 2, readCpuTimes});
        expect(result.roundsBytesPerSecond).toHaveLength(5);
        expect(result.roundsBytesPerSecond.every((r) => r > 0)).toBe(true);
        const sorted = [...result.roundsBytesPerSecond].sort((a, b) => a - b);
        expect(result.bytesPerSecond).toBe(sorted[2]);
        expect(result.spread).toBeGreaterThanOrEqual(0);
        expect(result.load).toMatchObject({otherBusyCores: 1.5, busy: true});
        expect(result.method).toMatch(/median of 5 rounds of a 2-thread memcpy/);
    });

    it("refuses with a clear message when RAM is too short, and when interrupted", async () => {
        await expect(measureBandwidth({threads: 2, freeBytes: 100 * 1024 ** 2})).rejects.toMatchObject({code: "BANDWIDTH_NOT_ENOUGH_MEMORY", message: expect.stringMatching(/needs 512 MiB of free RAM.*only 100 MiB/)});
        const controller = new AbortController();
        const running = measureBandwidth({threads: 1, rounds: 50, roundMs: 50, bufferBytes: 8 * 1024 ** 2, signal: controller.signal});
        setTimeout(() => controller.abort(), 200);
        await expect(running).rejects.toMatchObject({code: "BANDWIDTH_MEASUREMENT_CANCELLED"});
    });
});

describe("bandwidth through the app (probe → recommend)", () => {
    const result = (gbps: number, load: MachineLoad): BandwidthResult => ({
        bytesPerSecond: gbps * 1e9,
        roundsBytesPerSecond: [gbps * 1e9],
        spread: 0.03,
        threads: 2,
        method: "injected",
        load
    });

    it("flags a figure measured under load, re-measures when the machine is quiet, and never lets a busy figure replace a quiet one", async () => {
        using home = createTempHome();
        const figures = [result(5.1, busy), result(24, quiet), result(40, busy)];
        let machineLoad = busy;
        const calls: MeasureBandwidthOptions[] = [];
        await using app = await createAppService({
            paths: home,
            probeSources: fixedMachine("cpu-32gb"),
            measureBandwidth: async (options) => (calls.push(options), figures.shift()!),
            sampleMachineLoad: async () => machineLoad
        });
        const first = await app["models.recommend"]({});
        expect(first.hardware).toMatchObject({bandwidthUnderLoad: true, bandwidthKind: "measured", cpuBandwidthBytesPerSecond: 5.1e9});
        expect(first.hardware.bandwidthSource).toMatch(/other processes kept 1\.9 of 2 cores busy/);

        // Still busy: nothing is measured again.
        await app["models.recommend"]({});
        expect(calls).toHaveLength(1);

        machineLoad = quiet;
        const second = await app["models.recommend"]({});
        expect(calls).toHaveLength(2);
        expect(second.hardware).toMatchObject({bandwidthUnderLoad: false, cpuBandwidthBytesPerSecond: 24e9});

        // An explicit measurement under load is kept but does not replace the quiet figure.
        const kept = await app["models.measureBandwidth"]({});
        expect(kept.load?.busy).toBe(true);
        const third = await app["models.recommend"]({});
        expect(third.hardware).toMatchObject({bandwidthUnderLoad: false, cpuBandwidthBytesPerSecond: 24e9});
        const status = await app["models.bandwidth"]({});
        expect(status.measurements).toHaveLength(3);
        expect(status).toMatchObject({underLoad: false, chosen: {bytesPerSecond: 24e9}});
    });

    it("falls back to a stated default with the reason when the measurement is impossible", async () => {
        using home = createTempHome();
        await using app = await createAppService({
            paths: home,
            probeSources: fixedMachine("cpu-32gb"),
            measureBandwidth: () => measureBandwidth({threads: 2, freeBytes: 64 * 1024 ** 2})
        });
        const report = await app["models.recommend"]({});
        expect(report.hardware.cpuBandwidthBytesPerSecond).toBe(51.2e9);
        expect(report.hardware.bandwidthKind).toBe("peak");
        expect(report.hardware.bandwidthSource).toMatch(/the measurement failed \(Measuring memory bandwidth needs .* free RAM.*\), so dual-channel DDR4-3200 \(51\.2 GB\/s\) is assumed/);
        await expect(app["models.measureBandwidth"]({})).rejects.toMatchObject({code: "BANDWIDTH_NOT_ENOUGH_MEMORY"});
    });
});
