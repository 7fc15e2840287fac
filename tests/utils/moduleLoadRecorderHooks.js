// Module hooks for moduleLoadRecorder.js: records each resolved ES module URL.
import fs from "node:fs";

let log;

export function initialize(data) {
    log = data.log;
}

export async function resolve(specifier, context, nextResolve) {
    const resolved = await nextResolve(specifier, context);
    fs.appendFileSync(log, `${resolved.url}\n`);
    return resolved;
}
