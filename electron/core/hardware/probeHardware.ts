import os from "node:os";
import type {BackendInfo, CpuInfo, GpuInfo, HardwareSnapshot, MemoryInfo, ProbeIssue} from "../../api/HardwareApi.ts";
import {errorMessage} from "../../shared/AppError.ts";
import {backendLabel} from "../../shared/format.ts";
import {normalizeInstructionSets} from "./instructionSets.ts";
import {systemProbeSources, type HardwareProbeSources, type LlamaBackendFacts, type OsFacts} from "./probeSources.ts";

export interface ProbeHardwareOptions {
    /** Folder where models are stored; its volume's free space is reported. */
    modelsPath: string;
    /** App version recorded in the snapshot. */
    appVersion: string;
    /** Replaces some or all sources (tests, what-if). Default: this machine. */
    sources?: Partial<HardwareProbeSources>;
    /**
     * Longest wait for one source before it is reported as failed, ms. Default 5000, and 60000 for
     * llama.cpp's backend: loading its binaries takes seconds more on a busy machine, and a backend
     * given up on too early would report a GPU machine as CPU-only.
     */
    sourceTimeoutMs?: number;
    signal?: AbortSignal;
}

/**
 * Reads this machine's hardware. Never throws because one source failed: each failure becomes an
 * entry in `issues`, and the snapshot holds what the other sources and Node's `os` module found.
 */
export async function probeHardware(options: ProbeHardwareOptions): Promise<HardwareSnapshot> {
    const sources = {...systemProbeSources, ...options.sources};
    const timeoutFor = (source: string) => options.sourceTimeoutMs ?? (source === "llama-backend" ? 60_000 : 5000);
    const started = Date.now();
    const issues: ProbeIssue[] = [];

    const read = async <T>(source: string, job: () => Promise<T>): Promise<T | undefined> => {
        try {
            return await withTimeout(job(), timeoutFor(source), source, options.signal);
        } catch (error) {
            if (options.signal?.aborted) throw error;
            issues.push({source, message: errorMessage(error)});
            return undefined;
        }
    };

    const [osFacts, cpu, cpuFlags, memory, graphics, llama, disk] = await Promise.all([
        read("os", sources.os),
        read("cpu", sources.cpu),
        read("cpu-flags", sources.cpuFlags),
        read("memory", sources.memory),
        read("gpu", sources.graphics),
        read("llama-backend", sources.llama),
        read("disk", () => sources.disk(options.modelsPath))
    ]);

    const snapshot: HardwareSnapshot = {
        id: 0,
        takenAt: new Date(started).toISOString(),
        durationMs: 0,
        os: osFacts ?? fallbackOs(),
        cpu: {
            ...(validCpu(cpu) ?? fallbackCpu()),
            instructionSets: normalizeInstructionSets(cpuFlags ?? "", llama?.cpuFeatureLine ?? "")
        },
        memory: validMemory(memory) ?? fallbackMemory(),
        gpus: mergeGpus(graphics ?? [], llama),
        backend: describeBackend(llama),
        disk: disk ?? null,
        appVersion: options.appVersion,
        issues
    };
    if (cpuFlags === undefined && snapshot.cpu.instructionSets.length === 0)
        issues.push({source: "cpu-flags", message: "No instruction-set information was readable."});
    snapshot.durationMs = Date.now() - started;
    return snapshot;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`No answer within ${ms} ms`)), ms);
        const onAbort = () => reject(signal!.reason ?? new Error(`Probe of ${what} cancelled`));
        signal?.addEventListener("abort", onAbort, {once: true});
        promise.then(resolve, reject).finally(() => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", onAbort);
        });
    });
}

function validCpu(cpu: Omit<CpuInfo, "instructionSets"> | undefined) {
    return cpu && cpu.logicalCores > 0 ? cpu : undefined;
}

function validMemory(memory: MemoryInfo | undefined) {
    return memory && memory.totalBytes > 0 ? memory : undefined;
}

function fallbackOs(): OsFacts {
    return {platform: os.platform(), release: os.release(), distro: os.type(), arch: os.arch(), hostname: os.hostname()};
}

function fallbackCpu(): Omit<CpuInfo, "instructionSets"> {
    const cpus = os.cpus();
    const speedMHz = cpus[0]?.speed ?? 0;
    return {
        manufacturer: "",
        brand: cpus[0]?.model?.trim() || "Unknown CPU",
        physicalCores: cpus.length || os.availableParallelism(),
        logicalCores: cpus.length || os.availableParallelism(),
        speedGHz: speedMHz > 0 ? speedMHz / 1000 : null
    };
}

function fallbackMemory(): MemoryInfo {
    const free = os.freemem();
    return {totalBytes: os.totalmem(), freeBytes: free, availableBytes: free, swapTotalBytes: 0, swapFreeBytes: 0};
}

/**
 * The OS lists controllers; llama.cpp knows what it can offload to and how much memory is free.
 * Where the OS listed nothing but llama.cpp sees devices (containers, some drivers), use those.
 */
function mergeGpus(gpus: GpuInfo[], llama: LlamaBackendFacts | undefined): GpuInfo[] {
    if (!llama || llama.selected === "cpu") return gpus;
    const unified = llama.unifiedMemoryBytes > 0 || llama.selected === "metal";
    if (gpus.length === 0)
        return llama.deviceNames.map((name, index) => ({
            vendor: vendorFromName(name),
            model: name,
            vramTotalBytes: index === 0 ? llama.deviceMemoryTotalBytes : null,
            vramFreeBytes: index === 0 ? llama.deviceMemoryFreeBytes : null,
            integrated: unified ? true : null,
            unifiedMemory: unified,
            source: `llama.cpp ${llama.selected}`
        }));
    if (gpus.length === 1) {
        const [gpu] = gpus as [GpuInfo];
        return [{
            ...gpu,
            vramTotalBytes: llama.deviceMemoryTotalBytes > 0 ? llama.deviceMemoryTotalBytes : gpu.vramTotalBytes,
            vramFreeBytes: llama.deviceMemoryTotalBytes > 0 ? llama.deviceMemoryFreeBytes : gpu.vramFreeBytes,
            unifiedMemory: gpu.unifiedMemory || unified,
            source: `${gpu.source} + llama.cpp ${llama.selected}`
        }];
    }
    return gpus;
}

function vendorFromName(name: string): string {
    if (/nvidia|geforce|rtx|quadro|tesla/i.test(name)) return "NVIDIA";
    if (/amd|radeon/i.test(name)) return "AMD";
    if (/intel|arc|iris/i.test(name)) return "Intel";
    if (/apple/i.test(name)) return "Apple";
    return "Unknown vendor";
}

function describeBackend(llama: LlamaBackendFacts | undefined): BackendInfo {
    if (!llama)
        return {
            selected: "cpu",
            available: ["cpu"],
            reason: "llama.cpp could not be loaded to check for a GPU backend; assuming the CPU.",
            deviceMemoryTotalBytes: 0,
            deviceMemoryFreeBytes: 0,
            deviceNames: []
        };
    const names = llama.deviceNames.join(", ");
    const reason =
        llama.selected === "cpu"
            ? "No usable Metal, CUDA or Vulkan device was found, so models run on the CPU."
            : `${backendLabel(llama.selected)} is usable${names ? ` on ${names}` : ""}, so layers can be offloaded to the GPU.`;
    return {
        selected: llama.selected,
        available: llama.available,
        reason,
        deviceMemoryTotalBytes: llama.deviceMemoryTotalBytes,
        deviceMemoryFreeBytes: llama.deviceMemoryFreeBytes,
        deviceNames: llama.deviceNames
    };
}
