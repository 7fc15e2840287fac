import fs from "node:fs";
import type {DownloadsApi} from "../../api/DownloadsApi.ts";
import type {AppContext} from "../AppContext.ts";
import {InvalidArgumentError} from "../../shared/AppError.ts";
import {systemProbeSources} from "../hardware/probeSources.ts";
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

export function createDownloadsApi(context: AppContext): DownloadsApi {
    const settings = context.downloads ?? {};
    const disk = context.probeSources?.disk ?? systemProbeSources.disk;
    const manager = new DownloadManager({
        ...settings,
        store: context.store,
        events: context.events,
        modelsDir: context.paths.models,
        catalog: context.catalog,
        freeDiskBytes: async (folder) => (await disk(folder)).freeBytes,
        userAgent: `agentfit/${context.appVersion}`
    });
    context.onDispose(() => manager.dispose());
    const models = context.store.models;

    return {
        async "downloads.start"(arg) {
            return manager.start(requireText(arg?.reference, "reference"));
        },
        async "downloads.list"() {
            return manager.list();
        },
        async "downloads.pause"(arg) {
            return manager.pause(requireId(arg));
        },
        async "downloads.resume"(arg) {
            return manager.resume(requireId(arg));
        },
        async "downloads.cancel"(arg) {
            return manager.cancel(requireId(arg));
        },
        async "downloads.redownload"(arg) {
            return manager.redownload(requireId(arg));
        },
        async "downloads.dismiss"(arg) {
            manager.dismiss(requireId(arg));
            return {ok: true};
        },
        async "models.list"() {
            return models.list();
        },
        async "models.get"(arg) {
            return resolveModelReference(models, requireText(arg?.reference, "reference"));
        },
        async "models.import"(arg) {
            const result = await importLocalModels(requireText(arg?.path, "path"), models);
            if (result.imported.length) context.events.emit("models.changed", {added: result.imported.map((m) => m.id), removed: []});
            return result;
        },
        async "models.importLocations"() {
            return importLocations(process.env, settings.homeDir);
        },
        async "models.remove"(arg) {
            const model = resolveModelReference(models, requireText(arg?.reference, "reference"));
            const deletedFiles: string[] = [];
            if (model.managed && !arg.keepFiles)
                for (const file of model.files)
                    if (fs.existsSync(file.path)) {
                        fs.rmSync(file.path, {force: true});
                        deletedFiles.push(file.path);
                    }
            models.remove(model.id);
            context.events.emit("models.changed", {added: [], removed: [model.id]});
            return {removed: model, deletedFiles};
        }
    };
}

function requireText(value: unknown, name: string): string {
    if (typeof value !== "string" || value.trim() === "") throw new InvalidArgumentError(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
    return value.trim();
}

function requireId(arg: {id: number} | undefined): number {
    const id = arg?.id;
    if (!Number.isInteger(id) || id! < 1) throw new InvalidArgumentError(`id must be a positive whole number, got ${JSON.stringify(id)}`);
    return id!;
}
