import {spawn, type ChildProcess} from "node:child_process";
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
// Claude Code and Codex need 24k and 16k of context, more than SmolLM2's 8k, so they get a generated
// model with a long trained context that ends its turn at once (agents treat a reply cut at
// max_tokens as an error): the tests assert what reached the server (the request log) and the exit,
// not what a random model says. Their default prompts are ~57k (Claude Code) and ~21k (Codex) tokens
// on the generated vocabulary, many minutes of prompt reading on one thread of a busy machine, so
// each gets a short system prompt through its own option; tools and protocol stay as shipped. OpenCode
// (~24k tokens on that vocabulary) gets a terse agent of the project's own opencode.json, without tools.

interface LoggedRequest {
    method: string;
    path: string;
    status: number;
    stream: boolean;
    usage: {promptTokens: number; cachedTokens: number; completionTokens: number} | null;
    notes: string[];
}

function readRequestLog(file: string): LoggedRequest[] {
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as LoggedRequest) : [];
}

/** `agentfit launch …` started as a process: the process, and its result once it exits (SIGKILLed after the deadline). */
function startLaunch(args: string[], env: NodeJS.ProcessEnv, cwd: string, deadlineMs = 240_000): {child: ChildProcess; stderr: () => string; done: Promise<CliResult>} {
    const child = spawn(process.execPath, [path.join(projectRoot, "bin", "agentfit.js"), "launch", ...args], {cwd, env: {...env, NO_COLOR: "1"}, stdio: ["ignore", "pipe", "pipe"]});
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<CliResult>((resolve, reject) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
        child.on("error", reject);
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            resolve({code: code ?? (signal ? 128 + os.constants.signals[signal] : null), stdout, stderr});
        });
    });
    return {child, stderr: () => stderr, done};
}

function launch(args: string[], env: NodeJS.ProcessEnv, cwd: string, deadlineMs = 240_000): Promise<CliResult> {
    return startLaunch(args, env, cwd, deadlineMs).done;
}

