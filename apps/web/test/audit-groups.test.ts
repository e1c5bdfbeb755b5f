// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AuditAction } from "../server/audit/audit-actions";
import { type Actor, type AuditInput, AuditLog, type AuditQuery } from "../server/audit/audit-log";
import { MAX_REPEATS, finalEntry } from "../server/audit/audit-groups";
import { deriveAuditKeys } from "../server/audit/audit-key";
import { OUTSIDE_STEVEDORE } from "../server/audit/observed-events";
import type { AuditEntry } from "../src/generated/prisma/client";
import { type TestStack, startStack } from "./support/stack";

const alice: Actor = { type: "user", id: "u_alice", name: "alice@example.com" };
const X = "a".repeat(64);
const Y = "b".repeat(64);

/** The audit page's rows (AuditLog.groups) on the real database: grouping, paging over rows, repeats, exact search. */
describe("audit rows: one per request, paged over rows", () => {
  let stack: TestStack;
  let audit: AuditLog;
  let n = 0;
  const db = () => stack.cp.services.db;
  const append = (input: Partial<AuditInput> & { action: AuditAction }) => audit.append({ requestId: `req_${++n}`, phase: "succeeded", actor: alice, hostId: "h1", hostName: "node-1", targetType: "container", ...input });
  const observed = (action: string, targetId: string, at: Date) =>
    append({ requestId: `evt_${++n}`, phase: "observed", action: `container.${action}` as AuditAction, actor: OUTSIDE_STEVEDORE, targetId, targetName: targetId === X ? "crashy" : "other", at });
  /** Every page, following the cursor. */
  async function allPages(q: Omit<AuditQuery, "cursor"> = {}) {
    const pages: Awaited<ReturnType<AuditLog["groups"]>>[] = [];
    let cursor: number | undefined;
    do {
      const page = await audit.groups({ ...q, cursor });
      pages.push(page);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && pages.length < 1000);
    return pages;
  }

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(async () => {
    await db().$executeRaw`DELETE FROM "audit_entry"`;
    await db().$executeRaw`DELETE FROM "audit_term"`;
    audit = new AuditLog(db(), deriveAuditKeys(stack.cp.services.config.auditKey));
  });

  it("shows a request's entries as one row with its final outcome, a settled unknown included", async () => {
    const stop = await append({ requestId: "req_stop", phase: "requested", action: "container.stop", targetId: X, targetName: "api" });
    await append({ phase: "requested", action: "container.start", targetId: Y, targetName: "db" });
    await append({ requestId: "req_stop", phase: "unknown", action: "container.stop", targetId: X, targetName: "api", error: "the agent went away" });
    await append({ action: "host.revoke", targetType: "host", targetId: "h9", targetName: "gone" });
    const settled = await append({ requestId: "req_stop", phase: "succeeded", action: "container.stop", targetId: X, targetName: "api", params: { settled: "outcome settled from the host's state" } });
    const { rows, nextCursor } = await audit.groups({});
    expect(nextCursor).toBeNull();
    expect(rows.map((r) => r.key)).toEqual(["req_stop", expect.stringMatching(/^req_/), expect.stringMatching(/^req_/)]);
    expect(rows[0]!.entries.map((e) => e.phase)).toEqual(["requested", "unknown", "succeeded"]);
    expect(rows[0]!.head).toBe(settled.seq);
    expect(finalEntry(rows[0]!.entries).phase).toBe("succeeded");
    expect(rows[0]!.entries[0]!.seq).toBe(stop.seq);
    // The start is still only requested: its final entry says so.
    expect(finalEntry(rows[2]!.entries).phase).toBe("requested");
  });

  it("pages over rows: every request once and whole, newest first, however the pages fall", async () => {
    // 90 requests whose requested and outcome entries interleave with the others'.
    for (let i = 0; i < 90; i += 3) {
      for (let k = i; k < i + 3; k++) await append({ requestId: `r${k}`, phase: "requested", action: "container.restart", targetId: X, targetName: `c-${k}` });
      for (let k = i; k < i + 3; k++) await append({ requestId: `r${k}`, phase: k % 2 ? "failed" : "succeeded", action: "container.restart", targetId: X, targetName: `c-${k}`, error: k % 2 ? "no" : null });
    }
    const whole = await audit.groups({ limit: 500 });
    for (const limit of [1, 4, 7, 50]) {
      const pages = await allPages({ limit });
      const rows = pages.flatMap((p) => p.rows);
      expect(pages.slice(0, -1).every((p) => p.rows.length === limit), `limit ${limit}`).toBe(true);
      expect(rows.map((r) => r.key)).toEqual(whole.rows.map((r) => r.key));
      expect(rows.every((r) => r.entries.length === 2 && r.entries[0]!.phase === "requested")).toBe(true);
    }
    expect(whole.rows).toHaveLength(90);
    // Newest outcome first: the last request written comes first.
    expect(whole.rows[0]!.key).toBe("r89");
    // A filter keeps whole requests: the failed ones, each with its "requested".
    const failed = (await allPages({ phase: "failed", limit: 8 })).flatMap((p) => p.rows);
    expect(failed).toHaveLength(45);
    expect(failed.every((r) => r.entries.map((e) => e.phase).join() === "requested,failed")).toBe(true);
    // Filtered on the requested entries only, a request's later outcome still shows in its row, and no page repeats it.
    const requested = (await allPages({ phase: "requested", limit: 7 })).flatMap((p) => p.rows);
    expect(new Set(requested.map((r) => r.key)).size).toBe(90);
    expect(requested).toHaveLength(90);
  });

  it("collapses a crash-looping container's observed events into runs, broken by a request on it, paged without loss", async () => {
    const t0 = Date.UTC(2026, 0, 1);
    const written: AuditEntry[] = [];
    for (let i = 0; i < 120; i++) {
      written.push(await observed(["die", "start", "restart"][i % 3]!, X, new Date(t0 + i * 1000)));
      if (i % 4 === 0) written.push(await observed("die", Y, new Date(t0 + i * 1000)));
      if (i === 60) written.push(await append({ requestId: "req_user", action: "container.stop", targetId: X, targetName: "crashy" }));
    }
    // Every entry exactly once, in small pages too (a run cut by a page goes on in the next).
    const all = written.map((e) => e.seq).sort((a, b) => a - b);
    for (const limit of [2, 5]) expect((await allPages({ limit })).flatMap((p) => p.rows.flatMap((r) => r.entries.map((e) => e.seq))).sort((a, b) => a - b)).toEqual(all);
    const rows = (await allPages({ limit: 50 })).flatMap((p) => p.rows);
    expect(rows.flatMap((r) => r.entries.map((e) => e.seq)).sort((a, b) => a - b)).toEqual(all);
    const runs = rows.filter((r) => r.kind === "observed");
    expect(runs.every((r) => r.entries.length <= MAX_REPEATS && new Set(r.entries.map((e) => e.targetId)).size === 1)).toBe(true);
    // 240 entries in a few rows, not 240: X's 120 events are cut by the user's stop and by the cap; Y's 30 are one run.
    expect(rows.length).toBeLessThanOrEqual(10);
    const user = rows.findIndex((r) => r.key === "req_user");
    expect(user).toBeGreaterThan(0);
    // X's events after the stop are in rows before it, those before it in rows after it.
    const xRuns = (from: number, to: number) => rows.slice(from, to).filter((r) => r.kind === "observed" && r.entries[0]!.targetId === X);
    const stopSeq = written.find((e) => e.requestId === "req_user")!.seq;
    expect(xRuns(0, user).every((r) => r.entries.every((e) => e.seq > stopSeq))).toBe(true);
    expect(xRuns(user + 1, rows.length).every((r) => r.entries.every((e) => e.seq < stopSeq))).toBe(true);
    expect(rows.filter((r) => r.kind === "observed" && r.entries[0]!.targetId === Y)).toHaveLength(1);
  });

  it("a flood of one container's events costs a page a bounded walk", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      requestId: `evt_flood_${i}`,
      phase: "observed" as const,
      action: (i % 2 ? "container.die" : "container.start") as AuditAction,
      actor: OUTSIDE_STEVEDORE,
      hostId: "h1",
      hostName: "node-1",
      targetType: "container",
      targetId: X,
      targetName: "crashy",
    }));
    for (let i = 0; i < rows.length; i += 500) await audit.appendMany(rows.slice(i, i + 500));
    const started = performance.now();
    const first = await audit.groups({ limit: 50 });
    const ms = performance.now() - started;
    // 1,000 entries walked at most: 20 runs of 50, and a cursor to go on.
    expect(first.rows).toHaveLength(20);
    expect(first.rows.every((r) => r.entries.length === MAX_REPEATS)).toBe(true);
    expect(first.nextCursor).not.toBeNull();
    expect(ms).toBeLessThan(2_000);
    const all = (await allPages({ limit: 50 })).flatMap((p) => p.rows);
    expect(all.reduce((n, r) => n + r.entries.length, 0)).toBe(3000);
  });

  it("a quoted word matches a whole word: \"ux-1\" finds ux-1 (and prod-ux-1), not ux-10…ux-14; unquoted finds all", async () => {
    const names = ["ux-1", "ux-10", "ux-11", "ux-12", "ux-13", "ux-14", "prod-ux-1", "ux-1b"];
    for (const name of names) await append({ action: "container.start", targetId: null, targetName: name });
    const search = async (q: string) => (await audit.list({ q, limit: 100 })).items.map((e) => e.targetName).sort();
    expect(await search('"ux-1"')).toEqual(["prod-ux-1", "ux-1"]);
    expect(await search('"UX-1"')).toEqual(["prod-ux-1", "ux-1"]);
    expect(await search("ux-1")).toEqual([...names].sort());
    expect(await search('"ux-1" prod')).toEqual(["prod-ux-1"]);
    expect(await search('"ux"')).toEqual([]);
    // Unclosed: quoted to the end.
    expect(await search('"ux-14')).toEqual(["ux-14"]);
    // The rows agree with the entries.
    expect((await audit.groups({ q: '"ux-1"' })).rows.map((r) => r.entries[0]!.targetName).sort()).toEqual(["prod-ux-1", "ux-1"]);
  });
});
