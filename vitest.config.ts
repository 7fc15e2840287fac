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
            // expect.poll waits for a state; its 1 s default is too short on a busy machine (and a screen's code now loads on first visit).
            {test: {name: "api", globalSetup: builtArtifacts, include: ["tests/api/**/*.test.ts"], testTimeout: 60_000, expect: {poll: {timeout: 30_000}}}},
            {test: {name: "evals", globalSetup: builtArtifacts, include: ["tests/evals/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 60_000}},
            {test: {name: "engine", globalSetup: builtArtifacts, include: ["tests/engine/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 600_000, fileParallelism: false}},
            {test: {name: "e2e", globalSetup: builtArtifacts, include: ["tests/e2e/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 180_000, fileParallelism: false, expect: {poll: {timeout: 30_000}}}},
            // Compiles the engine into node-llama-cpp's package folder: while it builds, every new engine
            // process anywhere waits for node-llama-cpp's build lock, so `npm test` runs it alone, last.
            {test: {name: "build", globalSetup: builtArtifacts, include: ["tests/build/**/*.test.ts"], testTimeout: 900_000, hookTimeout: 60_000, fileParallelism: false}}
        ]
    }
});
