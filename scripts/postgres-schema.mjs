#!/usr/bin/env node
// prisma/schema.prisma is the one schema; this writes its PostgreSQL twin (provider and client output
// changed, nothing else), which `npm run db:generate` and the PostgreSQL migrations use. With --check
// it only says whether the committed twin is current (the test suite runs that).
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const source = fs.readFileSync(path.join(root, "prisma", "schema.prisma"), "utf8");
const twin = source
  .replace(/^\/\/ One schema for every database[^\n]*\n(\/\/[^\n]*\n)*/, "// GENERATED from prisma/schema.prisma by scripts/postgres-schema.mjs: edit that file, then run `npm run db:generate`.\n")
  .replace('provider = "sqlite"', 'provider = "postgresql"')
  .replace('output       = "../apps/web/src/generated/prisma"', 'output       = "../../apps/web/src/generated/prisma-postgres"');
if (twin === source || !twin.includes('"postgresql"') || !twin.includes("prisma-postgres")) {
  console.error("postgres-schema: prisma/schema.prisma no longer has the provider or output lines this script rewrites");
  process.exit(1);
}
const target = path.join(root, "prisma", "postgres", "schema.prisma");
if (process.argv.includes("--check")) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
  if (current !== twin) {
    console.error("prisma/postgres/schema.prisma is stale: run `npm run db:generate`");
    process.exit(1);
  }
} else {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, twin);
}
