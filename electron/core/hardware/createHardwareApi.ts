import type {HardwareApi, HardwareSnapshot} from "../../api/HardwareApi.ts";
import {emptyArgument, listArgument, type MethodTable} from "../../shared/MethodTable.ts";
import type {Store} from "../store/Store.ts";

export interface HardwareApiOptions {
    store: Pick<Store, "hardware">;
    /** Probes this machine, saves and announces the snapshot (createMachineProbe). */
    probe(): Promise<HardwareSnapshot>;
}

export function createHardwareApi(options: HardwareApiOptions): MethodTable<HardwareApi> {
    return {
        "hardware.probe": {schema: emptyArgument, handler: () => options.probe()},
        "hardware.snapshots": {schema: listArgument, handler: async ({limit}) => options.store.hardware.list(limit ?? 20)}
    };
}
