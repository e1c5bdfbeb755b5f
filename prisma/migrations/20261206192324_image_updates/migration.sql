-- CreateTable
CREATE TABLE "image_update_check" (
    "reference" TEXT NOT NULL PRIMARY KEY,
    "checked_at" DATETIME NOT NULL,
    "digest" TEXT,
    "manifests" TEXT NOT NULL DEFAULT '[]',
    "newer" TEXT,
    "error" TEXT,
    "newer_checked_at" DATETIME
);

-- CreateTable
CREATE TABLE "update_check_run" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "next_at" DATETIME NOT NULL,
    "started_at" DATETIME,
    "finished_at" DATETIME,
    "summary" TEXT
);

