// `node --import ./moduleLoadRecorder.js …` with AGENTFIT_MODULE_LOG=<file>: appends every module
// the process loads to that file, one per line: the URL of each ES module import (a resolve hook,
// which also sees ES imports of CommonJS packages) and, at exit, the path of each CommonJS module
// in require's cache. Tests use it to prove what a command does not load.
import fs from "node:fs";
import {createRequire, register} from "node:module";

const log = process.env.AGENTFIT_MODULE_LOG;
if (!log) throw new Error("moduleLoadRecorder.js needs AGENTFIT_MODULE_LOG (the file to append to).");
register("./moduleLoadRecorderHooks.js", import.meta.url, {data: {log}});
const requireCache = createRequire(import.meta.url).cache;
process.on("exit", () => fs.appendFileSync(log, Object.keys(requireCache).map((file) => `${file}\n`).join("")));
