import type {HardwareApi} from "../../api/HardwareApi.ts";
import type {AppContext} from "../AppContext.ts";
import {InvalidArgumentError} from "../../shared/AppError.ts";
import {probeHardware} from "./probeHardware.ts";

export function createHardwareApi(context: AppContext): HardwareApi {
    return {
        async "hardware.probe"() {
            const snapshot = await probeHardware({modelsPath: context.paths.models, appVersion: context.appVersion, sources: context.probeSources});
            const saved = context.store.hardware.save(snapshot);
            context.events.emit("hardware.probed", saved);
            return saved;
        },

        async "hardware.snapshots"(arg) {
            const limit = arg?.limit ?? 20;
            if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
                throw new InvalidArgumentError(`limit must be a whole number from 1 to 1000, got ${JSON.stringify(arg.limit)}`);
            return context.store.hardware.list(limit);
        }
    };
}
