import type {HardwareSnapshot} from "../../api/HardwareApi.ts";
import type {BandwidthMeasurement, HardwareOverrides, HardwareProfile, WhatIfPreset} from "../../api/ModelsApi.ts";
import {CatalogError} from "./CatalogError.ts";
import {findChip, type ChipSpec} from "./bandwidthTable.ts";

const GiB = 1024 ** 3;
const GB = 1e9;

/** Bandwidth assumed for an unknown CPU: dual-channel DDR4-3200, the common laptop floor. */
export const fallbackCpuBandwidthGBps = 51.2;

/** Whether a measurement was taken on a quiet machine (old measurements without a load reading are not). */
export const measuredQuietly = (m: BandwidthMeasurement) => m.load != null && !m.load.busy;

/**
 * The measurement predictions use: the best quiet one, else the best one taken under load (flagged).
 * A measurement under load never replaces a quiet one, however much higher or newer it is.
 */
export function chooseBandwidth(measurements: readonly BandwidthMeasurement[]): {chosen: BandwidthMeasurement; underLoad: boolean} | null {
    const best = (list: readonly BandwidthMeasurement[]) => list.reduce<BandwidthMeasurement | null>((b, m) => (!b || m.bytesPerSecond > b.bytesPerSecond ? m : b), null);
    const quiet = best(measurements.filter(measuredQuietly));
    if (quiet) return {chosen: quiet, underLoad: false};
    const busy = best(measurements);
    return busy ? {chosen: busy, underLoad: true} : null;
}

/** "measured 2026-12-05 (median of 9 rounds …, ±4 %)" plus why it is flagged when measured under load. */
export function describeMeasurement(m: BandwidthMeasurement, underLoad: boolean): string {
    const spread = m.spread != null ? `, ±${Math.round(m.spread * 100)} %` : "";
    const load = !underLoad
        ? ""
        : m.load
          ? `; measured while other processes kept ${m.load.otherBusyCores.toFixed(1)} of ${m.load.cores} cores busy: predictions may be too low until a measurement on a quiet machine replaces it`
          : "; measured without a load reading: predictions may be off until a measurement on a quiet machine replaces it";
    return `measured ${m.measuredAt.slice(0, 10)} (${m.method}${spread})${load}`;
}

/** Common laptops for the what-if mode. Sizes are what the vendor sells (16 GB = 16 GiB of RAM). */
export const whatIfPresets: readonly WhatIfPreset[] = [
    {id: "macbook-air-m2-16gb", label: "MacBook Air M2, 16 GB", description: "Apple M2, 16 GB unified memory (100 GB/s)", overrides: {ram: "16GiB", vram: "auto", gpu: "Apple M2"}},
    {id: "macbook-air-m3-24gb", label: "MacBook Air M3, 24 GB", description: "Apple M3, 24 GB unified memory (100 GB/s)", overrides: {ram: "24GiB", vram: "auto", gpu: "Apple M3"}},
    {id: "macbook-pro-m4-pro-48gb", label: "MacBook Pro M4 Pro, 48 GB", description: "Apple M4 Pro, 48 GB unified memory (273 GB/s)", overrides: {ram: "48GiB", vram: "auto", gpu: "Apple M4 Pro"}},
    {id: "macbook-pro-m4-max-64gb", label: "MacBook Pro M4 Max, 64 GB", description: "Apple M4 Max, 64 GB unified memory (546 GB/s)", overrides: {ram: "64GiB", vram: "auto", gpu: "Apple M4 Max"}},
    {id: "laptop-rtx-4060-8gb-32gb", label: "Gaming laptop: RTX 4060 8 GB + 32 GB RAM", description: "RTX 4060 Laptop (8 GB, 256 GB/s), 32 GB DDR5-5600", overrides: {ram: "32GiB", vram: "8GiB", gpu: "RTX 4060 Laptop"}},
    {id: "laptop-rtx-4090-16gb-64gb", label: "Workstation laptop: RTX 4090 16 GB + 64 GB RAM", description: "RTX 4090 Laptop (16 GB, 576 GB/s), 64 GB DDR5-5600", overrides: {ram: "64GiB", vram: "16GiB", gpu: "RTX 4090 Laptop"}},
    {id: "laptop-ryzen-7840u-32gb", label: "Thin laptop: Ryzen 7 7840U, 32 GB (CPU only)", description: "LPDDR5X-7500 (120 GB/s peak), no discrete GPU", overrides: {ram: "32GiB", vram: 0, gpu: "LPDDR5X-7500"}},
    {id: "laptop-16gb-ddr4", label: "Office laptop: 16 GB DDR4 (CPU only)", description: "Dual-channel DDR4-3200 (51.2 GB/s), no GPU", overrides: {ram: "16GiB", vram: 0, gpu: "DDR4-3200"}}
];

