import {describe, expect, it} from "vitest";
import {isPrivateHost, modelLocation} from "../../electron/core/evals/modelLocation.ts";

describe("where an eval model runs", () => {
    it("counts loopback, private, unique-local, link-local and .local addresses as this machine's network", () => {
        for (const host of [
            "127.0.0.1",
            "127.5.6.7",
            "localhost",
            "LOCALHOST.",
            "api.localhost",
            "[::1]",
            "::1",
            "10.0.0.2",
            "10.255.255.254",
            "172.16.0.1",
            "172.31.255.1",
            "192.168.1.20",
            "169.254.10.1",
            "[fd12:3456::1]",
            "fc00::1",
            "[fe80::1]",
            "gpu-box.local",
            "0.0.0.0",
            "::ffff:127.0.0.1",
            "[::ffff:7f00:1]"
        ])
            expect(isPrivateHost(host), host).toBe(true);
        for (const host of ["8.8.8.8", "172.32.0.1", "172.15.255.1", "192.169.0.1", "11.0.0.1", "api.openai.com", "localhost.example.com", "local", "2001:4860:4860::8888", "[2606:4700::1111]", "100.64.0.1"])
            expect(isPrivateHost(host), host).toBe(false);
    });

    it("is the engine for local models, a local server for OpenAI-compatible servers on those addresses, cloud otherwise", () => {
        expect(modelLocation({provider: "local"})).toBe("engine");
        for (const baseUrl of ["http://127.0.0.1:11434/v1", "http://localhost:1234/v1", "http://[::1]:8080/v1", "http://192.168.1.20:8080/v1", "http://10.0.0.5/v1", "http://studio.local:1234/v1"])
            expect(modelLocation({provider: "openai-compatible", baseUrl}), baseUrl).toBe("local-server");
        for (const baseUrl of ["https://api.together.xyz/v1", "https://8.8.8.8/v1", "not a url"]) expect(modelLocation({provider: "openai-compatible", baseUrl}), baseUrl).toBe("cloud");
        // A named cloud provider is a remote service even behind a local proxy or a test stand-in.
        expect(modelLocation({provider: "openai", baseUrl: "http://127.0.0.1:4000/v1"})).toBe("cloud");
        expect(modelLocation({provider: "anthropic"})).toBe("cloud");
    });
});
