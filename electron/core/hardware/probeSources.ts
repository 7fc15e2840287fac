import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import si from "systeminformation";
import type {CpuInfo, DiskInfo, GpuInfo, LlamaBackend, MemoryInfo} from "../../api/HardwareApi.ts";
import {getLlamaForProbe} from "./llamaForProbe.ts";

export interface OsFacts {
    platform: string;
    release: string;
    distro: string;
    arch: string;
    hostname: string;
}

export interface LlamaBackendFacts {
    selected: LlamaBackend;
    available: LlamaBackend[];
    deviceMemoryTotalBytes: number;
    deviceMemoryFreeBytes: number;
    /** Part of the device memory shared with the CPU (unified memory), bytes. */
    unifiedMemoryBytes: number;
    deviceNames: string[];
    /** llama.cpp's own feature line, e.g. "CPU : SSE3 = 1 | AVX2 = 1 | …". */
    cpuFeatureLine: string;
}

/**
 * Where each part of a hardware probe comes from. Every source may fail on some machine (no GPU,
 * a sandbox hiding /proc, a missing vendor tool); the probe records the failure and falls back.
 */
export interface HardwareProbeSources {
    os(): Promise<OsFacts>;
    cpu(): Promise<Omit<CpuInfo, "instructionSets">>;
    /** Raw CPU feature flags as the OS lists them (space separated). */
    cpuFlags(): Promise<string>;
    memory(): Promise<MemoryInfo>;
    graphics(): Promise<GpuInfo[]>;
    llama(): Promise<LlamaBackendFacts>;
    disk(folder: string): Promise<DiskInfo>;
}

const MIB = 1024 * 1024;

export const systemProbeSources: HardwareProbeSources = {
    async os() {
        const info = await si.osInfo();
        return {
            platform: info.platform || os.platform(),
            release: info.kernel || os.release(),
            distro: [info.distro, info.release].filter(Boolean).join(" ") || os.type(),
            arch: info.arch || os.arch(),
            hostname: info.hostname || os.hostname()
        };
    },
    async cpu() {
        const cpu = await si.cpu();
        return {
            manufacturer: cpu.manufacturer,
            brand: cpu.brand,
            physicalCores: cpu.physicalCores,
            logicalCores: cpu.cores,
            speedGHz: cpu.speed > 0 ? cpu.speed : null
        };
    },
    cpuFlags: () => si.cpuFlags(),
    async memory() {
        const mem = await si.mem();
        return {
            totalBytes: mem.total,
            freeBytes: mem.free,
            availableBytes: mem.available,
            swapTotalBytes: mem.swaptotal,
            swapFreeBytes: mem.swapfree
        };
    },
    async graphics() {
        const {controllers} = await si.graphics();
        return controllers.map((controller): GpuInfo => {
            const vendor = controller.vendor || "Unknown vendor";
            const unified = /apple/i.test(vendor) || /apple/i.test(controller.model);
            const vramMiB = controller.memoryTotal ?? controller.vram ?? null;
            return {
                vendor,
                model: controller.model || "Unknown GPU",
                vramTotalBytes: vramMiB != null && vramMiB > 0 ? vramMiB * MIB : null,
                vramFreeBytes: controller.memoryFree != null ? controller.memoryFree * MIB : null,
                integrated: unified ? true : controller.vramDynamic ?? null,
                unifiedMemory: unified,
                source: "systeminformation"
            };
        });
    },
    async llama() {
        const {getLlamaGpuTypes} = await import("node-llama-cpp");
        const toBackend = (gpu: string | false): LlamaBackend => (gpu === false ? "cpu" : (gpu as LlamaBackend));
        const available = [...new Set([...(await getLlamaGpuTypes("supported")).map(toBackend), "cpu" as const])];
        // Loading the native binary costs about half a second; only a GPU backend needs it (for device
        // names and free VRAM). Without GPU drivers llama.cpp would pick the CPU anyway.
        if (available.length === 1)
            return {selected: "cpu", available, deviceMemoryTotalBytes: 0, deviceMemoryFreeBytes: 0, unifiedMemoryBytes: 0, deviceNames: [], cpuFeatureLine: ""};
        const llama = await getLlamaForProbe();
        const [vram, deviceNames] = await Promise.all([llama.getVramState(), llama.getGpuDeviceNames()]);
        return {
            selected: toBackend(llama.gpu),
            available,
            deviceMemoryTotalBytes: vram.total,
            deviceMemoryFreeBytes: vram.free,
            unifiedMemoryBytes: vram.unifiedSize,
            deviceNames,
            cpuFeatureLine: llama.systemInfo
        };
    },
    async disk(folder) {
        const existing = nearestExistingFolder(folder);
        const stats = await fs.promises.statfs(existing);
        return {path: folder, freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize};
    }
};

/** The models folder may not exist yet: measure the volume it will live on. */
function nearestExistingFolder(folder: string): string {
    let current = path.resolve(folder);
    while (!fs.existsSync(current)) {
        const parent = path.dirname(current);
        if (parent === current) break;
        current = parent;
    }
    return current;
}
