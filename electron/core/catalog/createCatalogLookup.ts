import type {HardwareSnapshot} from "../../api/HardwareApi.ts";
import type {CatalogModel, CatalogQuantization, HardwareProfile} from "../../api/ModelsApi.ts";
import type {VerdictThresholds} from "../../api/VerdictApi.ts";
import type {CatalogRepository} from "../store/catalogRepository.ts";
import {CatalogError} from "./CatalogError.ts";
import {hardwareKeyOf, profileFromSnapshot} from "./hardwareProfile.ts";
import {recommendModels} from "./recommendModels.ts";

export interface CatalogFileRef {
    modelId: string;
    quantization: string;
    huggingFaceRepo: string;
    /** File names in the repository, in order: one file, or every part of a split GGUF. */
    files: string[];
    /** Total bytes of all files. */
    sizeBytes: number;
    /** SHA-256 (hex) of a single-file model, when known. */
    sha256?: string;
}

export interface CatalogLookup {
    /**
     * "qwen2.5-coder-7b-instruct" or "qwen2.5-coder-7b-instruct:Q4_K_M". Without a quantization: the
     * best pick for this machine (or the catalog's default when unknown). Throws an AppError with code
     * "CATALOG_NOT_FOUND" whose message suggests close matches.
     */
    resolve(reference: string): CatalogFileRef;
}

export interface Catalog extends CatalogLookup {
    /** The curated models with sizes, names and checksums refreshed from Hugging Face applied. */
    models(): CatalogModel[];
    /** One model by id, or a CATALOG_NOT_FOUND error suggesting close ids. */
    model(id: string): CatalogModel;
    /** This machine's profile from the latest probe (null before the first probe). */
    machineProfile(options?: {bandwidthFailure?: string}): HardwareProfile | null;
}

export interface CreateCatalogOptions {
    /** The curated models (from `loadCatalog`). */
    models: readonly CatalogModel[];
    /** Refreshed facts and measured bandwidth. */
    repository: Pick<CatalogRepository, "refreshed" | "bandwidths">;
    /** The latest hardware snapshot, read when a lookup needs this machine's best pick. */
    latestSnapshot: () => HardwareSnapshot | undefined;
    /** The Verdict's thresholds the best pick is judged with (default: the defaults). */
    thresholds?: () => VerdictThresholds;
}

/** The catalog the app uses: curated facts + refreshes, lookups by id[:quant], and this machine's profile. */
export function createCatalogLookup(options: CreateCatalogOptions): Catalog {
    const models = (): CatalogModel[] => {
        const refreshed = options.repository.refreshed();
        if (refreshed.length === 0) return [...options.models];
        return options.models.map((model) => ({
            ...model,
            quantizations: model.quantizations.map((q): CatalogQuantization => {
                const r = refreshed.find((row) => row.modelId === model.id && row.quantization === q.quantization);
                return r
                    ? {...q, files: r.files, sizeBytes: r.sizeBytes, sha256: r.sha256, sizeEstimated: false, sizeSource: `Hugging Face API (${r.refreshedAt.slice(0, 10)})`, refreshedAt: r.refreshedAt}
                    : q;
            })
        }));
    };

    const model = (id: string): CatalogModel => {
        const all = models();
        const wanted = id.trim().toLowerCase();
        const found = all.find((m) => m.id === wanted);
        if (found) return found;
        throw new CatalogError("CATALOG_NOT_FOUND", `No model "${id}" in the catalog.${suggest(wanted, all.map((m) => m.id))}`);
    };

    const machineProfile = (profileOptions: {bandwidthFailure?: string} = {}): HardwareProfile | null => {
        const snapshot = options.latestSnapshot();
        if (!snapshot) return null;
        const measurements = options.repository.bandwidths(hardwareKeyOf(snapshot));
        return profileFromSnapshot(snapshot, {measurements, bandwidthFailure: profileOptions.bandwidthFailure});
    };

    return {
        models,
        model,
        machineProfile,
        resolve(reference) {
            const [id, quantization, ...extra] = reference.trim().split(":");
            if (!id || extra.length > 0 || quantization === "")
                throw new CatalogError("CATALOG_NOT_FOUND", `"${reference}" is not a catalog reference: write <id> or <id>:<quantization>, e.g. qwen2.5-coder-7b-instruct:Q4_K_M.`);
            const m = model(id);
            let chosen: CatalogQuantization | undefined;
            if (quantization) {
                chosen = m.quantizations.find((q) => q.quantization === quantization.toUpperCase());
                if (!chosen)
                    throw new CatalogError(
                        "CATALOG_NOT_FOUND",
                        `${m.id} has no ${quantization} file. Available: ${m.quantizations.map((q) => q.quantization).join(", ")}.`
                    );
            } else {
                const profile = machineProfile();
                const pick = profile ? recommendModels([m], profile, {thresholds: options.thresholds?.()}).models[0]?.bestQuantization : null;
                chosen = m.quantizations.find((q) => q.quantization === (pick ?? m.defaultQuantization));
            }
            const q = chosen ?? m.quantizations.find((x) => x.quantization === m.defaultQuantization)!;
            return {
                modelId: m.id,
                quantization: q.quantization,
                huggingFaceRepo: m.huggingFaceRepo,
                files: [...q.files],
                sizeBytes: q.sizeBytes,
                ...(q.sha256 && q.files.length === 1 ? {sha256: q.sha256} : {})
            };
        }
    };
}

/** " Did you mean: a, b?" for the closest ids: containing each other, sharing words, or a few edits apart. */
function suggest(wanted: string, ids: string[]): string {
    const words = (id: string) => new Set(id.split(/[-_.:\s]+/).filter(Boolean));
    const wantedWords = words(wanted);
    const scored = ids
        .map((id) => {
            const shared = [...words(id)].filter((w) => wantedWords.has(w)).length;
            const distance = editDistance(wanted, id);
            const contains = id.includes(wanted) || wanted.includes(id);
            return {id, rank: contains ? 0 : distance <= Math.max(3, Math.floor(wanted.length / 3)) ? 1 : shared >= 2 ? 2 : 9, shared, distance};
        })
        .filter((s) => s.rank < 9)
        .sort((a, b) => a.rank - b.rank || b.shared - a.shared || a.distance - b.distance)
        .slice(0, 3);
    return scored.length > 0 ? ` Did you mean: ${scored.map((s) => s.id).join(", ")}? (agentfit catalog lists them all)` : " Run agentfit catalog to list the catalog.";
}

function editDistance(a: string, b: string): number {
    const row = Array.from({length: b.length + 1}, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0]!;
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j]!;
            row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length]!;
}
