import {execFile} from "node:child_process";
import path from "node:path";
import {promisify} from "node:util";
import {describe, expect, it} from "vitest";
import {createAppService} from "../../electron/core/AppService.ts";
import {anthropicSdkPython, pinnedPythonSdks} from "../../testkit/codingAgentsCache.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

// The Messages API through the official Python `anthropic` SDK (pinned, in its venv in the agents
// cache: scripts/fetch-coding-agents.ts), against the real engine on a generated GGUF (random
// weights: the text is noise, every contract holds). tests/utils/anthropicPythonClient.py makes the
// calls and prints what the SDK parsed; this file checks it.

interface SeenMessage {
    id: string;
    type: string;
    role: string;
    model: string;
    stop_reason: string;
    content: {type: string; text?: string; id?: string; name?: string; input?: Record<string, unknown>}[];
    usage: {input_tokens: number; output_tokens: number; cache_read_input_tokens: number | null};
}

interface Seen {
    sdk_version: string;
    plain: SeenMessage;
    streamed: {event_types: string[]; message: SeenMessage};
    tool_use: {forced: SeenMessage; after_result: SeenMessage};
    streamed_tool_use: {delta_types: string[]; message: SeenMessage};
    count_tokens: {plain: number; with_tools: number; usage_of_same_prompt: {input_tokens: number; cache_read_input_tokens: number | null}};
    unknown_model: {status: number; body: {type: string; error: {type: string}}} | null;
}

describe("Anthropic Messages API through the Python SDK", () => {
    it("answers plain and streamed messages, forced tool use with the result fed back, and count_tokens", async () => {
        using home = createTempHome();
        await using app = await createAppService({paths: home});
        writeGgufModel(path.join(home.models, "tiny-agent.gguf"), {...ggufModelPresets.tiny, contextLength: 4096});
        const status = await app["engine.start"]({model: "tiny-agent", settings: {contextSize: 4096, threads: 1}, server: {port: 0, apiKey: "sk-python"}});
        const origin = status.server!.baseUrl.replace(/\/v1$/, "");
        const {stdout} = await promisify(execFile)(anthropicSdkPython(), [path.resolve("tests/utils/anthropicPythonClient.py"), origin, "tiny-agent", "sk-python"], {timeout: 240_000});
        const seen = JSON.parse(stdout) as Seen;
        expect(seen.sdk_version).toBe(pinnedPythonSdks.anthropic);

        expect(seen.plain).toMatchObject({type: "message", role: "assistant", model: "tiny-agent", stop_reason: "max_tokens", usage: {output_tokens: 8}});
        expect(seen.plain.id).toMatch(/^msg_/);
        expect(seen.plain.content.map((block) => block.type)).toEqual(["text"]);

        expect(seen.streamed.event_types[0]).toBe("message_start");
        expect(seen.streamed.event_types).toContain("content_block_delta");
        expect(seen.streamed.event_types.slice(-2)).toEqual(["message_delta", "message_stop"]);
        expect(seen.streamed.message).toMatchObject({stop_reason: "max_tokens", usage: {output_tokens: 8}});
        // The same prompt again: read from the sequence's cache.
        expect(seen.streamed.message.usage.cache_read_input_tokens).toBeGreaterThan(0);

        const {forced, after_result: afterResult} = seen.tool_use;
        expect(forced.stop_reason).toBe("tool_use");
        const uses = forced.content.filter((block) => block.type === "tool_use");
        expect(uses.length).toBeGreaterThanOrEqual(1);
        for (const use of uses) {
            expect(use.name).toBe("get_time");
            expect(["UTC", "CET"]).toContain(use.input!.zone);
        }
        expect(afterResult.stop_reason).toBe("tool_use");
        // The calls go back exactly as generated: the whole first turn comes from cache.
        expect(afterResult.usage.cache_read_input_tokens).toBeGreaterThanOrEqual(forced.usage.input_tokens + (forced.usage.cache_read_input_tokens ?? 0) - 1);

        expect(seen.streamed_tool_use.delta_types).toContain("input_json_delta");
        expect(seen.streamed_tool_use.message.stop_reason).toBe("tool_use");
        const streamedUse = seen.streamed_tool_use.message.content.find((block) => block.type === "tool_use")!;
        expect(streamedUse.name).toBe("get_weather");
        expect(["Paris", "Berlin", "Rome"]).toContain(streamedUse.input!.city);

        const counted = seen.count_tokens;
        expect(counted.plain).toBe(counted.usage_of_same_prompt.input_tokens + (counted.usage_of_same_prompt.cache_read_input_tokens ?? 0));
        expect(counted.with_tools).toBeGreaterThan(counted.plain);

        expect(seen.unknown_model).toMatchObject({status: 404, body: {type: "error", error: {type: "not_found_error"}}});
    });
});
