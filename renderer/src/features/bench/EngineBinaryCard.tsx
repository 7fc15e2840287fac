import {useState} from "react";
import type {EngineBinaryStatus} from "../../../../electron/api/EngineApi.ts";
import {formatBytes} from "../../../../electron/shared/format.ts";
import {useApiAction, useApiEvent, useApiQuery} from "../../api/hooks.ts";
import {Badge} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {Meter} from "../../components/Meter.tsx";

/**
 * Which llama.cpp binary measures and serves, and building one for this CPU: node-llama-cpp's
 * prebuilt binary is portable, a local build is compiled for this processor.
 */
export function EngineBinaryCard() {
    const query = useApiQuery("engine.binary", {});
    const [live, setLive] = useState<EngineBinaryStatus | undefined>();
    const build = useApiAction("engine.buildBinary");
    const cancel = useApiAction("engine.cancelBuild");
    const remove = useApiAction("engine.removeLocalBinary");
    useApiEvent("engine.binary", setLive);
    const status = live ?? query.data;
    if (!status) return null;
    const job = status.build;
    const building = job?.state === "running";
    const local = status.local;
    const missing = status.requirements.filter((r) => !r.ok);

    return (
        <Card
            title={<><Icon name="chip" /> Engine binary</>}
            subtitle="node-llama-cpp's prebuilt binary runs on any CPU. A build compiled for this processor is usually faster at prompt processing, as fast as llama.cpp's own tools built here."
            actions={<Badge tone={status.next === "local" ? "good" : "neutral"} testId="engine-binary-kind">{status.next === "local" ? "built for this CPU" : "prebuilt"}</Badge>}
            testId="engine-binary"
        >
            <ErrorBanner error={build.error ?? cancel.error ?? remove.error} title="The engine build could not do that" />
            {local && (
                <p className="small" data-testid="engine-local-build">
                    Built {new Date(local.builtAt).toLocaleString()} from llama.cpp {local.llamaCppRelease} ({[local.native ? "-march=native" : "portable", local.openmp ? "OpenMP" : "no OpenMP", local.compiler].filter(Boolean).join(", ")}
                    , {formatBytes(local.bytes)}).
                    {status.running === "prebuilt" && " The engine running now still uses the prebuilt binary; stop serving and start again to switch."}
                </p>
            )}
            {!local && status.running === "local" && (
                <p className="small" data-testid="engine-local-build">
                    The engine running now still uses the build that was removed; stop serving and start again to switch to the prebuilt binary.
                </p>
            )}
            {building && (
                <div data-testid="engine-build-progress">
                    <Meter capacity={1} segments={[{label: "Compiled", value: job.progress ?? 0, tone: "info"}]} label="Build progress" />
                    <div className="muted small">
                        {job.phase === "preparing" ? "Preparing the source and configuring CMake…" : `Compiling · ${Math.round((job.progress ?? 0) * 100)}%`}
                    </div>
                </div>
            )}
            {job && job.state !== "running" && job.state !== "completed" && (
                <div className={`notice ${job.state === "failed" ? "bad" : "warn"}`} data-testid="engine-build-outcome">
                    {job.state === "cancelled" ? "The build was cancelled; the prebuilt binary stays in use." : job.error?.message}
                </div>
            )}
            {(building || job?.state === "failed") && job.logTail.length > 0 && (
                <pre className="code-block engine-build-log" data-testid="engine-build-log">
                    {job.logTail.slice(-8).join("\n")}
                </pre>
            )}
            {missing.length > 0 && (
                <ul className="small requirement-list">
                    {missing.map((r) => (
                        <li key={r.name} className={r.required ? "bad" : "muted"}>
                            <strong>{r.name}:</strong> {r.detail}
                        </li>
                    ))}
                </ul>
            )}
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
