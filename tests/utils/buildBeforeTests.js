// Vitest global setup for the projects that run the built CLI or engine process (api, evals,
// engine, e2e, build): builds out/ first when a source is newer, so a single test file run after an
// edit never tests the previous build.
import {buildIfStale} from "../../scripts/buildIfStale.js";

export default async function setup() {
    await buildIfStale();
}
