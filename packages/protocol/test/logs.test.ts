import { describe, expect, it } from "vitest";
import { LogsClientMessage, StreamControlMessage, decodeMessage, engineTimestamp } from "../src";

const id = "b".repeat(64);

describe("log stream messages", () => {
  it("accepts an open with a range, and refuses a range that ends before it starts or a bad container id", () => {
    const open = { type: "open", stream: 1, hostId: "host_1", containerId: id, options: { follow: true, timestamps: false, tail: 100, since: 1_000 } };
    expect(decodeMessage(LogsClientMessage, JSON.stringify(open))).toMatchObject({ ok: true });
    expect(decodeMessage(LogsClientMessage, JSON.stringify({ ...open, options: { ...open.options, until: 500 } }))).toMatchObject({ ok: false, error: { message: expect.stringContaining("since must not be after until") } });
    expect(decodeMessage(LogsClientMessage, JSON.stringify({ ...open, containerId: "../x" }))).toMatchObject({ ok: false });
    expect(decodeMessage(LogsClientMessage, JSON.stringify({ ...open, stream: 0 }))).toMatchObject({ ok: false });
    expect(decodeMessage(LogsClientMessage, JSON.stringify({ ...open, options: { ...open.options, tail: -1 } }))).toMatchObject({ ok: false });
  });

  it("shares the agent stream socket's control messages with terminals", () => {
    const start = { type: "logs.start", containerId: id, options: { follow: false, timestamps: true } };
    expect(decodeMessage(StreamControlMessage, JSON.stringify(start))).toEqual({ ok: true, message: start });
  });

  it("words times as the engine's since/until take them (seconds with a fraction)", () => {
    expect(engineTimestamp(1_700_000_000_042)).toBe("1700000000.042");
    expect(engineTimestamp(5)).toBe("0.005");
  });
});
