/** Ctrl-C and a polite termination: what every long-running command handles by default. */
const INTERRUPT_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

/**
 * Runs `handler` with the signal on each of `signals` (default SIGINT and SIGTERM) until the returned
 * function is called. The listener stays registered after the first signal: a library that exits
 * when it sees itself as the last listener (signal-exit, loaded with node-llama-cpp) would otherwise
 * kill the process mid-cleanup.
 */
export function onInterrupt(handler: (signal: NodeJS.Signals) => void, signals: readonly NodeJS.Signals[] = INTERRUPT_SIGNALS): () => void {
    for (const signal of signals) process.on(signal, handler);
    return () => {
        for (const signal of signals) process.off(signal, handler);
    };
}
