import type {LlamaTextJSON} from "node-llama-cpp";

/** Remembers the exact text of tool calls this server produced, by call id (bounded). */
export class ToolCallMemory {
    private readonly calls = new Map<string, {name: string; arguments: string; raw: LlamaTextJSON}>();
    constructor(private readonly capacity = 2000) {}
    remember(id: string, entry: {name: string; arguments: string; raw: LlamaTextJSON}) {
        this.calls.set(id, entry);
        if (this.calls.size > this.capacity) this.calls.delete(this.calls.keys().next().value!);
    }
    rawFor(id: string, name: string, argumentsText: string): LlamaTextJSON | undefined {
        const entry = this.calls.get(id);
        return entry && entry.name === name && entry.arguments === argumentsText.trim() ? entry.raw : undefined;
    }
}
