#!/usr/bin/env node
// Both Prisma clients: SQLite (the embedded default) and PostgreSQL, from the one schema. prisma.config.ts
// picks the schema and driver adapter by DATABASE_URL; generating connects to nothing, so a placeholder
// PostgreSQL URL is enough to select that side.
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
execFileSync(process.execPath, [path.join(root, "scripts", "postgres-schema.mjs")], { stdio: "inherit" });
const { DATABASE_URL: _ignored, ...env } = process.env;
for (const url of [undefined, "postgresql://generate@localhost/unused"]) {
  execFileSync("npx", ["--no-install", "prisma", "generate"], { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: url ? { ...env, DATABASE_URL: url } : env });
}
