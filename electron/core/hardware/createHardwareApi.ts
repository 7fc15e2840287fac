import type {AppContext} from "../AppContext.ts";
import type {HardwareApi} from "../../api/HardwareApi.ts";
import {emptyArgument, listArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {probeHardware} from "./probeHardware.ts";

export function createHardwareApi(context: AppContext): MethodTable<HardwareApi> {
    return {
        "hardware.probe": {
            schema: emptyArgument,
            async handler() {
                const snapshot = await probeHardware({modelsPath: context.paths.models, appVersion: context.appVersion, sources: context.probeSources});
                const saved = context.store.hardware.save(snapshot);
                context.events.emit("hardware.probed", saved);
                return saved;
            }
        },
        "hardware.snapshots": {
            schema: listArgument,
            handler: async ({limit}) => context.store.hardware.list(limit ?? 20)
        }
    };
}
