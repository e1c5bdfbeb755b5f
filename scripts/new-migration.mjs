#!/usr/bin/env node
// Writes the migration for a schema change for both databases: prisma/migrations/<stamp>_<name>/
// (SQLite) and prisma/postgres/migrations/<stamp>_<name>/ (PostgreSQL), each from the change between
// the schema at git HEAD (or nothing, for the first migration) and the working copy. `prisma migrate
// dev` needs a shadow database that the offline JavaScript engine cannot provide; `migrate diff` does not.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { postgresTwin, withByteOrder } from "./postgres-schema.mjs";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]+/gi, "_").toLowerCase();
if (!name) {
  console.error("usage: npm run db:new-migration -- <name>");
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, "..");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-schema-"));

// The PostgreSQL twin is regenerated first, so it is never behind the schema its migration comes from.
execFileSync(process.execPath, [path.join(root, "scripts", "postgres-schema.mjs")], { stdio: "inherit" });

const providers = [
  { provider: "sqlite", dir: path.join(root, "prisma", "migrations"), schema: "prisma/schema.prisma", twin: (s) => s, post: (sql) => sql },
  { provider: "postgresql", dir: path.join(root, "prisma", "postgres", "migrations"), schema: "prisma/postgres/schema.prisma", twin: postgresTwin, post: withByteOrder },
];

let headSchema = null;
try {
  headSchema = execFileSync("git", ["show", "HEAD:prisma/schema.prisma"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
} catch {
  // no commit has the schema yet: every migration starts from nothing
}

const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const written = [];
for (const p of providers) {
  const hasMigrations = fs.existsSync(p.dir) && fs.readdirSync(p.dir).some((d) => /^\d{14}_/.test(d));
  let from = ["--from-empty"];
  if (hasMigrations && headSchema !== null) {
    const previous = path.join(scratch, `${p.provider}.prisma`);
    fs.writeFileSync(previous, p.twin(headSchema));
    from = ["--from-schema-datamodel", previous];
  }
  // The script's dialect comes from the schemas' provider. DATABASE_URL only feeds prisma.config.ts's
  // adapter: a scratch SQLite file, so no PostgreSQL server is needed (or touched) to write a migration.
  const sql = execFileSync("npx", ["--no-install", "prisma", "migrate", "diff", ...from, "--to-schema-datamodel", p.schema, "--script"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: `file:${path.join(scratch, "scratch.db")}` },
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) continue;
  const dir = path.join(p.dir, `${stamp}_${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration.sql"), p.post(sql));
  const lock = path.join(p.dir, "migration_lock.toml");
  if (!fs.existsSync(lock)) fs.writeFileSync(lock, `provider = "${p.provider}"\n`);
  written.push(`${path.relative(root, dir)}/migration.sql`);
}
fs.rmSync(scratch, { recursive: true, force: true });

if (written.length === 0) console.log("the schema has no change against HEAD: no migration written");
else if (written.length === 1) {
  console.error(`wrote ${written[0]}, but only for one database: check that the other's migrations are complete`);
  process.exit(1);
} else for (const w of written) console.log(`wrote ${w}`);
