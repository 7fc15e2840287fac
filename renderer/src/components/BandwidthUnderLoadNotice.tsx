import type {BandwidthMeasurement} from "../../../electron/api/ModelsApi.ts";
import {bandwidthUnderLoadWarning} from "../../../electron/shared/bandwidthFormat.ts";
import {Icon} from "./Icon.tsx";

/** The warning shown wherever a bandwidth measured under load is used (Hardware, Models and Answer screens). */
export function BandwidthUnderLoadNotice({underLoad, chosen}: {underLoad: boolean; chosen: BandwidthMeasurement | null}) {
    const warning = bandwidthUnderLoadWarning({underLoad, chosen});
    if (!warning) return null;
    return (
        <div className="notice warn" data-testid="bandwidth-under-load">
            <Icon name="warn" />
            <div>{warning}</div>
        </div>
    );
}
