import {useState} from "react";
import {formatBytes} from "../../../../electron/shared/format.ts";
import {useApiAction} from "../../api/hooks.ts";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {BuildRequirementList, EngineBuildOutcome, EngineBuildProgress, useEngineBinary} from "../../components/EngineBuildProgress.tsx";

/**
 * The offer to compile the engine for this CPU, kept small below the answer path: one line of what
 * and why (with the measured figures) and its buttons, the rest (the full measurements, the time
 * estimate, disk space) behind Details. Shown while models load with the prebuilt binary until it is
 * taken or dismissed (remembered in the app's database). With no compiler it lists what to install
 * instead. A build started here runs in the background; its progress stays in view, as small.
 */
export function EngineBuildOffer() {
    const {status} = useEngineBinary();
    const build = useApiAction("engine.buildBinary");
    const cancel = useApiAction("engine.cancelBuild");
    const dismiss = useApiAction("engine.dismissBuildOffer");
    const [closed, setClosed] = useState(false);
    if (!status || closed) return null;
    const job = status.build;
    const offer = status.offer;
    // An open offer shows until dismissed; a build of this session until it ends, and its outcome until closed.
    if (!job && (!offer || offer.dismissedAt.app)) return null;
    if (job && job.state !== "running" && offer?.dismissedAt.app) return null;

    const building = job?.state === "running";
    const error = build.error ?? cancel.error ?? dismiss.error;
    const compiler = status.requirements.find((r) => r.name === "C++ compiler" && r.ok);
    return (
        <section className="build-offer" data-testid="engine-build-offer" aria-label="Build the engine for this CPU">
            <div className="build-offer-line">
                <Icon name="bolt" size={16} />
                <p className="build-offer-text small" data-testid="engine-build-summary">
                    {building ? (
                        <>
                            <strong>Building the engine for this CPU</strong> in the background: everything keeps working on the prebuilt engine, and the new one is used from the next model load.
                        </>
                    ) : (
                        <>
                            <strong>{!offer ? "The engine build for this CPU" : offer.kind === "install" ? "To build the engine for this CPU, install a compiler" : "Build the engine for this CPU"}</strong>
                            {offer && `: ${offer.summary}`}
                        </>
                    )}
                </p>
                <div className="build-offer-actions">
                    {building ? (
                        <button className="button small" onClick={() => void cancel.run({})} disabled={cancel.running} data-testid="engine-build-cancel">
                            <Icon name="stop" size={14} /> {cancel.running ? "Cancelling…" : "Cancel build"}
                        </button>
                    ) : (
                        <>
                            {offer?.kind === "build" && (
                                <button className="button small primary" onClick={() => void build.run({})} disabled={build.running} data-testid="engine-build">
                                    <Icon name="bolt" size={14} /> {job ? "Try again" : "Build"}
                                </button>
                            )}
                            {offer ? (
                                <button className="button small ghost" onClick={() => void dismiss.run({surface: "app"})} disabled={dismiss.running} data-testid="engine-build-dismiss">
                                    Not now
                                </button>
                            ) : (
                                <button className="button small ghost" onClick={() => setClosed(true)} data-testid="engine-build-close">
                                    Close
                                </button>
                            )}
                        </>
                    )}
                </div>
            </div>
            <ErrorBanner error={error} title="The engine build could not do that" />
            {building && <EngineBuildProgress job={job} />}
            {job && <EngineBuildOutcome job={job} />}
            {offer && !building && offer.kind === "install" && <BuildRequirementList requirements={offer.missing} />}
            {offer && !building && (
                <details className="build-offer-details small" data-testid="engine-build-details">
                    <summary>Details: {offer.kind === "build" ? "how long (an estimate), disk space, what it uses" : "why"}</summary>
                    <p data-testid="engine-build-reason">
                        AgentFit runs models with node-llama-cpp's prebuilt engine, which works on any CPU; compiled on this machine, for its processor, it is steadier and faster at prompt processing.{" "}
                        {offer.reason}
                    </p>
                    {offer.kind === "build" && (
                        <>
                            <p data-testid="engine-build-estimate">
                                Takes about {offer.estimate.lowMinutes}–{offer.estimate.highMinutes} min ({offer.estimate.basis}) and up to {formatBytes(offer.diskBytes)} of disk space while it builds. It uses
                                node-llama-cpp's own llama.cpp source, no download.
                            </p>
                            {compiler && <p data-testid="engine-build-compiler">C++ compiler: {compiler.detail}</p>}
                            <BuildRequirementList requirements={status.requirements.filter((r) => !r.ok)} />
                        </>
                    )}
                </details>
            )}
        </section>
    );
}
