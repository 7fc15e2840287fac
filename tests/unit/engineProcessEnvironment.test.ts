import {describe, expect, it} from "vitest";
import {engineProcessEnvironment} from "../../electron/core/engine/engineProcessEnvironment.ts";

describe("engineProcessEnvironment", () => {
    it("runs every decode on one libuv worker and bounds how long OpenMP threads spin before they sleep", () => {
        const env = engineProcessEnvironment({PATH: "/usr/bin", UV_THREADPOOL_SIZE: "8"}, {AGENTFIT_HOME: "/data"});
        expect(env).toEqual({PATH: "/usr/bin", AGENTFIT_HOME: "/data", UV_THREADPOOL_SIZE: "1", GOMP_SPINCOUNT: "10000"});
    });

    it("keeps a user's own OpenMP wait settings", () => {
        const active = engineProcessEnvironment({OMP_WAIT_POLICY: "active"});
        expect(active.OMP_WAIT_POLICY).toBe("active");
        expect(active.GOMP_SPINCOUNT).toBeUndefined();
        expect(engineProcessEnvironment({}, {GOMP_SPINCOUNT: "300000"}).GOMP_SPINCOUNT).toBe("300000");
    });
});
