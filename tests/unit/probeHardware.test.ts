import {describe, expect, it} from "vitest";
import {probeHardware} from "../../electron/core/hardware/probeHardware.ts";
import type {HardwareProbeSources} from "../../electron/core/hardware/probeSources.ts";
import {cpuOnlyLlama} from "../utils/fixedMachines.ts";

const GiB = 1024 ** 3;

/** Sources that describe a fixed machine, so tests do not depend on the one they run on. */
const fixedSources = (overrides: Partial<HardwareProbeSources> = {}): Partial<HardwareProbeSources> => ({
    os: async () => ({platform: "linux", release: "6.8.0", distro: "Ubuntu 24.04", arch: "x64", hostname: "laptop"}),
    cpu: async () => ({manufacturer: "AMD", brand: "Ryzen 7 7840U", physicalCores: 8, logicalCores: 16, speedGHz: 3.3}),
    cpuFlags: async () => "avx avx2 fma f16c avx512f",
    memory: async () => ({totalBytes: 32 * GiB, freeBytes: 20 * GiB, availableBytes: 26 * GiB, swapTotalBytes: 8 * GiB, swapFreeBytes: 8 * GiB}),
    graphics: async () => [],
    llama: async () => cpuOnlyLlama,
    disk: async (folder) => ({path: folder, freeBytes: 100 * GiB, totalBytes: 500 * GiB}),
    ...overrides
});

