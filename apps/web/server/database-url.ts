import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The embedded default keeps its SQLite file under the data directory (STEVEDORE_DATA_DIR, default ./data). */
export function resolveDataDir(env: Record<string, string | undefined>): string {
  return path.resolve(REPO_ROOT, env.STEVEDORE_DATA_DIR ?? "data");
}

export function resolveDatabaseUrl(env: Record<string, string | undefined>): string {
  return env.DATABASE_URL ?? `file:${path.join(resolveDataDir(env), "stevedore.db")}`;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}
