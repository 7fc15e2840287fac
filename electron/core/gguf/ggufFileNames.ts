/** File-name conventions of GGUF models: split parts (`-00001-of-00003.gguf`) and quantization tags. */

const SPLIT_PART = /-(\d{5})-of-(\d{5})\.gguf$/i;

/** Part number and count of a split GGUF file name, or null for a single file. */
export function splitPartInfo(fileName: string): {part: number; parts: number; base: string} | null {
    const match = SPLIT_PART.exec(fileName);
    if (!match) return null;
    return {part: Number(match[1]), parts: Number(match[2]), base: fileName.slice(0, match.index)};
}

/** Names of every part of a split model, from any one part's name. */
export function splitPartNames(fileName: string): string[] {
    const info = splitPartInfo(fileName);
    if (!info) return [fileName];
    const width = 5;
    return Array.from({length: info.parts}, (_, i) => `${info.base}-${String(i + 1).padStart(width, "0")}-of-${String(info.parts).padStart(width, "0")}.gguf`);
}

/** Display name of a model file: its base name without `.gguf` and without the split suffix. */
export function modelDisplayName(fileName: string): string {
    const base = fileName.split(/[\\/]/).pop() ?? fileName;
    return (splitPartInfo(base)?.base ?? base.replace(/\.gguf$/i, "")) || base;
}

/** Whether a file name carries the quantization tag, bounded so "Q4_K" never matches "Q4_K_M". */
export function fileHasQuantization(fileName: string, quantization: string): boolean {
    const escaped = quantization.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`(^|[^A-Za-z0-9])${escaped}(?![A-Za-z0-9_])`, "i").test(fileName);
}

const QUANT_TAG = /(?:^|[^A-Za-z0-9])((?:IQ\d|Q\d|TQ\d)(?:_[A-Z0-9]+)*|BF16|F16|F32|FP16|MXFP4)(?![A-Za-z0-9])/i;

/** The quantization tag in a file name ("…-Q4_K_M.gguf" → "Q4_K_M"), or null. */
export function quantizationInFileName(fileName: string): string | null {
    const match = QUANT_TAG.exec(modelDisplayName(fileName));
    return match ? match[1]!.toUpperCase() : null;
}
