// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { CLIENT_IP_HEADER, LINK_CLIENT_IP_HEADER, LINK_TOKEN_HEADER, stampClientAddress } from "../server/client-address";

function request(headers: Record<string, string>, remoteAddress = "::ffff:10.0.0.9"): IncomingMessage {
  return { headers: { ...headers }, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe("the client address", () => {
  it("is the socket's peer; a client's own X-Forwarded-For is dropped unless a proxy is trusted", () => {
    const req = request({ "x-forwarded-for": "1.2.3.4" });
    expect(stampClientAddress(req, false)).toBe("10.0.0.9");
    expect(req.headers[CLIENT_IP_HEADER]).toBe("10.0.0.9");
    expect(req.headers["x-forwarded-for"]).toBeUndefined();
    expect(stampClientAddress(request({ "x-forwarded-for": "1.2.3.4, 5.6.7.8" }), true)).toBe("5.6.7.8");
  });

  it("is the one another replica names only with the right link token", () => {
    const linked = request({ [LINK_TOKEN_HEADER]: "secret-token", [LINK_CLIENT_IP_HEADER]: "203.0.113.7" });
    expect(stampClientAddress(linked, false, "secret-token")).toBe("203.0.113.7");
    expect(linked.headers[LINK_TOKEN_HEADER]).toBeUndefined();

    const forged = request({ [LINK_TOKEN_HEADER]: "guessed-token", [LINK_CLIENT_IP_HEADER]: "203.0.113.7" });
    expect(stampClientAddress(forged, false, "secret-token")).toBe("10.0.0.9");
    expect(forged.headers[LINK_CLIENT_IP_HEADER]).toBeUndefined();
    expect(stampClientAddress(request({ [LINK_CLIENT_IP_HEADER]: "203.0.113.7" }), false, "secret-token")).toBe("10.0.0.9");
  });
});
