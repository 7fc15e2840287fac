import type {EngineBuildJob} from "../api/EngineApi.ts";

/** An engine build's phase in words, the same in the UI and the CLI. Pure: the renderer bundles this file. */
export const engineBuildPhaseLabels: Record<EngineBuildJob["phase"], string> = {
    preparing: "Preparing the source and configuring CMake",
    compiling: "Compiling",
    verifying: "Loading the new build once to check it",
    done: "Done"
};
