import type {LlamaTextJSON} from "node-llama-cpp";

/** Remembers the exact text of tool calls this server produced, by call id (bounded). */
export class ToolCallMemory {
    private readonly calls = new Map<string, {name: string; arguments: string; raw: LlamaTextJSON}>();
    constructor(private readonly capacity = 2000) {}
    remember(id: string, entry: {name: string; arguments: string; raw: LlamaTextJSON}) {
        this.calls.set(id, entry);
        if (this.calls.size > this.capacity) this.calls.delete(this.calls.keys().next().value!);
    }
    /** The arguments text of a call this server made, when `input` is the same value (clients that send arguments as objects). */
    argumentsFor(id: string, name: string, input: unknown): string | undefined {
        const entry = this.calls.get(id);
        if (!entry || entry.name !== name) return undefined;
        try {
            return JSON.stringify(JSON.parse(entry.arguments)) === JSON.stringify(input) ? entry.arguments : undefined;
        } catch {
            return undefined;
        }
    }
    rawFor(id: string, name: string, argumentsText: string): LlamaTextJSON | undefined {
        const entry = this.calls.get(id);
        return entry && entry.name === name && entry.arguments === argumentsText.trim() ? entry.raw : undefined;
    }
}
