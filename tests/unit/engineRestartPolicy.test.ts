import {describe, expect, it} from "vitest";
import type {EngineCrash} from "../../electron/api/EngineApi.ts";
import {createEngineRestartPolicy, DEFAULT_ENGINE_RESTARTS} from "../../electron/core/engine/createEngineRestartPolicy.ts";

const killed: EngineCrash = {at: "2026-12-06T01:00:00.000Z", exitCode: null, signal: "SIGKILL", outOfMemory: false, reason: "The engine process was killed by SIGKILL from another process.", stderrTail: []};

describe("when a crashed engine is started again", () => {
    it("restarts after 1 s, 5 s and 30 s, then gives up on the fourth crash within 5 minutes, naming the last one", () => {
        let now = 0;
        const policy = createEngineRestartPolicy(DEFAULT_ENGINE_RESTARTS, () => now);
        const decisions = [0, 10_000, 60_000, 120_000].map((at) => {
            now = at;
            return policy.afterCrash(killed);
        });
        expect(decisions.slice(0, 3)).toEqual([
            {restart: true, attempt: 1, of: 3, delayMs: 1_000},
            {restart: true, attempt: 2, of: 3, delayMs: 5_000},
            {restart: true, attempt: 3, of: 3, delayMs: 30_000}
        ]);
        expect(decisions[3]).toEqual({restart: false, reason: `The engine crashed 4 times within 5 minutes; AgentFit stopped restarting it. Last crash: ${killed.reason}`});
    });

    it("forgets crashes older than the window, and all of them when the user starts again", () => {
        let now = 0;
        const policy = createEngineRestartPolicy({delaysMs: [1_000, 5_000], windowMs: 60_000}, () => now);
        policy.afterCrash(killed);
        now = 30_000;
        policy.afterCrash(killed);
        now = 70_000;
        // The first crash is more than a minute old: this is the second within the window.
        expect(policy.afterCrash(killed)).toMatchObject({restart: true, attempt: 2});
        policy.reset();
        expect(policy.afterCrash(killed)).toMatchObject({restart: true, attempt: 1, delayMs: 1_000});
    });

    it("never restarts after an out-of-memory kill the kernel vouches for, and says what to change", () => {
        const policy = createEngineRestartPolicy();
        const oom: EngineCrash = {...killed, outOfMemory: true, reason: "The engine process was killed by the kernel's out-of-memory killer (SIGKILL; kernel log: \"Out of memory: Killed process 42 (node)\")."};
        const decision = policy.afterCrash(oom);
        expect(decision).toEqual({
            restart: false,
            reason: `${oom.reason} AgentFit does not restart it: the same model and settings would run out of memory again. Serve it with a smaller context, a quantized KV cache (q8_0), fewer parallel sequences or a smaller quantization, or free memory first.`
        });
        // Without that evidence a SIGKILL is restarted like any crash.
        expect(policy.afterCrash(killed)).toMatchObject({restart: true, attempt: 1});
    });
});
