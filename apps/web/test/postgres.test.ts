// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../server/database-url";
import { applyMigrations } from "../server/migrate";
// @ts-expect-error a plain ES module script, shared with `npm run db:new-migration`
import { withByteOrder } from "../../../scripts/postgres-schema.mjs";
import { createPostgresDatabase, type TestDatabase } from "./support/shared-database";

async function withClient<T>(url: string, run: (q: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(async (sql) => (await client.query(sql)).rows);
  } finally {
    await client.end();
  }
}

/**
 * Tables, columns (type, nullability, default, collation), keys, foreign keys with their rules, and
 * indexes, as PostgreSQL reports them: structure, not SQL text. The migration runner's own table is left out.
 */
function schemaOf(url: string) {
  return withClient(url, async (q) => ({
    columns: await q(`SELECT table_name, column_name, data_type, is_nullable, column_default, collation_name FROM information_schema.columns
                      WHERE table_schema = 'public' AND table_name NOT LIKE '\\_%' ORDER BY table_name, column_name`),
    constraints: await q(`SELECT tc.table_name, tc.constraint_name, tc.constraint_type, string_agg(k.column_name, ',' ORDER BY k.ordinal_position) AS columns,
                                 r.update_rule, r.delete_rule
                          FROM information_schema.table_constraints tc
                          JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
                          LEFT JOIN information_schema.referential_constraints r USING (constraint_schema, constraint_name)
                          WHERE tc.table_schema = 'public' AND tc.table_name NOT LIKE '\\_%'
                          GROUP BY 1, 2, 3, 5, 6 ORDER BY 1, 2`),
    indexes: await q(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '\\_%' ORDER BY indexname`),
  }));
}

describe("PostgreSQL schema and migrations", () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of databases) await d.drop();
  });
  const fresh = async () => {
    const d = await createPostgresDatabase();
    databases.push(d);
    return d.url;
  };

  it("the PostgreSQL schema is the current twin of prisma/schema.prisma", () => {
    // Throws (exit 1) when prisma/postgres/schema.prisma is stale.
    execFileSync(process.execPath, ["scripts/postgres-schema.mjs", "--check"], { cwd: REPO_ROOT, stdio: "pipe" });
  });

  it("the committed migrations produce exactly the database the schema describes, with byte order on the search index", async () => {
    const migrated = await fresh();
    expect(await applyMigrations(migrated)).toMatch(/^applied \d{14}_/);

    // The schema's own database: migrate diff's script from nothing, with the collation the schema
    // language cannot state (as `npm run db:new-migration` writes it).
    const fromSchema = await fresh();
    const sql = execFileSync("npx", ["--no-install", "prisma", "migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/postgres/schema.prisma", "--script"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      // A scratch SQLite adapter in prisma.config.ts: the script's dialect comes from the schema.
      env: { ...process.env, DATABASE_URL: `file:${path.join(os.tmpdir(), `stv-pg-diff-${process.pid}.db`)}` },
    });
    await withClient(fromSchema, (q) => q(withByteOrder(sql) as string));

    const [a, b] = [await schemaOf(migrated), await schemaOf(fromSchema)];
    expect(a.columns.length).toBeGreaterThan(50);
    expect(a).toEqual(b);
    expect(a.columns.filter((c) => c.collation_name !== null)).toEqual([expect.objectContaining({ table_name: "audit_term", column_name: "term", collation_name: "C" })]);
  });

  it("applies each migration once, even from two processes starting together, and refuses one edited after it was applied", async () => {
    const url = await fresh();
    const results = await Promise.all([applyMigrations(url), applyMigrations(url)]);
    expect(results.sort()).toEqual([expect.stringMatching(/^applied /), "no pending migrations"]);
    expect(await applyMigrations(url)).toBe("no pending migrations");

    await withClient(url, (q) => q(`UPDATE "_stevedore_migrations" SET "checksum" = 'edited' WHERE "name" = (SELECT MIN("name") FROM "_stevedore_migrations")`));
    await expect(applyMigrations(url)).rejects.toThrow(/was edited after it was applied/);
  });
});
