-- CreateEnum
CREATE TYPE "SecurityKeyStatus" AS ENUM ('IN_STOCK', 'ISSUED', 'RETURNED', 'LOST', 'RETIRED');

-- AlterEnum
ALTER TYPE "RevocationReason" ADD VALUE 'RETURNED';

-- CreateTable
CREATE TABLE "SecurityKey" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "aaguid" TEXT NOT NULL,
    "modelName" TEXT NOT NULL,
    "serial" TEXT NOT NULL,
    "status" "SecurityKeyStatus" NOT NULL DEFAULT 'IN_STOCK',
    "userId" UUID,
    "passkeyId" UUID,
    "caseId" UUID,
    "issuedAt" TIMESTAMP(3),
    "returnedAt" TIMESTAMP(3),
    "lostAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SecurityKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BreakGlassAccount" (
    "userId" UUID NOT NULL,
    "markedById" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "testUntil" TIMESTAMP(3),
    "lastTestAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BreakGlassAccount_pkey" PRIMARY KEY ("userId")
);

-- CreateTable
CREATE TABLE "ApprovalDecision" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "approvalId" UUID NOT NULL,
    "deciderId" UUID NOT NULL,
    "role" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApprovalDecision_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SecurityKey_serial_key" ON "SecurityKey"("serial");

-- CreateIndex
CREATE UNIQUE INDEX "SecurityKey_passkeyId_key" ON "SecurityKey"("passkeyId");

-- CreateIndex
CREATE INDEX "SecurityKey_status_idx" ON "SecurityKey"("status");

-- CreateIndex
CREATE INDEX "SecurityKey_userId_idx" ON "SecurityKey"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "ApprovalDecision_approvalId_deciderId_key" ON "ApprovalDecision"("approvalId", "deciderId");

-- AddForeignKey
ALTER TABLE "SecurityKey" ADD CONSTRAINT "SecurityKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "WorkforceUser"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BreakGlassAccount" ADD CONSTRAINT "BreakGlassAccount_userId_fkey" FOREIGN KEY ("userId") REFERENCES "WorkforceUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