/** Whether any process of the group led by `pid` is still alive. */
function groupAlive(pid: number): boolean {
    try {
        process.kill(-pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** The live child processes `pid` started. */
function childProcesses(pid: number): number[] {
    try {
        return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
        return [];
    }
}

/** Whether `pid` is a live (not zombie) AgentFit engine process. */
function isEngineProcess(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return !/^\S+ \(.*\) Z/.test(stat) && fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("engineProcess.js");
    } catch {
        return false;
    }
}

/** An OpenCode agent of the project's own config (opencode.json in the folder it runs in): a short prompt and no tools, instead of ~24k tokens on the generated vocabulary. */
function writeTerseOpenCodeAgent(cwd: string): string {
    const file = path.join(cwd, "opencode.json");
    fs.writeFileSync(file, JSON.stringify({$schema: "https://opencode.ai/config.json", agent: {terse: {mode: "primary", prompt: "You are terse.", tools: {"*": false}}}}));
    return fs.readFileSync(file, "utf8");
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

    it("serves a model, runs Claude Code on it for one headless turn through the Messages API, then stops serving", {timeout: 600_000}, async () => {
        using home = createTempHome();
        const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-launch-test-"));
        const requestLog = path.join(home.home, "requests.jsonl");
        try {
            const model = writeGgufModel(path.join(home.models, "long-context.gguf"), {...ggufModelPresets.tiny, contextLength: 131_072, endsTurnAtOnce: true});
            // Without its tools and default system prompt, Claude Code's request is a few hundred tokens, not ~57k on this vocabulary.
            const args = ["claude", "--model", model.path, "--threads", "1", "--request-log", requestLog, "--", "-p", "Say hi", "--tools", "", "--system-prompt", "You are terse."];
            const result = await launch(args, {...agentEnv(home), HOME: cwd}, cwd, 540_000);
            expect(result.code, result.stderr + result.stdout).toBe(0);
            expect(result.stderr).toMatch(/with 32,768 tokens of context for Claude Code/);
            expect(result.stderr).toMatch(/Claude Code exited \(0\); serving stopped/);
            const messages = readRequestLog(requestLog).filter((entry) => entry.path === "/v1/messages");
            expect(messages.length, JSON.stringify(readRequestLog(requestLog))).toBeGreaterThan(0);
            // It streams, always; the prompt reached the model and the answer ended the turn.
            for (const entry of messages) expect(entry).toMatchObject({method: "POST", status: 200, stream: true});
            expect(messages.some((entry) => (entry.usage?.promptTokens ?? 0) > 0)).toBe(true);
            expect(readRequestLog(requestLog).filter((entry) => entry.status >= 500)).toEqual([]);
        } finally {
            fs.rmSync(cwd, {recursive: true, force: true});
        }
    });

    it("serves a model, runs Codex CLI on it for one headless turn through the Responses API, then stops serving", {timeout: 600_000}, async () => {
        using home = createTempHome();
        const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-launch-test-"));
        const requestLog = path.join(home.home, "requests.jsonl");
        try {
            const model = writeGgufModel(path.join(home.models, "long-context.gguf"), {...ggufModelPresets.tiny, contextLength: 131_072, endsTurnAtOnce: true});
            // Short instructions instead of Codex's own: ~8k tokens on this vocabulary instead of ~21k (its tools stay).
            const instructions = path.join(cwd, "instructions.md");
            fs.writeFileSync(instructions, "You are a terse coding agent.\n");
            const args = ["codex", "--model", model.path, "--threads", "1", "--request-log", requestLog, "--", "exec", "-c", `model_instructions_file=${instructions}`, "--skip-git-repo-check", "Say hi"];
            const result = await launch(args, {...agentEnv(home), HOME: cwd}, cwd, 540_000);
            expect(result.code, result.stderr + result.stdout).toBe(0);
            expect(result.stderr).toMatch(/with 32,768 tokens of context for Codex CLI/);
            expect(result.stderr).toMatch(/Codex CLI exited \(0\); serving stopped/);
            const responses = readRequestLog(requestLog).filter((entry) => entry.path === "/v1/responses");
            expect(responses.length, JSON.stringify(readRequestLog(requestLog))).toBeGreaterThan(0);
            const [first] = responses;
            expect(first).toMatchObject({method: "POST", status: 200, stream: true});
            expect(first!.usage!.promptTokens).toBeGreaterThan(1000);
            // Codex offers the model hosted tools besides its functions: left out, and the log says which.
            expect(first!.notes).toEqual([expect.stringMatching(/^tools left out \(hosted tools a local model is not offered\): .*web_search/)]);
            expect(readRequestLog(requestLog).filter((entry) => entry.status >= 500)).toEqual([]);
        } finally {
            fs.rmSync(cwd, {recursive: true, force: true});
        }
    });

    it("serves a model, runs OpenCode on it for one headless turn through chat completions, then stops serving", {timeout: 600_000}, async () => {
        using home = createTempHome();
        const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-launch-test-"));
        const requestLog = path.join(home.home, "requests.jsonl");
        try {
            const model = writeGgufModel(path.join(home.models, "long-context.gguf"), {...ggufModelPresets.tiny, contextLength: 131_072, endsTurnAtOnce: true});
            const projectConfig = writeTerseOpenCodeAgent(cwd);
            const args = ["opencode", "--model", model.path, "--threads", "1", "--request-log", requestLog, "--", "run", "--agent", "terse", "Say hi"];
            const result = await launch(args, {...agentEnv(home), HOME: cwd}, cwd, 540_000);
            expect(result.code, result.stderr + result.stdout).toBe(0);
            expect(result.stderr).toMatch(/with 16,384 tokens of context for OpenCode/);
            expect(result.stderr).toMatch(/OpenCode exited \(0\); serving stopped/);
            const baseUrl = /Serving .* at (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(result.stderr)?.[1];
            const completions = readRequestLog(requestLog).filter((entry) => entry.path === "/v1/chat/completions");
            expect(completions.length, JSON.stringify(readRequestLog(requestLog))).toBeGreaterThan(0);
            for (const entry of completions) expect(entry).toMatchObject({method: "POST", status: 200, stream: true});
            expect(completions.some((entry) => (entry.usage?.promptTokens ?? 0) > 0)).toBe(true);
            // The provider came from launch's temporary config: the project's file and the user's config folder are as they were.
            expect(fs.readFileSync(path.join(cwd, "opencode.json"), "utf8")).toBe(projectConfig);
            expect(fs.existsSync(path.join(cwd, ".config", "opencode", "opencode.json"))).toBe(false);
            await expect(fetch(`${baseUrl}/models`)).rejects.toThrow();
        } finally {
            fs.rmSync(cwd, {recursive: true, force: true});
        }
    });

    // OpenCode's own prompt on the generated vocabulary (~24k tokens) overflows the 16k it is served with; it
    // compacts and asks again for as long as it runs: an agent that stays busy after its first request,
    // the case where a user stops `launch` from outside.
    // SIGHUP takes the same path as SIGTERM; SIGINT has its own (a terminal's Ctrl-C is not passed on twice).
    it.each(["SIGTERM", "SIGINT"] as const)("passes %s on to the agent, waits for it to exit, then stops serving", {timeout: 600_000}, async (signal) => {
        using home = createTempHome();
        const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-launch-test-"));
        const requestLog = path.join(home.home, "requests.jsonl");
        try {
            const model = writeGgufModel(path.join(home.models, "long-context.gguf"), {...ggufModelPresets.tiny, contextLength: 131_072, endsTurnAtOnce: true});
            const running = startLaunch(["opencode", "--model", model.path, "--threads", "1", "--request-log", requestLog, "--", "run", "Say hi"], {...agentEnv(home), HOME: cwd}, cwd, 540_000);
            await expect.poll(() => readRequestLog(requestLog).length, {timeout: 480_000, interval: 250}).toBeGreaterThan(0);
            const agentPid = Number(/started OpenCode \(.*, pid (\d+)\)/.exec(running.stderr())?.[1]);
            const baseUrl = /Serving .* at (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(running.stderr())?.[1];
            expect(groupAlive(agentPid)).toBe(true);
            running.child.kill(signal);
            await expect.poll(() => groupAlive(agentPid), {timeout: 60_000, interval: 250}).toBe(false);
            const result = await running.done;
            expect(result.code, result.stderr).toBe(128 + os.constants.signals[signal]);
            expect(result.stderr).toMatch(new RegExp(`${signal} received and passed on; OpenCode exited \\(\\d+\\); serving stopped`));
            await expect(fetch(`${baseUrl}/models`)).rejects.toThrow();
        } finally {
            fs.rmSync(cwd, {recursive: true, force: true});
        }
    });

    // The engine process is held with SIGSTOP as soon as it exists, so the load is still in flight when
    // the signal comes, however fast or busy the machine (a held engine is also what a load stuck on a
    // slow disk looks like). The agent is a tripwire that records being started.
    it("a signal while the model loads cancels the load, stops serving and never starts the agent", {timeout: 300_000}, async () => {
        using home = createTempHome();
        const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-launch-test-"));
        const agentDir = path.join(cwd, "agents");
        const tripwire = path.join(cwd, "aider-started");
        fs.mkdirSync(agentDir);
        fs.writeFileSync(path.join(agentDir, "aider"), `#!/bin/sh\ntouch '${tripwire}'\n`, {mode: 0o755});
        let enginePid = 0;
        try {
            const model = writeGgufModel(path.join(home.models, "random-medium.Q8_0.gguf"), {...ggufModelPresets.medium, contextLength: 16_384, type: "Q8_0"});
            const running = startLaunch(["aider", "--model", model.path, "--threads", "1"], {...home.env, AGENTFIT_AGENT_DIRS: agentDir}, cwd);
            await expect.poll(() => (enginePid = childProcesses(running.child.pid!).find(isEngineProcess) ?? 0), {timeout: 120_000, interval: 20}).toBeGreaterThan(0);
            process.kill(enginePid, "SIGSTOP");
            await expect.poll(() => running.stderr()).toMatch(/Loading .*random-medium\.Q8_0\.gguf with 8,192 tokens of context for Aider…/);

            running.child.kill("SIGINT");
            const result = await running.done;
            expect(result.code, result.stderr).toBe(130);
            expect(result.stderr).toMatch(/SIGINT received while loading .*random-medium\.Q8_0\.gguf: launch was interrupted before Aider started; serving stopped\.\n/);
            await expect.poll(() => isEngineProcess(enginePid), {timeout: 60_000}).toBe(false);
            expect(result.stderr).not.toMatch(/started Aider/);
            expect(fs.existsSync(tripwire)).toBe(false);
        } finally {
            // A held engine cannot even notice its parent is gone: never leave one behind.
            if (enginePid && isEngineProcess(enginePid)) process.kill(enginePid, "SIGKILL");
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
