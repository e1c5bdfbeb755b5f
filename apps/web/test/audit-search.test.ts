// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Actor, type AuditInput, AuditLog, type AuditQuery } from "../server/audit/audit-log";
import { deriveAuditKeys } from "../server/audit/audit-key";
import { fromMatchesQuery, timeWindowQuery, walkQuery } from "../server/audit/audit-search";
import { MAX_TERM, MAX_TERMS_PER_ENTRY, searchRanges, termsOf } from "../server/audit/audit-terms";
import type { AuditEntry } from "../src/generated/prisma/client";
import { Prisma } from "../src/generated/prisma/client";
import { loadConfig } from "../server/config";
import { startControlPlane } from "../server/http-server";
import { suiteOnPostgres } from "./support/shared-database";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestStack, apiClient, signIn, startStack } from "./support/stack";
import type { AuditAction } from "../server/audit/audit-actions";

const alice: Actor = { type: "user", id: "u_alice", name: "alice@example.com", ip: "10.0.0.1", userAgent: "test" };
const bob: Actor = { type: "user", id: "u_bob", name: "Bob.Builder@corp.test" };
const onHost: Actor = { type: "host", id: null, name: "root@prod-web-1" };
const API_ID = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";
const DB_ID = "9a8b7c6d5e4f00112233445566778899aabbccddeeff00112233445566778899";

