import {describe, expect, it} from "vitest";
import {confinementLabel, confinementText} from "../../electron/shared/evalFormat.ts";

describe("a run's confinement as the CLI and the Evaluate screen show it", () => {
    it("names the sandbox's forwarder, and reads runs recorded before there was a choice", () => {
        const bwrap = {mode: "bwrap", version: "0.8.0", executable: "/usr/bin/bwrap"} as const;
        expect(confinementText({...bwrap, forwarder: "native"})).toBe("bubblewrap 0.8.0 (writes: the workspace only; network: the model only), native forwarder");
        expect(confinementText({...bwrap, forwarder: "node"})).toBe("bubblewrap 0.8.0 (writes: the workspace only; network: the model only), Node forwarder");
        expect(confinementText(bwrap)).toBe("bubblewrap 0.8.0 (writes: the workspace only; network: the model only)");
        expect(confinementText({mode: "none", reason: "bubblewrap (bwrap) is not installed."})).toBe("none: bubblewrap (bwrap) is not installed.");
        expect([confinementLabel({...bwrap, forwarder: "native"}), confinementLabel({...bwrap, forwarder: "node"}), confinementLabel(bwrap), confinementLabel({mode: "none", reason: "x"})]).toEqual([
            "confined, native forwarder",
            "confined, Node forwarder",
            "confined",
            "unconfined"
        ]);
    });
});
