import {z} from "zod";
import type {LocalModelSettings, ServerSettings} from "../api/EngineApi.ts";
import type {KvCacheType} from "../api/ModelsApi.ts";
import {wholeNumber} from "../shared/parseArgument.ts";

/**
 * The one definition of how a model is loaded and served: bounds, defaults and units of every engine
 * setting. The app checks requests against these schemas (API methods, CLI flags, eval and benchmark
 * specs, the fit estimate); the engine process applies the defaults. Both processes load this module.
 */

/** Context a coding agent needs (system prompt, tool schemas, files, turns), tokens. Capped at the model's trained context when loading. */
export const DEFAULT_CONTEXT_SIZE = 32768;
/**
 * Context bounds, tokens. llama.cpp allocates KV cells in blocks of 256, so a smaller context saves no
 * memory; 4,194,304 (4 Mi) is above the trained context of every open model in the catalog (≤ 1 Mi)
 * and leaves what-if estimates room.
 */
export const CONTEXT_SIZE_MIN = 256;
export const CONTEXT_SIZE_MAX = 4_194_304;
/** Port of the OpenAI-compatible server when none is asked for. */
export const DEFAULT_SERVE_PORT = 8723;
/** Interface the server binds when none is asked for: this machine only. */
export const DEFAULT_SERVE_HOST = "127.0.0.1";
export const kvCacheTypes = ["f16", "q8_0", "q4_0"] as const satisfies readonly KvCacheType[];

/** Bytes per KV-cache element of each type: f16 2; q8_0 blocks of 32 = 34 bytes; q4_0 blocks of 32 = 18 bytes. */
export const kvCacheBytesPerElement: Readonly<Record<KvCacheType, number>> = {f16: 2, q8_0: 34 / 32, q4_0: 18 / 32};

/** More layers than a model has means all of them; 100,000 lets the common `-ngl 9999` idiom through. */
const gpuLayerCount = wholeNumber(0, 100_000);

/** Each setting's own schema, for requests that take a setting alone or as a list (fit, benchmark matrix, CLI flags). */
export const engineSettingSchemas = {
    contextSize: wholeNumber(CONTEXT_SIZE_MIN, CONTEXT_SIZE_MAX),
    gpuLayers: z.union([z.literal("auto"), z.literal("max"), gpuLayerCount], {error: 'must be "auto", "max" or a whole number from 0 to 100000'}),
    /** A layer count or "max": what a measurement needs ("auto" would vary with free memory). */
    fixedGpuLayers: z.union([z.literal("max"), gpuLayerCount], {error: 'must be "max" or a whole number from 0 to 100000'}),
    flashAttention: z.boolean({error: "must be true or false"}),
    kvCacheType: z.enum(kvCacheTypes, {error: "must be f16, q8_0 or q4_0"}),
    /** CPU threads; 1024 is far above any machine's cores. */
    threads: wholeNumber(1, 1024),
    /** Tokens per batch; llama.cpp's physical batch is at most 65,536. */
    batchSize: wholeNumber(1, 65_536),
    /** Context sequences served at once. */
    parallel: wholeNumber(1, 64)
} as const;

const s = engineSettingSchemas;

/** How a model is loaded (see LocalModelSettings for each field's default). Unknown fields are refused. */
export const modelSettingsSchema = z
    .strictObject({
        contextSize: s.contextSize.optional(),
        gpuLayers: s.gpuLayers.optional(),
        flashAttention: s.flashAttention.optional(),
        kvCacheType: s.kvCacheType.optional(),
        threads: s.threads.optional(),
        batchSize: s.batchSize.optional(),
        parallel: s.parallel.optional()
    })
    .check((context) => {
        const {flashAttention, kvCacheType} = context.value;
        if (flashAttention === false && kvCacheType !== undefined && kvCacheType !== "f16")
            context.issues.push({
                code: "custom",
                path: ["flashAttention"],
                input: undefined,
                message: `must be on for a ${kvCacheType} KV cache (llama.cpp quantizes the cache only with flash attention): turn it on, or use an f16 KV cache`
            });
    }) satisfies z.ZodType<LocalModelSettings>;

/** Where and how the OpenAI-compatible server listens (see ServerSettings). Unknown fields are refused. */
export const serverSettingsSchema = z.strictObject({
    host: z.string({error: "must be an interface name or address"}).trim().min(1, {error: "must be an interface name or address"}).optional(),
    port: wholeNumber(0, 65_535).optional(),
    apiKey: z.string({error: "must be a string without spaces"}).regex(/^\S+$/, {error: "must be a string without spaces"}).optional(),
    corsOrigins: z.array(z.string(), {error: 'must be a list of origins such as https://example.com, or ["*"]'}).optional(),
    /** Largest request body, bytes: 1 KiB to 1 GiB. */
    bodyLimitBytes: wholeNumber(1024, 1 << 30).optional()
}) satisfies z.ZodType<ServerSettings>;

/**
 * Threads a load uses when none are asked for: the physical cores other processes leave free, at
 * least one. ggml's threads meet at a barrier after every operation, spinning until all arrive, so a
 * thread that has to wait for a core stalls the others; on a 2-core machine under load, 64
 * one-token decodes took 218 s on 2 threads and 7.9 s on 1 (docs/FACTS.md §3).
 */
export function defaultThreadCount(physicalCores: number, otherBusyCores: number | null): number {
    return Math.max(1, physicalCores - Math.round(otherBusyCores ?? 0));
}

/** The context a load uses: the one asked for, else the agent default capped at what the model was trained for. */
export function contextSizeFor(settings: LocalModelSettings, trainedContextSize: number | null): number {
    return settings.contextSize ?? Math.min(DEFAULT_CONTEXT_SIZE, trainedContextSize ?? DEFAULT_CONTEXT_SIZE);
}
