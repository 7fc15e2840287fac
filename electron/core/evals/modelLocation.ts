import net from "node:net";
import type {EvalModelLocation, EvalModelSpec} from "../../api/EvalApi.ts";

/** Addresses that never leave this machine or its private network. */
const privateNetworks = new net.BlockList();
for (const [address, prefix] of [
    ["0.0.0.0", 8], // "this host"
    ["127.0.0.0", 8],
    ["10.0.0.0", 8],
    ["172.16.0.0", 12],
    ["192.168.0.0", 16],
    ["169.254.0.0", 16] // link-local
] as const)
    privateNetworks.addSubnet(address, prefix, "ipv4");
privateNetworks.addAddress("::", "ipv6");
privateNetworks.addAddress("::1", "ipv6");
privateNetworks.addSubnet("fc00::", 7, "ipv6"); // unique local
privateNetworks.addSubnet("fe80::", 10, "ipv6"); // link-local

/**
 * Whether a host name or address is this machine or a private network: loopback (127.0.0.0/8, ::1,
 * localhost), private ranges (10/8, 172.16/12, 192.168/16, fc00::/7), link-local, and mDNS `*.local`
 * names. Names are not resolved: any other name counts as remote.
 */
export function isPrivateHost(host: string): boolean {
    const name = host.trim().toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
    if (name === "localhost" || name.endsWith(".localhost") || name.endsWith(".local")) return true;
    const family = net.isIP(name);
    return family !== 0 && privateNetworks.check(name, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Where an eval model runs. AgentFit's engine is local; an OpenAI-compatible server is local when its
 * base URL is a loopback or private address (Ollama, LM Studio, llama-server, another `agentfit
 * serve`) and cloud otherwise. The named cloud providers are remote services whatever their base URL
 * (a local one is a proxy or gateway in front of them, or a stand-in speaking their protocol).
 */
export function modelLocation(spec: Pick<EvalModelSpec, "provider" | "baseUrl">): EvalModelLocation {
    if (spec.provider === "local") return "engine";
    if (spec.provider !== "openai-compatible" || !spec.baseUrl) return "cloud";
    try {
        return isPrivateHost(new URL(spec.baseUrl).hostname) ? "local-server" : "cloud";
    } catch {
        return "cloud";
    }
}
