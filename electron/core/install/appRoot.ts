import fs from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";

let cached: string | undefined;

/**
 * The folder holding AgentFit's package.json: the repository in development, the app folder once
 * installed. Found by walking up from this module, so it is the same whether the code runs from the
 * TypeScript sources (tests) or from a bundle in `out/` (CLI, engine process, desktop app).
 */
export function findAppRoot(): string {
    if (cached) return cached;
    let dir = path.dirname(fileURLToPath(import.meta.url));
    for (;;) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, "utf8")) as {name?: string}).name === "agentfit") return (cached = dir);
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error(`AgentFit's package.json was not found above ${fileURLToPath(import.meta.url)}.`);
        dir = parent;
    }
}
