#!/usr/bin/env node
// prisma/schema.prisma is the one schema; this writes its PostgreSQL twin (provider and client output
// changed, nothing else), which `npm run db:generate` and the PostgreSQL migrations use. With --check
// it only says whether the committed twin is current (the test suite runs that).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(import.meta.dirname, "..");

/** The PostgreSQL twin of a version of prisma/schema.prisma (also of an older one, for a migration's diff). */
export function postgresTwin(source) {
  const twin = source
    .replace(/^\/\/ One schema for every database[^\n]*\n(\/\/[^\n]*\n)*/, "// GENERATED from prisma/schema.prisma by scripts/postgres-schema.mjs: edit that file, then run `npm run db:generate`.\n")
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output       = "../apps/web/src/generated/prisma"', 'output       = "../../apps/web/src/generated/prisma-postgres"');
  if (twin === source || !twin.includes('"postgresql"') || !twin.includes("prisma-postgres")) {
    throw new Error("postgres-schema: prisma/schema.prisma no longer has the provider or output lines this script rewrites");
  }
  return twin;
}

/**
 * Columns compared bytewise, as SQLite compares text: the audit search reads a word's prefix as the
 * range [prefix, prefix + U+FFFF). The schema language cannot say so, so every PostgreSQL migration
 * gets COLLATE "C" on them (`npm run db:new-migration` applies this; the migrations test checks it).
 */
export const BYTE_ORDER_COLUMNS = { audit_term: ["term"] };

/** `migrate diff`'s PostgreSQL script with COLLATE "C" on the byte-order columns it creates or retypes. */
export function withByteOrder(sql) {
  return sql
    .split(/(?<=;)/)
    .map((statement) => {
      const table = /^\s*(?:--[^\n]*\n\s*)*(?:CREATE|ALTER) TABLE "([^"]+)"/.exec(statement)?.[1];
      let out = statement;
      for (const column of BYTE_ORDER_COLUMNS[table] ?? []) {
        out = out
          .replace(new RegExp(`("${column}" (?:TEXT|VARCHAR(?:\\(\\d+\\))?))(?! COLLATE)`, "g"), '$1 COLLATE "C"')
          .replace(new RegExp(`(ALTER COLUMN "${column}" SET DATA TYPE (?:TEXT|VARCHAR(?:\\(\\d+\\))?))(?! COLLATE)`, "g"), '$1 COLLATE "C"');
      }
      return out;
    })
    .join("");
}

function main() {
  let twin;
  try {
    twin = postgresTwin(fs.readFileSync(path.join(root, "prisma", "schema.prisma"), "utf8"));
  } catch (err) {
    console.error(err.message);
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
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