/** "16GB", "16 GiB", "512MB", "8g", or a number of bytes. GB here is 1024³ bytes, as OS tools and vendors' RAM sizes mean it. */
export function parseSize(value: number | string, what: string): number {
    if (typeof value === "number") {
        if (!Number.isFinite(value) || value < 0) throw new CatalogError("HARDWARE_OVERRIDE_INVALID", `${what} must be a size of 0 or more, got ${value}.`);
        return value;
    }
    const match = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?\s*$/i.exec(value);
    if (!match)
        throw new CatalogError("HARDWARE_OVERRIDE_INVALID", `${what} "${value}" is not a size: write it like 16GB, 8GiB or 512MB (negative sizes are not allowed).`);
    const unit = (match[2] ?? "b").toLowerCase()[0]!;
    const factor = {b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4}[unit as "b" | "k" | "m" | "g" | "t"];
    return Math.round(Number(match[1]) * factor);
}

/** RAM the OS and other apps keep: max(2 GiB, 12.5 % of RAM). */
export function defaultRamReserve(ramBytes: number): number {
    return Math.max(2 * GiB, ramBytes * 0.125);
}

/**
 * Share of unified memory the GPU may use: macOS's default Metal working-set limit is about two thirds
 * of RAM up to 36 GB and three quarters above (llama.cpp reports it as the device's free memory).
 */
export function unifiedGpuShare(ramBytes: number): number {
    return ramBytes <= 36 * GiB ? ramBytes * (2 / 3) : ramBytes * 0.75;
}

/** How an unknown CPU's bandwidth source starts: the figure is an assumption, worth measuring. */
export const unknownMemoryPrefix = "unknown memory";

/**
 * The CPU's widest vector unit, the one llama.cpp's CPU kernels pick. Only the widest is used, so a
 * probe that also reads llama.cpp's feature line (which may add a sub-extension) keeps the same value.
 */
export function cpuVectorUnit(instructionSets: readonly string[]): "avx512" | "avx2" | "avx" | "sve" | "neon" | "scalar" {
    if (instructionSets.includes("avx512f")) return "avx512";
    if (instructionSets.includes("avx2")) return "avx2";
    if (instructionSets.includes("avx")) return "avx";
    if (instructionSets.includes("sve")) return "sve";
    if (instructionSets.includes("neon")) return "neon";
    return "scalar";
}

/**
 * Identifies a machine across probes, so measured speeds calibrate only predictions for the same
 * machine. The vector unit is part of it because virtual machines often report one brand ("AMD EPYC")
 * for CPU generations whose kernels run at very different speeds (Zen 2's AVX2 and Zen 4's AVX-512).
 */
export function hardwareKeyOf(snapshot: HardwareSnapshot): string {
    const gpus = snapshot.gpus.map((g) => g.model).join("+") || "no-gpu";
    const cpu = `${snapshot.cpu.brand}|${cpuVectorUnit(snapshot.cpu.instructionSets)}|${snapshot.cpu.physicalCores}c`;
    return `${cpu}|${Math.round(snapshot.memory.totalBytes / GiB)}GiB|${gpus}|${snapshot.backend.selected}`;
}

/** Peak FP32 FLOP/s of a CPU from its cores, clock and widest vector unit (two FMA pipes). */
function cpuPeakFlops(threads: number, ghz: number, instructionSets: readonly string[]): number {
    const perCycle = {avx512: 64, avx2: 32, sve: 16, neon: 16, avx: 8, scalar: 8}[cpuVectorUnit(instructionSets)];
    return threads * ghz * 1e9 * perCycle;
}

/**
 * The profile of the probed machine, with a measured bandwidth when there is one for it (the best
 * quiet measurement, else the best under load, flagged). `bandwidthFailure` says why a measurement
 * could not be made, so the assumed default is stated with its reason.
 */
