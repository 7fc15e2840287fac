import http from "node:http";
import type {AddressInfo} from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import {afterEach, describe, expect, it} from "vitest";
import {createServingFront, type ServingFront} from "../../electron/core/engine/createServingFront.ts";

// The engine's death at an exact byte of an answer, or an idle connection closing exactly as the
// front reuses it, cannot be timed with the real engine; this upstream does each on cue behind the
// real front, and real clients see the result.
interface Upstream {
    port: number;
    /** Requests the upstream answered in full. */
    answered: {url: string; body: string}[];
    close(): Promise<void>;
}

type Behaviour = (request: http.IncomingMessage, response: http.ServerResponse, body: string, requestOnSocket: number) => void;

async function startUpstream(behaviour: Behaviour): Promise<Upstream> {
    const answered: Upstream["answered"] = [];
    const requestsBySocket = new WeakMap<object, number>();
    const server = http.createServer((request, response) => {
        const count = (requestsBySocket.get(request.socket) ?? 0) + 1;
        requestsBySocket.set(request.socket, count);
        let body = "";
        request.on("data", (chunk: Buffer) => (body += chunk.toString()));
        request.on("end", () => {
            behaviour(request, response, body, count);
            response.on("finish", () => answered.push({url: request.url ?? "", body}));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as AddressInfo).port,
        answered,
        close: () =>
            new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            })
    };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function frontBefore(upstream: Upstream): Promise<ServingFront> {
    const front = await createServingFront({host: "127.0.0.1", port: 0, upstreamPort: () => upstream.port, unavailableReason: () => "The engine is starting."});
    cleanups.push(() => front.close());
    return front;
}

const completion = {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "tiny",
    choices: [{index: 0, message: {role: "assistant", content: "hello"}, finish_reason: "stop"}],
    usage: {prompt_tokens: 1, completion_tokens: 1, total_tokens: 2}
};

describe("the serving front between clients and the engine", () => {
    it("turns a non-streamed answer the engine's death cuts into a 502 in the protocol's shape, never a truncated 200", async () => {
        const upstream = await startUpstream((request, response) => {
            const whole = JSON.stringify(completion);
            if (request.url === "/v1/chat/completions") {
                // The whole JSON written, chunked, then the process dies before the answer's end.
                response.writeHead(200, {"content-type": "application/json"});
                response.write(whole);
                setTimeout(() => response.socket?.destroy(), 50);
            } else {
                // Half the promised body written.
                response.writeHead(200, {"content-type": "application/json", "content-length": String(whole.length)});
                response.write(whole.slice(0, 40));
                setTimeout(() => response.socket?.destroy(), 50);
            }
        });
        cleanups.push(() => upstream.close());
        const front = await frontBefore(upstream);

        const openai = new OpenAI({baseURL: front.baseUrl, apiKey: "x", maxRetries: 0});
        await expect(openai.chat.completions.create({model: "tiny", messages: [{role: "user", content: "hi"}]})).rejects.toMatchObject({
            status: 502,
            code: "engine_stopped",
            type: "server_error",
            message: expect.stringContaining("engine process stopped while answering")
        });
        const anthropic = new Anthropic({baseURL: front.baseUrl.replace(/\/v1$/, ""), apiKey: "x", maxRetries: 0});
        await expect(anthropic.messages.create({model: "tiny", max_tokens: 3, messages: [{role: "user", content: "hi"}]})).rejects.toMatchObject({
            status: 502,
            error: {type: "error", error: {type: "api_error", message: expect.stringContaining("engine process stopped")}}
        });
    });

    it("passes a whole non-streamed answer on unchanged", async () => {
        const upstream = await startUpstream((_request, response) => {
            response.writeHead(200, {"content-type": "application/json", "x-request-id": "r1"});
            response.end(JSON.stringify(completion));
        });
        cleanups.push(() => upstream.close());
        const front = await frontBefore(upstream);
        const openai = new OpenAI({baseURL: front.baseUrl, apiKey: "x", maxRetries: 0});
        const {data, response} = await openai.chat.completions.create({model: "tiny", messages: [{role: "user", content: "hi"}]}).withResponse();
        expect(data).toEqual(completion);
        expect(response.headers.get("x-request-id")).toBe("r1");
        expect(response.headers.get("content-length")).toBe(String(JSON.stringify(completion).length));
    });

    it("sends a request once more on a fresh connection when the pooled one closes as it goes out", async () => {
        // Every connection's second request meets a closed connection, as when the engine's idle
        // keep-alive timeout closes it just as the front reuses it.
        const upstream = await startUpstream((request, response, body, requestOnSocket) => {
            if (requestOnSocket > 1) return void request.socket.destroy();
            response.writeHead(200, {"content-type": "application/json"});
            response.end(JSON.stringify({...completion, choices: [{...completion.choices[0], message: {role: "assistant", content: body}}]}));
        });
        cleanups.push(() => upstream.close());
        const front = await frontBefore(upstream);
        const openai = new OpenAI({baseURL: front.baseUrl, apiKey: "x", maxRetries: 0});

        for (const word of ["first", "second", "third"]) {
            const reply = await openai.chat.completions.create({model: "tiny", messages: [{role: "user", content: word}]});
            // The answer to this request, with its body intact on the second try.
            expect(JSON.parse(reply.choices[0]!.message.content!)).toMatchObject({messages: [{role: "user", content: word}]});
        }
        expect(upstream.answered.map((entry) => JSON.parse(entry.body).messages[0].content)).toEqual(["first", "second", "third"]);
    });
});
