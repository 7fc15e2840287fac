import {resolve} from "node:path";
import {defineConfig} from "electron-vite";
import react from "@vitejs/plugin-react";

// Three bundles: the Electron main process (with the engine process entry that utilityProcess
// runs next to it), its preload (CommonJS, as sandboxed preloads must be), and the React renderer
// that the browser mode serves too.
export default defineConfig({
    main: {
        build: {
            outDir: "out/main",
            rollupOptions: {
                input: {index: resolve(__dirname, "electron/main/index.ts"), engine: resolve(__dirname, "electron/engine/engineProcessMain.ts")}
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
