-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_join_token" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tokenHash" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "hostId" TEXT,
    "maxUses" INTEGER NOT NULL DEFAULT 1,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "label" TEXT,
    "revokedAt" DATETIME,
    CONSTRAINT "join_token_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "host" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_join_token" ("createdAt", "createdById", "expiresAt", "hostId", "id", "tokenHash", "usedAt") SELECT "createdAt", "createdById", "expiresAt", "hostId", "id", "tokenHash", "usedAt" FROM "join_token";
DROP TABLE "join_token";
ALTER TABLE "new_join_token" RENAME TO "join_token";
CREATE UNIQUE INDEX "join_token_tokenHash_key" ON "join_token"("tokenHash");
-- A token used before uses were counted stays used.
UPDATE "join_token" SET "uses" = 1 WHERE "usedAt" IS NOT NULL;
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

