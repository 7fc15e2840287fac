import {describe, expect, it} from "vitest";
import {isAllowedHost, isSameOrigin} from "../../electron/shared/requestGuards.ts";

describe("isAllowedHost (DNS-rebinding guard)", () => {
    it("accepts loopback names with or without a port", () => {
        for (const host of ["127.0.0.1:5317", "localhost:5317", "localhost", "[::1]:5317", "app.localhost:80"])
            expect(isAllowedHost(host, "127.0.0.1"), host).toBe(true);
    });
    it("accepts the configured host and extra names", () => {
        expect(isAllowedHost("192.168.1.20:5317", "192.168.1.20")).toBe(true);
        expect(isAllowedHost("workstation.lan:5317", "0.0.0.0", ["workstation.lan"])).toBe(true);
    });
    it("refuses other names and a missing header", () => {
        expect(isAllowedHost("evil.example:5317", "127.0.0.1")).toBe(false);
        expect(isAllowedHost("127.0.0.1.evil.example", "127.0.0.1")).toBe(false);
        expect(isAllowedHost(undefined, "127.0.0.1")).toBe(false);
    });
});

describe("isSameOrigin", () => {
    it("allows no Origin (non-browser clients) and the page's own origin", () => {
        expect(isSameOrigin(undefined, "127.0.0.1:5317")).toBe(true);
        expect(isSameOrigin("http://127.0.0.1:5317", "127.0.0.1:5317")).toBe(true);
    });
    it("refuses another origin and garbage", () => {
        expect(isSameOrigin("https://evil.example", "127.0.0.1:5317")).toBe(false);
        expect(isSameOrigin("null", "127.0.0.1:5317")).toBe(false);
    });
});
