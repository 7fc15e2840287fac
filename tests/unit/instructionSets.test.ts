import {describe, expect, it} from "vitest";
import {normalizeInstructionSets} from "../../electron/core/hardware/instructionSets.ts";

describe("normalizeInstructionSets", () => {
    it("reads x86 /proc/cpuinfo flags, including the AVX-512 family", () => {
        const flags = "fpu vme pni ssse3 fma sse4_1 sse4_2 avx f16c avx2 avx512f avx512bw avx512vl avx512_vnni avx512_bf16 hypervisor";
        expect(normalizeInstructionSets(flags)).toEqual([
            "sse3", "ssse3", "sse4_1", "sse4_2", "avx", "f16c", "fma", "avx2", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16"
        ]);
    });

    it("reads ARM Linux flags (asimd is NEON, asimddp is dot product)", () => {
        expect(normalizeInstructionSets("fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp asimddp i8mm sve")).toEqual([
            "neon", "fp16", "dotprod", "i8mm", "sve"
        ]);
    });

    it("falls back to llama.cpp's feature line when the OS lists nothing", () => {
        expect(normalizeInstructionSets("", "CPU : NEON = 1 | ARM_FMA = 1 | FP16_VA = 1 | DOTPROD = 1 | MATMUL_INT8 = 1 | ACCELERATE = 1")).toEqual([
            "neon", "fp16", "dotprod", "i8mm"
        ]);
        expect(normalizeInstructionSets("", "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | AVX512 = 0")).toEqual(["sse3", "avx", "avx2"]);
    });

    it("returns nothing for unknown input", () => {
        expect(normalizeInstructionSets("")).toEqual([]);
    });
});
