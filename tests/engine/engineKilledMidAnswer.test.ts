import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import {describe, expect, it} from "vitest";
import {createAppService, type AppService} from "../../electron/core/AppService.ts";
import {EngineSupervisor} from "../../electron/core/engine/EngineSupervisor.ts";
import {launchNodeEngineProcess} from "../../electron/core/engine/EngineLauncher.ts";
import {prepareModelLoad} from "../../electron/core/engine/prepareModelLoad.ts";
import {FRONT_SECRET_HEADER} from "../../electron/protocol/frontHop.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {createTempHome} from "../../testkit/tempHome.ts";
import {rawHttp} from "../utils/rawHttp.ts";

const settings = {contextSize: 1024, threads: 1};
const long = 900;

/** SIGKILLs the engine process once, the first time it is called. */
function killerOf(pid: number) {
    let killed = false;
    return () => {
        if (killed) return;
        killed = true;
        process.kill(pid, "SIGKILL");
    };
}

async function enginePid(app: AppService): Promise<number> {
    const {pid} = await app["engine.status"]({});
    expect(pid).not.toBeNull();
    return pid!;
}

/** Waits until the engine generates for a request (so a kill lands while the request is in flight). */
async function generating(app: AppService) {
    await expect.poll(async () => (await app["engine.status"]({})).metrics?.active ?? 0, {timeout: 60_000}).toBeGreaterThan(0);
}

