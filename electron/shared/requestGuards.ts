/**
 * Host-header check against DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends
 * `Host: evil.example`, which is refused. Loopback names and the explicitly configured host pass.
 */
export function isAllowedHost(hostHeader: string | undefined, configuredHost: string, extraHosts: readonly string[] = []): boolean {
    if (!hostHeader) return false;
    const name = stripPort(hostHeader).toLowerCase();
    const allowed = new Set(["localhost", "127.0.0.1", "::1", "[::1]", configuredHost.toLowerCase(), ...extraHosts.map((h) => h.toLowerCase())]);
    if (name.endsWith(".localhost")) return true;
    return allowed.has(name) || allowed.has(`[${name}]`);
}

function stripPort(host: string): string {
    if (host.startsWith("[")) {
        const end = host.indexOf("]");
        return end > 0 ? host.slice(0, end + 1) : host;
    }
    const colon = host.lastIndexOf(":");
    return colon > 0 && host.indexOf(":") === colon ? host.slice(0, colon) : host;
}

/** Same-origin check for browsers: an Origin header, when sent, must name the host being served. */
export function isSameOrigin(originHeader: string | undefined, hostHeader: string | undefined): boolean {
    if (!originHeader) return true;
    try {
        return new URL(originHeader).host.toLowerCase() === (hostHeader ?? "").toLowerCase();
    } catch {
        return false;
    }
}

/** Whether a socket's remote address (or a host to bind) is this machine's loopback: 127.0.0.0/8, ::1, IPv4-mapped loopback, localhost. */
export function isLoopbackAddress(address: string | undefined): boolean {
    if (!address) return false;
    const name = address.toLowerCase().replace(/^\[|\]$/g, "");
    if (name === "localhost" || name === "::1") return true;
    const v4 = name.startsWith("::ffff:") ? name.slice("::ffff:".length) : name;
    return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
