-- Written by hand instead of Prisma's table rebuild: SQLite adds a column with a constant default in
-- place, without copying the whole audit trail (millions of rows) on upgrade. Existing entries are
-- the unkeyed (plain SHA-256) ones.
-- AlterTable
ALTER TABLE "audit_entry" ADD COLUMN "keyed" BOOLEAN NOT NULL DEFAULT false;
