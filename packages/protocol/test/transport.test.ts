import { describe, expect, it } from "vitest";
import { CaPin, isInsecureUrl, isLoopbackHost } from "../src/transport";

describe("which control-plane URLs are insecure", () => {
  it("counts 127.0.0.0/8, ::1 and localhost as this machine, and nothing that merely looks like them", () => {
    for (const host of ["127.0.0.1", "127.255.0.9", "localhost", "LOCALHOST", "localhost.", "[::1]"]) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["128.0.0.1", "127.0.0.1.nip.io", "127.0.0.256", "127.0.0", "localhost.example.com", "[::2]", "10.0.0.1", "0.0.0.0", ""]) expect(isLoopbackHost(host), host).toBe(false);
  });

  it("reads the host as a URL parser does (userinfo, shorthand IPv4)", () => {
    expect(isInsecureUrl("http://10.0.0.1:3000")).toBe(true);
    expect(isInsecureUrl("http://127.0.0.1@evil.example")).toBe(true);
    expect(isInsecureUrl("http://evil.example@127.0.0.1")).toBe(false);
    expect(isInsecureUrl("http://127.1:3000")).toBe(false);
    expect(isInsecureUrl("https://10.0.0.1")).toBe(false);
    expect(isInsecureUrl("http://[::1]:3000")).toBe(false);
  });

  it("takes a CA pin as sha256: and 64 hex digits, lower-cased", () => {
    expect(CaPin.parse(` sha256:${"AB".repeat(32)} `)).toBe(`sha256:${"ab".repeat(32)}`);
    expect(CaPin.safeParse(`sha256:${"ab".repeat(31)}`).success).toBe(false);
    expect(CaPin.safeParse(`sha1:${"ab".repeat(32)}`).success).toBe(false);
  });
});
