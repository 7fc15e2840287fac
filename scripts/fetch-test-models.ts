// Fetches the real test models ahead of the test run (used by .ci/run); each is downloaded once and cached.
import {ensureGemma3, ensureSmolLM2} from "../testkit/testModels.ts";

console.log(`SmolLM2-135M-Instruct: ${ensureSmolLM2()}`);
console.log(`Gemma 3 270M (Q4_K_M): ${ensureGemma3()}`);
