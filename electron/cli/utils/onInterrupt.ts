/**
 * Runs `handler` on Ctrl-C (SIGINT) and SIGTERM until the returned function is called. The listener
 * stays registered after the first signal: a library that exits when it sees itself as the last
 * listener (signal-exit, loaded with node-llama-cpp) would otherwise kill the process mid-cleanup.
 */
export function onInterrupt(handler: () => void): () => void {
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
    return () => {
        process.off("SIGINT", handler);
        process.off("SIGTERM", handler);
    };
}
