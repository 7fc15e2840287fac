/**
 * Peak memory bandwidth (and rough compute) of chips people run local models on. Bandwidth is the
 * theoretical peak from the vendor's specifications (bus width × data rate); generation speed is
 * predicted from it with an efficiency factor because real kernels reach 55–90 % of it.
 */
export interface ChipSpec {
    /** Display name, e.g. "Apple M2", "RTX 4060 Laptop". */
    name: string;
    kind: "apple" | "nvidia" | "amd" | "intel" | "cpu-memory";
    /** Lower-case fragments that identify the chip in a GPU or CPU name; all must occur. */
    match: string[];
    bandwidthGBps: number;
    /** Dedicated VRAM in GB (10⁹ bytes) for discrete GPUs; null for unified memory or CPU memory. */
    vramGB: number | null;
    /** Rough dense FP16 throughput in TFLOP/s (tensor cores where present), for prompt processing. */
    fp16Tflops: number;
    source: string;
}

const apple = "Apple specifications (support.apple.com tech specs, unified memory bandwidth)";
const nvidia = "NVIDIA specifications (memory interface × data rate; laptop GPUs at their reference memory clock)";
const amd = "AMD specifications";

export const chipTable: readonly ChipSpec[] = [
    // Apple silicon: the GPU and CPU share unified memory, so the bandwidth serves both.
    {name: "Apple M1", kind: "apple", match: ["apple", "m1"], bandwidthGBps: 68.25, vramGB: null, fp16Tflops: 2.6, source: apple},
    {name: "Apple M1 Pro", kind: "apple", match: ["apple", "m1 pro"], bandwidthGBps: 200, vramGB: null, fp16Tflops: 5.2, source: apple},
    {name: "Apple M1 Max", kind: "apple", match: ["apple", "m1 max"], bandwidthGBps: 400, vramGB: null, fp16Tflops: 10.4, source: apple},
    {name: "Apple M2", kind: "apple", match: ["apple", "m2"], bandwidthGBps: 100, vramGB: null, fp16Tflops: 3.6, source: apple},
    {name: "Apple M2 Pro", kind: "apple", match: ["apple", "m2 pro"], bandwidthGBps: 200, vramGB: null, fp16Tflops: 6.8, source: apple},
    {name: "Apple M2 Max", kind: "apple", match: ["apple", "m2 max"], bandwidthGBps: 400, vramGB: null, fp16Tflops: 13.6, source: apple},
    {name: "Apple M3", kind: "apple", match: ["apple", "m3"], bandwidthGBps: 100, vramGB: null, fp16Tflops: 4.1, source: apple},
    {name: "Apple M3 Pro", kind: "apple", match: ["apple", "m3 pro"], bandwidthGBps: 150, vramGB: null, fp16Tflops: 7.4, source: apple},
    {name: "Apple M3 Max", kind: "apple", match: ["apple", "m3 max"], bandwidthGBps: 400, vramGB: null, fp16Tflops: 16.4, source: apple},
    {name: "Apple M4", kind: "apple", match: ["apple", "m4"], bandwidthGBps: 120, vramGB: null, fp16Tflops: 4.3, source: apple},
    {name: "Apple M4 Pro", kind: "apple", match: ["apple", "m4 pro"], bandwidthGBps: 273, vramGB: null, fp16Tflops: 9.2, source: apple},
    {name: "Apple M4 Max", kind: "apple", match: ["apple", "m4 max"], bandwidthGBps: 546, vramGB: null, fp16Tflops: 18.4, source: apple},
    // NVIDIA laptop GPUs (reference memory configurations).
    {name: "RTX 3060 Laptop", kind: "nvidia", match: ["3060", "laptop"], bandwidthGBps: 336, vramGB: 6, fp16Tflops: 40, source: nvidia},
    {name: "RTX 3070 Laptop", kind: "nvidia", match: ["3070", "laptop"], bandwidthGBps: 448, vramGB: 8, fp16Tflops: 60, source: nvidia},
    {name: "RTX 4050 Laptop", kind: "nvidia", match: ["4050", "laptop"], bandwidthGBps: 192, vramGB: 6, fp16Tflops: 45, source: nvidia},
    {name: "RTX 4060 Laptop", kind: "nvidia", match: ["4060", "laptop"], bandwidthGBps: 256, vramGB: 8, fp16Tflops: 60, source: nvidia},
    {name: "RTX 4070 Laptop", kind: "nvidia", match: ["4070", "laptop"], bandwidthGBps: 256, vramGB: 8, fp16Tflops: 75, source: nvidia},
    {name: "RTX 4080 Laptop", kind: "nvidia", match: ["4080", "laptop"], bandwidthGBps: 432, vramGB: 12, fp16Tflops: 110, source: nvidia},
    {name: "RTX 4090 Laptop", kind: "nvidia", match: ["4090", "laptop"], bandwidthGBps: 576, vramGB: 16, fp16Tflops: 150, source: nvidia},
    {name: "RTX 5070 Laptop", kind: "nvidia", match: ["5070", "laptop"], bandwidthGBps: 384, vramGB: 8, fp16Tflops: 80, source: nvidia},
    {name: "RTX 5090 Laptop", kind: "nvidia", match: ["5090", "laptop"], bandwidthGBps: 896, vramGB: 24, fp16Tflops: 190, source: nvidia},
    // NVIDIA desktop GPUs.
    {name: "RTX 3060", kind: "nvidia", match: ["3060"], bandwidthGBps: 360, vramGB: 12, fp16Tflops: 51, source: nvidia},
    {name: "RTX 3090", kind: "nvidia", match: ["3090"], bandwidthGBps: 936, vramGB: 24, fp16Tflops: 142, source: nvidia},
    {name: "RTX 4060", kind: "nvidia", match: ["4060"], bandwidthGBps: 272, vramGB: 8, fp16Tflops: 60, source: nvidia},
    {name: "RTX 4060 Ti", kind: "nvidia", match: ["4060 ti"], bandwidthGBps: 288, vramGB: 16, fp16Tflops: 88, source: nvidia},
    {name: "RTX 4070", kind: "nvidia", match: ["4070"], bandwidthGBps: 504, vramGB: 12, fp16Tflops: 117, source: nvidia},
    {name: "RTX 4080", kind: "nvidia", match: ["4080"], bandwidthGBps: 717, vramGB: 16, fp16Tflops: 195, source: nvidia},
    {name: "RTX 4090", kind: "nvidia", match: ["4090"], bandwidthGBps: 1008, vramGB: 24, fp16Tflops: 330, source: nvidia},
    {name: "RTX 5080", kind: "nvidia", match: ["5080"], bandwidthGBps: 960, vramGB: 16, fp16Tflops: 225, source: nvidia},
    {name: "RTX 5090", kind: "nvidia", match: ["5090"], bandwidthGBps: 1792, vramGB: 32, fp16Tflops: 420, source: nvidia},
    // AMD.
    {name: "Radeon RX 7900 XTX", kind: "amd", match: ["7900 xtx"], bandwidthGBps: 960, vramGB: 24, fp16Tflops: 123, source: amd},
    {name: "Radeon RX 7800 XT", kind: "amd", match: ["7800 xt"], bandwidthGBps: 624, vramGB: 16, fp16Tflops: 74, source: amd},
    // System memory configurations (CPU inference bandwidth is bounded by these).
    {name: "DDR4-3200 dual channel", kind: "cpu-memory", match: ["ddr4-3200"], bandwidthGBps: 51.2, vramGB: null, fp16Tflops: 0, source: "JEDEC: 3200 MT/s × 8 bytes × 2 channels"},
    {name: "DDR5-5600 dual channel", kind: "cpu-memory", match: ["ddr5-5600"], bandwidthGBps: 89.6, vramGB: null, fp16Tflops: 0, source: "JEDEC: 5600 MT/s × 8 bytes × 2 channels"},
    {name: "LPDDR5X-7500 128-bit", kind: "cpu-memory", match: ["lpddr5x-7500"], bandwidthGBps: 120, vramGB: null, fp16Tflops: 0, source: "7500 MT/s × 16 bytes"},
    {name: "LPDDR5X-8533 128-bit", kind: "cpu-memory", match: ["lpddr5x-8533"], bandwidthGBps: 136.5, vramGB: null, fp16Tflops: 0, source: "8533 MT/s × 16 bytes"}
];

/**
 * The most specific table entry whose fragments all occur in `name` ("NVIDIA GeForce RTX 4060 Laptop
 * GPU" → "RTX 4060 Laptop", "Apple M2 Pro" → "Apple M2 Pro", not "Apple M2").
 */
export function findChip(name: string | null | undefined): ChipSpec | undefined {
    if (!name) return undefined;
    const normalized = ` ${name.toLowerCase().replace(/[()®™]/g, " ").replace(/\s+/g, " ")} `;
    const matches = chipTable.filter((chip) => chip.match.every((fragment) => fragmentOccurs(normalized, fragment)));
    return matches.sort((a, b) => b.match.join(" ").length - a.match.join(" ").length)[0];
}

function fragmentOccurs(text: string, fragment: string): boolean {
    // Whole-word match, so "m2" does not match "m20" and "4060" does not match "14060".
    const escaped = fragment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`(^|[^a-z0-9])${escaped}($|[^a-z0-9])`).test(text);
}