export function profileFromSnapshot(
    snapshot: HardwareSnapshot,
    options: {threads?: number; measurements?: readonly BandwidthMeasurement[]; bandwidthFailure?: string} = {}
): HardwareProfile {
    const key = hardwareKeyOf(snapshot);
    const threads = options.threads ?? Math.max(1, snapshot.cpu.physicalCores);
    const backend = snapshot.backend.selected;
    const gpu = backend === "cpu" ? undefined : snapshot.gpus.find((g) => g.vramTotalBytes != null) ?? snapshot.gpus[0];
    const cpuChip = findChip(snapshot.cpu.brand);
    const gpuChip = gpu ? findChip(gpu.model) : undefined;
    const unified = gpu?.unifiedMemory ?? cpuChip?.kind === "apple";
    const ram = snapshot.memory.totalBytes;
    const vram =
        backend === "cpu" || !gpu
            ? 0
            : snapshot.backend.deviceMemoryTotalBytes > 0
              ? snapshot.backend.deviceMemoryTotalBytes
              : (gpu.vramTotalBytes ?? (unified ? unifiedGpuShare(ram) : 0));

    let cpuBandwidth: number;
    let source: string;
    let kind: HardwareProfile["bandwidthKind"];
    const choice = chooseBandwidth((options.measurements ?? []).filter((m) => m.hardwareKey === key && m.bytesPerSecond > 0));
    if (choice) {
        cpuBandwidth = choice.chosen.bytesPerSecond;
        source = describeMeasurement(choice.chosen, choice.underLoad);
        kind = "measured";
    } else if (cpuChip && cpuChip.kind === "apple") {
        cpuBandwidth = cpuChip.bandwidthGBps * GB;
        source = `table: ${cpuChip.name} (${cpuChip.source})`;
        kind = "peak";
    } else {
        cpuBandwidth = fallbackCpuBandwidthGBps * GB;
        source = options.bandwidthFailure
            ? `${unknownMemoryPrefix}: the measurement failed (${options.bandwidthFailure}), so dual-channel DDR4-3200 (${fallbackCpuBandwidthGBps} GB/s) is assumed`
            : `${unknownMemoryPrefix}: assumed dual-channel DDR4-3200 (${fallbackCpuBandwidthGBps} GB/s); measure it for a better prediction`;
        kind = "peak";
    }
    const gpuBandwidth = vram > 0 ? (unified ? (cpuChip?.bandwidthGBps ?? gpuChip?.bandwidthGBps ?? cpuBandwidth / GB) * GB : (gpuChip?.bandwidthGBps ?? 0) * GB) : 0;
    if (vram > 0 && gpuBandwidth === 0) source += `; GPU ${gpu?.model} not in the bandwidth table`;
    else if (vram > 0 && gpuChip && !unified) source += `; GPU: table ${gpuChip.name}`;
    return {
        label: `this machine (probe #${snapshot.id})`,
        hardwareKey: key,
        backend,
        ramBytes: ram,
        ramReserveBytes: defaultRamReserve(ram),
        gpuName: gpu ? gpu.model : null,
        vramBytes: vram,
        unifiedMemory: unified && vram > 0,
        cpuBandwidthBytesPerSecond: cpuBandwidth,
        gpuBandwidthBytesPerSecond: gpuBandwidth || (unified ? cpuBandwidth : 0),
        bandwidthSource: source,
        bandwidthKind: kind,
        bandwidthUnderLoad: choice?.underLoad ?? false,
        bandwidthMeasurement: choice?.chosen ?? null,
        cpuThreads: threads,
        cpuFlops: cpuPeakFlops(threads, snapshot.cpu.speedGHz ?? 2.5, snapshot.cpu.instructionSets),
        gpuFlops: (gpuChip?.fp16Tflops ?? cpuChip?.fp16Tflops ?? 0) * 1e12
    };
}

/**
 * Applies what-if overrides (a preset first, then explicit values) to a base profile. Anything not
 * overridden keeps the base machine's value; a GPU name pulls VRAM and bandwidth from the table.
 */
