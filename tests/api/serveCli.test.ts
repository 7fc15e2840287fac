import fs from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import {describe, expect, it} from "vitest";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {runCli} from "../utils/runCli.ts";
import {rawHttp} from "../utils/rawHttp.ts";
import {startServeCli} from "../utils/startServeCli.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

describe("agentfit serve", () => {
    it("prints the base URL once ready, serves the OpenAI API, logs each request, and stops cleanly on Ctrl-C", async () => {
        using home = createTempHome();
        const model = writeGgufModel(path.join(home.models, "tiny.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        const requestLog = path.join(home.home, "requests.jsonl");
        await using serve = await startServeCli(
            ["--model", model.path, "--ctx", "1024", "--threads", "1", "--parallel", "2", "--api-key", "sk-cli", "--request-log", requestLog],
            home.env
        );
        const {baseUrl} = serve;
        const stderr = () => serve.stderr();
        await expect.poll(stderr).toContain("Serving tiny at");
        expect(stderr()).toMatch(/1024 tokens × 2 parallel/);
        // Within the trained context: nothing to say about it.
        expect(stderr()).not.toMatch(/Capped|Warning/);

        const client = new OpenAI({baseURL: baseUrl, apiKey: "sk-cli", maxRetries: 0});
        const reply = await client.chat.completions.create({model: "tiny", messages: [{role: "user", content: "hi"}], max_tokens: 3});
        expect(reply.usage!.completion_tokens).toBe(3);
        await expect(new OpenAI({baseURL: baseUrl, apiKey: "wrong", maxRetries: 0}).models.list()).rejects.toMatchObject({status: 401});
        // Codex sends hosted tools besides its functions: left out of what the model is offered, said once for the request.
        await client.responses.create({
            model: "tiny",
            input: "hi",
            max_output_tokens: 2,
            tools: [{type: "web_search"}, {type: "local_shell"}, {type: "function", name: "ls", parameters: {type: "object", properties: {}}, strict: false}]
        });

        // The server log (stderr) and the request log (JSON lines) have every request.
        await expect.poll(stderr).toMatch(/POST \/v1\/responses 200 \S+ m?s · prompt \d+ \(\d+ cached\) · 2 generated · tools left out \(hosted tools a local model is not offered\): web_search, local_shell\n/);
        expect(stderr()).toMatch(/POST \/v1\/chat\/completions 200 .* · 3 generated\n/);
        expect(stderr()).toMatch(/GET \/v1\/models 401 /);
        expect(stderr().match(/tools left out/g)).toHaveLength(1);
        const logged = fs.readFileSync(requestLog, "utf8").trim().split("\n").map((line) => JSON.parse(line) as {method: string; path: string; status: number; stream: boolean; usage: {completionTokens: number} | null; notes: string[]});
        expect(logged.map((entry) => [entry.method, entry.path, entry.status])).toEqual([
            ["POST", "/v1/chat/completions", 200],
            ["GET", "/v1/models", 401],
            ["POST", "/v1/responses", 200]
        ]);
        expect(logged[0]).toMatchObject({stream: false, usage: {completionTokens: 3}, notes: []});
        expect(logged[1]).toMatchObject({usage: null, notes: []});
        expect(logged[2]!.notes).toEqual(["tools left out (hosted tools a local model is not offered): web_search, local_shell"]);
        // Neither the server's key nor the wrong one a client sent is ever logged.
        for (const secret of ["sk-cli", "wrong"]) {
            expect(stderr()).not.toContain(secret);
            expect(fs.readFileSync(requestLog, "utf8")).not.toContain(secret);
        }

        expect(await serve.stop()).toBe(0);
        expect(stderr()).not.toContain("engine stopped");
        await expect(rawHttp(`${baseUrl}/models`)).rejects.toThrow(/ECONNREFUSED/);
    });

    it("restarts a killed engine behind the port it first bound (port 0), so clients keep working, and says what is known of the kill", async () => {
        using home = createTempHome();
        const model = writeGgufModel(path.join(home.models, "tiny.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        await using serve = await startServeCli(["--model", model.path, "--ctx", "1024", "--threads", "1"], home.env);
        const client = new OpenAI({baseURL: serve.baseUrl, apiKey: "x", maxRetries: 0});
        expect((await client.chat.completions.create({model: "tiny", messages: [{role: "user", content: "hi"}], max_tokens: 3})).usage!.completion_tokens).toBe(3);

        process.kill(serve.enginePid(), "SIGKILL");
        await expect.poll(() => serve.stderr(), {timeout: 120_000}).toContain(`Serving tiny again at ${serve.baseUrl}  (restart 1 after a crash)`);
        expect(serve.stderr()).toMatch(/The engine stopped: The engine process was killed (by SIGKILL|\(SIGKILL\)|by the kernel's out-of-memory killer)/);
        expect(serve.stderr()).toContain("Restarting it (attempt 1 of 3) in 1 s…");
        expect((await client.chat.completions.create({model: "tiny", messages: [{role: "user", content: "hi"}], max_tokens: 3})).usage!.completion_tokens).toBe(3);
    });

    it("says when it caps the context at the model's trained length, or serves beyond it", async () => {
        using home = createTempHome();
        const model = writeGgufModel(path.join(home.models, "short.Q8_0.gguf"), {...ggufModelPresets.tiny, contextLength: 2048, type: "Q8_0"});
        const serve = async (extra: string[]) => {
            const cli = await startServeCli(["--model", model.path, "--threads", "1", ...extra], home.env);
            const models = (await new OpenAI({baseURL: cli.baseUrl, apiKey: "unused", maxRetries: 0}).models.list()).data as unknown as {meta: Record<string, unknown>}[];
            expect(await cli.stop()).toBe(0);
            return {stderr: cli.stderr(), meta: models[0]!.meta};
        };
        // No context asked for: the 32k agent default is capped at the trained 2,048.
        const capped = await serve([]);
        expect(capped.stderr).toContain("Capped: Context capped at 2,048 tokens, the length the model was trained for; the agent default is 32,768");
        expect(capped.meta).toMatchObject({n_ctx: 2048, n_ctx_train: 2048, quantization: "Q8_0"});
        // A context beyond the trained one is served as asked, with a warning.
        const beyond = await serve(["--ctx", "4096"]);
        expect(beyond.stderr).toContain("Warning: Context 4,096 tokens goes beyond the 2,048 the model was trained for");
        expect(beyond.meta).toMatchObject({n_ctx: 4096, n_ctx_train: 2048});
    }, 300_000);

    it("fails with a clear error code for a model that does not exist", async () => {
        using home = createTempHome();
        const result = await runCli(["serve", "--model", path.join(home.home, "nope.gguf"), "--port", "0"], home.env);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain("error [MODEL_NOT_FOUND]");
        const badFlag = await runCli(["serve", "--model", "x", "--kv-type", "q3"], home.env);
        expect(badFlag.code).not.toBe(0);
        expect(badFlag.stderr).toContain("--kv-type must be f16, q8_0 or q4_0");
    });
});
