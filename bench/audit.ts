/**
 * Audit trail at size: seeds N entries (default 1,000,000) with a valid hash chain straight into
 * SQLite, then times filtered first pages and deep cursor pages through the real tRPC API, and a
 * full chain verification. Target: a filtered page in under 100 ms.
 * Usage: npm run bench:audit -- [N=1000000]
 */
import crypto from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import { GENESIS_HASH, entryHash } from "../apps/web/server/audit/audit-log";
import { apiClient, signIn, startStack } from "../apps/web/test/support/stack";

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = 15;
const ACTIONS = ["container.run", "container.stop", "container.kill", "container.start", "container.remove", "container.restart", "container.die", "host.revoke"];

function seed(file: string): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  const insert = db.prepare(`INSERT INTO audit_entry (id, at, requestId, phase, action, actorType, actorId, actorName, sourceIp, userAgent, hostId, hostName, targetType, targetId, targetName, params, error, prevHash, hash)
    VALUES (@id, @at, @requestId, @phase, @action, @actorType, @actorId, @actorName, @sourceIp, @userAgent, @hostId, @hostName, @targetType, @targetId, @targetName, @params, @error, @prevHash, @hash)`);
  const start = Date.now() - 90 * 24 * 3600_000;
  let prevHash = GENESIS_HASH;
  const t0 = performance.now();
  const batch = db.transaction((from: number, to: number) => {
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
      const hash = entryHash(prevHash, row);
      insert.run({ ...row, at: row.at.getTime(), prevHash, hash });
      prevHash = hash;
    }
  });
  for (let i = 0; i < N; i += 50_000) batch(i, Math.min(N, i + 50_000));
  console.log(`seeded ${N.toLocaleString()} entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
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
  samples.sort((a, b) => a - b);
  const p = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(1);
  console.log(`  ${label.padEnd(46)} p50 ${p(0.5).padStart(7)} ms   p95 ${p(0.95).padStart(7)} ms`);
}

async function main(): Promise<void> {
  const stack = await startStack();
  seed(path.join(stack.dataDir, "stevedore.db"));
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
  await time("text search (common: 'app-1')", () => api.audit.list.query({ q: "app-1" }));
  await time("text search (rare: 'app-99999')", () => api.audit.list.query({ q: "app-99999" }));
  await time("user + host + outcome", () => api.audit.list.query({ actorId: "user_3", hostId: "host_21", phase: "requested" }));
  await time("deep page (cursor 90% back)", () => api.audit.list.query({ cursor: deep }));

  const t = performance.now();
  const verify = await stack.cp.services.audit.verify();
  console.log(`\nverify ${verify.checked.toLocaleString()} entries: ${verify.ok ? "intact" : "BROKEN"} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await stack.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
