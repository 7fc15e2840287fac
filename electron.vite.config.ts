import {resolve} from "node:path";
import {defineConfig} from "electron-vite";
import react from "@vitejs/plugin-react";
import {BUILT_ENGINE_ENTRY} from "./electron/core/engine/EngineLauncher.ts";

/** `out/<name>.js` → the bundle entry name `<name>` (entries are named by their path under `out/`). */
function entryName(builtFile: string): string {
    return builtFile.replace(/^out\//, "").replace(/\.js$/, "");
}

// Everything that runs under Node is one bundle with three entries sharing chunks (out/chunks/):
// the Electron main process (out/main/index.js, package.json's "main"), the engine process entry
// that the desktop app, the CLI, the browser mode and the tests all start (the launcher reads its
// built path from BUILT_ENGINE_ENTRY), and the CLI (out/cli/agentfit.js, run by bin/agentfit.js).
// Dependencies stay external (electron-vite's externalizeDeps): native modules load from
// node_modules. Then the preload (CommonJS, as sandboxed preloads must be) and the React renderer
// that the browser mode serves too.
export default defineConfig({
    main: {
        build: {
            outDir: "out",
            rollupOptions: {
                input: {
                    "main/index": resolve(__dirname, "electron/main/index.ts"),
                    [entryName(BUILT_ENGINE_ENTRY)]: resolve(__dirname, "electron/engine/engineProcessMain.ts"),
                    "cli/agentfit": resolve(__dirname, "electron/cli/main.ts")
                },
                output: {entryFileNames: "[name].js", chunkFileNames: "chunks/[name]-[hash].js"}
            }
        }
    },
    preload: {
        build: {
            outDir: "out/preload",
            rollupOptions: {
                input: {index: resolve(__dirname, "electron/preload/index.ts")},
                output: {format: "cjs", entryFileNames: "[name].cjs"}
            }
        }
    },
    renderer: {
        root: resolve(__dirname, "renderer"),
        plugins: [react()],
        build: {
            outDir: resolve(__dirname, "out/renderer"),
            minify: true,
            rollupOptions: {input: resolve(__dirname, "renderer/index.html")}
        }
    }
});
