-- CreateTable
CREATE TABLE "observed_event" (
    "hostId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,

    PRIMARY KEY ("hostId", "key")
);

