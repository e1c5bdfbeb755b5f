-- CreateTable
CREATE TABLE "registry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "insecure" BOOLEAN NOT NULL DEFAULT false,
    "username" TEXT,
    "password_enc" TEXT,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "registry_name_key" ON "registry"("name");

-- CreateIndex
CREATE UNIQUE INDEX "registry_address_key" ON "registry"("address");

