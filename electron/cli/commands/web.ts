import path from "node:path";
import type {Command} from "commander";
import {findAppRoot} from "../../core/install/appRoot.ts";
import {bold, dim} from "../utils/format.ts";
import {onInterrupt} from "../utils/onInterrupt.ts";
import {createCliAppService} from "../utils/withAppService.ts";

export const DEFAULT_WEB_PORT = 5317;

export function registerWebCommand(program: Command) {
    program
        .command("web")
        .description("Serve the AgentFit UI to a browser (same UI and API as the desktop app)")
        .option("--port <n>", "TCP port (0 picks a free one)", String(DEFAULT_WEB_PORT))
        .option("--host <host>", "interface to bind", "127.0.0.1")
        .option("--ui <dir>", "built UI folder", path.join(findAppRoot(), "out", "renderer"))
        .action(async (options: {port: string; host: string; ui: string}) => {
            const port = Number(options.port);
            if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got "${options.port}"`);
            const {createAppHttpServer} = await import("../../transports/http/createAppHttpServer.ts");
            const app = await createCliAppService({downloads: {autoResume: true}});
            const server = await createAppHttpServer({
                app: {methods: app.methods, subscribe: (listener) => app.events.subscribe(listener)},
                host: options.host,
                port,
                staticDir: options.ui
            }).catch(async (error: unknown) => {
                await app.dispose();
                throw error;
            });
            console.log(`${bold("AgentFit")} is serving its UI at ${bold(server.url + "/")}`);
            console.log(dim(`Data: ${app.paths.home}   Press Ctrl-C to stop.`));
            let stopping = false;
            onInterrupt(async () => {
                if (stopping) return;
                stopping = true;
                await server.dispose();
                await app.dispose();
                process.exit(0);
            });
        });
}
