import {describe, expect, it} from "vitest";
import {defaultThreadCount} from "../../electron/protocol/engineSettings.ts";

describe("default thread count", () => {
    it("uses the physical cores other processes leave free, at least one", () => {
        expect(defaultThreadCount(8, 0.2)).toBe(8);
        expect(defaultThreadCount(8, null)).toBe(8);
        expect(defaultThreadCount(8, 2.6)).toBe(5);
        expect(defaultThreadCount(2, 1.1)).toBe(1);
        // Two busy loops on a 2-core machine: one thread, which never waits for a second one at ggml's barriers.
        expect(defaultThreadCount(2, 2)).toBe(1);
        expect(defaultThreadCount(2, 7.5)).toBe(1);
    });
});
