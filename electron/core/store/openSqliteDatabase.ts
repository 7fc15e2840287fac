import fs from "node:fs";
import {createRequire} from "node:module";
import path from "node:path";
import Database from "better-sqlite3";
import {findAppRoot} from "../install/appRoot.ts";
import {StoreError} from "./StoreError.ts";

/**
 * Where a better-sqlite3 addon for another Node.js ABI lives, beside (never instead of) the build in
 * node_modules: `.cache/node-native/better-sqlite3-<version>-abi<N>.node` under the app root.
 * `scripts/prepareNodeSqlite.js`, run with the other Node, builds it, so one checkout runs its tests
 * on two Node versions (CI runs the unit and API suites on Node 24 as well).
 */
export function nodeSqliteBindingPath(abi: string = process.versions.modules): string {
    const version = (createRequire(import.meta.url)("better-sqlite3/package.json") as {version: string}).version;
    return path.join(findAppRoot(), ".cache", "node-native", `better-sqlite3-${version}-abi${abi}.node`);
}

/**
 * `new Database(file, options)` with the addon the options name, else node_modules' build; when that
 * build is for another Node.js ABI, with the copy built for this one beside it, if there is one
 * (else STORE_OPEN_FAILED saying how to get one).
 */
export function openSqliteDatabase(file: string, options: Database.Options = {}): Database.Database {
    if (options.nativeBinding) return new Database(file, options);
    try {
        return new Database(file, options);
    } catch (error) {
        if (!isOtherAbiError(error)) throw error;
        const binding = nodeSqliteBindingPath();
        if (fs.existsSync(binding)) return new Database(file, {...options, nativeBinding: binding});
        throw new StoreError(
            "STORE_OPEN_FAILED",
            file,
            `better-sqlite3 in node_modules was built for another Node.js version than this one (${process.version}). ` +
                "Run `npm rebuild better-sqlite3` with this Node, or keep that build and add one for this Node beside it with " +
                "`node scripts/prepareNodeSqlite.js` (run with this Node).",
            {cause: error}
        );
    }
}

/**
 * Node's answer to loading an addon built for another ABI: NODE_MODULE_VERSION on the first try in
 * a process, "did not self-register" on later tries (the library stays loaded after the first).
 */
function isOtherAbiError(error: unknown): boolean {
    return (error as {code?: unknown}).code === "ERR_DLOPEN_FAILED" && /NODE_MODULE_VERSION|did not self-register/.test((error as Error).message);
}
