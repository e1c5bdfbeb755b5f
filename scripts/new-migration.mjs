#!/usr/bin/env node
// Writes prisma/migrations/<timestamp>_<name>/migration.sql from the change between the schema at
// git HEAD (or nothing, for the first migration) and the working copy. `prisma migrate dev` needs a
// shadow database that the offline JavaScript engine cannot provide; `migrate diff` does not.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]+/gi, "_").toLowerCase();
if (!name) {
  console.error("usage: npm run db:new-migration -- <name>");
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, "..");
const migrations = path.join(root, "prisma", "migrations");
const hasMigrations = fs.existsSync(migrations) && fs.readdirSync(migrations).some((d) => /^\d{14}_/.test(d));

let from = ["--from-empty"];
if (hasMigrations) {
  const previous = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-schema-")), "schema.prisma");
  fs.writeFileSync(previous, execFileSync("git", ["show", "HEAD:prisma/schema.prisma"], { cwd: root }));
  from = ["--from-schema-datamodel", previous];
}
const sql = execFileSync(
  "npx",
  ["prisma", "migrate", "diff", ...from, "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
  { cwd: root, encoding: "utf8" },
);
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  console.log("the schema has no change against HEAD: no migration written");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join(migrations, `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, "migration.sql"), sql);
const lock = path.join(migrations, "migration_lock.toml");
if (!fs.existsSync(lock)) fs.writeFileSync(lock, 'provider = "sqlite"\n');
console.log(`wrote ${path.relative(root, dir)}/migration.sql`);
