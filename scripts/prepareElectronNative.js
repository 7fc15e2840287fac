// Builds better-sqlite3 for Electron's ABI into .cache/electron-native/<electron version>/, beside
// (never over) the Node build in node_modules that the CLI and tests load. The desktop app passes
// that file to better-sqlite3 as `nativeBinding`. First tries a prebuilt binary for Electron
// (prebuild-install), then compiles from source against Electron's headers (node-gyp).
import fs from "node:fs";
import path from "node:path";
import {buildSqliteAddon, nodeGypCommand} from "./buildSqliteAddon.js";

/** Electron version of an installed binary, from the package (the binary cannot run headless here). */
function electronVersion(root) {
    return JSON.parse(fs.readFileSync(path.join(root, "node_modules", "electron", "package.json"), "utf8")).version;
}

/**
 * @param {{root: string, electronBinary?: string, log?: (line: string) => void}} options
 * @returns {Promise<{ok: true, file: string} | {ok: false, message: string}>}
 */
export async function prepareElectronNative({root, log = console.log}) {
    const version = electronVersion(root);
    const target = path.join(root, ".cache", "electron-native", version, "better_sqlite3.node");
    const env = {
        ...process.env,
        npm_config_runtime: "electron",
        npm_config_target: version,
        npm_config_disturl: "https://electronjs.org/headers",
        npm_config_arch: process.arch,
        npm_config_nodedir: "",
        npm_config_build_from_source: ""
    };
    const attempts = [
        [path.join(root, "node_modules", ".bin", "prebuild-install"), ["--runtime", "electron", "--target", version, "--arch", process.arch]],
        nodeGypCommand(["rebuild", "--release", "--runtime=electron", `--target=${version}`, "--dist-url=https://electronjs.org/headers"])
    ];
    if (buildSqliteAddon({root, target, label: `Electron ${version}`, env, attempts, log})) return {ok: true, file: target};
    return {
        ok: false,
        message:
            `Could not build better-sqlite3 for Electron ${version}: no prebuilt binary could be downloaded and compiling needs ` +
            "a C++ toolchain (Xcode tools, build-essential or Visual Studio Build Tools) and internet access for Electron's headers. " +
            "`npm run web` works without it."
    };
}
