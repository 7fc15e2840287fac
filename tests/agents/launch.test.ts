import {spawn} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {agentBinDirs} from "../../testkit/codingAgentsCache.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {ensureSmolLM2} from "../../testkit/smollm2.ts";
import {createTempHome} from "../../testkit/tempHome.ts";
import {projectRoot, type CliResult} from "../utils/runCli.ts";

// `agentfit launch` as a real process: serves the model, runs the real agent in the terminal's
// place (here a folder of its own, stdin closed), stops serving when it exits. A generated GGUF
// (random weights, 16k context) answers in seconds; Aider's one-message mode exits after one answer.

function launch(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(projectRoot, "bin", "agentfit.js"), "launch", ...args], {cwd, env: {...env, NO_COLOR: "1"}, stdio: ["ignore", "pipe", "pipe"]});
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({code, stdout, stderr});
        });
    });
}

describe("agentfit launch", () => {
    const agentEnv = (home: {env: NodeJS.ProcessEnv}) => ({...home.env, AGENTFIT_AGENT_DIRS: agentBinDirs().join(path.delimiter)});

    it("serves a model, runs Aider on it until it exits, then stops serving", async () => {
        using home = createTempHome();
        const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-launch-test-"));
        try {
            const model = writeGgufModel(path.join(home.models, "random-tiny.Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 16_384, type: "Q8_0"});
            const result = await launch(["aider", "--model", model.path, "--threads", "1", "--max-output-tokens", "32", "--", "--message", "Say hi", "--yes-always", "--no-git", "--no-pretty"], agentEnv(home), cwd);
            expect(result.code, result.stderr + result.stdout).toBe(0);
            expect(result.stderr).toMatch(/with 8,192 tokens of context for Aider/);
            const baseUrl = /Serving .* at (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(result.stderr)?.[1];
            expect(baseUrl).toBeDefined();
            expect(result.stdout).toContain("Aider v0.86.2");
            // The random model runs into the 32-token cap, which Aider reports: the cap reached the model through Aider.
            expect(result.stdout).toMatch(/Output tokens: ~\d+ of 32/);
            expect(result.stderr).toMatch(/Aider exited \(0\); serving stopped/);
            await expect(fetch(`${baseUrl}/models`)).rejects.toThrow();
        } finally {
            fs.rmSync(cwd, {recursive: true, force: true});
        }
    });

    it("refuses a model whose trained context cannot hold the agent's first request", async () => {
        using home = createTempHome();
        const result = await launch(["claude", "--model", ensureSmolLM2(), "--threads", "1"], agentEnv(home), os.tmpdir());
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/error \[AGENT_CONTEXT_TOO_SMALL\]: .* trained on 8,192 tokens of context; Claude Code's first request alone is about 12,500 tokens/);
    });

    it("says how to install an agent that is not installed", async () => {
        using home = createTempHome();
        const result = await launch(["codex"], {...home.env, PATH: path.dirname(process.execPath), HOME: home.home}, os.tmpdir());
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/error \[AGENT_NOT_INSTALLED\]: Codex CLI is not installed .* Install it with: npm install -g @openai\/codex/);
    });
});
