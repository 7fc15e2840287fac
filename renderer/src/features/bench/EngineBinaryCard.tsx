import {formatBytes} from "../../../../electron/shared/format.ts";
import {useApiAction} from "../../api/hooks.ts";
import {Badge} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {BuildRequirementList, EngineBuildOutcome, EngineBuildProgress, useEngineBinary} from "./EngineBuildProgress.tsx";

/**
 * Which llama.cpp binary measures and serves, and building one for this CPU: node-llama-cpp's
 * prebuilt binary is portable, a local build is compiled for this processor.
 */
export function EngineBinaryCard() {
    const {status} = useEngineBinary();
    const build = useApiAction("engine.buildBinary");
    const cancel = useApiAction("engine.cancelBuild");
    const remove = useApiAction("engine.removeLocalBinary");
    if (!status) return null;
    const job = status.build;
    const building = job?.state === "running";
    const local = status.local;
    const missing = status.requirements.filter((r) => !r.ok);

    return (
        <Card
            title={<><Icon name="chip" /> Engine binary</>}
            subtitle="node-llama-cpp's prebuilt binary runs on any CPU. A build compiled for this processor is steadier when other programs are busy and usually faster at prompt processing, as fast as llama.cpp's own tools built here. It builds in the background: everything keeps working on the binary in use meanwhile."
            actions={<Badge tone={status.next === "local" ? "good" : "neutral"} testId="engine-binary-kind">{status.next === "local" ? "built for this CPU" : "prebuilt"}</Badge>}
            testId="engine-binary"
        >
            <ErrorBanner error={build.error ?? cancel.error ?? remove.error} title="The engine build could not do that" />
            {local && (
                <p className="small" data-testid="engine-local-build">
                    Built {new Date(local.builtAt).toLocaleString()} from llama.cpp {local.llamaCppRelease} ({[local.native ? "-march=native" : "portable", local.openmp ? "OpenMP" : "no OpenMP", local.compiler].filter(Boolean).join(", ")}
                    , {formatBytes(local.bytes)}).
                    {status.running === "prebuilt" && " The engine running now still uses the prebuilt binary; the new engine is used from the next model load."}
                </p>
            )}
            {!local && status.running === "local" && (
                <p className="small" data-testid="engine-local-build">
                    The engine running now still uses the build that was removed; the prebuilt binary is used from the next model load.
                </p>
            )}
            {building && <EngineBuildProgress job={job} />}
            {job && <EngineBuildOutcome job={job} />}
            <BuildRequirementList requirements={missing} />
            <div className="form-actions">
                {building ? (
                    <button className="button" onClick={() => void cancel.run({})} disabled={cancel.running} data-testid="engine-build-cancel">
                        <Icon name="stop" size={16} /> {cancel.running ? "Cancelling…" : "Cancel build"}
                    </button>
                ) : (
                    <button className="button" onClick={() => void build.run({})} disabled={!status.canBuild || build.running} data-testid="engine-build">
                        <Icon name="bolt" size={16} /> {local ? "Rebuild for this CPU" : "Build for this CPU"}
                    </button>
                )}
                {local && !building && (
                    <button className="button ghost" onClick={() => void remove.run({})} disabled={remove.running} data-testid="engine-build-remove">
                        Use the prebuilt binary
                    </button>
                )}
            </div>
        </Card>
    );
}