describe("probeHardware", () => {
    it("assembles a snapshot from every source", async () => {
        const s = await probeHardware({modelsPath: "/data/models", appVersion: "1.2.3", sources: fixedSources()});
        expect(s.issues).toEqual([]);
        expect(s.cpu).toMatchObject({brand: "Ryzen 7 7840U", physicalCores: 8, logicalCores: 16, instructionSets: ["avx", "f16c", "fma", "avx2", "avx512f"]});
        expect(s.memory.availableBytes).toBe(26 * GiB);
        expect(s.gpus).toEqual([]);
        expect(s.backend.selected).toBe("cpu");
        expect(s.backend.reason).toMatch(/CPU/);
        expect(s.disk).toEqual({path: "/data/models", freeBytes: 100 * GiB, totalBytes: 500 * GiB});
        expect(s.appVersion).toBe("1.2.3");
    });

    it("never fails because sources fail: it names each one and falls back to what Node knows", async () => {
        const broken = fixedSources({
            cpu: async () => {
                throw new Error("EACCES: /proc/cpuinfo");
            },
            cpuFlags: async () => {
                throw new Error("EACCES: /proc/cpuinfo");
            },
            memory: async () => {
                throw new Error("/proc/meminfo unreadable");
            },
            graphics: async () => {
                throw new Error("lspci: command not found");
            },
            llama: async () => {
                throw new Error("no prebuilt binary");
            },
            disk: async () => {
                throw new Error("statfs failed");
            }
        });
        const s = await probeHardware({modelsPath: "/data/models", appVersion: "1", sources: broken});
        const sources = s.issues.map((i) => i.source).sort();
        expect(sources).toEqual(["cpu", "cpu-flags", "cpu-flags", "disk", "gpu", "llama-backend", "memory"].sort());
        expect(s.issues.find((i) => i.source === "gpu")?.message).toBe("lspci: command not found");
        expect(s.cpu.logicalCores).toBeGreaterThan(0);
        expect(s.memory.totalBytes).toBeGreaterThan(0);
        expect(s.backend.selected).toBe("cpu");
        expect(s.backend.reason).toMatch(/could not be loaded/);
        expect(s.disk).toBeNull();
    });

    it("reports a source that hangs as timed out instead of waiting forever", async () => {
        const s = await probeHardware({
            modelsPath: "/m",
            appVersion: "1",
            sourceTimeoutMs: 50,
            sources: fixedSources({graphics: () => new Promise(() => {})})
        });
        expect(s.issues).toEqual([{source: "gpu", message: "No answer within 50 ms"}]);
        expect(s.durationMs).toBeLessThan(2000);
    });

    it("merges llama.cpp's view of a CUDA GPU with the OS's (free VRAM from the driver)", async () => {
        const s = await probeHardware({
            modelsPath: "/m",
            appVersion: "1",
            sources: fixedSources({
                graphics: async () => [{vendor: "NVIDIA", model: "GeForce RTX 4060 Laptop GPU", vramTotalBytes: 8 * GiB, vramFreeBytes: null, integrated: false, unifiedMemory: false, source: "systeminformation"}],
                llama: async () => ({...cpuOnlyLlama, selected: "cuda", available: ["cuda", "vulkan", "cpu"], deviceMemoryTotalBytes: 8 * GiB, deviceMemoryFreeBytes: 7 * GiB, deviceNames: ["NVIDIA GeForce RTX 4060 Laptop GPU"]})
            })
        });
        expect(s.gpus).toHaveLength(1);
        expect(s.gpus[0]).toMatchObject({vendor: "NVIDIA", vramTotalBytes: 8 * GiB, vramFreeBytes: 7 * GiB, integrated: false, unifiedMemory: false});
        expect(s.backend).toMatchObject({selected: "cuda", available: ["cuda", "vulkan", "cpu"]});
        expect(s.backend.reason).toContain("CUDA");
    });

    it("recognises Apple Silicon's unified memory", async () => {
        const s = await probeHardware({
            modelsPath: "/m",
            appVersion: "1",
            sources: fixedSources({
                graphics: async () => [{vendor: "Apple", model: "Apple M2", vramTotalBytes: null, vramFreeBytes: null, integrated: true, unifiedMemory: true, source: "systeminformation"}],
                llama: async () => ({...cpuOnlyLlama, selected: "metal", available: ["metal", "cpu"], deviceMemoryTotalBytes: 11 * GiB, deviceMemoryFreeBytes: 10 * GiB, unifiedMemoryBytes: 11 * GiB, deviceNames: ["Apple M2"]})
            })
        });
        expect(s.gpus[0]).toMatchObject({unifiedMemory: true, integrated: true, vramTotalBytes: 11 * GiB});
        expect(s.backend.selected).toBe("metal");
    });

    it("lists GPUs llama.cpp sees when the OS lists none", async () => {
        const s = await probeHardware({
            modelsPath: "/m",
            appVersion: "1",
            sources: fixedSources({
                llama: async () => ({...cpuOnlyLlama, selected: "vulkan", available: ["vulkan", "cpu"], deviceMemoryTotalBytes: 4 * GiB, deviceMemoryFreeBytes: 3 * GiB, deviceNames: ["AMD Radeon 780M"]})
            })
        });
        expect(s.gpus).toEqual([
            {vendor: "AMD", model: "AMD Radeon 780M", vramTotalBytes: 4 * GiB, vramFreeBytes: 3 * GiB, integrated: null, unifiedMemory: false, source: "llama.cpp vulkan"}
        ]);
    });

    it("probes this machine for real", async () => {
        // The product's own deadlines, which hold on a busy machine (llama.cpp's backend gets 60 s).
        const s = await probeHardware({modelsPath: "/tmp/agentfit-no-such-folder/models", appVersion: "1"});
        expect(s.issues.filter((i) => i.source !== "gpu")).toEqual([]);
        expect(s.memory.totalBytes).toBeGreaterThan(0);
        expect(s.memory.availableBytes).toBeLessThanOrEqual(s.memory.totalBytes);
        expect(s.cpu.logicalCores).toBeGreaterThan(0);
        expect(s.backend.available).toContain("cpu");
        // A models folder that does not exist yet is measured on the volume it will live on.
        expect(s.disk?.freeBytes).toBeGreaterThan(0);
    }, 90_000);
});
