import type {AppService, AppServiceOptions} from "../../core/AppService.ts";

/**
 * Creates the AppService for a CLI command. Imported when a command runs, never at start-up, so
 * `agentfit --help` and argument errors load neither the store nor node-llama-cpp.
 */
export async function createCliAppService(options: AppServiceOptions = {}): Promise<AppService> {
    const {createAppService} = await import("../../core/AppService.ts");
    return createAppService({shell: "web", ...options});
}

/** Runs one CLI action against a fresh AppService and always disposes it. */
export async function withAppService<T>(action: (app: AppService) => Promise<T>, options: AppServiceOptions = {}): Promise<T> {
    const app = await createCliAppService(options);
    try {
        return await action(app);
    } finally {
        await app.dispose();
    }
}
