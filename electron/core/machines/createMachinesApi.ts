import {z} from "zod";
import type {AppApi, AppEvents} from "../../api/AppApi.ts";
import type {MachinesApi, MachinesImportResult} from "../../api/MachinesApi.ts";
import type {EventBus} from "../../shared/EventBus.ts";
import {emptyArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {requiredText} from "../../shared/parseArgument.ts";
import type {Store} from "../store/Store.ts";
import {compareMachines} from "./compareMachines.ts";
import {machineLabel} from "./machineLabel.ts";
import {readMachineReports} from "./readMachineReports.ts";

export interface MachinesApiOptions {
    store: Pick<Store, "importedReports" | "hardware">;
    events: EventBus<AppEvents>;
    /** The app's own API: this machine's verdict, as the Verdict screen shows it. */
    app(): AppApi;
}

/** Comparing machines: reports imported from other machines, and this machine beside them. */
export function createMachinesApi(options: MachinesApiOptions): MethodTable<MachinesApi> {
    const {store} = options;
    return {
        "machines.import": {
            schema: z.object({path: requiredText("must be the path of a JSON report or of a folder of them")}),
            async handler({path}) {
                const {reports, skipped} = readMachineReports(path, new Date().toISOString());
                const result: MachinesImportResult = {imported: [], alreadyImported: [], skipped};
                for (const report of reports) {
                    const stored = store.importedReports.add(report);
                    (stored.added ? result.imported : result.alreadyImported).push(stored.report);
                }
                options.events.emit("machines.imported", result);
                return result;
            }
        },
        "machines.list": {schema: emptyArgument, handler: async () => store.importedReports.list()},
        "machines.compare": {
            schema: z.object({task: requiredText('must be a task name, e.g. "r-skill-frontmatter"').optional()}),
            async handler({task}) {
                const here = await options.app()["verdict.get"](task === undefined ? {} : {task});
                const snapshot = store.hardware.latest();
                return compareMachines(here, store.importedReports.latestPerMachine(), snapshot ? `${machineLabel(snapshot)} (this machine)` : here.machine.label);
            }
        }
    };
}
