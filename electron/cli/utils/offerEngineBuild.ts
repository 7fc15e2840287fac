import type {AppService} from "../../core/AppService.ts";
import {bold, dim, yellow} from "./format.ts";

/**
 * Prints the offer to build the engine for this CPU once per data folder, on stderr (so --json
 * output stays clean), for commands that load models (answer, bench, serve) while the prebuilt
 * binary is in use. With no compiler it says what to install, also once. Never fails the command.
 */
export async function offerEngineBuildOnce(app: AppService): Promise<void> {
    try {
        const {offer} = await app["engine.binary"]({});
        if (!offer || offer.dismissedAt.cli) return;
        const estimate = `about ${offer.estimate.lowMinutes}–${offer.estimate.highMinutes} min, an estimate`;
        console.error(
            offer.kind === "build"
                ? `${yellow("Tip:")} models load with node-llama-cpp's prebuilt engine; compiled for this CPU it is steadier and faster at prompt processing. Run ${bold("agentfit engine build")} ${dim(`(${estimate}; everything keeps working meanwhile; shown once)`)}`
                : `${yellow("Tip:")} the engine could be compiled for this CPU (steadier, faster prompt processing) once you install: ${offer.missing.map((r) => `${r.name}: ${r.detail}`).join(" ")} ${dim("(shown once)")}`
        );
        await app["engine.dismissBuildOffer"]({surface: "cli"});
    } catch {
        // An offer that cannot be read or remembered is no reason to stop the command.
    }
}
