import {describe, expect, it} from "vitest";
import {formatElapsedAndEta, formatEta, formatTransfer} from "../../electron/shared/format.ts";

describe("the time left of a job, written one way", () => {
    it("writes a transfer's ETA as every progress view does, and leaves it out for a view that shows it apart", () => {
        const transfer = {downloadedBytes: 1024 ** 2, totalBytes: 4 * 1024 ** 2, bytesPerSecond: 512 * 1024};
        expect(formatTransfer({...transfer, etaSeconds: 6})).toBe("1.0 MB of 4.0 MB · 512.0 KB/s · ETA 6.0 s");
        expect(formatTransfer(transfer)).toBe("1.0 MB of 4.0 MB · 512.0 KB/s");
        expect(formatTransfer({...transfer, etaSeconds: null})).not.toMatch(/ETA|left/);
    });

    it("says what the ETA is while there is none", () => {
        expect(formatEta(80)).toBe("ETA 1 min 20 s");
        expect(formatEta(null)).toBe("ETA unknown");
        expect(formatElapsedAndEta(3, null)).toBe("Elapsed 3.0 s · ETA after the first results");
        expect(formatElapsedAndEta(3, null, "paused")).toBe("Elapsed 3.0 s · ETA paused");
        expect(formatElapsedAndEta(3, 12.4)).toBe("Elapsed 3.0 s · ETA 12.4 s");
    });
});
