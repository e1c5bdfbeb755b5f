import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../server/audit/audit-log";
import { type TestStack, startStack } from "./support/stack";

const alice: Actor = { type: "user", id: "u1", name: "alice@example.com", ip: "10.0.0.1", userAgent: "test" };

describe("tamper-evident audit chain", () => {
  let stack: TestStack;
  let raw: Database.Database;

  beforeAll(async () => {
    // SQLite on every pass: this file tampers with the SQLite file itself; postgres.test.ts checks the chain and search on PostgreSQL.
    stack = await startStack({}, { sqliteOnly: true });
    raw = new Database(path.join(stack.dataDir, "stevedore.db"));
  });
  afterAll(async () => {
    raw.close();
    await stack.close();
  });
  beforeEach(async () => {
    raw.exec("DELETE FROM audit_entry");
    for (let i = 1; i <= 6; i++) {
      await stack.cp.services.audit.append({ requestId: `req_${i}`, phase: "succeeded", action: "container.stop", actor: alice, targetId: `c${i}`, targetName: `web-${i}` });
    }
  });

  const seqs = () => (raw.prepare("SELECT seq FROM audit_entry ORDER BY seq").all() as { seq: number }[]).map((r) => r.seq);

  it("verifies an untouched chain, including appends made concurrently", async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => stack.cp.services.audit.append({ requestId: `c_${i}`, phase: "requested", action: "container.kill", actor: alice })));
    const result = await stack.cp.services.audit.verify();
    expect(result).toMatchObject({ ok: true, checked: 46 });
  });

  it("detects an edited entry", async () => {
    const third = seqs()[2]!;
    raw.prepare("UPDATE audit_entry SET actorName = 'mallory@example.com' WHERE seq = ?").run(third);
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: false, brokenAt: third, reason: expect.stringMatching(/edited/) });
  });

  it("detects a deleted entry", async () => {
    const s = seqs();
    raw.prepare("DELETE FROM audit_entry WHERE seq = ?").run(s[2]);
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: false, brokenAt: s[3], reason: expect.stringMatching(/does not link/) });
  });

  it("detects reordered entries", async () => {
    const s = seqs();
    // Swap every column of two rows but their sequence numbers: the same entries, in another order.
    const cols = "id, at, requestId, phase, action, actorType, actorId, actorName, sourceIp, userAgent, hostId, hostName, targetType, targetId, targetName, params, error, prevHash, hash";
    const a = raw.prepare(`SELECT ${cols} FROM audit_entry WHERE seq = ?`).get(s[1]) as Record<string, unknown>;
    const b = raw.prepare(`SELECT ${cols} FROM audit_entry WHERE seq = ?`).get(s[2]) as Record<string, unknown>;
    const set = cols.split(", ").map((c) => `${c} = @${c}`).join(", ");
    raw.transaction(() => {
      raw.prepare(`UPDATE audit_entry SET id = 'tmp1', hash = 'tmp1' WHERE seq = ?`).run(s[1]);
      raw.prepare(`UPDATE audit_entry SET ${set} WHERE seq = ${s[2]}`).run(a);
      raw.prepare(`UPDATE audit_entry SET ${set} WHERE seq = ${s[1]}`).run(b);
    })();
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: false, brokenAt: s[1] });
  });
});
