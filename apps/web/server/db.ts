import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../src/generated/prisma/client";
import { PrismaClient as PostgresClient } from "../src/generated/prisma-postgres/client";
import { isPostgresUrl } from "./database-url";

export type Db = PrismaClient;
export type DbProvider = "sqlite" | "postgresql";

const providers = new WeakMap<Db, DbProvider>();
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** SQLite (file:…) or PostgreSQL (postgres://…), by the URL. */
export function createDb(databaseUrl: string): Db {
  if (isPostgresUrl(databaseUrl)) {
    // Both clients come from the one schema (scripts/postgres-schema.mjs), so they have the same API;
    // the code is written against the SQLite client's types.
    const db = new PostgresClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) }) as unknown as Db;
    providers.set(db, "postgresql");
    return db;
  }
  // Another process writing to the same file (an audit append holds the write lock for its
  // transaction) is waited for, up to the busy timeout, instead of failing with SQLITE_BUSY.
  const db = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: databaseUrl, timeout: SQLITE_BUSY_TIMEOUT_MS }) });
  providers.set(db, "sqlite");
  return db;
}

/** For the few statements that differ between databases (taking the audit chain's lock). */
export function dbProvider(db: Db): DbProvider {
  return providers.get(db) ?? "sqlite";
}

/**
 * Takes the audit chain's lock as the transaction's first statement, so two processes appending at
 * once queue in the database instead of both reading the same head (a forked chain). PostgreSQL: a
 * transaction-scoped advisory lock. SQLite: any write takes the database's write lock (and waits for
 * it, up to the busy timeout), before the head is read.
 */
export async function lockAuditChain(tx: Pick<Db, "$executeRaw">, provider: DbProvider): Promise<void> {
  if (provider === "postgresql") await tx.$executeRaw`SELECT pg_advisory_xact_lock(7271083)`;
  else await tx.$executeRaw`UPDATE "audit_entry" SET "hash" = "hash" WHERE 0`;
}
