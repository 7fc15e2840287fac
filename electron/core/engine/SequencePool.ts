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
 * sequence already holding the longest prefix of its prompt (coding agents resend the whole
 * conversation each turn, so only the new tail is evaluated); with no useful match, to the least
 * recently used one, so other conversations keep their caches. Requests beyond the number of
 * sequences wait in arrival order.
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

    /** Fails every waiting request (the model is being unloaded). */
    rejectWaiting(error: unknown) {
        for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    }

    private lease(tokens: readonly Token[]): SequenceLease {
        let best = -1;
        let bestPrefix = -1;
        for (const [index, sequence] of this.free.entries()) {
            const prefix = commonPrefixLength(sequence.contextTokens, tokens);
            const better =
                prefix > bestPrefix || (prefix === bestPrefix && this.lastUsed.get(sequence)! < this.lastUsed.get(this.free[best]!)!);
            if (better) {
                best = index;
                bestPrefix = prefix;
            }
        }
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

export function commonPrefixLength(a: readonly Token[], b: readonly Token[]): number {
    const length = Math.min(a.length, b.length);
    let i = 0;
    while (i < length && a[i] === b[i]) i++;
    return i;
}
