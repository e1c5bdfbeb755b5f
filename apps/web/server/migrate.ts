import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { REPO_ROOT } from "./database-url";

/** Applies committed migrations with Prisma's own `migrate deploy` before the server opens its port. */
export async function applyMigrations(databaseUrl: string): Promise<string> {
  const { stdout } = await promisify(execFile)("npx", ["--no-install", "prisma", "migrate", "deploy"], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  return stdout;
}
