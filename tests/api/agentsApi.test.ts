import net from "node:net";
import {describe, expect, it} from "vitest";
import {startApp} from "../utils/startApp.ts";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const {port} = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

// The Connect screen's methods over HTTP; the engine side is tests/e2e/connect.test.ts.
describe("agents API", () => {
    it("builds each agent's set-up for a server, with its key, without touching the user's config", async () => {
        await using app = await startApp();
        const codex = await app.client.call("agents.connection", {agent: "codex", baseUrl: "http://127.0.0.1:9123/v1", model: "qwen", apiKey: "sk-1"});
        expect(codex.launch).toBe("agentfit launch codex --model qwen");
        expect(codex.files).toEqual([{path: "config.toml", content: expect.stringContaining(`base_url = "http://127.0.0.1:9123/v1"`)}]);
        expect(codex.shell).toContain(`export CODEX_HOME="$AGENTFIT_AGENT_CONFIG"`);
        expect(codex.shell).toContain("export AGENTFIT_API_KEY=sk-1");
        expect(codex.shell).toContain("model_context_window = 32768");
        const served = await app.client.call("agents.connection", {agent: "codex", baseUrl: "http://127.0.0.1:9123/v1", model: "qwen", contextSize: 16384});
        expect(served.shell).toContain("model_context_window = 16384");
        const claude = await app.client.call("agents.connection", {agent: "claude-code", baseUrl: "http://127.0.0.1:9123/v1", model: "my model"});
        expect(claude.shell).toContain("export ANTHROPIC_BASE_URL=http://127.0.0.1:9123\n");
        expect(claude.shell).toContain("claude --model 'my model'");
        expect(claude.launch).toBe("agentfit launch claude-code --model 'my model'");
    });

    it("reports a connection test that cannot reach the server as failed, with the reason, and refuses a bad target", async () => {
        await using app = await startApp();
        const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
        const result = await app.client.call("agents.testConnection", {agent: "claude-code", baseUrl, model: "qwen"});
        expect(result).toMatchObject({agent: "claude-code", protocol: "anthropic-messages", ok: false, status: null, events: 0});
        expect(result.message).toMatch(/ECONNREFUSED/);
        const chat = await app.client.call("agents.testConnection", {protocol: "openai-chat", baseUrl, model: "qwen"});
        expect(chat).toMatchObject({agent: null, protocol: "openai-chat", ok: false});

        await expect(app.client.call("agents.testConnection", {agent: "claude-code", protocol: "openai-chat", baseUrl, model: "qwen"} as never)).rejects.toMatchObject({code: "INVALID_ARGUMENT"});
        await expect(app.client.call("agents.testConnection", {agent: "cursor", baseUrl, model: "qwen"} as never)).rejects.toMatchObject({code: "INVALID_ARGUMENT"});
        await expect(app.client.call("agents.connection", {agent: "codex", baseUrl: "file:///etc/passwd", model: "qwen"})).rejects.toMatchObject({code: "INVALID_ARGUMENT"});
    });
});
