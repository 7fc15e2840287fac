import type {GpuInfo} from "../../electron/api/HardwareApi.ts";
import type {HardwareProbeSources, LlamaBackendFacts} from "../../electron/core/hardware/probeSources.ts";

const GiB = 1024 ** 3;

/** llama.cpp as it looks on a machine without a usable GPU. */
export const cpuOnlyLlama: LlamaBackendFacts = {
    selected: "cpu",
    available: ["cpu"],
    deviceMemoryTotalBytes: 0,
    deviceMemoryFreeBytes: 0,
    unifiedMemoryBytes: 0,
    deviceNames: [],
    cpuFeatureLine: ""
};

/**
 * Probe sources describing fixed machines, so recommendation tests do not depend on the machine they
 * run on: a 32 GB CPU-only laptop, and a laptop with an 8 GB RTX 4060 and 32 GB of RAM.
 */
export function fixedMachine(kind: "cpu-32gb" | "rtx4060-32gb" = "cpu-32gb"): Partial<HardwareProbeSources> {
    const gpu: GpuInfo = {vendor: "NVIDIA", model: "NVIDIA GeForce RTX 4060 Laptop GPU", vramTotalBytes: 8 * GiB, vramFreeBytes: 7.5 * GiB, integrated: false, unifiedMemory: false, source: "test"};
    return {
        os: async () => ({platform: "linux", release: "6.8.0", distro: "Ubuntu 24.04", arch: "x64", hostname: "test-laptop"}),
        cpu: async () => ({manufacturer: "AMD", brand: "Ryzen 7 7840U", physicalCores: 8, logicalCores: 16, speedGHz: 3.3}),
        cpuFlags: async () => "avx avx2 fma f16c",
        memory: async () => ({totalBytes: 32 * GiB, freeBytes: 20 * GiB, availableBytes: 26 * GiB, swapTotalBytes: 0, swapFreeBytes: 0}),
        graphics: async () => (kind === "rtx4060-32gb" ? [gpu] : []),
        llama: async () =>
            kind === "rtx4060-32gb"
                ? {...cpuOnlyLlama, selected: "cuda", available: ["cuda", "cpu"], deviceMemoryTotalBytes: 8 * GiB, deviceMemoryFreeBytes: 7.5 * GiB, deviceNames: [gpu.model]}
                : cpuOnlyLlama,
        disk: async (folder) => ({path: folder, freeBytes: 200 * GiB, totalBytes: 500 * GiB})
    };
}
