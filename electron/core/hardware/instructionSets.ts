/**
 * The SIMD extensions that matter to llama.cpp's CPU kernels, in a fixed order, normalized from
 * Linux /proc/cpuinfo flags (x86 and ARM spellings), macOS sysctl names or llama.cpp's own
 * feature line ("AVX2 = 1 | …").
 */
const KNOWN: readonly [name: string, aliases: readonly string[]][] = [
    ["sse3", ["sse3", "pni"]],
    ["ssse3", ["ssse3"]],
    ["sse4_1", ["sse4_1", "sse4.1"]],
    ["sse4_2", ["sse4_2", "sse4.2"]],
    ["avx", ["avx", "avx1.0"]],
    ["f16c", ["f16c"]],
    ["fma", ["fma", "fma3"]],
    ["avx2", ["avx2"]],
    ["avx_vnni", ["avx_vnni", "avxvnni"]],
    ["avx512f", ["avx512f", "avx512"]],
    ["avx512bw", ["avx512bw"]],
    ["avx512vl", ["avx512vl"]],
    ["avx512_vnni", ["avx512_vnni", "avx512vnni"]],
    ["avx512_vbmi", ["avx512_vbmi", "avx512vbmi"]],
    ["avx512_bf16", ["avx512_bf16", "avx512bf16"]],
    ["amx_int8", ["amx_int8", "amx_int8"]],
    ["amx_bf16", ["amx_bf16"]],
    ["neon", ["neon", "asimd"]],
    ["fp16", ["fp16", "fphp", "asimdhp", "fp16_va"]],
    ["dotprod", ["dotprod", "asimddp", "arm_feature_dotprod"]],
    ["i8mm", ["i8mm", "matmul_int8", "arm_feature_i8mm"]],
    ["sve", ["sve"]],
    ["sve2", ["sve2"]],
    ["sme", ["sme"]]
];

export function normalizeInstructionSets(flags: string, llamaFeatureLine = ""): string[] {
    const present = new Set(
        flags
            .toLowerCase()
            .split(/[\s,]+/)
            .filter(Boolean)
    );
    for (const match of llamaFeatureLine.matchAll(/([A-Z0-9_]+)\s*=\s*1/g)) present.add(match[1]!.toLowerCase());
    return KNOWN.filter(([, aliases]) => aliases.some((alias) => present.has(alias))).map(([name]) => name);
}
