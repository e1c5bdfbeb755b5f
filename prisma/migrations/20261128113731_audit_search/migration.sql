-- CreateTable
CREATE TABLE "audit_term" (
    "term" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,

    PRIMARY KEY ("term", "seq")
);

-- CreateIndex
CREATE INDEX "audit_term_seq_term_idx" ON "audit_term"("seq", "term");

