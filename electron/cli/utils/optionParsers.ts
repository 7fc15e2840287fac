import {InvalidArgumentError} from "commander";
import type {z} from "zod";
import {CONTEXT_SIZE_MAX, CONTEXT_SIZE_MIN, engineSettingSchemas} from "../../protocol/engineSettings.ts";

/** Commander parser for a whole number within bounds; the error names the option. */
export function wholeNumber(name: string, min: number, max: number = Number.MAX_SAFE_INTEGER) {
    return (value: string) => {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n < min || n > max)
            throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `${name} must be a whole number of at least ${min}.` : `${name} must be a whole number from ${min} to ${max}.`);
        return n;
    };
}

/** Commander parser for a number of at least 0 (fractions allowed); the error names the option. */
export function nonNegativeNumber(name: string) {
    return (value: string) => {
        const n = Number(value);
        if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number of at least 0.`);
        return n;
    };
}

/** Digits only ("12"); anything else becomes NaN, which every number schema refuses. */
const digits = (text: string): number => (/^\d+$/.test(text) ? Number(text) : NaN);

/**
 * Commander parser that checks a flag's value against an engine setting's schema (electron/protocol),
 * so the CLI accepts exactly what the API does; `toValue` turns the text into what the schema checks.
 */
export function settingOption<T>(name: string, schema: z.ZodType<T>, toValue: (text: string) => unknown = digits) {
    return (text: string): T => {
        const result = schema.safeParse(toValue(text.trim()));
        if (!result.success) throw new InvalidArgumentError(`${name} ${result.error.issues[0]!.message}.`);
        return result.data;
    };
}

/** "32768", "32k", "128K", "1M" → tokens (k = 1024, M = 1024²). */
function contextTokens(text: string): number {
    const match = /^(\d+)([km])?$/i.exec(text);
    if (!match) return NaN;
    const unit = match[2]?.toLowerCase();
    return Number(match[1]) * (unit === "k" ? 1024 : unit === "m" ? 1024 * 1024 : 1);
}

/** The one context-size flag: `--ctx` (alias `--context`), in tokens with optional k/M units. */
export const contextSizeFlag = "--ctx, --context <tokens>";

export function contextSizeOption(value: string): number {
    const tokens = contextTokens(value.trim());
    if (!engineSettingSchemas.contextSize.safeParse(tokens).success)
        throw new InvalidArgumentError(`--ctx must be a context size from ${CONTEXT_SIZE_MIN} to ${CONTEXT_SIZE_MAX} tokens, e.g. 32768, 32k or 1M; got "${value}".`);
    return tokens;
}

/** --gpu-layers: "auto", "max" or a layer count; `fixed` leaves "auto" out (a measurement needs a set count). */
export function gpuLayersOption(schema: typeof engineSettingSchemas.gpuLayers | typeof engineSettingSchemas.fixedGpuLayers) {
    return settingOption("--gpu-layers", schema, (text) => (text === "auto" || text === "max" ? text : digits(text)));
}
