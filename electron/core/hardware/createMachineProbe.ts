import type {AppEvents} from "../../api/AppApi.ts";
import type {HardwareSnapshot} from "../../api/HardwareApi.ts";
import type {EventBus} from "../../shared/EventBus.ts";
import type {Store} from "../store/Store.ts";
import {probeHardware} from "./probeHardware.ts";
import type {HardwareProbeSources} from "./probeSources.ts";

export interface MachineProbeOptions {
    store: Pick<Store, "hardware">;
    events: EventBus<AppEvents>;
    /** The models folder: the probe reports its volume's free space. */
    modelsDir: string;
    /** Recorded in every snapshot. */
    appVersion: string;
    /** Test and what-if replacements of probe sources. Default: this machine's. */
    sources?: Partial<HardwareProbeSources>;
}

/** A probe of this machine that saves the snapshot and announces it ("hardware.probed"), for every domain that needs one. */
export function createMachineProbe(options: MachineProbeOptions): () => Promise<HardwareSnapshot> {
    return async () => {
        const snapshot = await probeHardware({modelsPath: options.modelsDir, appVersion: options.appVersion, sources: options.sources});
        const saved = options.store.hardware.save(snapshot);
        options.events.emit("hardware.probed", saved);
        return saved;
    };
}
