import type {AppMethod} from "../api/AppApi.ts";

/**
 * The methods transports may dispatch, listed at runtime so a transport never calls an arbitrary
 * property of the service. The type below fails to compile when a method of AppApi is missing here.
 */
export const apiMethods = [
    "app.info",
    "hardware.probe",
    "hardware.snapshots",
    "eval.tasks",
    "eval.providers",
    "eval.setApiKey",
    "eval.start",
    "eval.resume",
    "eval.cancel",
    "eval.runs",
    "eval.run",
    "eval.sample",
    "eval.results",
    "eval.prices",
    "eval.setPrice",
    "eval.exportInspect",
    "downloads.start",
    "downloads.list",
    "downloads.pause",
    "downloads.resume",
    "downloads.cancel",
    "downloads.redownload",
    "downloads.dismiss",
    "models.list",
    "models.get",
    "models.import",
    "models.importLocations",
    "models.remove",
    "engine.status",
    "engine.start",
    "engine.stop",
    "engine.localModels",
    "engine.loads",
    "engine.binary",
    "engine.buildBinary",
    "engine.cancelBuild",
    "engine.removeLocalBinary",
    "models.catalog",
    "models.recommend",
    "models.fit",
    "models.inspect",
    "models.presets",
    "models.refreshCatalog",
    "models.measureBandwidth",
    "models.bandwidth",
    "models.calibration",
    "bench.start",
    "bench.calibrate",
    "bench.cancel",
    "bench.runs",
    "bench.run",
    "bench.latest",
    "bench.exportJson",
    "verdict.get",
    "verdict.status",
    "verdict.thresholds",
    "verdict.setThresholds",
    "reports.export",
    "answer.plan",
    "answer.current",
    "answer.run",
    "answer.pause",
    "answer.skip",
    "answer.setCandidates"
] as const satisfies readonly AppMethod[];

type Missing = Exclude<AppMethod, (typeof apiMethods)[number]>;
const everyMethodListed: [Missing] extends [never] ? true : Missing = true;
void everyMethodListed;

const methodSet: ReadonlySet<string> = new Set(apiMethods);
export function isApiMethod(name: string): name is AppMethod {
    return methodSet.has(name);
}
