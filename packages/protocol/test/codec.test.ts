import { describe, expect, it } from "vitest";
import { AgentMessage, ControlMessage, decodeMessage } from "../src";

describe("decodeMessage", () => {
  it("accepts a valid message and returns it typed", () => {
    const r = decodeMessage(AgentMessage, JSON.stringify({ type: "heartbeat", sentAt: 1 }));
    expect(r).toEqual({ ok: true, message: { type: "heartbeat", sentAt: 1 } });
  });

  it("tells not-JSON, unknown type, invalid fields and oversize apart, without throwing", () => {
    expect(decodeMessage(AgentMessage, "{")).toMatchObject({ ok: false, error: { code: "bad_message", message: expect.stringMatching(/not JSON/) } });
    expect(decodeMessage(AgentMessage, '{"type":"rm -rf"}')).toMatchObject({ ok: false, error: { code: "unknown_type" } });
    expect(decodeMessage(AgentMessage, "[]")).toMatchObject({ ok: false, error: { code: "bad_message" } });
    expect(decodeMessage(AgentMessage, '{"type":"container.remove","id":"../../etc"}')).toMatchObject({
      ok: false,
      error: { code: "bad_message", message: expect.stringMatching(/id/) },
    });
    expect(decodeMessage(AgentMessage, Buffer.alloc(200, 32), 100)).toMatchObject({ ok: false, error: { code: "too_large" } });
  });

  it("validates requests' params per method", () => {
    const ok = decodeMessage(ControlMessage, JSON.stringify({ type: "request", requestId: "1", method: "container.top", params: { id: "a".repeat(64) } }));
    expect(ok.ok).toBe(true);
    const bad = decodeMessage(ControlMessage, JSON.stringify({ type: "request", requestId: "1", method: "container.top", params: { id: "A;reboot" } }));
    expect(bad.ok).toBe(false);
  });
});
