/**
 * Audit trail at size: seeds N entries (default 1,000,000) with a valid hash chain and their search
 * terms straight into SQLite, then times filtered first pages, text searches and deep cursor pages
 * through the real tRPC API, a full chain verification, and indexing entries from before the search
 * index existed. Target: a filtered page in under 100 ms.
 * Usage: npm run bench:audit -- [N=1000000]
 */
import crypto from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import { GENESIS_HASH, type HashedRow, entryHash, keyedEntryHash } from "../apps/web/server/audit/audit-chain";
import { type AuditKeys, deriveAuditKeys } from "../apps/web/server/audit/audit-key";
import { AuditLog } from "../apps/web/server/audit/audit-log";
import { termsOf } from "../apps/web/server/audit/audit-terms";
import { apiClient, signIn, startStack } from "../apps/web/test/support/stack";
import { runBench } from "./support/measure";

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = 100;
/** Term rows per INSERT statement while seeding. */
const TERMS_PER_INSERT = 200;
/** Entries whose terms are removed and indexed again, as after an upgrade, at the end. */
const BACKFILL = Math.min(N, 100_000);
/** Appends per timed round. */
const APPENDS = 2_000;
const ACTIONS = ["container.run", "container.stop", "container.kill", "container.start", "container.remove", "container.restart", "container.die", "host.revoke"];

