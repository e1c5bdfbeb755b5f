// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deriveAuditKeys } from "../server/audit/audit-key";
import { AuditLog } from "../server/audit/audit-log";
import { REPO_ROOT } from "../server/database-url";
import { createDb } from "../server/db";
import { applyMigrations } from "../server/migrate";
import { createPostgresDatabase, type TestDatabase } from "./support/shared-database";

/** The key both processes share, as replicas share AUDIT_KEY. */
const AUDIT_KEY = "a-test-audit-key-of-at-least-32-characters";

/** Starts an appender process and resolves once it is connected and waiting for the start line. */
async function startAppender(url: string, label: string, perProcess: number): Promise<{ proc: ChildProcess; exited: Promise<{ code: number | null; output: string }> }> {
  const proc = spawn(process.execPath, ["--import", "tsx", "apps/web/test/support/audit-appender.ts", url, label, String(perProcess)], { cwd: REPO_ROOT, env: { ...process.env, AUDIT_KEY }, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  proc.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => proc.once("exit", (code) => resolve({ code, output })));
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on("data", (d: Buffer) => {
      output += d.toString();
      if (output.includes("ready\n")) resolve();
    });
    void exited.then(({ output: o }) => reject(new Error(`appender ${label} exited before it was ready:\n${o}`)));
  });
  return { proc, exited };
}

/**
 * Two control planes on one database append to the audit trail at the same moment: the appends must
 * queue in the database (each reads the head only once it holds the chain's lock), or two entries
 * link to the same predecessor (a forked chain) or one process fails on a busy database.
 */
async function appendFromTwoProcesses(url: string, { perProcess, interleaved }: { perProcess: number; interleaved: boolean }): Promise<void> {
  const PER_PROCESS = perProcess;
  await applyMigrations(url);
  const appenders = await Promise.all([startAppender(url, "a", PER_PROCESS), startAppender(url, "b", PER_PROCESS)]);
  for (const a of appenders) a.proc.stdin!.end("go\n");
  for (const { exited } of appenders) {
    const { code, output } = await exited;
    expect(code, output).toBe(0);
  }

  const db = createDb(url);
  try {
    expect(await new AuditLog(db, deriveAuditKeys(AUDIT_KEY)).verify()).toMatchObject({ ok: true, checked: 2 * PER_PROCESS, keyedFrom: 1 });
    const rows = await db.auditEntry.findMany({ select: { requestId: true, prevHash: true }, orderBy: { seq: "asc" } });
    // Nothing lost, nothing twice, and every entry links to a different predecessor.
    expect(rows.map((r) => r.requestId).sort()).toEqual(["a", "b"].flatMap((l) => Array.from({ length: PER_PROCESS }, (_, i) => `${l}_${i}`)).sort());
    expect(new Set(rows.map((r) => r.prevHash)).size).toBe(rows.length);
    // The writes really were interleaved: otherwise this test proves nothing about concurrency.
    // (PostgreSQL queues lock waiters in turn; SQLite's lock is not fair, so there one process may
    // take most turns while the other waits in its busy handler.)
    const switches = rows.filter((r, i) => i > 0 && r.requestId[0] !== rows[i - 1]!.requestId[0]).length;
    if (interleaved) expect(switches).toBeGreaterThan(2);
    // Each entry's words were indexed in its own append's transaction.
    expect((await db.auditTerm.findMany({ distinct: ["seq"], select: { seq: true } })).length).toBe(2 * PER_PROCESS);
  } finally {
    await db.$disconnect();
  }
}

describe("the audit chain with two control-plane processes writing at once", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it("on SQLite (one file): one unbroken chain, nothing lost, no busy error", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stv-audit-processes-"));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    // Fewer on SQLite: the waiting process must get its turns within the busy timeout (5 s).
    await appendFromTwoProcesses(`file:${path.join(dir, "stevedore.db")}`, { perProcess: 50, interleaved: false });
  });

  it("on PostgreSQL: one unbroken chain, nothing lost", async () => {
    const database: TestDatabase = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    await appendFromTwoProcesses(database.url, { perProcess: 200, interleaved: true });
  });
});
