/**
 * Calls a listener a job was given (progress, events, records): whatever the listener throws stays
 * with it, so a broken subscriber can never break the job that notifies it.
 */
export function notifyListener<Args extends unknown[]>(listener: ((...args: Args) => unknown) | undefined, ...args: Args): void {
    try {
        listener?.(...args);
    } catch {}
}
