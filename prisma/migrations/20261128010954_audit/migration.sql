-- CreateTable
CREATE TABLE "audit_entry" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "id" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "requestId" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "actorName" TEXT NOT NULL,
    "sourceIp" TEXT,
    "userAgent" TEXT,
    "hostId" TEXT,
    "hostName" TEXT,
    "targetType" TEXT,
    "targetId" TEXT,
    "targetName" TEXT,
    "params" TEXT,
    "error" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "audit_entry_id_key" ON "audit_entry"("id");

-- CreateIndex
CREATE UNIQUE INDEX "audit_entry_hash_key" ON "audit_entry"("hash");

-- CreateIndex
CREATE INDEX "audit_entry_at_idx" ON "audit_entry"("at");

-- CreateIndex
CREATE INDEX "audit_entry_requestId_idx" ON "audit_entry"("requestId");

-- CreateIndex
CREATE INDEX "audit_entry_actorId_seq_idx" ON "audit_entry"("actorId", "seq");

-- CreateIndex
CREATE INDEX "audit_entry_hostId_seq_idx" ON "audit_entry"("hostId", "seq");

-- CreateIndex
CREATE INDEX "audit_entry_action_seq_idx" ON "audit_entry"("action", "seq");

-- CreateIndex
CREATE INDEX "audit_entry_targetId_seq_idx" ON "audit_entry"("targetId", "seq");

