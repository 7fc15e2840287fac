import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {resolveAppPaths, type AppPaths} from "../electron/core/appPaths.ts";

/** A fresh AgentFit data directory for one test, removed on dispose. */
export interface TempHome extends AppPaths {
    env: NodeJS.ProcessEnv;
    [Symbol.dispose](): void;
}

export function createTempHome(prefix = "agentfit-test-"): TempHome {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const env = {...process.env, AGENTFIT_HOME: home};
    return {
        ...resolveAppPaths(env),
        env,
        [Symbol.dispose]() {
            fs.rmSync(home, {recursive: true, force: true});
        }
    };
}
