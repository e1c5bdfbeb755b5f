import crypto from "node:crypto";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { REPO_ROOT, isPostgresUrl } from "./database-url";

const POSTGRES_MIGRATIONS = path.join(REPO_ROOT, "prisma", "postgres", "migrations");
/** Held while migrating, so replicas that start together migrate one after another. */
const MIGRATION_LOCK = 72_707_369;

/** Applies the committed migrations for the database's provider before the server opens its port. */
export async function applyMigrations(databaseUrl: string): Promise<string> {
  if (isPostgresUrl(databaseUrl)) return applyPostgresMigrations(databaseUrl);
  // SQLite: Prisma's own `migrate deploy`.
  const { stdout } = await promisify(execFile)("npx", ["--no-install", "prisma", "migrate", "deploy"], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  return stdout;
}

/**
 * PostgreSQL's migrations, applied in order, each in its own transaction, recorded with a checksum.
 * Not `prisma migrate deploy`: with the offline JavaScript schema engine and @prisma/adapter-pg it
 * fails on PostgreSQL's `name` column type (prisma/prisma#27403, open), and this is all deploy does.
 */
async function applyPostgresMigrations(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_stevedore_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const done = new Map((await client.query<{ name: string; checksum: string }>(`SELECT "name", "checksum" FROM "_stevedore_migrations"`)).rows.map((r) => [r.name, r.checksum]));
    for (const name of fs.readdirSync(POSTGRES_MIGRATIONS).filter((d) => /^\d{14}_/.test(d)).sort()) {
      const sql = fs.readFileSync(path.join(POSTGRES_MIGRATIONS, name, "migration.sql"), "utf8");
      const checksum = crypto.createHash("sha256").update(sql).digest("hex");
      if (done.has(name)) {
        if (done.get(name) !== checksum) throw new Error(`migration ${name} was edited after it was applied; add a new migration instead`);
        continue;
      }
      try {
        await client.query("BEGIN");
        await client.query(sql);
        await client.query(`INSERT INTO "_stevedore_migrations" ("name", "checksum") VALUES ($1, $2)`, [name, checksum]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${name} failed: ${(err as Error).message}`);
      }
      applied.push(name);
    }
  } finally {
    await client.end();
  }
  return applied.length ? `applied ${applied.join(", ")}` : "no pending migrations";
}