describe("audit search (the audit_term index)", () => {
  let stack: TestStack;
  let audit: AuditLog;
  const db = () => stack.cp.services.db;

  // Any action word (made-up ones too: the search finds words, not the catalogue's actions).
  const append = (input: Omit<Partial<AuditInput>, "action"> & { action: string }, log = audit) =>
    log.append({ requestId: `req_${Math.random().toString(36).slice(2)}`, phase: "succeeded", actor: alice, ...input, action: input.action as AuditAction });
  const search = async (q: string, filters: Omit<AuditQuery, "q"> = {}, log = audit) => (await log.list({ q, limit: 500, ...filters })).items.map((e) => e.seq);
  /** What the index holds for an entry, sorted. */
  const indexed = async (seq: number) => (await db().$queryRaw<{ term: string }[]>`SELECT "term" FROM "audit_term" WHERE "seq" = ${seq} ORDER BY "term"`).map((r) => r.term);

  /** The stack's own audit key, so entries written here and there form one chain. */
  const keys = () => deriveAuditKeys(stack.cp.services.config.auditKey);

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(async () => {
    await db().$executeRaw`DELETE FROM "audit_entry"`;
    await db().$executeRaw`DELETE FROM "audit_term"`;
    audit = new AuditLog(stack.cp.services.db, keys());
  });

  describe("a fleet's worth of entries", () => {
    let run: AuditEntry, stop: AuditEntry, kill: AuditEntry, revoke: AuditEntry;
    beforeEach(async () => {
      run = await append({ at: new Date("2025-01-01T10:00:00Z"), action: "container.run", hostId: "h_web", hostName: "prod-web-1", targetType: "container", targetId: API_ID, targetName: "api", params: { image: "registry.local:5000/team/nginx:1.27", env: ["TOKEN=x"] } });
      stop = await append({ at: new Date("2025-01-01T11:00:00Z"), action: "container.stop", actor: bob, phase: "failed", hostId: "h_db", hostName: "db-2", targetType: "container", targetId: DB_ID, targetName: "postgres-main", error: 'cannot stop container: "permission denied"\nretry later' });
      kill = await append({ at: new Date("2025-01-01T12:00:00Z"), action: "container.kill", actor: onHost, phase: "observed", hostId: "h_web", hostName: "prod-web-1", targetType: "container", targetId: "c".repeat(64), targetName: "worker" });
      revoke = await append({ at: new Date("2025-01-01T13:00:00Z"), action: "host.revoke", hostId: "h_3", hostName: "Zürich-3", targetType: "host", targetId: "h_3", targetName: "staging-3" });
    });

    it("finds an entry by the start of any word of each searched field, in any case", async () => {
      const cases: [string, AuditEntry[]][] = [
        // actor
        ["ali", [run, revoke]],
        ["alice@example.com", [run, revoke]],
        ["example.com", [run, revoke]],
        ["BUILDER", [stop]],
        ["bob.builder@corp", [stop]],
        // host (and the host actor "root@prod-web-1")
        ["prod", [run, kill]],
        ["web-1", [run, kill]],
        ["db-2", [stop]],
        ["root@prod", [kill]],
        // target name
        ["postg", [stop]],
        ["main", [stop]],
        ["staging", [revoke]],
        // host, beyond ASCII
        ["zü", [revoke]],
        ["ZÜRICH-3", [revoke]],
        ["z", [revoke]],
        // container id: any prefix, the whole id, and one longer than a term
        [API_ID.slice(0, 12), [run]],
        [API_ID, [run]],
        ["c".repeat(40), [kill]],
        // action
        ["container.st", [stop]],
        ["revoke", [revoke]],
        ["kill", [kill]],
        // error
        ["permission", [stop]],
        ['"denied"', [stop]],
        ["retry", [stop]],
        // image, from the parameters
        ["ngi", [run]],
        ["nginx:1.27", [run]],
        ["team/nginx", [run]],
        ["registry.local:5000", [run]],
      ];
      for (const [q, expected] of cases) expect(await search(q), q).toEqual(expected.map((e) => e.seq).reverse());
    });

    it("matches the start of a word, not the middle of one, and not other parameters", async () => {
      for (const q of ["lice", "ginx", "ostgres", "rod-web", "TOKEN", "x", "oke"]) expect(await search(q), q).toEqual([]);
    });

    it("needs every word of the search (AND), in any order", async () => {
      expect(await search("prod kill")).toEqual([kill.seq]);
      expect(await search("run prod")).toEqual([run.seq]);
      expect(await search("  container   ALICE  ")).toEqual([run.seq]);
      expect(await search("prod db")).toEqual([]);
      expect(await search("alice permission")).toEqual([]);
    });

    it("ignores words that are only punctuation, and a search with none left lists everything", async () => {
      expect(await search("-- prod ::")).toEqual([kill.seq, run.seq]);
      expect(await search("--")).toEqual([revoke.seq, kill.seq, stop.seq, run.seq]);
    });

    it("combines with the structured filters", async () => {
      expect(await search("prod", { phase: "observed" })).toEqual([kill.seq]);
      expect(await search("container", { actorId: "u_alice" })).toEqual([run.seq]);
      expect(await search("container", { hostId: "h_db" })).toEqual([stop.seq]);
      expect(await search("web", { targetId: API_ID })).toEqual([run.seq]);
      expect(await search("container", { action: "container.kill" })).toEqual([kill.seq]);
      expect(await search("alice", { requestId: revoke.requestId })).toEqual([revoke.seq]);
      expect(await search("prod", { from: kill.at, to: kill.at })).toEqual([kill.seq]);
      expect(await search("prod", { to: new Date(run.at.getTime() - 1) })).toEqual([]);
    });

    it("indexes each entry's terms in the transaction that appends it", async () => {
      expect(await indexed(run.seq)).toEqual(termsOf(run).sort());
      expect(await indexed(stop.seq)).toEqual(expect.arrayContaining(["bob.builder@corp.test", "builder@corp.test", "corp.test", "test", "permission", "denied", "db-2", "2"]));
      // The redacted parameters' image is indexed, nothing else from them.
      expect(await indexed(run.seq)).toEqual(expect.arrayContaining(["registry.local:5000/team/nginx:1", "nginx:1.27", "27"]));
      expect((await indexed(run.seq)).some((t) => t.includes("token"))).toBe(false);
    });
  });

  it("keeps terms short and few, and still tells long names apart", async () => {
    const two = await append({ action: "container.run", targetName: "my-long-application-name-worker-2", error: Array.from({ length: 500 }, (_, i) => `word${i}`).join(" ") });
    const three = await append({ action: "container.run", targetName: "my-long-application-name-worker-3" });
    expect(await indexed(two.seq)).toHaveLength(MAX_TERMS_PER_ENTRY);
    expect(await indexed(two.seq)).toEqual(expect.arrayContaining(["run", "worker-2", "word0"]));
    expect(await indexed(two.seq)).not.toContain("word499");
    // Cut to MAX_TERM characters, then without the dash the cut left at the end.
    expect(await indexed(two.seq)).toContain("my-long-application-name-worker");
    expect((await indexed(two.seq)).every((t) => t.length <= MAX_TERM)).toBe(true);
    // Both names start with the same MAX_TERM characters; the search's last words tell them apart.
    expect(await search("my-long-application-name-worker-3")).toEqual([three.seq]);
    expect(await search("my-long-application-name-worker")).toEqual([three.seq, two.seq]);
  });

  it("pages through a search result with the cursor, newest first, through the API", async () => {
    const matching: number[] = [];
    for (let i = 0; i < 130; i++) {
      const e = await append({ action: "container.start", hostName: i % 3 ? "batch-node" : "other-node", targetName: `job-${i}` });
      if (i % 3) matching.push(e.seq);
    }
    const api = apiClient(stack.url, await signIn(stack.url));
    const seen: number[] = [];
    let cursor: number | undefined;
    let pages = 0;
    do {
      const page = await api.audit.list.query({ q: "batch", limit: 25, cursor });
      seen.push(...page.items.map((e) => e.seq));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    expect(seen).toEqual([...matching].reverse());
    expect(pages).toBe(Math.ceil(matching.length / 25));
  });

  describe("each way of answering gives the same page", () => {
    // Low thresholds reach every strategy with a few hundred entries: counted as rare, walked newest
    // first, and walked then read from the matches further back (bunched matches, an unlikely filter).
    const strategies = { rare: { common: 1_000_000, walkMargin: 16 }, walk: { common: 5, walkMargin: 16 }, "walk, then matches": { common: 5, walkMargin: 0.0001 } };
    let entries: AuditEntry[];

    beforeEach(async () => {
      entries = [];
      for (let i = 0; i < 300; i++) {
        // "common" is in every other entry; "old" only in the oldest 40; hosts take turns; bob acts once in ten.
        const at = new Date(Date.UTC(2025, 0, 1, 0, i));
        entries.push(await append({ at, actor: i % 10 ? alice : bob, action: i % 2 ? "container.common" : "container.rare", hostId: `h${i % 4}`, hostName: i < 40 ? `old-${i}` : `node-${i % 4}`, targetName: `t-${i}` }));
      }
      // Written last with an earlier time (an observed event carries the engine's): order is by sequence.
      for (let i = 0; i < 3; i++) entries.push(await append({ at: new Date(Date.UTC(2025, 0, 1, 1, 0)), action: "container.common", hostId: "h0", hostName: "late-node", targetName: `late-${i}` }));
    });

    /** The answer by brute force over the entries, from their terms. */
    const expected = (q: string, keep: (e: AuditEntry) => boolean = () => true) => {
      const words = searchRanges(q).map((r) => r.word);
      return entries.filter((e) => keep(e) && words.every((w) => termsOf(e).some((t) => t.startsWith(w)))).map((e) => e.seq).reverse();
    };

    for (const [name, tuning] of Object.entries(strategies)) {
      it(`${name}: a term in many entries, alone, with a filter, two words, paged`, async () => {
        const log = new AuditLog(stack.cp.services.db, keys(), { tuning });
        expect(await search("common", {}, log)).toEqual(expected("common"));
        expect(await search("common", { limit: 20 }, log)).toEqual(expected("common").slice(0, 20));
        expect(await search("common", { hostId: "h1" }, log)).toEqual(expected("common", (e) => e.hostId === "h1"));
        expect(await search("common", { hostId: "h2" }, log)).toEqual([]); // odd entries never land on h2
        expect(await search("old", { limit: 10 }, log)).toEqual(expected("old").slice(0, 10));
        // A sparse filter (one entry in ten) and matches only far back.
        expect(await search("old", { actorId: "u_bob", limit: 5 }, log)).toEqual(expected("old", (e) => e.actorId === "u_bob").slice(0, 5));
        expect(await search("container old-3", {}, log)).toEqual(expected("container old-3"));
        expect(await search("common node", { limit: 7, cursor: entries[200]!.seq }, log)).toEqual(expected("common node").filter((s) => s < entries[200]!.seq).slice(0, 7));
        const [from, to] = [entries[20]!.at, entries[120]!.at];
        const inRange = (e: AuditEntry) => e.at >= from && e.at <= to;
        expect(await search("common", { from, to, limit: 10 }, log)).toEqual(expected("common", inRange).slice(0, 10));
        expect(await search("container", { from, to, hostId: "h0", limit: 5 }, log)).toEqual(expected("container", (e) => inRange(e) && e.hostId === "h0").slice(0, 5));
        expect((await search("common", { from, to, limit: 2 }, log)).map((s) => entries.find((e) => e.seq === s)!.targetName)).toEqual(["late-2", "late-1"]);
        expect(await search("common", { from: entries[200]!.at, to: entries[210]!.at }, log)).toEqual(expected("common", (e) => e.at >= entries[200]!.at && e.at <= entries[210]!.at));
        expect(await search("common", { from: new Date("2030-01-01") }, log)).toEqual([]);
        const pages: number[] = [];
        let cursor: number | undefined;
        do {
          const page = await log.list({ q: "common", hostId: "h3", limit: 9, cursor });
          pages.push(...page.items.map((e) => e.seq));
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        expect(pages).toEqual(expected("common", (e) => e.hostId === "h3"));
      });
    }
  });

  it("lists a time range without a search by sequence number, with an entry written late with an earlier time", async () => {
    const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute));
    const entries: AuditEntry[] = [];
    for (let i = 0; i < 20; i++) entries.push(await append({ at: at(i), action: "container.start" }));
    const late = await append({ at: at(5), action: "container.stop" });
    const list = async (filters: Omit<AuditQuery, "q">) => (await audit.list(filters)).items.map((e) => e.seq);
    expect(await list({ from: at(3), to: at(7) })).toEqual([late, ...entries.slice(3, 8).reverse()].map((e) => e.seq));
    expect(await list({ from: at(3), to: at(7), limit: 2 })).toEqual([late.seq, entries[7]!.seq]);
    expect(await list({ from: at(3), to: at(7), cursor: entries[6]!.seq })).toEqual([entries[5]!.seq, entries[4]!.seq, entries[3]!.seq]);
    expect(await list({ from: at(18) })).toEqual([entries[19]!.seq, entries[18]!.seq]);
    expect(await list({ to: at(1), action: "container.start" })).toEqual([entries[1]!.seq, entries[0]!.seq]);
    expect(await list({ from: at(30) })).toEqual([]);
  });

  // SQLite's query plans; PostgreSQL's are checked in the test after this one.
  it.skipIf(suiteOnPostgres())("uses the indexes: a word's range on (term, seq), the per-entry check on (seq, term), filters on their own", (ctx) => {
    const raw = new Database(stack.databaseUrl.slice("file:".length), { readonly: true });
    ctx.onTestFinished(() => void raw.close());
    const [word] = searchRanges("nginx");
    const plan = (sql: { sql: string; values: unknown[] }) =>
      (raw.prepare(`EXPLAIN QUERY PLAN ${sql.sql}`).all(...sql.values.map((v) => (v instanceof Date ? v.toISOString() : v))) as { detail: string }[]).map((r) => r.detail).join("\n");

    const rare = plan(fromMatchesQuery(word!, [], {}, { below: 1000, above: 10 }, 51));
    expect(rare).toMatch(/SEARCH t USING COVERING INDEX sqlite_autoindex_audit_term_1 \(term>\? AND term<\?\)/);
    expect(rare).toMatch(/SEARCH e USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    expect(rare).not.toMatch(/SCAN/);

    const rareForUser = plan(fromMatchesQuery(word!, searchRanges("web"), { actorId: "u1" }, {}, 51));
    expect(rareForUser).toMatch(/sqlite_autoindex_audit_term_1 \(term>\? AND term<\?\)/);
    expect(rareForUser).toMatch(/audit_entry_actorId_seq_idx \(actorId=\? AND seq=\?\)/);
    expect(rareForUser).toMatch(/audit_term_seq_term_idx \(seq=\? AND term>\? AND term<\?\)/);

    const walk = plan(walkQuery([word!], {}, { below: 1000, above: 10 }, 400, 51));
    expect(walk).toMatch(/SEARCH e USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
    expect(walk).toMatch(/SEARCH t EXISTS USING COVERING INDEX audit_term_seq_term_idx \(seq=\? AND term>\? AND term<\?\)/);
    expect(walk).not.toMatch(/TEMP B-TREE/);

    const walkForHost = plan(walkQuery([word!, ...searchRanges("web")], { hostId: "h1", phase: "failed" }, { below: 1000 }, 400, 51));
    expect(walkForHost).toMatch(/SEARCH e USING INDEX audit_entry_hostId_seq_idx \(hostId=\? AND seq<\?\)/);
    expect(walkForHost.match(/SEARCH t EXISTS USING COVERING INDEX audit_term_seq_term_idx \(seq=\? AND term>\? AND term<\?\)/g)).toHaveLength(2);
    expect(walkForHost).not.toMatch(/TEMP B-TREE/);

    // A time range becomes a window of sequence numbers, from the time index alone.
    const day = { from: new Date("2025-01-01"), to: new Date("2025-01-02") };
    expect(plan(timeWindowQuery(day))).toMatch(/^SEARCH e USING COVERING INDEX audit_entry_at_idx \(at>\? AND at<\?\)$/);
    expect(plan(walkQuery([word!], day, { below: 1000, above: 10 }, 400, 51))).toMatch(/SEARCH e USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
  });

  it.runIf(suiteOnPostgres())("on PostgreSQL, uses the indexes too: a word's range on (term, seq), the per-entry check on (seq, term), filters on their own", async () => {
    const [word] = searchRanges("nginx");
    // The tables are nearly empty, so the planner would rather read them whole: forbid that, and see
    // which indexes it can use. (Byte order for the ranges is checked with the migrations.)
    const plan = (q: Prisma.Sql) =>
      db().$transaction(async (tx) => {
        await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
        return (await tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN ${q.text}`, ...q.values)).map((r) => r["QUERY PLAN"]).join("\n");
      });
    // A few hundred entries with fresh statistics, so that the plans are those of a real trail: a
    // rare word, a common one, hosts taking turns. With sequential scans off, a Seq Scan left in a
    // plan means no index can serve that part of it.
    const seqs: number[] = [];
    for (let i = 0; i < 300; i++) seqs.push((await append({ action: i % 2 ? "container.start" : "container.stop", hostId: `h${i % 4}`, hostName: `web-${i % 4}`, targetName: i % 100 ? `job-${i}` : "nginx" })).seq);
    const all = { above: seqs[0]!, below: seqs.at(-1)! + 1 };
    await db().$executeRawUnsafe("ANALYZE");
    /** The index conditions of a plan that read a word's range. */
    const ranges = (plan: string, w: string) => plan.split("\n").filter((l) => l.includes("Index Cond:") && l.includes(`(term >= '${w}'::text) AND (term < '`));
    const rare = await plan(fromMatchesQuery(word!, [], {}, all, 51));
    expect(ranges(rare, "nginx")).toEqual([expect.stringContaining("Index Cond: ((term >= 'nginx'::text) AND (term < 'nginy'::text))")]);
    const walk = await plan(walkQuery([word!], {}, all, 400, 51));
    expect(ranges(walk, "nginx")).toHaveLength(1);
    const walkForHost = await plan(walkQuery([word!, ...searchRanges("web")], { hostId: "h1", phase: "failed" }, { below: all.below }, 400, 51));
    expect(walkForHost).toMatch(/Scan (on|using) "audit_entry_hostId_seq_idx"/);
    expect(walkForHost).toMatch(/Index Only Scan using audit_term_seq_term_idx on audit_term t[^\n]*\n\s+Index Cond: \(\(seq = \S+\) AND \(term >= 'web'::text\) AND \(term < 'wec'::text\)\)/);
    expect(ranges(walkForHost, "nginx")).toHaveLength(1);
    for (const p of [rare, walk, walkForHost]) expect(p).not.toMatch(/Seq Scan/);
  });

  describe("entries from before the index existed", () => {
    let old: AuditEntry[];
    beforeEach(async () => {
      old = [];
      for (let i = 0; i < 9; i++) old.push(await append({ action: "container.stop", hostName: `legacy-${i}`, targetName: i === 4 ? "needle" : `hay-${i}` }));
      await db().$executeRaw`DELETE FROM "audit_term"`; // as they were before the migration
    });

    it("are found the old way until indexed, then through the index, newest first and resumably", async () => {
      const fresh = await append({ action: "container.start", hostName: "legacy-new", targetName: "needle" });
      const log = new AuditLog(stack.cp.services.db, keys()); // reads how far the index reaches, as at start
      // Not indexed yet: still found (by substring, as before the index: "eedle" too).
      expect(await search("needle", {}, log)).toEqual([fresh.seq, old[4]!.seq]);
      expect(await search("eedle", {}, log)).toEqual([old[4]!.seq]);
      expect(await search("legacy", { limit: 3 }, log)).toEqual([fresh.seq, old[8]!.seq, old[7]!.seq]);

      // Stopped after the first batch (newest first), then resumed by another instance, as after a restart.
      const stop = new AbortController();
      const first = log.indexOlderEntries({ batch: 4, signal: stop.signal });
      stop.abort();
      expect(await first).toBe(4);
      expect(await Promise.all(old.map(async (e) => (await indexed(e.seq)).length > 0))).toEqual([false, false, false, false, false, true, true, true, true]);
      expect(await new AuditLog(stack.cp.services.db, keys()).indexOlderEntries({ batch: 4 })).toBe(5);
      expect(await new AuditLog(stack.cp.services.db, keys()).indexOlderEntries({ batch: 4 })).toBe(0);

      for (const e of [...old, fresh]) expect(await indexed(e.seq), `entry ${e.seq}`).toEqual(termsOf(e).sort());
      const after = new AuditLog(stack.cp.services.db, keys());
      expect(await search("needle", {}, after)).toEqual([fresh.seq, old[4]!.seq]);
      expect(await search("eedle", {}, after)).toEqual([]); // the index matches word starts only
      expect(await search("legacy", {}, after)).toEqual([fresh, ...old].map((e) => e.seq).sort((a, b) => b - a));
    });

    it("are indexed by the server in the background when it starts", async () => {
      const boot = old.map((e) => e.seq);
      // The shared stack started before these entries were written: a second server on the same
      // database starts with them unindexed, as after an upgrade.
      const config = loadConfig({ STEVEDORE_DATA_DIR: stack.dataDir, DATABASE_URL: stack.databaseUrl, PORT: "0", LOG_LEVEL: "silent", NODE_ENV: "test", ADMIN_EMAIL, ADMIN_PASSWORD });
      const second = await startControlPlane(config, { ui: false });
      try {
        const count = async () => (await db().auditTerm.findMany({ where: { seq: { in: boot } }, distinct: ["seq"], select: { seq: true } })).length;
        await expect.poll(count).toBe(boot.length);
        for (const e of old) expect(await indexed(e.seq)).toEqual(termsOf(e).sort());
      } finally {
        await second.close();
      }
    });
  });

  describe("the hash chain", () => {
    it("still links every entry, appended concurrently, each with exactly its own terms", async () => {
      const entries = await Promise.all(Array.from({ length: 40 }, (_, i) => append({ action: "container.kill", hostName: `n-${i}`, targetName: `w-${i}` })));
      expect(await audit.verify()).toMatchObject({ ok: true, checked: 40 });
      for (const e of entries) expect(await indexed(e.seq)).toEqual(termsOf(e).sort());
    });

    it("is verified without the index: losing it changes nothing, and an edit is still caught", async () => {
      const entries = [];
      for (let i = 0; i < 5; i++) entries.push(await append({ action: "container.stop", targetName: `w-${i}` }));
      await db().$executeRaw`DELETE FROM "audit_term"`;
      expect(await audit.verify()).toMatchObject({ ok: true, checked: 5 });
      await db().$executeRaw`UPDATE "audit_entry" SET "targetName" = 'x' WHERE "seq" = ${entries[2]!.seq}`;
      expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: entries[2]!.seq });
    });
  });
});
