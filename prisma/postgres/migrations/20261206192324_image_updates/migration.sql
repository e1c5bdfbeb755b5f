-- CreateTable
CREATE TABLE "image_update_check" (
    "reference" TEXT NOT NULL,
    "checked_at" TIMESTAMP(3) NOT NULL,
    "digest" TEXT,
    "manifests" TEXT NOT NULL DEFAULT '[]',
    "newer" TEXT,
    "error" TEXT,
    "newer_checked_at" TIMESTAMP(3),

    CONSTRAINT "image_update_check_pkey" PRIMARY KEY ("reference")
);

-- CreateTable
CREATE TABLE "update_check_run" (
    "id" TEXT NOT NULL,
    "next_at" TIMESTAMP(3) NOT NULL,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "summary" TEXT,

    CONSTRAINT "update_check_run_pkey" PRIMARY KEY ("id")
);

