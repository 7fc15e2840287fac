// Builds better-sqlite3 for Electron's ABI into .cache/electron-native/<electron version>/, beside
// (never over) the Node build in node_modules that the CLI and tests load. The desktop app passes
// that file to better-sqlite3 as `nativeBinding`. First tries a prebuilt binary for Electron
// (prebuild-install), then compiles from source against Electron's headers (node-gyp).
import {spawnSync} from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** Electron version of an installed binary, from the package (the binary cannot run headless here). */
function electronVersion(root) {
    return JSON.parse(fs.readFileSync(path.join(root, "node_modules", "electron", "package.json"), "utf8")).version;
}

/** npm runs scripts with npm_config_node_gyp pointing at the node-gyp it bundles. */
function nodeGypCommand(args) {
    const bundled = process.env.npm_config_node_gyp;
    if (bundled && fs.existsSync(bundled)) return [process.execPath, [bundled, ...args]];
    return ["npx", ["--yes", "node-gyp", ...args]];
}

/**
 * @param {{root: string, electronBinary?: string, log?: (line: string) => void}} options
 * @returns {Promise<{ok: true, file: string} | {ok: false, message: string}>}
 */
export async function prepareElectronNative({root, log = console.log}) {
    const version = electronVersion(root);
    const targetDir = path.join(root, ".cache", "electron-native", version);
    const target = path.join(targetDir, "better_sqlite3.node");
    if (fs.existsSync(target)) return {ok: true, file: target};

    log(`Preparing better-sqlite3 for Electron ${version} (once per Electron version)…`);
    const source = path.join(root, "node_modules", "better-sqlite3");
    const work = path.join(root, ".cache", "electron-native", `build-${version}`, "better-sqlite3");
    fs.rmSync(path.dirname(work), {recursive: true, force: true});
    fs.mkdirSync(work, {recursive: true});
    fs.cpSync(source, work, {recursive: true, filter: (file) => !file.includes(`${path.sep}build${path.sep}`) && !file.endsWith(`${path.sep}build`)});

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
    for (const [command, args] of attempts) {
        const result = spawnSync(command, args, {cwd: work, env, stdio: "inherit", shell: process.platform === "win32"});
        const built = path.join(work, "build", "Release", "better_sqlite3.node");
        if (result.status === 0 && fs.existsSync(built)) {
            fs.mkdirSync(targetDir, {recursive: true});
            fs.copyFileSync(built, target);
            fs.rmSync(path.dirname(work), {recursive: true, force: true});
            return {ok: true, file: target};
        }
    }
    return {
        ok: false,
        message:
            `Could not build better-sqlite3 for Electron ${version}: no prebuilt binary could be downloaded and compiling needs ` +
            "a C++ toolchain (Xcode tools, build-essential or Visual Studio Build Tools) and internet access for Electron's headers. " +
            "`npm run web` works without it."
    };
}
