-- CreateTable
CREATE TABLE "host_group_member" (
    "hostId" TEXT NOT NULL,
    "group_name" TEXT NOT NULL,

    PRIMARY KEY ("hostId", "group_name"),
    CONSTRAINT "host_group_member_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "access_grant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "group_name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "access_grant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "host_group_member_group_name_idx" ON "host_group_member"("group_name");

-- CreateIndex
CREATE INDEX "access_grant_group_name_idx" ON "access_grant"("group_name");

-- CreateIndex
CREATE UNIQUE INDEX "access_grant_userId_group_name_key" ON "access_grant"("userId", "group_name");

