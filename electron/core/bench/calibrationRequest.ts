import type {BenchStartRequest} from "../../api/BenchApi.ts";
import type {RegisteredModel} from "../../api/DownloadsApi.ts";
import {MIN_CALIBRATION_BYTES, weightTypeKey} from "../catalog/predictSpeed.ts";

/**
 * The models a calibration measures when none are named: of the registered models, one per weight
 * type, the largest of each (models under 256 MiB are bound by per-token overhead and would skew it).
 */
export function calibrationModels(models: readonly RegisteredModel[]): RegisteredModel[] {
    const byType = new Map<string, RegisteredModel>();
    for (const m of models) {
        if (m.sizeBytes < MIN_CALIBRATION_BYTES) continue;
        const type = weightTypeKey(m.facts.quantization);
        const current = byType.get(type);
        if (!current || m.sizeBytes > current.sizeBytes) byType.set(type, m);
    }
    return [...byType.values()];
}

/**
 * The short benchmark that calibrates speed predictions for this machine (about a minute per model on a
 * laptop): pp and tg at an empty context give each weight type's factors; the same at 2k and 4k (one
 * shared 4k prefill) what the context adds and how fast that grows with depth. Measured here, this
 * carried to 16k better than adding 8k did (FACTS §9).
 * Its results are ordinary benchmark results, so every later benchmark refines the calibration too.
 */
export function calibrationRequest(models: string[]): BenchStartRequest {
    return {models, promptTokens: 256, generatedTokens: 32, repetitions: 2, depths: [0, 2048, 4096], timeToFirstToken: false};
}
