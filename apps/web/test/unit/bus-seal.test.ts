import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { BusRejections } from "../../server/cluster/bus-rejections";
import { BUS_SKEW_MS, BusSeal } from "../../server/cluster/bus-seal";
import { ReplayGuard } from "../../server/cluster/replay-guard";

const KEY = "bus-key-for-unit-tests-".repeat(2);
const seal = new BusSeal(KEY);

describe("bus envelopes (BusSeal)", () => {
  it("opens what it sealed, on the channel it was sealed for, and hides the payload", () => {
    const raw = seal.seal("replica:a", "b", { t: "call", params: { password: "hunter2-hunter2" } });
    expect(raw).not.toContain("hunter2");
    const opened = seal.open("replica:a", raw);
    expect(opened).toMatchObject({ ok: true, from: "b", payload: { t: "call", params: { password: "hunter2-hunter2" } } });
    const envelope = JSON.parse(raw) as Record<string, unknown>;
    expect(Object.keys(envelope).sort()).toEqual(["ch", "ct", "from", "id", "iv", "mac", "ts", "v"]);
  });

  it("refuses a message moved to another channel, signed with another key, or with any field changed", () => {
    const raw = seal.seal("replica:a", "b", { t: "call" });
    expect(seal.open("replica:c", raw)).toEqual({ ok: false, reason: "bad_signature" });
    expect(new BusSeal("another-bus-key-another-bus-key!").open("replica:a", raw)).toEqual({ ok: false, reason: "bad_signature" });
    const envelope = JSON.parse(raw) as Record<string, unknown>;
    for (const [field, value] of [["from", "c"], ["ch", "replica:c"], ["ts", (envelope.ts as number) + 1], ["id", "A".repeat(22)], ["ct", "AAAA" + (envelope.ct as string).slice(4)]] as const) {
      expect(seal.open(field === "ch" ? "replica:c" : "replica:a", JSON.stringify({ ...envelope, [field]: value })), field).toEqual({ ok: false, reason: "bad_signature" });
    }
  });

  it("calls anything that is not an envelope unsigned, and never throws on garbage", () => {
    for (const raw of ["", "not json", "null", "[]", JSON.stringify({ from: "b", m: { t: "call" } }), JSON.stringify({ ...JSON.parse(seal.seal("x", "b", 1)), mac: undefined })]) {
      expect(seal.open("x", raw)).toEqual({ ok: false, reason: "unsigned" });
    }
  });

  it("drops a message dated outside the window either way", () => {
    const now = Date.now();
    expect(seal.open("x", seal.seal("x", "b", 1, now - BUS_SKEW_MS - 1), now)).toEqual({ ok: false, reason: "stale" });
    expect(seal.open("x", seal.seal("x", "b", 1, now + BUS_SKEW_MS + 1), now)).toEqual({ ok: false, reason: "stale" });
    expect(seal.open("x", seal.seal("x", "b", 1, now - BUS_SKEW_MS + 1_000), now)).toMatchObject({ ok: true });
  });

  it("signs a stored value for its key, field and expiry", () => {
    const now = Date.now();
    const stored = seal.signValue("ticket:terminal:abc", null, '{"userId":"u1"}', now + 30_000);
    expect(seal.openValue("ticket:terminal:abc", null, stored, now)).toBe('{"userId":"u1"}');
    expect(seal.openValue("ticket:terminal:abd", null, stored, now)).toBeNull();
    expect(seal.openValue("ticket:terminal:abc", "f", stored, now)).toBeNull();
    expect(seal.openValue("ticket:terminal:abc", null, stored.replace("u1", "u2"), now)).toBeNull();
    expect(seal.openValue("ticket:terminal:abc", null, '{"userId":"u1"}', now)).toBeNull();
    // Written back long after it expired (a value copied out earlier): refused.
    expect(seal.openValue("ticket:terminal:abc", null, stored, now + 30_000 + BUS_SKEW_MS + 1)).toBeNull();
    const field = seal.signValue("terminals", "sess_1", "{}", null);
    expect(seal.openValue("terminals", "sess_1", field)).toBe("{}");
    expect(seal.openValue("terminals", "sess_2", field)).toBeNull();
  });
});

describe("ReplayGuard", () => {
  it("accepts an id once", () => {
    const guard = new ReplayGuard();
    const now = Date.now();
    expect(guard.firstSight("id-1", now, now)).toBe(true);
    expect(guard.firstSight("id-1", now, now + 1_000)).toBe(false);
    expect(guard.firstSight("id-2", now, now + 1_000)).toBe(true);
  });

  it("forgets ids once their messages are out of the window, and stays bounded when full", () => {
    const guard = new ReplayGuard(3);
    const now = Date.now();
    for (const [i, id] of ["a", "b", "c"].entries()) expect(guard.firstSight(id, now + i, now)).toBe(true);
    // Full: "a" is forgotten to make room, and anything dated at or before it is refused from now on.
    expect(guard.firstSight("d", now + 3, now)).toBe(true);
    expect(guard.size).toBe(3);
    expect(guard.firstSight("a", now, now)).toBe(false);
    expect(guard.firstSight("e", now - 5, now)).toBe(false);
    // Past the window every id goes.
    expect(guard.firstSight("f", now + BUS_SKEW_MS * 2, now + BUS_SKEW_MS * 2)).toBe(true);
    expect(guard.size).toBe(1);
  });
});

describe("BusRejections", () => {
  it("counts every drop but logs one line per reason per 10 s, with the count and never a payload", () => {
    const lines: string[] = [];
    const log = pino({ level: "warn" }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
    const refused = new BusRejections(log);
    for (let i = 0; i < 50; i++) refused.count("bad_signature", { channel: "replica:a" });
    refused.count("bad_value", { key: "ticket:terminal:x" });
    expect(refused.snapshot()).toEqual({ unsigned: 0, bad_signature: 50, stale: 0, replayed: 0, bad_value: 1 });
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, reason: "bad_signature", channel: "replica:a", since: 1 });
  });
});
