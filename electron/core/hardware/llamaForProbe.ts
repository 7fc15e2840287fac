import os from "node:os";
import type {Llama} from "node-llama-cpp";

let llamaPromise: Promise<Llama> | undefined;

/**
 * One node-llama-cpp instance for reading backend and device facts, loaded on first use. It never
 * builds or downloads anything: only prebuilt binaries that are already installed are tried.
 */
export function getLlamaForProbe(): Promise<Llama> {
    llamaPromise ??= import("node-llama-cpp").then(({getLlama, LlamaLogLevel}) =>
        getLlama({
            gpu: "auto",
            build: "never",
            usePrebuiltBinaries: true,
            progressLogs: false,
            logLevel: LlamaLogLevel.error,
            maxThreads: Math.max(1, os.availableParallelism())
        })
    );
    llamaPromise.catch(() => {
        llamaPromise = undefined;
    });
    return llamaPromise;
}
