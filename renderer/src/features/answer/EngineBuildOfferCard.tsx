import {useState} from "react";
import {formatBytes} from "../../../../electron/shared/format.ts";
import {useApiAction} from "../../api/hooks.ts";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";
import {Icon} from "../../components/Icon.tsx";
import {BuildRequirementList, EngineBuildOutcome, EngineBuildProgress, useEngineBinary} from "../bench/EngineBuildProgress.tsx";

/**
 * The offer to compile the engine for this CPU, on the first-launch page: shown while models load
 * with the prebuilt binary until it is taken or dismissed (remembered in the app's database). With no
 * compiler it says what to install instead. A build started here runs in the background.
 */
export function EngineBuildOfferCard() {
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
    return (
        <Card
            title={<><Icon name="bolt" /> {offer?.kind === "install" ? "To build the engine for this CPU, install a compiler" : "Build the engine for this CPU"}</>}
            subtitle={
                building
                    ? "Building in the background: everything keeps working on the prebuilt engine meanwhile, and the new engine is used from the next model load."
                    : "AgentFit runs models with node-llama-cpp's prebuilt engine, which works on any CPU. Compiled on this machine, for its processor, it is steadier and faster at prompt processing."
            }
            testId="engine-build-offer"
        >
            <ErrorBanner error={error} title="The engine build could not do that" />
            {offer && !building && (
                <>
                    <p className="small" data-testid="engine-build-reason">{offer.reason}</p>
                    {offer.kind === "build" ? (
                        <p className="small" data-testid="engine-build-estimate">
                            Takes about {offer.estimate.lowMinutes}–{offer.estimate.highMinutes} min ({offer.estimate.basis}) and up to {formatBytes(offer.diskBytes)} of disk space while it builds. It uses
                            node-llama-cpp's own llama.cpp source, no download.
                        </p>
                    ) : (
                        <BuildRequirementList requirements={offer.missing} />
                    )}
                </>
            )}
            {building && <EngineBuildProgress job={job} />}
            {job && <EngineBuildOutcome job={job} />}
            <div className="form-actions">
                {building ? (
                    <button className="button" onClick={() => void cancel.run({})} disabled={cancel.running} data-testid="engine-build-cancel">
                        <Icon name="stop" size={16} /> {cancel.running ? "Cancelling…" : "Cancel build"}
                    </button>
                ) : (
                    <>
                        {offer?.kind === "build" && (
                            <button className="button primary" onClick={() => void build.run({})} disabled={build.running} data-testid="engine-build">
                                <Icon name="bolt" size={16} /> {job ? "Try again" : "Build for this CPU"}
                            </button>
                        )}
                        {offer ? (
                            <button className="button ghost" onClick={() => void dismiss.run({surface: "app"})} disabled={dismiss.running} data-testid="engine-build-dismiss">
                                Not now
                            </button>
                        ) : (
                            <button className="button ghost" onClick={() => setClosed(true)} data-testid="engine-build-close">
                                Close
                            </button>
                        )}
                    </>
                )}
            </div>
        </Card>
    );
}