export function applyOverrides(base: HardwareProfile, overrides: HardwareOverrides | undefined): HardwareProfile {
    if (!overrides || Object.values(overrides).every((v) => v === undefined)) return base;
    let merged: HardwareOverrides = {...overrides};
    let label = "custom";
    if (overrides.preset) {
        const preset = whatIfPresets.find((p) => p.id === overrides.preset);
        if (!preset)
            throw new CatalogError("HARDWARE_OVERRIDE_INVALID", `Unknown preset "${overrides.preset}". Presets: ${whatIfPresets.map((p) => p.id).join(", ")}.`);
        merged = {...preset.overrides, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined))};
        label = preset.label;
        if (Object.keys(overrides).some((k) => k !== "preset" && overrides[k as keyof HardwareOverrides] !== undefined)) label += " (adjusted)";
    }

    let chip: ChipSpec | undefined;
    if (merged.gpu) {
        chip = findChip(merged.gpu);
        if (!chip)
            throw new CatalogError(
                "HARDWARE_OVERRIDE_INVALID",
                `Unknown GPU or chip "${merged.gpu}". Known names include: RTX 4060 Laptop, RTX 4090, Apple M2, Apple M4 Pro, DDR5-5600 (see the bandwidth table), or give --bandwidth in GB/s.`
            );
    }
    const ram = merged.ram !== undefined ? parseSize(merged.ram, "RAM") : base.ramBytes;
    if (ram <= 0) throw new CatalogError("HARDWARE_OVERRIDE_INVALID", "RAM must be more than 0.");
    const unified = chip ? chip.kind === "apple" : base.unifiedMemory;
    let vram: number;
    if (merged.vram === "auto" || (merged.vram === undefined && chip)) vram = unified ? unifiedGpuShare(ram) : chip?.vramGB != null ? chip.vramGB * GiB : base.vramBytes;
    else if (merged.vram !== undefined) vram = parseSize(merged.vram, "VRAM");
    else vram = base.unifiedMemory ? unifiedGpuShare(ram) : base.vramBytes;
    if (unified && vram > ram) throw new CatalogError("HARDWARE_OVERRIDE_INVALID", "With unified memory the GPU cannot use more than the RAM.");
    if (merged.bandwidthGBps !== undefined && (!Number.isFinite(merged.bandwidthGBps) || merged.bandwidthGBps <= 0))
        throw new CatalogError("HARDWARE_OVERRIDE_INVALID", `Bandwidth must be a positive number of GB/s, got ${merged.bandwidthGBps}.`);

    const isMemoryConfig = chip?.kind === "cpu-memory";
    const hasGpu = vram > 0 && !isMemoryConfig;
    const backend: HardwareProfile["backend"] = !hasGpu ? "cpu" : chip?.kind === "apple" ? "metal" : chip?.kind === "nvidia" ? "cuda" : chip ? "vulkan" : base.backend === "cpu" ? "vulkan" : base.backend;
    // A discrete-GPU laptop pairs its GPU with DDR5-5600 in the presets' era; CPU layers run at that speed.
    const cpuBandwidthGBps =
        merged.bandwidthGBps && !hasGpu
            ? merged.bandwidthGBps
            : unified && chip
              ? chip.bandwidthGBps
              : isMemoryConfig
                ? chip!.bandwidthGBps
                : chip
                  ? 89.6
                  : base.cpuBandwidthBytesPerSecond / GB;
    // VRAM without a GPU name on a machine without one: assume a mid-range laptop GPU and say so.
    const assumedGpu = hasGpu && !chip && !merged.bandwidthGBps && base.gpuBandwidthBytesPerSecond === 0 ? findChip("RTX 4060 Laptop")! : undefined;
    const gpuBandwidthGBps = !hasGpu ? 0 : (merged.bandwidthGBps ?? (chip ?? assumedGpu)?.bandwidthGBps ?? base.gpuBandwidthBytesPerSecond / GB);
    const sources = [
        merged.bandwidthGBps
            ? `override ${merged.bandwidthGBps} GB/s`
            : chip
              ? `table: ${chip.name} ${chip.bandwidthGBps} GB/s`
              : assumedGpu
                ? `GPU not named: assumed a mid-range laptop GPU (${assumedGpu.bandwidthGBps} GB/s, as an ${assumedGpu.name}); give --gpu for a better prediction`
                : base.bandwidthSource
    ];
    const whatIfCpuFlops = 8 * 3.5e9 * (chip?.kind === "apple" ? 16 : 32);
    // Changing only how much memory there is leaves this machine's speed as it is: keep its bandwidth
    // kind (a measured bandwidth stays measured) and its key, so measured benchmarks still calibrate.
    const sameSpeedAsBase = !chip && !overrides.preset && merged.bandwidthGBps === undefined && !assumedGpu && backend === base.backend && (hasGpu ? vram : 0) === base.vramBytes;
    return {
        label,
        hardwareKey: sameSpeedAsBase ? base.hardwareKey : null,
        backend,
        ramBytes: ram,
        ramReserveBytes: merged.ramReserve !== undefined ? parseSize(merged.ramReserve, "RAM reserve") : defaultRamReserve(ram),
        gpuName: hasGpu ? (chip?.name ?? merged.gpu ?? base.gpuName) : null,
        vramBytes: hasGpu ? vram : 0,
        unifiedMemory: hasGpu && unified,
        cpuBandwidthBytesPerSecond: cpuBandwidthGBps * GB,
        gpuBandwidthBytesPerSecond: gpuBandwidthGBps * GB,
        bandwidthSource: sources.join("; "),
        bandwidthKind: merged.bandwidthGBps ? "measured" : sameSpeedAsBase ? base.bandwidthKind : "peak",
        bandwidthUnderLoad: sameSpeedAsBase && !merged.bandwidthGBps ? base.bandwidthUnderLoad : false,
        bandwidthMeasurement: sameSpeedAsBase && !merged.bandwidthGBps ? base.bandwidthMeasurement : null,
        cpuThreads: chip || overrides.preset ? 8 : base.cpuThreads,
        cpuFlops: chip || overrides.preset ? whatIfCpuFlops : base.cpuFlops,
        gpuFlops: hasGpu ? ((chip ?? assumedGpu)?.fp16Tflops ?? 0) * 1e12 || base.gpuFlops : 0
    };
}