/** Seeds a keyed chain, as this version writes it, under the stack's own audit key. */
function seed(file: string, keys: AuditKeys): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  // The (seq, term) index is built once at the end rather than row by row: the same schema, sooner.
  db.exec(`DROP INDEX "audit_term_seq_term_idx"`);
  const insertTerms = db.prepare(`INSERT INTO audit_term (term, seq) VALUES ${Array(TERMS_PER_INSERT).fill("(?, ?)").join(", ")}`);
  const insertTerm = db.prepare("INSERT INTO audit_term (term, seq) VALUES (?, ?)");
  const insert = db.prepare(`INSERT INTO audit_entry (id, at, requestId, phase, action, actorType, actorId, actorName, sourceIp, userAgent, hostId, hostName, targetType, targetId, targetName, params, error, prevHash, hash, keyed)
    VALUES (@id, @at, @requestId, @phase, @action, @actorType, @actorId, @actorName, @sourceIp, @userAgent, @hostId, @hostName, @targetType, @targetId, @targetName, @params, @error, @prevHash, @hash, 1)`);
  const start = Date.now() - 90 * 24 * 3600_000;
  let prevHash = GENESIS_HASH;
  const t0 = performance.now();
  let terms = 0;
  const batch = db.transaction((from: number, to: number) => {
    const rows: [string, number][] = [];
    for (let i = from; i < to; i++) {
      // Independent pseudo-random columns (a multiplicative hash of i), so filters combine as in life.
      const r = (k: number) => (Math.imul(i + 1, 2654435761 + k * 40503) >>> 0) / 2 ** 32;
      const user = Math.floor(r(1) * 50);
      const host = Math.floor(r(2) * 200);
      const phase = r(3) < 0.03 ? "failed" : r(3) < 0.1 ? "observed" : i % 2 ? "succeeded" : "requested";
      const row = {
        id: `aud_${i}`,
        at: new Date(start + Math.floor((i / N) * 90 * 24 * 3600_000)),
        requestId: `req_${Math.floor(i / 2)}`,
        phase,
        action: ACTIONS[Math.floor(r(4) * ACTIONS.length)]!,
        actorType: phase === "observed" ? "host" : "user",
        actorId: `user_${user}`,
        actorName: `user${user}@example.com`,
        sourceIp: "10.0.0.1",
        userAgent: "bench",
        hostId: `host_${host}`,
        hostName: `node-${host}`,
        targetType: "container",
        targetId: crypto.createHash("sha256").update(String(i >> 3)).digest("hex"),
        targetName: `app-${i >> 3}`,
        params: JSON.stringify({ signal: "SIGTERM" }),
        error: phase === "failed" ? "No such container" : null,
      };
      const hash = keyedEntryHash(keys, prevHash, row);
      // Stored as Prisma stores a DateTime on SQLite, so time-range filters compare like with like.
      const seq = Number(insert.run({ ...row, at: row.at.toISOString().replace("Z", "+00:00"), prevHash, hash }).lastInsertRowid);
      for (const term of termsOf(row)) rows.push([term, seq]);
      prevHash = hash;
    }
    // In term order, so the (term, seq) key grows at a few places instead of everywhere.
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    let i = 0;
    for (; i + TERMS_PER_INSERT <= rows.length; i += TERMS_PER_INSERT) insertTerms.run(rows.slice(i, i + TERMS_PER_INSERT).flat());
    for (; i < rows.length; i++) insertTerm.run(rows[i]);
    terms += rows.length;
  });
  for (let i = 0; i < N; i += 50_000) batch(i, Math.min(N, i + 50_000));
  db.exec(`CREATE INDEX "audit_term_seq_term_idx" ON "audit_term"("seq", "term")`);
  console.log(`seeded ${N.toLocaleString()} entries and ${terms.toLocaleString()} search terms in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const size = db.prepare("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name").all() as { name: string; bytes: number }[];
  const mb = (re: RegExp) => (size.filter((t) => re.test(t.name)).reduce((sum, t) => sum + t.bytes, 0) / 1e6).toFixed(0);
  console.log(`on disk: audit_entry with its indexes ${mb(/^audit_entry/)} MB, search index (audit_term with its indexes) ${mb(/audit_term/)} MB`);
  // Fold the write-ahead log into the database, as SQLite does on its own over time.
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

async function time(label: string, fn: () => Promise<unknown>): Promise<void> {
  await fn(); // warm
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  report(label, samples);
}

function report(label: string, samples: number[]): void {
  samples.sort((a, b) => a - b);
  const p = (q: number) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)]!.toFixed(1);
  console.log(`  ${label.padEnd(52)} p50 ${p(0.5).padStart(7)} ms   p99 ${p(0.99).padStart(7)} ms`);
}

/** What a link costs alone: the keyed HMAC against the SHA-256 of entries from before the key. */
function linkCost(keys: AuditKeys): void {
  const row: HashedRow = {
    id: "aud_1", at: new Date(), requestId: "req_1", phase: "succeeded", action: "container.stop", actorType: "user", actorId: "user_1", actorName: "user1@example.com",
    sourceIp: "10.0.0.1", userAgent: "bench", hostId: "host_1", hostName: "node-1", targetType: "container", targetId: "c".repeat(64), targetName: "app-1", params: '{"signal":"SIGTERM"}', error: null,
  };
  const runs = 200_000;
  for (const [label, link] of [["SHA-256 (unkeyed)", (p: string) => entryHash(p, row)], ["HMAC-SHA256 (keyed)", (p: string) => keyedEntryHash(keys, p, row)]] as const) {
    let prev = GENESIS_HASH;
    const t = performance.now();
    for (let i = 0; i < runs; i++) prev = link(prev);
    console.log(`  one link, ${label.padEnd(20)} ${(((performance.now() - t) * 1000) / runs).toFixed(2)} µs`);
  }
}

/** Append throughput on top of the seeded chain: serialized, each its own transaction with its search terms. */
async function appends(stack: Awaited<ReturnType<typeof startStack>>): Promise<void> {
  const audit = stack.cp.services.audit;
  const actor = { type: "user" as const, id: "user_1", name: "user1@example.com", ip: "10.0.0.1", userAgent: "bench" };
  const entry = (i: number) => ({
    requestId: `bench_${i}`, phase: "succeeded" as const, action: "container.stop", actor, hostId: "host_1", hostName: "node-1",
    targetType: "container", targetId: crypto.createHash("sha256").update(`bench${i}`).digest("hex"), targetName: `bench-${i}`, params: { signal: "SIGTERM" },
  });
  for (let i = 0; i < 200; i++) await audit.append(entry(-i - 1)); // warm
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    await Promise.all(Array.from({ length: APPENDS }, (_, i) => audit.append(entry(round * APPENDS + i))));
    rounds.push(APPENDS / ((performance.now() - t) / 1000));
  }
  rounds.sort((a, b) => a - b);
  console.log(`
appends, ${APPENDS.toLocaleString()} queued at once, 3 rounds: median ${Math.round(rounds[1]!).toLocaleString()} appends/s (min ${Math.round(rounds[0]!).toLocaleString()}, max ${Math.round(rounds[2]!).toLocaleString()})`);
}

/** Removes the search terms of the oldest entries, as if they predated the index, and times indexing them again. */
async function backfill(file: string, stack: Awaited<ReturnType<typeof startStack>>, api: ReturnType<typeof apiClient>): Promise<void> {
  const db = new Database(file);
  db.prepare("DELETE FROM audit_term WHERE seq <= ?").run(BACKFILL);
  db.close();
  // A fresh AuditLog reads how far the index reaches from the database, as one does at start.
  const audit = new AuditLog(stack.cp.services.db, deriveAuditKeys(stack.cp.services.config.auditKey));
  const t = performance.now();
  let done = false;
  const indexing = audit.indexOlderEntries().finally(() => (done = true));
  const samples: number[] = [];
  while (!done) {
    const s = performance.now();
    await api.audit.list.query({ actorId: "user_7", q: "kill" });
    samples.push(performance.now() - s);
  }
  const indexed = await indexing;
  const seconds = (performance.now() - t) / 1000;
  console.log(`\nindexing ${indexed.toLocaleString()} entries from before the index: ${seconds.toFixed(1)} s (${Math.round(indexed / seconds).toLocaleString()} entries/s), while serving:`);
  report(`user + text ('kill'), ${samples.length} requests`, samples);
}

async function main(): Promise<void> {
  const stack = await startStack();
  const file = path.join(stack.dataDir, "stevedore.db");
  const keys = deriveAuditKeys(stack.cp.services.config.auditKey);
  seed(file, keys);
  linkCost(keys);
  const api = apiClient(stack.url, await signIn(stack.url));
  const deep = (await api.audit.list.query({ limit: 1 })).items[0]!.seq - Math.floor(N * 0.9);

  console.log(`\nfirst page of 50, newest first, over HTTP (${RUNS} runs each):`);
  await time("no filter", () => api.audit.list.query({}));
  await time("by user", () => api.audit.list.query({ actorId: "user_7" }));
  await time("by host", () => api.audit.list.query({ hostId: "host_42" }));
  await time("by action + outcome", () => api.audit.list.query({ action: "container.kill", phase: "failed" }));
  await time("by container", () => api.audit.list.query({ targetId: crypto.createHash("sha256").update("1234").digest("hex") }));
  await time("by request id", () => api.audit.list.query({ requestId: "req_4242" }));
  await time("time range (one day, 30 days ago)", () => api.audit.list.query({ from: new Date(Date.now() - 31 * 86400_000), to: new Date(Date.now() - 30 * 86400_000) }));
  await time("user + host + outcome", () => api.audit.list.query({ actorId: "user_3", hostId: "host_21", phase: "requested" }));
  await time("deep page (cursor 90% back)", () => api.audit.list.query({ cursor: deep }));

  const kill = (await api.audit.list.query({ q: "kill", limit: 50 })).nextCursor!;
  console.log(`\ntext search, first page of 50 (${RUNS} runs each):`);
  await time("rare: 'app-99999' (8 entries)", () => api.audit.list.query({ q: "app-99999" }));
  await time("rare, a container id prefix (8 entries)", () => api.audit.list.query({ q: crypto.createHash("sha256").update("4321").digest("hex").slice(0, 12) }));
  await time("medium: 'app-99' (~9,000 entries)", () => api.audit.list.query({ q: "app-99" }));
  await time("common: 'app-1' (~29%)", () => api.audit.list.query({ q: "app-1" }));
  await time("common: 'kill' (1 in 8)", () => api.audit.list.query({ q: "kill" }));
  await time("common: 'example.com' (every entry)", () => api.audit.list.query({ q: "example.com" }));
  await time("common, all matches old: 'app-2' (~9%, 75-85% back)", () => api.audit.list.query({ q: "app-2" }));
  await time("two words: 'node-42 kill'", () => api.audit.list.query({ q: "node-42 kill" }));
  await time("next page: 'kill' after the first page", () => api.audit.list.query({ q: "kill", cursor: kill }));
  await time("deep page: 'kill', cursor 90% back", () => api.audit.list.query({ q: "kill", cursor: deep }));
  console.log(`\ntext search with a filter, first page of 50 (${RUNS} runs each):`);
  await time("user + common text ('kill')", () => api.audit.list.query({ actorId: "user_7", q: "kill" }));
  await time("host + common text ('app-1')", () => api.audit.list.query({ hostId: "host_42", q: "app-1" }));
  await time("outcome + text ('such')", () => api.audit.list.query({ phase: "failed", q: "such" }));
  await time("host + rare text ('app-99999')", () => api.audit.list.query({ hostId: "host_42", q: "app-99999" }));
  await time("host + text that host rarely has ('app-2')", () => api.audit.list.query({ hostId: "host_42", q: "app-2" }));
  await time("action + outcome + text ('node-4')", () => api.audit.list.query({ action: "container.kill", phase: "failed", q: "node-4" }));
  const daysAgo = (d: number) => new Date(Date.now() - d * 86400_000);
  await time("time range (one day) + text ('kill')", () => api.audit.list.query({ from: daysAgo(31), to: daysAgo(30), q: "kill" }));
  await time("time range (one day) + text not in it ('app-1')", () => api.audit.list.query({ from: daysAgo(31), to: daysAgo(30), q: "app-1" }));
  await time("time range (30 days) + text ('kill')", () => api.audit.list.query({ from: daysAgo(60), to: daysAgo(30), q: "kill" }));
  await time("since a week ago + text ('kill')", () => api.audit.list.query({ from: daysAgo(7), q: "kill" }));
  await time("time range (30 days) alone, for comparison", () => api.audit.list.query({ from: daysAgo(60), to: daysAgo(30) }));

  await appends(stack);
  const t = performance.now();
  const verify = await stack.cp.services.audit.verify();
  console.log(`\nverify ${verify.checked.toLocaleString()} entries: ${verify.ok ? "intact" : "BROKEN"} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await backfill(file, stack, api);
  await stack.close();
}

runBench(main);
