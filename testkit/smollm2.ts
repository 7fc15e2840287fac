// SmolLM2-135M-Instruct, the real instruct model most tests use; see testModels.ts for how real test models are fetched.
export {ensureSmolLM2} from "./testModels.ts";
