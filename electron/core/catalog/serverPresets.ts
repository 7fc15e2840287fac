import type {HardwareProfile, ServerGpu, ServerPreset} from "../../api/ModelsApi.ts";

const GiB = 1024 ** 3;
const GB = 1e9;

/**
 * Data-center GPUs as their vendor spec sheets state them (docs/FACTS.md, "Server GPUs"): memory,
 * peak memory bandwidth, dense FP16 tensor throughput. Peak figures: what a GPU sustains is lower,
 * which the prediction's GPU efficiency (and a server benchmark's calibration) accounts for.
 */
export const serverGpus: readonly ServerGpu[] = [
    {id: "l4", name: "NVIDIA L4", vramGB: 24, bandwidthGBps: 300, fp16Tflops: 121, source: "NVIDIA L4 datasheet (nvidia.com/en-us/data-center/l4): 24 GB GDDR6, 300 GB/s, 242 TFLOPS FP16 tensor with sparsity"},
    {
        id: "a10g",
        name: "NVIDIA A10G",
        vramGB: 24,
        bandwidthGBps: 600,
        fp16Tflops: 125,
        source: "NVIDIA A10 datasheet (nvidia.com/en-us/data-center/products/a10-gpu): 24 GB GDDR6, 600 GB/s, 250 TFLOPS FP16 tensor with sparsity; AWS's A10G (G5 instances) is an A10 variant whose bandwidth AWS does not publish"
    },
    {id: "l40s", name: "NVIDIA L40S", vramGB: 48, bandwidthGBps: 864, fp16Tflops: 362, source: "NVIDIA L40S datasheet (nvidia.com/en-us/data-center/l40s): 48 GB GDDR6 ECC, 864 GB/s, 733 TFLOPS FP16 tensor with sparsity"},
    {id: "a100-40gb", name: "NVIDIA A100 40GB", vramGB: 40, bandwidthGBps: 1555, fp16Tflops: 312, source: "NVIDIA A100 datasheet (nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf): 40 GB HBM2, 1,555 GB/s, 312 TFLOPS FP16 tensor dense"},
    {id: "a100-80gb", name: "NVIDIA A100 80GB SXM", vramGB: 80, bandwidthGBps: 2039, fp16Tflops: 312, source: "NVIDIA A100 datasheet: 80 GB HBM2e, 2,039 GB/s (SXM; 1,935 GB/s PCIe), 312 TFLOPS FP16 tensor dense"},
    {id: "h100-80gb", name: "NVIDIA H100 80GB SXM", vramGB: 80, bandwidthGBps: 3350, fp16Tflops: 989, source: "NVIDIA H100 datasheet (nvidia.com/en-us/data-center/h100): 80 GB HBM3, 3.35 TB/s (SXM; 2 TB/s PCIe), 1,979 TFLOPS FP16 tensor with sparsity"}
];

/** Host RAM typical for a box with `count` GPUs of `vramGB` (cloud instances pair about 2× the VRAM, at least 64 GB). */
const hostRamGiB = (count: number, vramGB: number) => Math.max(64, count * vramGB * 2);

const box = (gpu: string, count: number): ServerPreset => {
    const spec = serverGpus.find((g) => g.id === gpu)!;
    return {
        id: `${count}x-${gpu}`,
        label: `${count === 1 ? "" : `${count}× `}${spec.name}`,
        gpuId: gpu,
        gpuCount: count,
        vramGB: count * spec.vramGB,
        bandwidthGBps: spec.bandwidthGBps,
        hostRamGiB: hostRamGiB(count, spec.vramGB),
        description: `${count} × ${spec.vramGB} GB = ${count * spec.vramGB} GB VRAM, ${spec.bandwidthGBps} GB/s per GPU (vendor spec sheet)`
    };
};

/** Server presets, smallest VRAM first (ties: slower memory first, as it is usually the cheaper box). */
export const serverPresets: readonly ServerPreset[] = [
    box("l4", 1),
    box("a10g", 1),
    box("a100-40gb", 1),
    box("l40s", 1),
    box("a100-80gb", 1),
    box("h100-80gb", 1),
    box("l4", 4),
    box("a10g", 4),
    box("l40s", 2),
    box("a100-80gb", 2),
    box("h100-80gb", 2),
    box("a100-80gb", 4),
    box("h100-80gb", 4),
    box("a100-80gb", 8),
    box("h100-80gb", 8)
].sort((a, b) => a.vramGB - b.vramGB || a.bandwidthGBps - b.bandwidthGBps);

/** Hardware key server benchmarks of a GPU type calibrate predictions under (every box of that GPU shares it). */
export const serverGpuKey = (gpuId: string) => `server-gpu:${gpuId}`;

/**
 * A preset as the fit and speed model sees it. llama.cpp splits a model across GPUs by layers
 * (`--split-mode layer`, its default): the VRAM adds up (less one driver reserve per extra GPU),
 * but each token still passes through the layers one GPU after another, so generation and prompt
 * processing run at one GPU's bandwidth and compute, not the sum.
 */
export function serverProfile(preset: ServerPreset): HardwareProfile {
    const gpu = serverGpus.find((g) => g.id === preset.gpuId)!;
    return {
        label: preset.label,
        hardwareKey: serverGpuKey(gpu.id),
        backend: "cuda",
        ramBytes: preset.hostRamGiB * GiB,
        ramReserveBytes: Math.max(2 * GiB, preset.hostRamGiB * GiB * 0.125),
        gpuName: gpu.name,
        // estimateFit keeps 512 MiB of one discrete GPU for its driver; every further GPU keeps its own.
        vramBytes: preset.vramGB * GB - (preset.gpuCount - 1) * 512 * 1024 ** 2,
        unifiedMemory: false,
        cpuBandwidthBytesPerSecond: 200 * GB,
        gpuBandwidthBytesPerSecond: gpu.bandwidthGBps * GB,
        bandwidthSource: `vendor spec sheet: ${gpu.name} ${gpu.bandwidthGBps} GB/s (peak)`,
        bandwidthKind: "peak",
        bandwidthUnderLoad: false,
        bandwidthMeasurement: null,
        cpuThreads: 16,
        cpuFlops: 16 * 3e9 * 32,
        gpuFlops: gpu.fp16Tflops * 1e12
    };
}
