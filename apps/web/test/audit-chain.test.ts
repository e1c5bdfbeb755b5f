import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../server/audit/audit-log";
import { type TestStack, startStack } from "./support/stack";

const alice: Actor = { type: "user", id: "u1", name: "alice@example.com", ip: "10.0.0.1", userAgent: "test" };

// Tampering goes straight to the database, past the application (SQL that SQLite and PostgreSQL share).
describe("tamper-evident audit chain", () => {
  let stack: TestStack;
  const db = () => stack.cp.services.db;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(async () => {
    await db().$executeRaw`DELETE FROM "audit_entry"`;
    for (let i = 1; i <= 6; i++) {
      await stack.cp.services.audit.append({ requestId: `req_${i}`, phase: "succeeded", action: "container.stop", actor: alice, targetId: `c${i}`, targetName: `web-${i}` });
    }
  });

  const seqs = async () => (await db().$queryRaw<{ seq: number | bigint }[]>`SELECT "seq" FROM "audit_entry" ORDER BY "seq"`).map((r) => Number(r.seq));

  it("verifies an untouched chain, including appends made concurrently", async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => stack.cp.services.audit.append({ requestId: `c_${i}`, phase: "requested", action: "container.kill", actor: alice })));
    const result = await stack.cp.services.audit.verify();
    expect(result).toMatchObject({ ok: true, checked: 46 });
  });

  it("detects an edited entry", async () => {
    const third = (await seqs())[2]!;
    await db().$executeRaw`UPDATE "audit_entry" SET "actorName" = 'mallory@example.com' WHERE "seq" = ${third}`;
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: false, brokenAt: third, reason: expect.stringMatching(/edited/) });
  });

  it("detects a deleted entry", async () => {
    const s = await seqs();
    await db().$executeRaw`DELETE FROM "audit_entry" WHERE "seq" = ${s[2]}`;
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: false, brokenAt: s[3], reason: expect.stringMatching(/does not link/) });
  });

  it("detects reordered entries", async () => {
    const s = await seqs();
    // Swap every column of two rows but their sequence numbers: the same entries, in another order.
    const [a, b] = await Promise.all([s[1]!, s[2]!].map((seq) => db().auditEntry.findUniqueOrThrow({ where: { seq }, omit: { seq: true } })));
    if (!a || !b) throw new Error("two entries expected");
    await db().$transaction(async (tx) => {
      await tx.$executeRaw`UPDATE "audit_entry" SET "id" = 'tmp1', "hash" = 'tmp1' WHERE "seq" = ${s[1]}`;
      await tx.auditEntry.update({ where: { seq: s[2] }, data: a });
      await tx.auditEntry.update({ where: { seq: s[1] }, data: b });
    });
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: false, brokenAt: s[1] });
  });
});
