#!/usr/bin/env node
// Runs the built CLI (`npm run build` bundles electron/cli/main.ts into out/cli/agentfit.js).
import fs from "node:fs";
import path from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "out", "cli", "agentfit.js");
if (!fs.existsSync(cli)) {
    console.error(`agentfit is not built yet (${cli} is missing): run \`npm run build\` in ${root} first.`);
    process.exit(1);
}
await import(pathToFileURL(cli).href);
