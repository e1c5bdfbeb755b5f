-- CreateTable
CREATE TABLE "alert_rule" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL DEFAULT 'warning',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "scope" TEXT NOT NULL DEFAULT '{}',
    "params" TEXT NOT NULL DEFAULT '{}',
    "channel_ids" TEXT NOT NULL DEFAULT '[]',
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "alert_channel" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "secrets_enc" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "alert" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "rule_id" TEXT NOT NULL,
    "rule_name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "host_id" TEXT NOT NULL,
    "host_name" TEXT NOT NULL,
    "subject" TEXT,
    "container_id" TEXT,
    "summary" TEXT NOT NULL,
    "group_key" TEXT NOT NULL,
    "open_key" TEXT,
    "count" INTEGER NOT NULL DEFAULT 1,
    "first_at" DATETIME NOT NULL,
    "last_at" DATETIME NOT NULL,
    "resolved_at" DATETIME,
    "acknowledged_at" DATETIME,
    "acknowledged_by" TEXT,
    "silenced_until" DATETIME,
    "silenced_by" TEXT
);

-- CreateTable
CREATE TABLE "alert_delivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "alert_id" TEXT,
    "channel_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_at" DATETIME NOT NULL,
    "lease_owner" TEXT,
    "lease_until" DATETIME,
    "last_status" INTEGER,
    "last_error" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" DATETIME,
    "log" TEXT NOT NULL DEFAULT '[]',
    CONSTRAINT "alert_delivery_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alert" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "alert_rule_name_key" ON "alert_rule"("name");

-- CreateIndex
CREATE UNIQUE INDEX "alert_channel_name_key" ON "alert_channel"("name");

-- CreateIndex
CREATE UNIQUE INDEX "alert_open_key_key" ON "alert"("open_key");

-- CreateIndex
CREATE INDEX "alert_resolved_at_last_at_idx" ON "alert"("resolved_at", "last_at");

-- CreateIndex
CREATE INDEX "alert_host_id_resolved_at_idx" ON "alert"("host_id", "resolved_at");

-- CreateIndex
CREATE INDEX "alert_group_key_idx" ON "alert"("group_key");

-- CreateIndex
CREATE INDEX "alert_delivery_status_next_at_idx" ON "alert_delivery"("status", "next_at");

-- CreateIndex
CREATE INDEX "alert_delivery_alert_id_idx" ON "alert_delivery"("alert_id");

