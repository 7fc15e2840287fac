export type EventListener<Events> = <E extends keyof Events>(event: E, payload: Events[E]) => void;

/**
 * Fan-out of typed events to any number of listeners. A listener that throws is isolated: the job
 * that emitted the event never sees the error.
 */
export class EventBus<Events> {
    private readonly listeners = new Set<EventListener<Events>>();

    emit<E extends keyof Events>(event: E, payload: Events[E]): void {
        for (const listener of this.listeners) {
            try {
                listener(event, payload);
            } catch (error) {
                console.error(`[agentfit] listener for "${String(event)}" failed:`, error);
            }
        }
    }

    /** Subscribes to every event; returns the unsubscribe function. */
    subscribe(listener: EventListener<Events>): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }
}
