-- AlterTable
ALTER TABLE "host" ADD COLUMN     "credentialIssuedAt" TIMESTAMP(3),
ADD COLUMN     "pendingCredentialHash" TEXT,
ADD COLUMN     "previousCredentialHash" TEXT,
ADD COLUMN     "previousCredentialUntil" TIMESTAMP(3),
ADD COLUMN     "credentialAlert" TEXT;
