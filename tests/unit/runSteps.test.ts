import {spawnSync} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {describe, expect, it} from "vitest";

const runSteps = (...steps: string[]) => spawnSync(process.execPath, ["scripts/runSteps.js", ...steps], {encoding: "utf8"});

describe("npm test's step runner", () => {
    it("runs every step after a failing one and still exits non-zero, naming what failed", () => {
        const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-steps-")), "ran");
        const result = runSteps(`first=node -e "process.exit(3)"`, `last=node -e "require('fs').writeFileSync(process.argv[1], 'yes')" ${JSON.stringify(marker)}`);
        expect(fs.readFileSync(marker, "utf8")).toBe("yes");
        expect(result.status).toBe(1);
        expect(result.stdout).toContain("1 of 2 steps failed: first (exit 3)");
    });

    it("exits 0 when every step passes", () => {
        const result = runSteps(`one=node -e ""`, `two=node -e ""`);
        expect(result.status, result.stdout + result.stderr).toBe(0);
        expect(result.stdout).toContain("all 2 steps passed");
    });

    it("drives `npm test`, with the engine build as its own last step", () => {
        const scripts = (JSON.parse(fs.readFileSync("package.json", "utf8")) as {scripts: Record<string, string>}).scripts;
        expect(scripts.test).toMatch(/^node scripts\/runSteps\.js /);
        const steps = [...scripts.test!.matchAll(/"([^"=]+)=([^"]+)"/g)].map((m) => ({name: m[1], command: m[2]}));
        expect(steps.at(-1)?.command).toBe("vitest run --project build");
        expect(steps.map((s) => s.name)).toEqual(["typecheck", "lint", "build", "tests", "engine build"]);
    });
});
