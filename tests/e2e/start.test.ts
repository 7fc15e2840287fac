import {spawn} from "node:child_process";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {projectRoot} from "../utils/runCli.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

describe("npm start without Electron's binary", () => {
    it("says so in one line and serves the same UI to a browser", async () => {
        using home = createTempHome();
        const child = spawn(process.execPath, [path.join(projectRoot, "scripts", "start.js"), "--port", "0"], {
            cwd: projectRoot,
            env: {...home.env, ELECTRON_SKIP_BINARY_DOWNLOAD: "1", NO_COLOR: "1"}
        });
        let output = "";
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        try {
            const url = await new Promise<string>((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), 90_000);
                const check = () => {
                    const match = /serving its UI at (http:\/\/\S+)/.exec(output);
                    if (match) {
                        clearTimeout(timer);
                        resolve(match[1]!);
                    }
                };
                child.stdout.on("data", check);
                child.on("exit", () => reject(new Error(`exited early:\n${output}`)));
            });
            expect(output.split("\n").filter((line) => line.includes("Electron's binary is not available"))).toHaveLength(1);
            const page = await fetch(url);
            expect(page.status).toBe(200);
            expect(await page.text()).toContain('<div id="root">');
            const info = await fetch(`${url}api/app.info`, {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"});
            expect(((await info.json()) as {home: string}).home).toBe(home.home);
        } finally {
            child.kill("SIGINT");
            await new Promise((resolve) => child.once("exit", resolve));
        }
    });
});
