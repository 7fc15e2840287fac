import type {EngineCrash} from "../../api/EngineApi.ts";
import {plural} from "../../shared/format.ts";

/** When the app restarts an engine that died while serving. */
export interface EngineRestartSettings {
    /** The pause before each restart within the window; its length is how many restarts the window allows. */
    delaysMs: number[];
    /** Crashes longer ago than this are forgotten. */
    windowMs: number;
}

export const DEFAULT_ENGINE_RESTARTS: EngineRestartSettings = {delaysMs: [1_000, 5_000, 30_000], windowMs: 5 * 60_000};

export type EngineRestartDecision = {restart: true; attempt: number; of: number; delayMs: number} | {restart: false; reason: string};

/**
 * Decides, crash by crash, whether the engine is started again and after what pause: never after an
 * out-of-memory kill the kernel vouches for (the same model and settings would run out again), and
 * not once the window holds more crashes than it allows restarts.
 */
export function createEngineRestartPolicy(settings: EngineRestartSettings = DEFAULT_ENGINE_RESTARTS, now: () => number = Date.now) {
    const crashes: number[] = [];
    return {
        afterCrash(crash: EngineCrash): EngineRestartDecision {
            if (crash.outOfMemory)
                return {
                    restart: false,
                    reason: `${crash.reason} AgentFit does not restart it: the same model and settings would run out of memory again. Serve it with a smaller context, a quantized KV cache (q8_0), fewer parallel sequences or a smaller quantization, or free memory first.`
                };
            const at = now();
            while (crashes.length > 0 && at - crashes[0]! > settings.windowMs) crashes.shift();
            crashes.push(at);
            const attempt = crashes.length;
            if (attempt > settings.delaysMs.length)
                return {
                    restart: false,
                    reason: `The engine crashed ${attempt} times within ${formatWindow(settings.windowMs)}; AgentFit stopped restarting it. Last crash: ${crash.reason}`
                };
            return {restart: true, attempt, of: settings.delaysMs.length, delayMs: settings.delaysMs[attempt - 1]!};
        },
        /** Forgets past crashes (a start by the user begins a new history). */
        reset() {
            crashes.length = 0;
        }
    };
}

export type EngineRestartPolicy = ReturnType<typeof createEngineRestartPolicy>;

function formatWindow(ms: number): string {
    return ms >= 60_000 ? plural(Math.round(ms / 60_000), "minute") : plural(Math.round(ms / 1000), "second");
}
