import {createAppService, type AppService, type AppServiceOptions} from "../../core/AppService.ts";

/** Runs one CLI action against a fresh AppService and always disposes it. */
export async function withAppService<T>(action: (app: AppService) => Promise<T>, options: AppServiceOptions = {}): Promise<T> {
    const app = await createAppService({shell: "web", ...options});
    try {
        return await action(app);
    } finally {
        await app.dispose();
    }
}
