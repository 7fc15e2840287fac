import path from "node:path";
import {fileURLToPath} from "node:url";
import {app, BrowserWindow, dialog, session, shell} from "electron";
import {findAppRoot} from "../core/install/appRoot.ts";
import {createAppService, type AppService} from "../core/AppService.ts";
import {contentSecurityPolicy} from "../transports/contentSecurityPolicy.ts";
import {registerIpcHandlers} from "../transports/ipc/registerIpcHandlers.ts";
import {findElectronSqliteBinding} from "./electronSqliteBinding.ts";
import {createSafeStorageSecretStore} from "./safeStorageSecretStore.ts";
import {utilityProcessEngineLauncher} from "./utilityProcessEngineLauncher.ts";

// The desktop shell: one hardened window over the same AppService the CLI and browser mode use.
// Everything here is wiring; behaviour lives in electron/core.

const here = path.dirname(fileURLToPath(import.meta.url));
const appRoot = findAppRoot();
const devServerUrl = process.env.ELECTRON_RENDERER_URL;
let service: AppService | undefined;

app.enableSandbox();

async function openWindow() {
    const binding = findElectronSqliteBinding(appRoot, process.versions.electron);
    service = await createAppService({shell: "electron", sqliteNativeBinding: binding, secrets: createSafeStorageSecretStore(app.getPath("userData")), downloads: {autoResume: true}, engineLauncher: utilityProcessEngineLauncher()});

    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
        callback({responseHeaders: {...details.responseHeaders, "Content-Security-Policy": [contentSecurityPolicy]}});
    });
    session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));

    const window = new BrowserWindow({
        width: 1280,
        height: 860,
        minWidth: 960,
        minHeight: 640,
        title: "AgentFit",
        show: false,
        webPreferences: {
            preload: path.join(here, "..", "preload", "index.cjs"),
            contextIsolation: true,
            nodeIntegration: false,
            sandbox: true,
            webSecurity: true,
            spellcheck: false
        }
    });
    const appService = service;
    const unregister = registerIpcHandlers(window, {methods: appService.methods, subscribe: (listener) => appService.events.subscribe(listener)});
    window.on("closed", unregister);
    window.once("ready-to-show", () => window.show());

    const allowedOrigin = devServerUrl ? new URL(devServerUrl).origin : "file://";
    window.webContents.on("will-navigate", (event, url) => {
        if (!url.startsWith(allowedOrigin)) event.preventDefault();
    });
    window.webContents.setWindowOpenHandler(({url}) => {
        if (/^https?:\/\//.test(url)) void shell.openExternal(url);
        return {action: "deny"};
    });

    if (devServerUrl) await window.loadURL(devServerUrl);
    else await window.loadFile(path.join(here, "..", "renderer", "index.html"));
}

app.on("web-contents-created", (_event, contents) => {
    contents.on("will-attach-webview", (event) => event.preventDefault());
});

app.whenReady()
    .then(openWindow)
    .catch((error: unknown) => {
        dialog.showErrorBox("AgentFit could not start", error instanceof Error ? error.message : String(error));
        app.exit(1);
    });

app.on("window-all-closed", () => {
    void service?.dispose().finally(() => app.quit());
});
