import type {EngineBuildOffer, EngineBuildOfferSurface, EngineBuildRequirement} from "../../api/EngineApi.ts";

/**
 * Why build, in measured figures (docs/benchmark.md, "The engine binary" and "On a busy machine";
 * docs/FACTS.md §3): the prebuilt binary creates its threads per decode and spins at barriers.
 */
export const ENGINE_BUILD_REASON =
    "Measured on a 2-core machine: with other programs busy, the prebuilt engine's two-thread decoding fell to about 0.4× of llama.cpp's own llama-bench " +
    "(16 one-token decodes in 54–66 s), while the engine built for the CPU took 7.5–10 s; on a quiet machine its prompt processing was 0.97–1.04× of llama-bench against the prebuilt's 0.91–0.93×. " +
    "Steadier benchmarks make a steadier verdict.";

/** The same measurements in one line, for where the offer must stay small (the Answer page). */
export const ENGINE_BUILD_SUMMARY =
    "steadier, faster measurements — on a busy 2-core machine the prebuilt engine decoded at about 0.4× of llama.cpp's own llama-bench (16 decodes: 54–66 s, against 7.5–10 s built for the CPU).";

/** Minutes a build took on 2 cores (docs/FACTS.md §3): quiet, and beside other test suites (load average 15: 130 of 153 steps in 41 min, so about 50). */
const MEASURED_BUILD_MINUTES = {quiet: 4, busy: 50, cores: 2};

/**
 * Disk space a build takes at most: the llama.cpp source clone (209 MB) and the build folder (31 MB
 * at step 130 of 153), measured 6 Dec 2026 (docs/FACTS.md §3), with room to spare.
 */
export const ENGINE_BUILD_DISK_BYTES = 300 * 1024 * 1024;

const dismissedKey = (surface: EngineBuildOfferSurface) => `engine.buildOffer.dismissedAt.${surface}`;

export interface OfferMemory {
    get(key: string): {value: string} | null;
    set(key: string, value: string): void;
}

export function offerDismissedAt(memory: OfferMemory | undefined): Record<EngineBuildOfferSurface, string | null> {
    return {app: memory?.get(dismissedKey("app"))?.value ?? null, cli: memory?.get(dismissedKey("cli"))?.value ?? null};
}

export function dismissOffer(memory: OfferMemory, surface: EngineBuildOfferSurface, at = new Date().toISOString()) {
    memory.set(dismissedKey(surface), at);
}

/** The offer for a machine with `cores` cores whose build requirements are `requirements`. */
export function engineBuildOffer(
    requirements: EngineBuildRequirement[],
    cores: number,
    dismissedAt: Record<EngineBuildOfferSurface, string | null>
): EngineBuildOffer {
    const missing = requirements.filter((r) => r.required && !r.ok);
    const scale = MEASURED_BUILD_MINUTES.cores / Math.max(1, cores);
    const lowMinutes = Math.max(2, Math.round(MEASURED_BUILD_MINUTES.quiet * scale));
    const highMinutes = Math.max(lowMinutes + 2, Math.round(MEASURED_BUILD_MINUTES.busy * scale));
    return {
        kind: missing.length === 0 ? "build" : "install",
        reason: ENGINE_BUILD_REASON,
        summary: ENGINE_BUILD_SUMMARY,
        estimate: {
            lowMinutes,
            highMinutes,
            basis: `estimate: measured ${MEASURED_BUILD_MINUTES.quiet} min on a quiet ${MEASURED_BUILD_MINUTES.cores}-core machine and up to ${MEASURED_BUILD_MINUTES.busy} min beside other busy programs, scaled to this machine's ${cores} cores`
        },
        diskBytes: ENGINE_BUILD_DISK_BYTES,
        missing,
        dismissedAt
    };
}
