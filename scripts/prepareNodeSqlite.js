#!/usr/bin/env node
// Run with another Node.js than the one node_modules was installed with (`/path/to/node24
// scripts/prepareNodeSqlite.js`): compiles better-sqlite3 for that Node's ABI against the headers
// that ship with it, into .cache/node-native/better-sqlite3-<version>-abi<N>.node (the path
// electron/core/store/nodeSqliteBinding.ts reads). The store loads that copy only when the build in
// node_modules is for another ABI; node_modules itself is never touched. Nothing to do when the
// build in node_modules already loads in this Node.
import {createRequire} from "node:module";
import fs from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {buildSqliteAddon, nodeGypCommand} from "./buildSqliteAddon.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const version = require("better-sqlite3/package.json").version;
const target = path.join(root, ".cache", "node-native", `better-sqlite3-${version}-abi${process.versions.modules}.node`);

try {
    new (require("better-sqlite3"))(":memory:").close();
    console.log(`better-sqlite3 in node_modules loads in Node ${process.version}: nothing to prepare.`);
    process.exit(0);
} catch (error) {
    if (error.code !== "ERR_DLOPEN_FAILED") throw error;
}

// Official Node.js builds (and the npm registry's node-<platform>-<arch> packages) carry their headers in include/node.
const nodeDir = path.resolve(path.dirname(process.execPath), "..");
if (!fs.existsSync(path.join(nodeDir, "include", "node", "node.h"))) {
    console.error(`No Node.js headers in ${nodeDir}/include/node: use an official Node.js build, or run \`npm rebuild better-sqlite3\` with this Node instead.`);
    process.exit(1);
}
const built = buildSqliteAddon({
    root,
    target,
    label: `Node ${process.version} (ABI ${process.versions.modules})`,
    attempts: [nodeGypCommand(["rebuild", "--release", `--nodedir=${nodeDir}`, `-j`, "max"])]
});
if (!built) {
    console.error(`Could not compile better-sqlite3 for Node ${process.version}: it needs a C++ toolchain (g++ and make, or Xcode tools, or Visual Studio Build Tools).`);
    process.exit(1);
}
new (require("better-sqlite3"))(":memory:", {nativeBinding: target}).close();
console.log(`better-sqlite3 for Node ${process.version}: ${target}`);
