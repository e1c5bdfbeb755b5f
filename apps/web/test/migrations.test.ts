import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../server/database-url";
import { applyMigrations } from "../server/migrate";

/** Tables, columns and indexes as SQLite describes them, whitespace-normalised. */
function schemaOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE '_prisma%' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { sql: string }[];
  db.close();
  return rows.map((r) => r.sql.replace(/\s+/g, " ").trim());
}

describe("committed migrations", () => {
  it("produce exactly the database the schema describes (no change left without a migration)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stv-migrations-"));
    const migrated = path.join(dir, "migrated.db");
    await applyMigrations(`file:${migrated}`);

    const fromSchema = path.join(dir, "from-schema.db");
    const sql = execFileSync("npx", ["--no-install", "prisma", "migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, DATABASE_URL: `file:${fromSchema}` },
    });
    const db = new Database(fromSchema);
    db.exec(sql);
    db.close();

    expect(schemaOf(migrated)).toEqual(schemaOf(fromSchema));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
