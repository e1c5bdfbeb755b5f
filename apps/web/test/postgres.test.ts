import { execFileSync } from "node:child_process";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { AuditLog } from "../server/audit/audit-log";
import { REPO_ROOT } from "../server/database-url";
import { createDb } from "../server/db";
import { applyMigrations } from "../server/migrate";
import { createPostgresDatabase, type TestDatabase } from "./support/shared-database";

/** Tables, columns, keys and indexes as PostgreSQL reports them (structure, not SQL text). */
async function schemaOf(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async (sql: string) => (await client.query(sql)).rows;
    return {
      columns: await q(`SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
                        WHERE table_schema = 'public' AND table_name NOT LIKE '\\_%' ORDER BY table_name, column_name`),
      constraints: await q(`SELECT tc.table_name, tc.constraint_type, string_agg(k.column_name, ',' ORDER BY k.ordinal_position) AS columns
                            FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
                            WHERE tc.table_schema = 'public' AND tc.table_name NOT LIKE '\\_%' GROUP BY tc.table_name, tc.constraint_name, tc.constraint_type ORDER BY 1, 3, 2`),
      indexes: await q(`SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '\\_%' ORDER BY indexname`),
    };
  } finally {
    await client.end();
  }
}

describe("PostgreSQL", () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of databases) await d.drop();
  });
  const fresh = async () => {
    const d = await createPostgresDatabase();
    databases.push(d);
    return d.url;
  };

  it("its schema is the generated twin of the one schema, and its migrations build exactly what it describes", async () => {
    execFileSync(process.execPath, ["scripts/postgres-schema.mjs", "--check"], { cwd: REPO_ROOT });

    const migrated = await fresh();
    expect(await applyMigrations(migrated)).toMatch(/^applied /);
    expect(await applyMigrations(migrated)).toBe("no pending migrations");

    const fromSchema = await fresh();
    const sql = execFileSync("npx", ["--no-install", "prisma", "migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/postgres/schema.prisma", "--script"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, DATABASE_URL: fromSchema },
    });
    const client = new pg.Client({ connectionString: fromSchema });
    await client.connect();
    await client.query(sql);
    await client.end();
    expect(await schemaOf(migrated)).toEqual(await schemaOf(fromSchema));

    // The search index compares words bytewise, as SQLite does.
    const check = new pg.Client({ connectionString: migrated });
    await check.connect();
    const { rows } = await check.query(`SELECT collation_name FROM information_schema.columns WHERE table_name = 'audit_term' AND column_name = 'term'`);
    await check.end();
    expect(rows).toEqual([{ collation_name: "C" }]);
  });

  it("two processes appending to the audit trail at once keep one unbroken chain", async () => {
    const url = await fresh();
    await applyMigrations(url);
    // Two clients with their own connection pools: two replicas, as far as the database can tell.
    const [dbA, dbB] = [createDb(url), createDb(url)];
    const [a, b] = [new AuditLog(dbA), new AuditLog(dbB)];
    const entry = (n: number, by: string) => ({ requestId: `req_${by}${n}`, phase: "succeeded" as const, action: "test.append", actor: { type: "user" as const, id: by, name: by } });
    await Promise.all(Array.from({ length: 150 }, (_, i) => [a.append(entry(i, "a")), b.append(entry(i, "b"))]).flat());

    expect(await a.verify()).toMatchObject({ ok: true, checked: 300 });
    const rows = await dbA.auditEntry.findMany({ select: { prevHash: true } });
    expect(new Set(rows.map((r) => r.prevHash)).size).toBe(300);
    await Promise.all([dbA.$disconnect(), dbB.$disconnect()]);
  });

  it("searches the trail through its word index (prefixes, every word, any case) as on SQLite", async () => {
    const url = await fresh();
    await applyMigrations(url);
    const db = createDb(url);
    const audit = new AuditLog(db);
    const actor = { type: "user" as const, id: "u1", name: "Alice@Example.com" };
    await audit.append({ requestId: "r1", phase: "succeeded", action: "container.stop", actor, hostName: "edge-1", targetName: "web-frontend" });
    await audit.append({ requestId: "r2", phase: "succeeded", action: "container.kill", actor, hostName: "edge-2", targetName: "web-backend" });
    await audit.append({ requestId: "r3", phase: "failed", action: "image.pull", actor: { type: "user", id: "u2", name: "bob@example.com" }, targetName: "Postgres:15" });
    const found = async (q: string) => (await audit.list({ q })).items.map((e) => e.requestId).sort();
    expect(await found("web")).toEqual(["r1", "r2"]);
    expect(await found("FRONT")).toEqual(["r1"]);
    expect(await found("alice kill")).toEqual(["r2"]);
    expect(await found("postgres")).toEqual(["r3"]);
    expect(await found("ontend")).toEqual([]);
    await db.$disconnect();
  });
});
