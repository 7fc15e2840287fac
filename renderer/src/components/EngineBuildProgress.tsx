import {useState} from "react";
import {engineBuildPhaseLabels} from "../../../electron/shared/engineBuildPhase.ts";
import type {EngineBinaryStatus, EngineBuildJob, EngineBuildRequirement} from "../../../electron/api/EngineApi.ts";
import {formatDuration} from "../../../electron/shared/format.ts";
import {useApiEvent, useApiQuery} from "../api/hooks.ts";
import {Meter} from "./Meter.tsx";
import {useNow} from "./useNow.ts";

/** The engine binary's status, kept current by `engine.binary` events (a build's progress, its end). */
export function useEngineBinary(): {status: EngineBinaryStatus | undefined; error: unknown} {
    const query = useApiQuery("engine.binary", {});
    const [live, setLive] = useState<EngineBinaryStatus | undefined>();
    useApiEvent("engine.binary", setLive);
    return {status: live ?? query.data, error: query.error};
}

/** A running build: share compiled, phase, elapsed time. Everything else keeps using the binary in use meanwhile. */
export function EngineBuildProgress(props: {job: EngineBuildJob}) {
    const {job} = props;
    const now = useNow(job.state === "running");
    const percent = Math.round((job.progress ?? 0) * 100);
    return (
        <div data-testid="engine-build-progress">
            <Meter capacity={1} segments={[{label: "Compiled", value: job.progress ?? 0, tone: "info"}]} label="Build progress" />
            <div className="muted small" data-testid="engine-build-phase">
                {engineBuildPhaseLabels[job.phase]}
                {job.phase === "compiling" && ` · ${percent}%`} · {formatDuration(Math.max(0, now - Date.parse(job.startedAt)))} elapsed
            </div>
        </div>
    );
}

/** How the last build ended, and its log: behind a disclosure while it runs, open when it failed. */
export function EngineBuildOutcome(props: {job: EngineBuildJob}) {
    const {job} = props;
    return (
        <>
            {job.state === "completed" && (
                <div className="notice" data-testid="engine-build-outcome">
                    Built for this CPU in {formatDuration(Date.parse(job.finishedAt ?? job.startedAt) - Date.parse(job.startedAt))}. The new engine is used from the next model load.
                </div>
            )}
            {(job.state === "cancelled" || job.state === "failed") && (
                <div className={`notice ${job.state === "failed" ? "bad" : "warn"}`} data-testid="engine-build-outcome">
                    {job.state === "cancelled" ? "The build was cancelled; the binary in use stays." : job.error?.message}
                </div>
            )}
            {(job.state === "running" || job.state === "failed") && job.logTail.length > 0 && (
                <details className="engine-build-log-details" open={job.state === "failed"}>
                    <summary className="small">Build log</summary>
                    <pre className="code-block engine-build-log" data-testid="engine-build-log">
                        {job.logTail.slice(-8).join("\n")}
                    </pre>
                </details>
            )}
        </>
    );
}

/** Missing tools, required ones first in the list's order, each with what to install. */
export function BuildRequirementList(props: {requirements: EngineBuildRequirement[]}) {
    if (props.requirements.length === 0) return null;
    return (
        <ul className="small requirement-list" data-testid="engine-build-requirements">
            {props.requirements.map((r) => (
                <li key={r.name} className={r.required ? "bad" : "muted"}>
                    <strong>{r.name}:</strong> {r.detail}
                </li>
            ))}
        </ul>
    );
}
