import {defineConfig} from "vitest/config";

// Test projects, all run by `npm test`: unit (pure logic, store, probe), api (HTTP and CLI through
// real clients), evals (the refactor eval: tasks, scorers, agent harness against scripted OpenAI servers), engine (real node-llama-cpp on generated and real GGUF files), e2e (the UI in
// Debian's Chromium against the real AppService), build (compiling the engine for this CPU).
export default defineConfig({
    test: {
        projects: [
            {test: {name: "unit", include: ["tests/unit/**/*.test.ts"], testTimeout: 30_000}},
            {test: {name: "api", include: ["tests/api/**/*.test.ts"], testTimeout: 60_000}},
            {test: {name: "evals", include: ["tests/evals/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 60_000}},
            {test: {name: "engine", include: ["tests/engine/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 600_000, fileParallelism: false}},
            // Real coding agents (OpenCode, Aider, Claude Code, Codex CLI, pinned in ~/.cache/agentfit-agents by
            // scripts/fetch-coding-agents.ts) driven against scripted servers and the real engine, one file at a time.
            {test: {name: "agents", include: ["tests/agents/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 300_000, fileParallelism: false}},
            {test: {name: "e2e", include: ["tests/e2e/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 180_000, fileParallelism: false}},
            // Compiles the engine into node-llama-cpp's package folder: while it builds, every new engine
            // process anywhere waits for node-llama-cpp's build lock, so `npm test` runs it alone, last.
            {test: {name: "build", include: ["tests/build/**/*.test.ts"], testTimeout: 900_000, hookTimeout: 60_000, fileParallelism: false}}
        ]
    }
});
