-- CreateTable
CREATE TABLE "observed_event" (
    "hostId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,

    CONSTRAINT "observed_event_pkey" PRIMARY KEY ("hostId","key")
);

