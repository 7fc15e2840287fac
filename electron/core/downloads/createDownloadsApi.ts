import fs from "node:fs";
import {z} from "zod";
import type {DownloadsApi} from "../../api/DownloadsApi.ts";
import {emptyArgument, type MethodTable} from "../../shared/MethodTable.ts";
import {recordId, requiredText} from "../../shared/parseArgument.ts";
import {DownloadManager, type DownloadManagerOptions} from "./DownloadManager.ts";
import {importLocalModels, importLocations} from "./importLocalModels.ts";
import {resolveModelReference} from "./resolveModelReference.ts";

/** Settings of the downloads domain an AppService host (or a test) may override. */
export type DownloadServiceOptions = Partial<
    Pick<DownloadManagerOptions, "huggingFaceEndpoint" | "huggingFaceToken" | "maxConcurrent" | "retry" | "stallTimeoutMs" | "progressIntervalMs" | "autoResume">
> & {
    /** Home folder where other tools' model folders are looked for (LM Studio, caches). Default os.homedir(). */
    homeDir?: string;
};

export interface DownloadsApiOptions extends Pick<DownloadManagerOptions, "store" | "owner" | "events" | "modelsDir" | "catalog" | "freeDiskBytes" | "userAgent"> {
    /** What a host or a test overrides (Hugging Face endpoint and token, queue, retries, auto-resume). */
    settings?: DownloadServiceOptions;
    /** Registers the download manager's cleanup (transfers in flight stop, resumable) for app disposal. */
    onDispose(cleanup: () => Promise<void> | void): void;
}

export function createDownloadsApi(options: DownloadsApiOptions): MethodTable<DownloadsApi> {
    const {settings = {}, onDispose, ...shared} = options;
    const manager = new DownloadManager({...settings, ...shared});
    onDispose(() => manager.dispose());
    const models = options.store.models;
    const events = options.events;

    const reference = z.object({reference: requiredText("must be a model reference: a catalog id, hf:user/repo[:QUANT], a URL, or a registered model's id")});
    const job = z.object({id: recordId});

    return {
        "downloads.start": {schema: reference, handler: ({reference}) => manager.start(reference)},
        "downloads.list": {schema: emptyArgument, handler: async () => manager.list()},
        "downloads.pause": {schema: job, handler: ({id}) => manager.pause(id)},
        "downloads.resume": {schema: job, handler: async ({id}) => manager.resume(id)},
        "downloads.cancel": {schema: job, handler: ({id}) => manager.cancel(id)},
        "downloads.redownload": {schema: job, handler: ({id}) => manager.redownload(id)},
        "downloads.dismiss": {
            schema: job,
            async handler({id}) {
                manager.dismiss(id);
                return {ok: true};
            }
        },
        "models.list": {schema: emptyArgument, handler: async () => models.list()},
        "models.get": {schema: reference, handler: async ({reference}) => resolveModelReference(reference, {registry: models}).registered},
        "models.import": {
            schema: z.object({path: requiredText("must be the path of a GGUF file or of a folder holding some")}),
            async handler({path}) {
                const result = await importLocalModels(path, models);
                if (result.imported.length) events.emit("models.changed", {added: result.imported.map((m) => m.id), removed: []});
                return result;
            }
        },
        "models.importLocations": {schema: emptyArgument, handler: async () => importLocations(process.env, settings.homeDir)},
        "models.remove": {
            schema: reference.extend({keepFiles: z.boolean({error: "must be true or false"}).optional()}),
            async handler({reference, keepFiles}) {
                const model = resolveModelReference(reference, {registry: models}).registered;
                const deletedFiles: string[] = [];
                if (model.managed && !keepFiles)
                    for (const file of model.files)
                        if (fs.existsSync(file.path)) {
                            fs.rmSync(file.path, {force: true});
                            deletedFiles.push(file.path);
                        }
                models.remove(model.id);
                events.emit("models.changed", {added: [], removed: [model.id]});
                return {removed: model, deletedFiles};
            }
        }
    };
}
