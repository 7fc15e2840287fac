import fs from "node:fs";
import {z} from "zod";
import bundledCatalog from "../../../models/catalog.json" with {type: "json"};
import type {CatalogModel} from "../../api/ModelsApi.ts";
import {CatalogError} from "./CatalogError.ts";

const positive = z.number().positive();
const count = z.number().int().nonnegative();

const architectureSchema = z
    .object({
        ggufArchitecture: z.string().min(1),
        parameters: positive,
        activeParameters: positive.nullable(),
        layers: z.number().int().positive(),
        embeddingLength: z.number().int().positive(),
        headCount: z.number().int().positive(),
        headCountKv: z.number().int().positive(),
        headDim: z.number().int().positive(),
        contextLength: z.number().int().positive(),
        contextNote: z.string().optional(),
        slidingWindow: z.number().int().positive().nullable(),
        slidingWindowLayers: count,
        kvLayers: count,
        kvNote: z.string().optional(),
        experts: z.number().int().positive().nullable(),
        expertsUsed: z.number().int().positive().nullable(),
        vocabularySize: z.number().int().positive(),
        feedForwardLength: z.number().int().positive(),
        unverified: z.array(z.string()).optional()
    })
    .strict();

const quantizationSchema = z
    .object({
        quantization: z.string().regex(/^[A-Z0-9_]+$/, "quantization names are upper case, e.g. Q4_K_M"),
        files: z.array(z.string().regex(/\.gguf$/, "files are .gguf names")).min(1),
        sizeBytes: z.number().int().positive(),
        sizeSource: z.string().min(1),
        sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
        fileNote: z.string().optional()
    })
    .strict();

const modelSchema = z
    .object({
        id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, "ids are lower-case words joined by - or ."),
        name: z.string().min(1),
        family: z.string().min(1),
        publisher: z.string().min(1),
        released: z.string().regex(/^\d{4}-\d{2}$/),
        baseRepo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
        huggingFaceRepo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
        license: z.string().min(1),
        toolCalling: z.enum(["native", "prompted", "none"]),
        toolCallingNote: z.string().min(1),
        architecture: architectureSchema,
        capability: z.object({score: z.number().min(0).max(100), basis: z.string().min(1)}).strict(),
        evals: z.array(
            z
                .object({
                    name: z.string(),
                    correct: count,
                    runs: z.number().int().positive(),
                    accuracy: z.number().min(0).max(1),
                    date: z.string().regex(/^\d{4}-\d{2}$/),
                    setup: z.string(),
                    source: z.string().min(1)
                })
                .strict()
        ),
        sources: z.record(z.string(), z.string().min(1)),
        defaultQuantization: z.string(),
        quantizations: z.array(quantizationSchema).min(1)
    })
    .strict();

export const catalogFileSchema = z.object({
    $schema: z.string().optional(),
    version: z.literal(1),
    updated: z.string(),
    note: z.string().optional(),
    bitsPerWeight: z.object({values: z.record(z.string(), positive), source: z.string()}),
    models: z.array(modelSchema).min(1)
});

export type CatalogFile = z.infer<typeof catalogFileSchema>;

/**
 * The curated catalog (`models/catalog.json`, bundled with the app), validated. `file` reads another
 * catalog file instead (tests, or a catalog written by `refresh --write`). Every schema problem is
 * reported with its path, e.g. `models.3.architecture.headCountKv: expected number`.
 */
export function loadCatalog(options: {file?: string} = {}): CatalogModel[] {
    let raw: unknown = bundledCatalog;
    const where = options.file ?? "models/catalog.json";
    if (options.file) {
        try {
            raw = JSON.parse(fs.readFileSync(options.file, "utf8"));
        } catch (error) {
            throw new CatalogError("CATALOG_INVALID", `Cannot read the catalog ${options.file}: ${(error as Error).message}`, {cause: error});
        }
    }
    const parsed = catalogFileSchema.safeParse(raw);
    if (!parsed.success) {
        const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
        throw new CatalogError("CATALOG_INVALID", `The catalog ${where} is invalid: ${problems.join("; ")}`);
    }
    const models = parsed.data.models.map(
        (model): CatalogModel => ({
            ...model,
            quantizations: model.quantizations.map((q) => ({...q, sizeEstimated: q.sizeSource.startsWith("estimated")}))
        })
    );
    checkCatalogConsistency(models, where);
    return models;
}

/** Rules the schema cannot express; a violation makes the catalog unusable, so it throws. */
export function checkCatalogConsistency(models: CatalogModel[], where = "catalog"): void {
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const model of models) {
        if (ids.has(model.id)) problems.push(`duplicate id ${model.id}`);
        ids.add(model.id);
        const a = model.architecture;
        const quantNames = new Set<string>();
        for (const q of model.quantizations) {
            if (quantNames.has(q.quantization)) problems.push(`${model.id}: ${q.quantization} listed twice`);
            quantNames.add(q.quantization);
        }
        if (!quantNames.has(model.defaultQuantization)) problems.push(`${model.id}: default quantization ${model.defaultQuantization} has no file`);
        if (a.headCount % a.headCountKv !== 0) problems.push(`${model.id}: ${a.headCount} heads do not divide into ${a.headCountKv} KV heads`);
        if (a.kvLayers > a.layers) problems.push(`${model.id}: kvLayers ${a.kvLayers} > layers ${a.layers}`);
        if (a.slidingWindowLayers > a.kvLayers) problems.push(`${model.id}: slidingWindowLayers > kvLayers`);
        if (a.slidingWindowLayers > 0 && a.slidingWindow == null) problems.push(`${model.id}: sliding-window layers without a window size`);
        if (a.activeParameters != null && a.activeParameters >= a.parameters) problems.push(`${model.id}: active parameters not below total`);
        if ((a.experts == null) !== (a.expertsUsed == null)) problems.push(`${model.id}: experts and expertsUsed must both be set or both null`);
        if (a.experts != null && a.activeParameters == null) problems.push(`${model.id}: a mixture of experts needs activeParameters`);
        for (const key of ["architecture", "parameters", "license", "files"]) if (!model.sources[key]) problems.push(`${model.id}: no source for ${key}`);
    }
    if (problems.length > 0) throw new CatalogError("CATALOG_INVALID", `The ${where} is inconsistent: ${problems.join("; ")}`);
}