describe("the engine process killed while it answers", () => {
    it("ends every protocol's stream with its error event, answers 503 with Retry-After while down, and comes back on the same port", async () => {
        using home = createTempHome();
        // Restarts are due only after 10 minutes, so the down time lasts until the test starts the engine itself.
        await using app = await createAppService({paths: home, engineRestarts: {delaysMs: Array<number>(10).fill(600_000), windowMs: 3_600_000}});
        const model = writeGgufModel(path.join(home.models, "tiny.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        const started = await app["engine.start"]({model: model.path, settings, server: {port: 0}});
        const {baseUrl, port} = started.server!;
        const root = baseUrl.replace(/\/v1$/, "");
        const openai = new OpenAI({baseURL: baseUrl, apiKey: "x", maxRetries: 0});
        const anthropic = new Anthropic({baseURL: root, apiKey: "x", maxRetries: 0});

        /** Each client as a user runs it, killing the engine once tokens flow; resolves with what the client saw. */
        const cuts: {name: string; run(kill: () => void): Promise<unknown>; check(outcome: PromiseSettledResult<unknown>): void}[] = [
            {
                name: "chat completions (streamed)",
                async run(kill) {
                    const stream = await openai.chat.completions.create({model: "tiny", messages: [{role: "user", content: "go"}], max_tokens: long, stream: true});
                    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) kill();
                },
                check: (outcome) =>
                    expect(outcome).toMatchObject({status: "rejected", reason: {code: "engine_stopped", type: "server_error", message: expect.stringMatching(/engine process stopped/)}})
            },
            {
                name: "legacy completions (streamed)",
                async run(kill) {
                    const stream = await openai.completions.create({model: "tiny", prompt: "go", max_tokens: long, stream: true});
                    for await (const chunk of stream) if (chunk.choices[0]?.text) kill();
                },
                check: (outcome) => expect(outcome).toMatchObject({status: "rejected", reason: {code: "engine_stopped"}})
            },
            {
                name: "Anthropic Messages (streamed)",
                async run(kill) {
                    const stream = anthropic.messages.stream({model: "tiny", max_tokens: long, messages: [{role: "user", content: "go"}]});
                    for await (const event of stream) if (event.type === "content_block_delta") kill();
                },
                check: (outcome) =>
                    expect(outcome).toMatchObject({
                        status: "rejected",
                        reason: {error: {type: "error", error: {type: "api_error", message: expect.stringMatching(/engine process stopped/)}}}
                    })
            },
            {
                name: "Responses (streamed)",
                async run(kill) {
                    const stream = await openai.responses.create({model: "tiny", input: "go", max_output_tokens: long, stream: true});
                    const events: {type: string; response?: unknown}[] = [];
                    for await (const event of stream) {
                        events.push(event);
                        if (event.type === "response.output_text.delta") kill();
                    }
                    return events;
                },
                check(outcome) {
                    expect(outcome.status).toBe("fulfilled");
                    const events = (outcome as PromiseFulfilledResult<{type: string; sequence_number: number; response?: {id: string}}[]>).value;
                    const last = events.at(-1)!;
                    expect(last).toMatchObject({type: "response.failed", response: {status: "failed", error: {code: "engine_stopped"}}});
                    // The failure continues the stream the client saw: the same response, the next sequence number.
                    expect(last.response!.id).toBe(events[0]!.response!.id);
                    expect(last.sequence_number).toBe(events.at(-2)!.sequence_number + 1);
                }
            },
            {
                name: "chat completions (not streamed)",
                async run(kill) {
                    const request = openai.chat.completions.create({model: "tiny", messages: [{role: "user", content: "go"}], max_tokens: long});
                    await generating(app);
                    kill();
                    return request;
                },
                check: (outcome) => expect(outcome).toMatchObject({status: "rejected", reason: {status: 502, code: "engine_stopped"}})
            },
            {
                name: "Anthropic Messages (not streamed)",
                async run(kill) {
                    const request = anthropic.messages.create({model: "tiny", max_tokens: long, messages: [{role: "user", content: "go"}]});
                    await generating(app);
                    kill();
                    return request;
                },
                check: (outcome) => expect(outcome).toMatchObject({status: "rejected", reason: {status: 502, error: {type: "error", error: {type: "api_error"}}}})
            }
        ];

        for (const cut of cuts) {
            const pid = await enginePid(app);
            const [outcome] = await Promise.allSettled([cut.run(killerOf(pid))]);
            cut.check(outcome!);
            await expect.poll(async () => (await app["engine.status"]({})).state, {timeout: 30_000}).toBe("restarting");
            const crashed = await app["engine.status"]({});
            expect(crashed.crash).toMatchObject({signal: "SIGKILL"});
            expect(crashed.server).toMatchObject({port});

            // While no engine serves, the port still answers: 503, Retry-After, the protocol's error shape.
            const chat = await rawHttp(`${baseUrl}/chat/completions`, {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify({model: "tiny", messages: []})});
            expect(chat.status).toBe(503);
            expect(chat.headers["retry-after"]).toBe("5");
            expect(chat.json()).toMatchObject({error: {code: "engine_unavailable", type: "server_error", message: expect.stringMatching(/SIGKILL.*AgentFit is restarting it \(attempt \d+ of 10\)/)}});
            const messages = await rawHttp(`${root}/v1/messages`, {method: "POST", headers: {"content-type": "application/json"}, body: "{}"});
            expect(messages.status).toBe(503);
            expect(messages.json()).toMatchObject({type: "error", error: {type: "overloaded_error"}});
            await expect(anthropic.messages.create({model: "tiny", max_tokens: 3, messages: [{role: "user", content: "hi"}]})).rejects.toMatchObject({status: 503});

            // A start by the user replaces the restart that was due.
            const again = await app["engine.start"]({model: model.path, settings, server: {port: 0}});
            expect(again.server).toMatchObject({port, baseUrl});
            expect(again.restarts).toEqual({count: 0, pending: null, gaveUp: null});
            expect(again.pid).not.toBe(pid);
            const reply = await openai.chat.completions.create({model: "tiny", messages: [{role: "user", content: "hi"}], max_tokens: 3});
            expect(reply.usage!.completion_tokens, cut.name).toBe(3);
        }

        await app["engine.stop"]({});
        await expect(rawHttp(`${root}/health`)).rejects.toThrow(/ECONNREFUSED/);
    });

    it("refuses requests on the engine's internal port that lack the front's secret", async () => {
        using home = createTempHome();
        const model = writeGgufModel(path.join(home.models, "tiny.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        await using supervisor = new EngineSupervisor({launcher: launchNodeEngineProcess});
        const {load} = await prepareModelLoad(model.path, settings);
        await supervisor.call("load", load);
        const secret = "s".repeat(43);
        const {port} = await supervisor.call("serve", {host: "127.0.0.1", frontSecret: secret});
        const url = `http://127.0.0.1:${port}/v1/models`;
        for (const headers of [{}, {[FRONT_SECRET_HEADER]: "wrong"}] as Record<string, string>[]) {
            const refused = await rawHttp(url, {headers});
            expect(refused.status).toBe(403);
            expect(refused.json()).toMatchObject({error: {code: "forbidden"}});
        }
        const served = await rawHttp(url, {headers: {[FRONT_SECRET_HEADER]: secret}});
        expect(served.status).toBe(200);
        // Requests past the hop are still checked as a client's: the Host of a rebinding page is refused.
        expect((await rawHttp(url, {headers: {[FRONT_SECRET_HEADER]: secret, host: "evil.example"}})).status).toBe(403);
    });
});
