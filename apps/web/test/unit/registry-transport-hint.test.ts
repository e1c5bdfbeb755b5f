import { describe, expect, it } from "vitest";
import { transportHint } from "../../server/registries/registry-client";

describe("a registry's transport failure in words", () => {
  it("names which way TLS is mismatched, and which setting to change", () => {
    expect(transportHint("ERR_SSL_WRONG_VERSION_NUMBER", false)).toMatch(/^this registry speaks plain HTTP, not HTTPS; tick "Plain HTTP"/);
    expect(transportHint("ERR_SSL_PACKET_LENGTH_TOO_LONG", false)).toMatch(/speaks plain HTTP/);
    expect(transportHint("UND_ERR_SOCKET", true)).toMatch(/closed the connection: if it speaks HTTPS, not plain HTTP; untick "Plain HTTP"/);
    expect(transportHint("DEPTH_ZERO_SELF_SIGNED_CERT", false)).toMatch(/certificate is not trusted here .*NODE_EXTRA_CA_CERTS/);
  });

  it("adds nothing where the setting is not the cause", () => {
    expect(transportHint("ECONNREFUSED", false)).toBeNull();
    expect(transportHint("ENOTFOUND", true)).toBeNull();
    // Plain HTTP cannot fail a TLS handshake; HTTPS closing the connection is not a scheme mismatch.
    expect(transportHint("ERR_SSL_WRONG_VERSION_NUMBER", true)).toBeNull();
    expect(transportHint("UND_ERR_SOCKET", false)).toBeNull();
  });
});
