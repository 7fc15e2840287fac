// Fetches the real test model(s) ahead of the test run (used by .ci/run).
import {ensureSmolLM2} from "../testkit/smollm2.ts";

const file = ensureSmolLM2();
console.log(`SmolLM2-135M-Instruct: ${file}`);
