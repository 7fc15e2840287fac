#!/usr/bin/env node
// `npm start`: build (when a source changed since the last build), then open the desktop app. When
// Electron's binary is missing and cannot be downloaded (offline machines, CI), say so in one line
// and serve the same UI to a browser.
// `npm run web` (or `--web`) goes straight to the browser mode. Extra arguments go to `agentfit web`.
import {spawn, spawnSync} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {buildIfStale} from "./buildIfStale.js";
import {prepareElectronNative} from "./prepareElectronNative.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const webOnly = args.includes("--web");
const webArgs = args.filter((a) => a !== "--web");

function electronBinary() {
    const electronDir = path.join(root, "node_modules", "electron");
    const pathFile = path.join(electronDir, "path.txt");
    if (!fs.existsSync(electronDir)) return {ok: false, why: "the electron package is not installed"};
    const read = () => (fs.existsSync(pathFile) ? path.join(electronDir, "dist", fs.readFileSync(pathFile, "utf8")) : undefined);
    let binary = read();
    if (binary && fs.existsSync(binary)) return {ok: true, binary};
    if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return {ok: false, why: "ELECTRON_SKIP_BINARY_DOWNLOAD is set"};
    console.log("Downloading Electron's binary (first start only)…");
    const install = spawnSync(process.execPath, [path.join(electronDir, "install.js")], {cwd: electronDir, encoding: "utf8", timeout: 10 * 60 * 1000});
    binary = read();
    if (install.status === 0 && binary && fs.existsSync(binary)) return {ok: true, binary};
    const lastLine = `${install.stderr ?? ""}${install.error?.message ?? ""}`.trim().split("\n").find((l) => /error/i.test(l)) ?? "download failed";
    return {ok: false, why: `it could not be downloaded (${lastLine.trim().slice(0, 160)})`};
}

function serveWeb() {
    const child = spawn(process.execPath, [path.join(root, "bin", "agentfit.js"), "web", ...webArgs], {cwd: root, stdio: "inherit"});
    const forward = (signal) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

try {
    await buildIfStale();
} catch (error) {
    console.error(error.message);
    process.exit(1);
}

if (webOnly) {
    serveWeb();
} else {
    const electron = electronBinary();
    if (!electron.ok) {
        console.log(`Electron's binary is not available (${electron.why}), so AgentFit is serving the same UI to your browser instead.`);
        serveWeb();
    } else {
        const native = await prepareElectronNative({root, electronBinary: electron.binary});
        if (!native.ok) {
            console.error(native.message);
            process.exit(1);
        }
        const child = spawn(electron.binary, [root], {cwd: root, stdio: "inherit", env: {...process.env, ELECTRON_RUN_AS_NODE: ""}});
        child.on("exit", (code) => process.exit(code ?? 0));
    }
}
