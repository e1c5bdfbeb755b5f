// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GENESIS_HASH, entryHash } from "../server/audit/audit-chain";
import { parseCheckpointLine, signCheckpoint } from "../server/audit/audit-checkpoint";
import { deriveAuditKeys } from "../server/audit/audit-key";
import type { Actor } from "../server/audit/audit-log";
import { CHECKPOINT_FILE } from "../server/audit/audit-trail";
import { loadConfig } from "../server/config";
import { REPO_ROOT } from "../server/database-url";
import { startControlPlane } from "../server/http-server";
import type { AuditEntry } from "../src/generated/prisma/client";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestStack, apiClient, signIn, startStack } from "./support/stack";
import type { AuditAction } from "../server/audit/audit-actions";

const alice: Actor = { type: "user", id: "u1", name: "alice@example.com", ip: "10.0.0.1", userAgent: "test" };

// Tampering goes straight to the database, past the application (SQL that SQLite and PostgreSQL share).
describe("tamper-evident audit chain", () => {
  let stack: TestStack;
  const db = () => stack.cp.services.db;

  beforeAll(async () => {
    // No periodic checkpoint in the middle of a test: each takes its own.
    stack = await startStack({ AUDIT_CHECKPOINT_INTERVAL_S: "86400" });
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(async () => {
    // A fresh trail: the entries and the witness' checkpoints of the test before go together.
    await db().$executeRaw`DELETE FROM "audit_entry"`;
    fs.rmSync(path.join(stack.dataDir, CHECKPOINT_FILE), { force: true });
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

/** What a database writer without the audit key can do: any SQL, and SHA-256 of anything. */
describe("the keyed chain and its checkpoints, against a database writer without the key", () => {
  let stack: TestStack;
  const db = () => stack.cp.services.db;
  const witnessFile = () => path.join(stack.dataDir, CHECKPOINT_FILE);
  const append = (i: number) => stack.cp.services.audit.append({ requestId: `req_${i}`, phase: "succeeded", action: "container.stop", actor: alice, targetId: `c${i}`, targetName: `web-${i}` });
  const appendSix = async () => {
    const entries: AuditEntry[] = [];
    for (let i = 1; i <= 6; i++) entries.push(await append(i));
    return entries;
  };
  const entries = () => db().auditEntry.findMany({ orderBy: { seq: "asc" } });

  beforeAll(async () => {
    stack = await startStack({ AUDIT_CHECKPOINT_INTERVAL_S: "86400" });
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(async () => {
    await db().$executeRaw`DELETE FROM "audit_entry"`;
    fs.rmSync(witnessFile(), { force: true });
  });

  it("keys every new entry, and the chain reaches its checkpoints", async () => {
    const written = await appendSix();
    expect(written.every((e) => e.keyed)).toBe(true);
    // A SHA-256 of the same input is not the link: only the key's holder can make one.
    expect(written[0]!.hash).not.toBe(entryHash(GENESIS_HASH, written[0]!));
    const { checkpoint } = (await stack.cp.services.checkpoints.checkpoint())!;
    expect(checkpoint).toMatchObject({ seq: written[5]!.seq, head: written[5]!.hash, count: 6, keyedFrom: written[0]!.seq });
    const lines = fs.readFileSync(witnessFile(), "utf8").trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([checkpoint]);
    expect(fs.statSync(witnessFile()).mode & 0o777).toBe(0o600);
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: true, checked: 6, keyedFrom: written[0]!.seq, checkpoints: { checked: 1, newest: { seq: written[5]!.seq }, rejectedCount: 0 } });
  });

  it("checkpoints at start a head that moved since the witness' last line, and at shutdown only what moved since", async () => {
    const written = await appendSix();
    await stack.cp.services.checkpoints.checkpoint();
    const newest = await append(7);
    const lines = () => fs.readFileSync(witnessFile(), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as { seq: number; head: string });
    expect(lines().map((c) => c.seq)).toEqual([written[5]!.seq]);
    // Another control plane on the same data directory and database, as after a restart.
    const config = loadConfig({ STEVEDORE_DATA_DIR: stack.dataDir, DATABASE_URL: stack.databaseUrl, PORT: "0", LOG_LEVEL: "silent", NODE_ENV: "test", ADMIN_EMAIL, ADMIN_PASSWORD, AUDIT_CHECKPOINT_INTERVAL_S: "86400" });
    const restarted = await startControlPlane(config, { ui: false });
    await expect.poll(() => lines().length).toBe(2);
    await restarted.close(); // the head did not move again: no third line
    expect(lines()).toEqual([expect.objectContaining({ seq: written[5]!.seq }), expect.objectContaining({ seq: newest.seq, head: newest.hash })]);
  });

  it("(a) a table rewritten with recomputed SHA-256 links is reported at the first rewritten entry", async () => {
    const written = await appendSix();
    await stack.cp.services.checkpoints.checkpoint();
    await append(7);
    // The attacker edits entry 3 and recomputes every link from the genesis, as anyone can: once
    // keeping the keyed mark (the HMAC then fails), once marking every row unkeyed (a checkpoint says
    // they were keyed).
    const rewrite = async (keyed: boolean) => {
      let prevHash = GENESIS_HASH;
      for (const row of await entries()) {
        const content = row.seq === written[2]!.seq ? { ...row, actorName: "mallory@example.com" } : row;
        const hash = entryHash(prevHash, content);
        await db().auditEntry.update({ where: { seq: row.seq }, data: { actorName: content.actorName, prevHash, hash, keyed } });
        prevHash = hash;
      }
    };
    await rewrite(true);
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: false, brokenAt: written[0]!.seq, reason: expect.stringMatching(/does not match its keyed hash/) });
    await rewrite(false);
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: false, brokenAt: written[0]!.seq, reason: expect.stringMatching(/^not keyed, but the checkpoint of .* \(audit-checkpoints.jsonl line 1\) says every entry from #\d+ on is/) });
  });

  it("(b) the newest entries removed after a checkpoint are reported as truncation at the checkpoint's entry", async () => {
    const written = await appendSix();
    const { checkpoint } = (await stack.cp.services.checkpoints.checkpoint())!;
    await db().auditEntry.deleteMany({ where: { seq: { gt: written[2]!.seq } } });
    const result = await stack.cp.services.audit.verify();
    expect(result).toMatchObject({ ok: false, brokenAt: checkpoint.seq, checked: 3 });
    expect(!result.ok && result.reason).toMatch(new RegExp(`^truncated: the chain ends at #${written[2]!.seq} \\(3 entries\\), but the checkpoint of ${checkpoint.at} .* says it reached #${checkpoint.seq} \\(6 entries\\)`));
  });

  it("(c) one edited row, covered by a checkpoint, is reported at its position", async () => {
    const written = await appendSix();
    await stack.cp.services.checkpoints.checkpoint();
    await db().$executeRaw`UPDATE "audit_entry" SET "targetName" = 'innocent' WHERE "seq" = ${written[3]!.seq}`;
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: false, brokenAt: written[3]!.seq, reason: expect.stringMatching(/edited/) });
  });

  it("verifies entries from before the key (unkeyed) followed by keyed ones linked to the last of them", async () => {
    // As the migration leaves them: SHA-256 links, and the keyed column at its default.
    let prevHash = GENESIS_HASH;
    for (let i = 1; i <= 3; i++) {
      const row = { id: `aud_legacy_${i}`, at: new Date(Date.now() - 60_000 + i), requestId: `legacy_${i}`, phase: "succeeded", action: "container.run", actorType: "user", actorId: "u1", actorName: "alice@example.com", sourceIp: null, userAgent: null, hostId: null, hostName: null, targetType: null, targetId: null, targetName: `old-${i}`, params: null, error: null };
      const hash = entryHash(prevHash, row);
      await db().auditEntry.create({ data: { ...row, prevHash, hash } });
      prevHash = hash;
    }
    const legacy = await entries();
    expect(legacy.map((e) => e.keyed)).toEqual([false, false, false]);
    await stack.cp.services.checkpoints.checkpoint(); // taken before any keyed entry: "keyed from the next one"
    const keyed = await appendSix();
    expect(keyed[0]!.prevHash).toBe(legacy[2]!.hash);
    const { checkpoint } = (await stack.cp.services.checkpoints.checkpoint())!;
    expect(checkpoint.keyedFrom).toBe(keyed[0]!.seq);
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: true, checked: 9, keyedFrom: keyed[0]!.seq, checkpoints: { checked: 2 } });
  });

  it("reports an unkeyed row inserted after keyed ones, even with a correct SHA-256 link", async () => {
    const written = await appendSix();
    const head = written[5]!;
    const forged = { ...head, id: "aud_forged", requestId: "forged", actorName: "nobody@example.com" };
    const { seq: _seq, keyed: _keyed, ...data } = { ...forged, prevHash: head.hash, hash: entryHash(head.hash, forged) };
    const inserted = await db().auditEntry.create({ data });
    expect(inserted.keyed).toBe(false);
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: false, brokenAt: inserted.seq, reason: expect.stringMatching(/^not keyed, after keyed entries/) });
  });

  it("reports a checkpoint line not signed with the audit key (and holds the chain only to the signed ones); so does npm run audit:verify", async () => {
    const written = await appendSix();
    await stack.cp.services.checkpoints.checkpoint();
    // Someone with the witness file but not the key claims a longer chain, signed with a key of their own.
    const forged = signCheckpoint(deriveAuditKeys("mallory-s-own-key-0123456789abcdefghij"), { seq: written[5]!.seq + 10, head: "ab".repeat(32), count: 16, keyedFrom: 1, at: new Date().toISOString() });
    fs.appendFileSync(witnessFile(), `${JSON.stringify(forged)}\nnot even json\n`);
    const result = await stack.cp.services.audit.verify();
    expect(result).toMatchObject({ ok: true, checked: 6, checkpoints: { checked: 1, rejectedCount: 2 } });
    expect(result.checkpoints.rejected).toEqual([
      { where: "audit-checkpoints.jsonl line 2", reason: expect.stringMatching(/signature is not the audit key's .* claims entry #/) },
      { where: "audit-checkpoints.jsonl line 3", reason: "not JSON: not a checkpoint" },
    ]);
    // Over the API, as the audit page shows it.
    const api = apiClient(stack.url, await signIn(stack.url));
    expect(await api.audit.verify.mutate()).toMatchObject({ ok: true, checkpoints: { rejectedCount: 2 } });

    // The CLI reads the same data directory (and its generated audit key) and exits 1.
    const env = { ...process.env, STEVEDORE_DATA_DIR: stack.dataDir, DATABASE_URL: stack.databaseUrl, LOG_LEVEL: "silent" };
    const cli = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const proc = spawn(process.execPath, ["--import", "tsx", "apps/web/server/cli.ts", "audit-verify", ...args], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
        proc.stderr.on("data", (d: Buffer) => (out += d.toString()));
        proc.once("exit", (code) => resolve({ code, out }));
      });
    const forgedRun = await cli([]);
    // Seven: the sign-in above is an entry too.
    expect(forgedRun.out).toMatch(/^audit trail intact: 7 entries, 1 checkpoint\(s\) up to #\d+/);
    expect(forgedRun.out).toContain("2 checkpoint line(s) not signed with the audit key (someone wrote to a witness):\n  audit-checkpoints.jsonl line 2: its signature");
    expect(forgedRun.code).toBe(1);
    // Lines a webhook receiver kept, given with --checkpoints, are held to as well.
    const received = path.join(stack.dataDir, "received.jsonl");
    fs.writeFileSync(received, `${fs.readFileSync(witnessFile(), "utf8").split("\n")[0]}\n`);
    fs.rmSync(witnessFile());
    expect(await cli(["--checkpoints", received])).toMatchObject({ code: 0, out: expect.stringMatching(/^audit trail intact: 7 entries, 1 checkpoint\(s\)/) });
    await db().auditEntry.deleteMany({ where: { seq: { gte: written[5]!.seq } } });
    expect(await cli(["--checkpoints", received])).toMatchObject({ code: 1, out: expect.stringMatching(new RegExp(`^audit trail BROKEN at entry #${written[5]!.seq} \\(after 5 good entries\\): truncated`)) });
  });
});

describe("the webhook witness", () => {
  let stack: TestStack;
  let stackClosed = false;
  let server: http.Server;
  const received: { body: string; type: string | undefined }[] = [];
  /** Answers 503 while set: the receiver is away. */
  let away = false;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        if (away) return void res.writeHead(503).end();
        received.push({ body, type: req.headers["content-type"] });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    stack = await startStack({ AUDIT_WITNESS_URL: `http://127.0.0.1:${port}/witness`, AUDIT_CHECKPOINT_INTERVAL_S: "1" });
  });
  afterAll(async () => {
    if (!stackClosed) await stack.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const keys = () => deriveAuditKeys(stack.cp.services.config.auditKey);
  const parsed = (i: number) => {
    const p = parseCheckpointLine(keys(), received[i]!.body);
    if (!p.ok) throw new Error(p.reason);
    return p.checkpoint;
  };

  it("receives each checkpoint signed, from audit.checkpoint (audited), every interval the head moved, retried after a failure, and at shutdown", async () => {
    const api = apiClient(stack.url, await signIn(stack.url));
    const result = await api.audit.checkpoint.mutate();
    expect(result.witnesses).toEqual([{ name: "audit-checkpoints.jsonl", ok: true }, { name: "webhook", ok: true }]);
    const mine = received.findIndex((r) => r.body.includes(result.head) && r.body.includes(result.at));
    expect(received[mine]!.type).toBe("application/json");
    expect(parsed(mine)).toMatchObject({ seq: result.seq, head: result.head, count: result.count, at: result.at });
    // The request is in the checkpoint it made; its outcome follows it.
    const trail = (await api.audit.list.query({ action: "audit.checkpoint" })).items;
    expect(trail.map((e) => e.phase)).toEqual(["succeeded", "requested"]);
    expect(trail[1]!.seq).toBe(result.seq);
    expect(JSON.parse(trail[0]!.params!)).toEqual({ seq: result.seq, head: result.head, count: result.count, witnesses: ["audit-checkpoints.jsonl", "webhook"] });

    // Periodic: the "succeeded" entry moved the head; within the next interval it is witnessed.
    const headSeq = trail[0]!.seq;
    await expect.poll(() => received.some((r, i) => parsed(i).seq >= headSeq), { timeout: 5_000 }).toBe(true);

    // Away: the on-demand checkpoint says so (and is audited as failed); the next one delivers both, in order.
    away = true;
    const failed = await api.audit.checkpoint.mutate();
    expect(failed.witnesses[1]).toEqual({ name: "webhook", ok: false, error: expect.stringMatching(/^the witness answered 503; 1 checkpoint\(s\) kept for the next try/) });
    const failedEntry = (await api.audit.list.query({ action: "audit.checkpoint", limit: 1 })).items[0]!;
    expect(failedEntry).toMatchObject({ phase: "failed", error: expect.stringMatching(/^webhook: the witness answered 503/) });
    away = false;
    const before = received.length;
    const next = await api.audit.checkpoint.mutate();
    expect(next.witnesses.every((w) => w.ok)).toBe(true);
    const delivered = received.slice(before).map((_, i) => parsed(before + i));
    expect(delivered.map((c) => c.seq)).toEqual(expect.arrayContaining([failed.seq, next.seq]));
    expect(delivered.findIndex((c) => c.seq === failed.seq)).toBeLessThan(delivered.findIndex((c) => c.seq === next.seq));

    // At shutdown the last entries are witnessed.
    const last = await stack.cp.services.audit.append({ requestId: "last", phase: "succeeded", action: "test.last" as AuditAction, actor: alice });
    await stack.close();
    stackClosed = true;
    expect(received.some((_, i) => parsed(i).head === last.hash)).toBe(true);
  });
});
