/** One thing the probe could not read. The probe still succeeds; the UI and CLI show these. */
export interface ProbeIssue {
    /** What was being read, e.g. "gpu", "cpu-flags", "llama-backend", "disk". */
    source: string;
    message: string;
}

export type LlamaBackend = "metal" | "cuda" | "vulkan" | "cpu";

export interface CpuInfo {
    manufacturer: string;
    /** Marketing name, e.g. "AMD Ryzen 7 7840U w/ Radeon 780M Graphics". */
    brand: string;
    physicalCores: number;
    logicalCores: number;
    /** Base clock in GHz, null when the OS does not report it. */
    speedGHz: number | null;
    /** SIMD extensions llama.cpp uses, lower-case: "avx2", "avx512f", "neon", "dotprod"… */
    instructionSets: string[];
}

export interface MemoryInfo {
    totalBytes: number;
    freeBytes: number;
    /** Free plus reclaimable cache: what a model load can really use. */
    availableBytes: number;
    swapTotalBytes: number;
    swapFreeBytes: number;
}

export interface GpuInfo {
    vendor: string;
    model: string;
    /** Dedicated VRAM in bytes; for unified memory, what the GPU may use. Null when unknown. */
    vramTotalBytes: number | null;
    vramFreeBytes: number | null;
    /** Integrated (shares system RAM) vs discrete; null when the OS does not say. */
    integrated: boolean | null;
    /** True when GPU and CPU share one memory pool (Apple Silicon). */
    unifiedMemory: boolean;
    /** Where the numbers came from, e.g. "systeminformation", "llama.cpp cuda". */
    source: string;
}

export interface BackendInfo {
    /** The llama.cpp backend AgentFit would load models with on this machine. */
    selected: LlamaBackend;
    /** Every backend whose binary is present and usable here. */
    available: LlamaBackend[];
    /** One line explaining the choice. */
    reason: string;
    /** Total and free memory the selected backend reports for offloading, bytes (0 on CPU). */
    deviceMemoryTotalBytes: number;
    deviceMemoryFreeBytes: number;
    /** GPU names as llama.cpp sees them. */
    deviceNames: string[];
}

export interface DiskInfo {
    /** Folder where models are stored. */
    path: string;
    freeBytes: number;
    totalBytes: number;
}

export interface HardwareSnapshot {
    /** Store id; 0 before it is saved. */
    id: number;
    /** ISO 8601 time the probe started. */
    takenAt: string;
    durationMs: number;
    os: {platform: string; release: string; distro: string; arch: string; hostname: string};
    cpu: CpuInfo;
    memory: MemoryInfo;
    gpus: GpuInfo[];
    backend: BackendInfo;
    disk: DiskInfo | null;
    appVersion: string;
    issues: ProbeIssue[];
}

export interface HardwareApi {
    /** Probes this machine now, saves the snapshot and returns it. */
    "hardware.probe": (arg: Record<string, never>) => Promise<HardwareSnapshot>;
    /** Saved snapshots, newest first. */
    "hardware.snapshots": (arg: {limit?: number}) => Promise<HardwareSnapshot[]>;
}

export interface HardwareEvents {
    "hardware.probed": HardwareSnapshot;
}
