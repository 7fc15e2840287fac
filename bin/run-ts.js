#!/usr/bin/env node
// Runs a TypeScript entry file (benchmarks, scripts) with tsx: `node bin/run-ts.js file.ts [args]`.
import path from "node:path";
import {pathToFileURL} from "node:url";
import {register} from "tsx/esm/api";

register();
const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
    console.error("usage: node bin/run-ts.js <file.ts> [args…]");
    process.exit(2);
}
process.argv = [process.argv[0], path.resolve(entry), ...rest];
await import(pathToFileURL(path.resolve(entry)).href);
