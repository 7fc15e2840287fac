import {spawnSync} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {projectRoot, runCli} from "../utils/runCli.ts";
import {createTempHome, type TempHome} from "../../testkit/tempHome.ts";

/** What a command that only parses its arguments must not load: the engine, the probe, the store. */
const heavyPackages = ["node-llama-cpp", "@node-llama-cpp/linux-x64", "systeminformation", "better-sqlite3"];

/** Runs the real `agentfit` with the module-load recorder; returns its result and the npm packages it loaded. */
async function runRecorded(args: string[], home: TempHome) {
    const log = path.join(home.home, `modules-${args.join("-")}.log`);
    fs.mkdirSync(home.home, {recursive: true});
    const result = await runCli(args, {...home.env, AGENTFIT_MODULE_LOG: log}, {nodeArgs: ["--import", path.join(projectRoot, "tests", "utils", "moduleLoadRecorder.js")]});
    const packages = new Set<string>();
    for (const line of fs.readFileSync(log, "utf8").split("\n")) {
        const match = /[/\\]node_modules[/\\]((?:@[^/\\]+[/\\])?[^/\\]+)[/\\](?!.*[/\\]node_modules[/\\])/.exec(line);
        if (match) packages.add(match[1]!.replace(/\\/g, "/"));
    }
    return {result, packages};
}

describe("agentfit start-up", () => {
    it("--help loads neither node-llama-cpp, systeminformation nor the store", async () => {
        using home = createTempHome();
        const {result, packages} = await runRecorded(["--help"], home);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain("Usage: agentfit");
        expect(packages).toContain("commander");
        for (const name of heavyPackages) expect(packages).not.toContain(name);
        expect(fs.existsSync(home.database)).toBe(false);
    });

    it("every command's --help and an argument error load none of them either", async () => {
        using home = createTempHome();
        const help = await runCli(["--help"], home.env);
        const commands = [...help.stdout.split("Commands:")[1]!.matchAll(/^ {2}(\w[\w-]*)/gm)].map((m) => m[1]!).filter((name) => name !== "help");
        expect(commands).toEqual(expect.arrayContaining(["probe", "serve", "bench", "eval", "web", "pull", "recommend"]));
        for (const command of commands) {
            const {result, packages} = await runRecorded([command, "--help"], home);
            expect(result.code, `${command} --help: ${result.stderr}`).toBe(0);
            expect(result.stdout).toContain(`Usage: agentfit ${command}`);
            for (const name of heavyPackages) expect(packages, `${command} --help loaded ${name}`).not.toContain(name);
        }
        const {result, packages} = await runRecorded(["serve", "--ctx", "lots"], home);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("--ctx");
        for (const name of heavyPackages) expect(packages).not.toContain(name);
    }, 180_000);

    it("a command that reads the store but no model (models --json) does not load node-llama-cpp", async () => {
        using home = createTempHome();
        const {result, packages} = await runRecorded(["models", "--json"], home);
        expect(result.code, result.stderr).toBe(0);
        expect(packages).toContain("better-sqlite3");
        expect(packages).not.toContain("node-llama-cpp");
    });

    it("the recorder sees them when a command does use them (probe)", async () => {
        using home = createTempHome();
        const {result, packages} = await runRecorded(["probe", "--json"], home);
        expect(result.code, result.stderr).toBe(0);
        for (const name of ["systeminformation", "better-sqlite3", "node-llama-cpp"]) expect(packages).toContain(name);
    });

    it("says in one line to run `npm run build` when there is no build", () => {
        const checkout = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-unbuilt-"));
        try {
            fs.mkdirSync(path.join(checkout, "bin"));
            fs.writeFileSync(path.join(checkout, "package.json"), JSON.stringify({name: "agentfit", type: "module"}));
            fs.copyFileSync(path.join(projectRoot, "bin", "agentfit.js"), path.join(checkout, "bin", "agentfit.js"));
            const result = spawnSync(process.execPath, [path.join(checkout, "bin", "agentfit.js"), "--help"], {encoding: "utf8"});
            expect(result.status).toBe(1);
            expect(result.stdout).toBe("");
            expect(result.stderr.trim().split("\n")).toEqual([expect.stringContaining(`run \`npm run build\` in ${checkout}`)]);
        } finally {
            fs.rmSync(checkout, {recursive: true, force: true});
        }
    });
});
