#!/usr/bin/env node
// The npm mirror on the build machines serves only Linux builds of node-llama-cpp's per-platform
// binaries, so `npm install` there leaves the macOS/Windows/riscv64 entries out of
// package-lock.json and `npm ci` then refuses the lock as out of sync. This adds those optional
// entries (os/cpu-restricted, so npm skips them on other platforms and fetches them by version on
// the matching one). Run it after changing the node-llama-cpp version.
import fs from "node:fs";

const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(fs.readFileSync(lockPath, "utf8"));
const version = lock.packages["node_modules/node-llama-cpp"].version;
const platforms = {
    "linux-riscv64": ["linux", "riscv64"],
    "mac-arm64-metal": ["darwin", "arm64"],
    "mac-x64": ["darwin", "x64"],
    "win-arm64": ["win32", "arm64"],
    "win-x64": ["win32", "x64"],
    "win-x64-cuda": ["win32", "x64"],
    "win-x64-cuda-ext": ["win32", "x64"],
    "win-x64-vulkan": ["win32", "x64"]
};
let added = 0;
for (const [name, [os, cpu]] of Object.entries(platforms)) {
    const key = `node_modules/@node-llama-cpp/${name}`;
    if (lock.packages[key]) continue;
    lock.packages[key] = {version, cpu: [cpu], license: "MIT", optional: true, os: [os], engines: {node: ">=20.0.0"}};
    added++;
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
console.log(`package-lock.json: added ${added} platform entries for node-llama-cpp ${version}`);
