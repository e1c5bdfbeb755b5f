// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../server/database-url";
import { applyMigrations } from "../server/migrate";

/**
 * Tables, columns, foreign keys and indexes as SQLite reports them: structure, not SQL text (a column
 * added by ALTER TABLE reads differently in sqlite_master from one made by CREATE TABLE).
 */
function schemaOf(file: string): unknown {
  const db = new Database(file, { readonly: true });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_prisma%' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  const shape = tables.map((table) => ({
    table,
    columns: db.prepare(`PRAGMA table_info("${table}")`).all(),
    foreignKeys: db.prepare(`PRAGMA foreign_key_list("${table}")`).all(),
    indexes: (db.prepare(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number }[])
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((i) => ({ name: i.name, unique: i.unique, columns: (db.prepare(`PRAGMA index_info("${i.name}")`).all() as { name: string }[]).map((c) => c.name) })),
  }));
  db.close();
  return shape;
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
