-- AlterTable
ALTER TABLE "join_token" ADD COLUMN     "label" TEXT,
ADD COLUMN     "maxUses" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "revokedAt" TIMESTAMP(3),
ADD COLUMN     "uses" INTEGER NOT NULL DEFAULT 0;

-- A token used before uses were counted stays used.
UPDATE "join_token" SET "uses" = 1 WHERE "usedAt" IS NOT NULL;
