import path from "node:path";
import {createAppService, type AppService, type AppServiceOptions} from "../../electron/core/AppService.ts";
import {createApiClient, type ApiClient} from "../../electron/transports/client/createApiClient.ts";
import {createAppHttpServer, type AppHttpServer} from "../../electron/transports/http/createAppHttpServer.ts";
import {createHttpChannel} from "../../electron/transports/http/createHttpChannel.ts";
import {projectRoot} from "./runCli.ts";
import {createTempHome, type TempHome} from "../../testkit/tempHome.ts";

export interface RunningApp extends AsyncDisposable {
    home: TempHome;
    service: AppService;
    server: AppHttpServer;
    /** The typed client, over HTTP, exactly as the browser UI uses it. */
    client: ApiClient;
}

/**
 * The real AppService in a fresh data folder (or `home`, to start again on the data of an app that
 * was disposed; the caller then removes it) behind the real HTTP transport on a free port.
 */
export async function startApp(options: {serveUi?: boolean; service?: Omit<AppServiceOptions, "paths">; home?: TempHome} = {}): Promise<RunningApp> {
    const home = options.home ?? createTempHome();
    const service = await createAppService({...options.service, paths: home});
    const server = await createAppHttpServer({
        app: {methods: service.methods, subscribe: (listener) => service.events.subscribe(listener)},
        port: 0,
        staticDir: options.serveUi ? path.join(projectRoot, "out", "renderer") : undefined
    });
    const client = createApiClient(createHttpChannel({baseUrl: server.url, reconnectDelayMs: 100}));
    return {
        home,
        service,
        server,
        client,
        async [Symbol.asyncDispose]() {
            await server.dispose();
            await service.dispose();
            if (!options.home) home[Symbol.dispose]();
        }
    };
}
