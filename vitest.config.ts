import {defineConfig} from "vitest/config";

// Test projects, all run by `npm test`: unit (pure logic, store, probe), api (HTTP and CLI through
// real clients), evals (the refactor eval: tasks, scorers, agent harness against scripted OpenAI servers), engine (real node-llama-cpp on generated and real GGUF files), e2e (the UI in
// Debian's Chromium against the real AppService), build (compiling the engine for this CPU).
// Every project but unit runs the built CLI or engine process (out/): its global setup builds first
// when a source changed since the last build.
const builtArtifacts = "tests/utils/buildBeforeTests.js";

export default defineConfig({
    test: {
        projects: [
            {test: {name: "unit", include: ["tests/unit/**/*.test.ts"], testTimeout: 30_000}},
            // Deadlines, not speed targets: on a machine whose cores other work keeps busy a CLI process
            // takes 10 s to start, so tests get minutes. expect.poll waits for a state; its 1 s default
            // is too short there (and a screen's code loads on first visit).
            {test: {name: "api", globalSetup: builtArtifacts, include: ["tests/api/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 120_000, expect: {poll: {timeout: 30_000}}}},
            {test: {name: "evals", globalSetup: builtArtifacts, include: ["tests/evals/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 120_000, expect: {poll: {timeout: 30_000}}}},
            {test: {name: "engine", globalSetup: builtArtifacts, include: ["tests/engine/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 600_000, fileParallelism: false}},
            // Real coding agents (OpenCode, Aider, Claude Code, Codex CLI, pinned in ~/.cache/agentfit-agents by
            // scripts/fetch-coding-agents.ts) driven against scripted servers and the real engine, one file at a time.
            {test: {name: "agents", globalSetup: builtArtifacts, include: ["tests/agents/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 300_000, fileParallelism: false, expect: {poll: {timeout: 30_000}}}},
            {test: {name: "e2e", globalSetup: builtArtifacts, include: ["tests/e2e/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 180_000, fileParallelism: false, expect: {poll: {timeout: 30_000}}}},
            // Compiles the engine in node-llama-cpp's package folder and removes any local build there first
            // (engine processes keep loading the binary in use while it builds), so `npm test` runs it last.
            {test: {name: "build", globalSetup: builtArtifacts, include: ["tests/build/**/*.test.ts"], testTimeout: 900_000, hookTimeout: 60_000, fileParallelism: false, expect: {poll: {timeout: 30_000}}}}
        ]
    }
});
