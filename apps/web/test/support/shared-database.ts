import crypto from "node:crypto";
import pg from "pg";
import { it } from "vitest";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** The PostgreSQL server the test command started (scripts/ensure-postgres.sh). */
export function postgresServerUrl(): string {
  const url = process.env.STEVEDORE_TEST_PG_URL;
  if (!url) throw new Error("no PostgreSQL for this test: run it through `npm test`, which starts one (or set STEVEDORE_TEST_PG_URL)");
  return url;
}

/** Whether the whole suite runs on PostgreSQL this time (the test command's second pass). */
export function suiteOnPostgres(): boolean {
  return process.env.STEVEDORE_TEST_DATABASE === "postgres";
}

/**
 * A case that tests the engine, the agent or the streams rather than the database: run on the
 * suite's first pass only (a whole file like that says "Once per run" at its top instead).
 */
export const itOncePerRun = it.skipIf(suiteOnPostgres());

/** A fresh, empty PostgreSQL database of its own, dropped afterwards. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const server = postgresServerUrl();
  const name = `stv_${crypto.randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
