-- AlterTable
ALTER TABLE "audit_entry" ADD COLUMN     "keyed" BOOLEAN NOT NULL DEFAULT false;

