import fs from "node:fs";
import path from "node:path";
import type {AppApi, AppEvents} from "../../api/AppApi.ts";
import type {LocalModelEndpoints} from "../../api/EngineApi.ts";
import type {EventBus} from "../../shared/EventBus.ts";
import type {Catalog} from "../catalog/createCatalogLookup.ts";
import type {Store} from "../store/Store.ts";
import {z} from "zod";
import type {VerdictApi} from "../../api/VerdictApi.ts";
import {emptyArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {codeByField, requiredText} from "../../shared/parseArgument.ts";
import {inspectModel} from "../catalog/inspectModel.ts";
import {exportReport, reportFormats} from "../reports/exportReport.ts";
import {buildVerdict} from "./buildVerdict.ts";
import {currentThresholds, thresholdsPatchSchema, updateThresholds} from "./verdictThresholds.ts";
import {VerdictError} from "./VerdictError.ts";

/**
 * The verdict and reports slice of AppApi. It reads the other domains through the app's own API
 * (eval results with their prices, recommendations and what-ifs) and the store (benchmark results,
 * model loads, the registry), so every number is the one the other screens show.
 */
export interface VerdictApiOptions {
    store: Store;
    events: EventBus<AppEvents>;
    /** The catalog (model facts and what-ifs). */
    catalog: Catalog;
    /** Where a local model's file is, to read its header for the memory evidence. Default: paths only. */
    localModels?: Pick<LocalModelEndpoints, "locate">;
    /** Recorded in exported reports. */
    appVersion: string;
    /** The app's own API: eval results with prices, recommendations and what-ifs, read as the other screens read them. */
    app(): AppApi;
}

export function createVerdictApi(options: VerdictApiOptions): MethodTable<VerdictApi> {
    const app = options.app;
    const {store} = options;

    const locate = (reference: string): string | null => {
        try {
            const located = options.localModels?.locate?.(reference);
            if (located) return located;
        } catch {
            // Not a model the engine knows (removed since): fall back to the reference itself.
        }
        return path.isAbsolute(reference) ? reference : null;
    };

    const verdict = async (task: string | undefined) => {
        if (task !== undefined) {
            const known = await app()["eval.tasks"]({});
            if (!known.some((t) => t.name === task))
                throw new VerdictError("VERDICT_TASK_NOT_FOUND", `There is no eval task "${task}"; tasks: ${known.map((t) => t.name).join(", ")}.`);
        }
        const {thresholds} = currentThresholds(store.verdict);
        const here = await app()["models.recommend"]({contextSize: thresholds.contextSize});
        const hardware = here.hardware;
        return buildVerdict({
            thresholds,
            task,
            evalResults: await app()["eval.results"]({}),
            bench: store.bench.latest(hardware.hardwareKey ? {hardwareKey: hardware.hardwareKey} : {}),
            loads: store.modelLoads.list(1000),
            registry: store.models.list(),
            catalog: options.catalog.models(),
            hardware,
            locate,
            inspect: async (file, settings) => {
                if (!fs.existsSync(file)) return null;
                return inspectModel(file, {...settings, hardware, thresholds, catalog: options.catalog.models(), useResolver: false});
            },
            endpointRuns: store.endpoints.list(1000),
            recommend: (request) => (request.hardware || request.contextSize !== here.settings.contextSize ? app()["models.recommend"](request) : Promise.resolve(here))
        });
    };

    const task = requiredText('must be a task name, e.g. "r-skill-frontmatter"').optional();

    return {
        "verdict.get": {schema: z.object({task}), handler: ({task}) => verdict(task)},
        "verdict.status": {
            schema: emptyArgument,
            async handler() {
                const evalRuns = store.evals.listRuns(1_000_000);
                const samples = store.evals.samplesOfRuns(evalRuns.map((r) => r.id));
                const scored = [...samples.values()].flat().filter((s) => s.score !== null).length;
                const benchResults = store.bench.latest({}).length;
                return {hasResults: scored > 0 || benchResults > 0, evalRuns: evalRuns.length, benchResults};
            }
        },
        "verdict.thresholds": {schema: emptyArgument, handler: async () => currentThresholds(store.verdict)},
        "verdict.setThresholds": {
            schema: thresholdsPatchSchema,
            invalidCode: "VERDICT_THRESHOLDS_INVALID",
            async handler(patch) {
                const state = updateThresholds(store.verdict, patch);
                options.events.emit("verdict.thresholdsChanged", state);
                return state;
            }
        },
        "reports.export": {
            schema: z.object({format: z.enum(reportFormats, {error: `must be one of ${reportFormats.join(", ")}`}), task}),
            invalidCode: codeByField({format: "REPORT_FORMAT_INVALID"}),
            async handler({format, task}) {
                const result = await exportReport(format, {verdict: await verdict(task), store, app: app(), appVersion: options.appVersion});
                options.events.emit("reports.exported", {format, files: result.files.map((f) => f.name)});
                return result;
            }
        }
    };
}
