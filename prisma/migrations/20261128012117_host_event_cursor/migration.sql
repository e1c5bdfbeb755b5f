-- AlterTable
ALTER TABLE "host" ADD COLUMN "lastEventNanos" TEXT;

