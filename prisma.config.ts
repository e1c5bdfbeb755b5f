import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { isPostgresUrl, resolveDatabaseUrl } from "./apps/web/server/database-url";

// The schema's datasource reads DATABASE_URL; give it the embedded default when unset.
process.env.DATABASE_URL ??= resolveDatabaseUrl(process.env);
const url = process.env.DATABASE_URL;
// PostgreSQL uses the schema's generated twin and its own migrations (scripts/postgres-schema.mjs).
const dir = isPostgresUrl(url) ? path.join("prisma", "postgres") : "prisma";

// The JavaScript schema engine with a driver adapter: nothing is downloaded, on this machine or CI.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(dir, "schema.prisma"),
  migrations: { path: path.join(dir, "migrations") },
  adapter: async () => {
    if (isPostgresUrl(url)) return new PrismaPg({ connectionString: url });
    if (url.startsWith("file:")) fs.mkdirSync(path.dirname(url.slice("file:".length)), { recursive: true });
    return new PrismaBetterSQLite3({ url });
  },
});
