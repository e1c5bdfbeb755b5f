import { describe, expect, it } from "vitest";
import { AgentMessage, ControlMessage, decodeMessage, statsTable } from "../src";

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

  it("carries stats as a table: one row of figures per id, only CPU may be unknown", () => {
    const id = "c".repeat(64);
    const row = { id, cpuPercent: null, memoryBytes: 5, memoryLimitBytes: 10, netRxBytes: 1, netTxBytes: 2, blockReadBytes: 3, blockWriteBytes: 4, pids: 6 };
    const table = statsTable({ at: 1, intervalMs: 5000, containers: [row] });
    expect(table).toEqual({ type: "stats.table", at: 1, intervalMs: 5000, ids: [id], figures: [null, 5, 10, 1, 2, 3, 4, 6] });
    expect(decodeMessage(AgentMessage, JSON.stringify(table))).toEqual({ ok: true, message: table });
    const short = { ...table, figures: table.figures.slice(1) };
    expect(decodeMessage(AgentMessage, JSON.stringify(short))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/8 numbers per id/) } });
    const nullMemory = { ...table, figures: [1, null, 10, 1, 2, 3, 4, 6] };
    expect(decodeMessage(AgentMessage, JSON.stringify(nullMemory))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/only cpuPercent may be null/) } });
    expect(decodeMessage(AgentMessage, JSON.stringify({ ...table, figures: [1, -5, 10, 1, 2, 3, 4, 6] })).ok).toBe(false);
    expect(decodeMessage(AgentMessage, JSON.stringify({ ...table, ids: ["../etc"] }))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/64 hex digits/) } });
  });
});
