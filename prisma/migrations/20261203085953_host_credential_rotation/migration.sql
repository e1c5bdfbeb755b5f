-- AlterTable
ALTER TABLE "host" ADD COLUMN "credentialIssuedAt" DATETIME;
ALTER TABLE "host" ADD COLUMN "pendingCredentialHash" TEXT;
ALTER TABLE "host" ADD COLUMN "previousCredentialHash" TEXT;
ALTER TABLE "host" ADD COLUMN "previousCredentialUntil" DATETIME;
ALTER TABLE "host" ADD COLUMN "credentialAlert" TEXT;
