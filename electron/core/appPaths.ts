import os from "node:os";
import path from "node:path";

export interface AppPaths {
    /** Data directory (AGENTFIT_HOME, or the OS's per-user app-data folder). */
    home: string;
    /** The one SQLite file. */
    database: string;
    /** Downloaded models. */
    models: string;
    /** Programs AgentFit builds for this machine (the sandbox's native forwarder). */
    programs: string;
}

/**
 * Where AgentFit keeps its data. `AGENTFIT_HOME` wins; otherwise the same folder Electron's
 * `app.getPath("userData")` gives for an app named AgentFit, so the desktop app and the CLI share data.
 */
export function resolveAppPaths(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): AppPaths {
    const home = env.AGENTFIT_HOME ? path.resolve(env.AGENTFIT_HOME) : defaultHome(env, platform);
    return {home, database: path.join(home, "agentfit.sqlite"), models: path.join(home, "models"), programs: path.join(home, "bin")};
}

function defaultHome(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
    const userHome = os.homedir();
    if (platform === "darwin") return path.join(userHome, "Library", "Application Support", "AgentFit");
    if (platform === "win32") return path.join(env.APPDATA ?? path.join(userHome, "AppData", "Roaming"), "AgentFit");
    return path.join(env.XDG_CONFIG_HOME ?? path.join(userHome, ".config"), "AgentFit");
}
