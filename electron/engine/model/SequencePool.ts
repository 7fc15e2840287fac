import type {LlamaContextSequence, Token} from "node-llama-cpp";

export interface SequenceLease {
    readonly sequence: LlamaContextSequence;
    /** Prompt tokens already held by the sequence when it was handed out. */
    readonly matchingPrefix: number;
    release(): void;
}

interface Waiter {
    tokens: readonly Token[];
    resolve(lease: SequenceLease): void;
    reject(error: unknown): void;
}

/**
 * The context's sequences as slots, handed out one request at a time. A request goes to the free
 * sequence already holding the longest prefix of its prompt, when that prefix is most of what the
 * sequence holds (coding agents resend the whole conversation each turn, so only the new tail is
 * evaluated). Otherwise it goes to an empty sequence, or the least recently used one, so a new
 * conversation that merely shares the chat template's first tokens does not wipe another's cache.
 * Requests beyond the number of sequences wait in arrival order.
 */
export class SequencePool {
    private readonly free: LlamaContextSequence[];
    private readonly lastUsed = new Map<LlamaContextSequence, number>();
    private readonly waiters: Waiter[] = [];
    private useCounter = 0;

    constructor(sequences: readonly LlamaContextSequence[]) {
        this.free = [...sequences];
        for (const sequence of sequences) this.lastUsed.set(sequence, 0);
    }

    get queued(): number {
        return this.waiters.length;
    }

    get busy(): number {
        return this.lastUsed.size - this.free.length;
    }

    acquire(tokens: readonly Token[], signal?: AbortSignal): Promise<SequenceLease> {
        signal?.throwIfAborted();
        if (this.free.length > 0 && this.waiters.length === 0) return Promise.resolve(this.lease(tokens));
        return new Promise<SequenceLease>((resolve, reject) => {
            const waiter: Waiter = {tokens, resolve, reject};
            this.waiters.push(waiter);
            signal?.addEventListener(
                "abort",
                () => {
                    const index = this.waiters.indexOf(waiter);
                    if (index >= 0) {
                        this.waiters.splice(index, 1);
                        reject(signal.reason);
                    }
                },
                {once: true}
            );
        });
    }

    private leastRecentlyUsed(): number {
        let oldest = 0;
        for (let i = 1; i < this.free.length; i++) if (this.lastUsed.get(this.free[i]!)! < this.lastUsed.get(this.free[oldest]!)!) oldest = i;
        return oldest;
    }

    /** Fails every waiting request (the model is being unloaded). */
    rejectWaiting(error: unknown) {
        for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    }

    private lease(tokens: readonly Token[]): SequenceLease {
        const prefixes = this.free.map((sequence) => commonPrefixLength(sequence.contextTokens, tokens));
        let best = 0;
        for (let i = 1; i < prefixes.length; i++) if (prefixes[i]! > prefixes[best]!) best = i;
        const held = this.free[best]!.contextTokens.length;
        if (!(prefixes[best]! > 0 && prefixes[best]! >= held * MIN_REUSED_SHARE)) {
            const empty = this.free.findIndex((sequence) => sequence.contextTokens.length === 0);
            best = empty >= 0 ? empty : this.leastRecentlyUsed();
        }
        const bestPrefix = prefixes[best]!;
        const [sequence] = this.free.splice(best, 1);
        this.lastUsed.set(sequence!, ++this.useCounter);
        let released = false;
        return {
            sequence: sequence!,
            matchingPrefix: bestPrefix,
            release: () => {
                if (released) return;
                released = true;
                this.lastUsed.set(sequence!, ++this.useCounter);
                this.free.push(sequence!);
                const next = this.waiters.shift();
                if (next) next.resolve(this.lease(next.tokens));
            }
        };
    }
}

/** Share of a sequence's cached tokens a prompt must reuse for the request to go there. */
const MIN_REUSED_SHARE = 0.5;

export function commonPrefixLength(a: readonly Token[], b: readonly Token[]): number {
    const length = Math.min(a.length, b.length);
    let i = 0;
    while (i < length && a[i] === b[i]) i++;
    return i;
}
